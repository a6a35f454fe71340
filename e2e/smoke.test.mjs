// Smoke test: the real server serves the app with DESIGN.md's security headers, and the page opens
// in Chromium. Runs against ENCLAVE_DIST (the built app, as `cargo xtask test` sets it); without it,
// against a one-page stand-in dist made here, and says so.

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { EXPECTED_CSP, recordRequests, useApp } from './harness.mjs';

const STAND_IN_INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Enclave (stand-in)</title></head>
<body><p>stand-in page made by e2e/smoke.test.mjs</p></body></html>
`;

describe('smoke', () => {
  const app = useApp({
    server: async ({ scratch }) => {
      let dist = process.env.ENCLAVE_DIST;
      if (!dist) {
        dist = join(scratch, 'dist');
        await mkdir(dist);
        await writeFile(join(dist, 'index.html'), STAND_IN_INDEX);
        console.warn(`ENCLAVE_DIST is not set: serving a stand-in page from ${dist}`);
      }
      return { dist };
    },
  });

  test('GET / carries the strict CSP and nosniff', async () => {
    const response = await fetch(`${app.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('content-security-policy'), EXPECTED_CSP);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    await response.arrayBuffer();
  });

  test('the page opens in Chromium with an Enclave title', async () => {
    const page = await app.browser.newPage();
    try {
      const requests = recordRequests(page);
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const response = await page.goto(`${app.url}/`, { waitUntil: 'load' });
      assert.equal(response?.status(), 200);
      assert.match(await page.title(), /Enclave/);
      assert.ok(
        requests.some((r) => r.method === 'GET' && r.url === `${app.url}/`),
        `the recorder saw the page load; it saw: ${requests.map((r) => r.url).join(', ')}`,
      );
      assert.deepEqual(errors, [], 'no uncaught errors on the page');
    } finally {
      await page.close();
    }
  });
});
