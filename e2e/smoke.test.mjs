// Smoke test: the real server serves the app with DESIGN.md's security headers, and the page opens
// in Chromium. Runs against ENCLAVE_DIST (the built app, as `cargo xtask test` sets it); without it,
// against a one-page stand-in dist made here, and says so.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EXPECTED_CSP, launchBrowser, recordRequests, startServer } from './harness.mjs';

const STAND_IN_INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Enclave (stand-in)</title></head>
<body><p>stand-in page made by e2e/smoke.test.mjs</p></body></html>
`;

describe('smoke', () => {
  let server;
  let standInDist;

  before(async () => {
    let dist = process.env.ENCLAVE_DIST;
    if (!dist) {
      standInDist = await mkdtemp(join(tmpdir(), 'enclave-dist-'));
      await writeFile(join(standInDist, 'index.html'), STAND_IN_INDEX);
      dist = standInDist;
      console.warn(`ENCLAVE_DIST is not set: serving a stand-in page from ${dist}`);
    }
    server = await startServer({ dist });
  });

  after(async () => {
    await server?.stop();
    if (standInDist) await rm(standInDist, { recursive: true, force: true });
  });

  test('GET / carries the strict CSP and nosniff', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('content-security-policy'), EXPECTED_CSP);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    await response.arrayBuffer();
  });

  test('the page opens in Chromium with an Enclave title', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const requests = recordRequests(page);
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const response = await page.goto(`${server.url}/`, { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      assert.match(await page.title(), /Enclave/);
      assert.ok(
        requests.some((r) => r.method === 'GET' && r.url === `${server.url}/`),
        `the recorder saw the page load; it saw: ${requests.map((r) => r.url).join(', ')}`,
      );
      assert.deepEqual(errors, [], 'no uncaught errors on the page');
    } finally {
      await browser.close();
    }
  });
});
