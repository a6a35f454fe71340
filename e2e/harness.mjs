// Enclave's end-to-end harness: starts the real server on a free port with a throwaway database,
// launches Debian's Chromium through playwright-core, and records every request a page makes so
// tests can prove that no file content crosses the network. Every test file sets up through
// `useApp()` (server, browser, scratch folder and their teardown, once per file) and asks
// bcftools, the oracle, through `bcftoolsCounts`.
//
// Environment (set by `cargo xtask test`):
//   ENCLAVE_SERVER_BIN        the server binary (default: <repo>/target/release/enclave-server)
//   ENCLAVE_DIST              the built app (default: <repo>/dist)
//   ENCLAVE_CHROMIUM          the browser (default: /usr/bin/chromium)
//   ENCLAVE_SHARED_TESTDATA   the shared conformance corpus, when present

import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root (the parent of e2e/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Content-Security-Policy DESIGN.md requires on every page, byte for byte. */
export const EXPECTED_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Chromium flags that let it run as root in a container and keep it quiet on a closed network
 * (TOOLCHAIN.md pitfall 7). No `--user-data-dir`: Playwright rejects it. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Path of the server binary, failing loudly (never skipping) when it is not there. */
export function serverBinary() {
  const bin = process.env.ENCLAVE_SERVER_BIN || join(repoRoot, 'target/release/enclave-server');
  if (!existsSync(bin)) {
    throw new Error(
      `server binary ${bin} does not exist: run \`cargo xtask build\` or set ENCLAVE_SERVER_BIN`,
    );
  }
  return bin;
}

/**
 * Starts the server on 127.0.0.1 with a port the OS picks and a database in a fresh temp dir.
 * Resolves once it prints `listening on http://127.0.0.1:PORT`.
 *
 * @param {{dist?: string, args?: string[], env?: Record<string, string>}} [options]
 *   dist: the directory to serve (default ENCLAVE_DIST, else <repo>/dist).
 * @returns {Promise<{url: string, port: number, dbPath: string, dataDir: string,
 *   process: import('node:child_process').ChildProcess, output: string[], stop: () => Promise<void>}>}
 *   url has no trailing slash; output holds the server's stdout lines.
 */
export async function startServer(options = {}) {
  const bin = serverBinary();
  const dist = options.dist ?? process.env.ENCLAVE_DIST ?? join(repoRoot, 'dist');
  const dataDir = await mkdtemp(join(tmpdir(), 'enclave-e2e-'));
  const dbPath = join(dataDir, 'e.sqlite');
  const args = ['--dist', dist, '--db', dbPath, '--addr', '127.0.0.1:0', ...(options.args ?? [])];
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(options.env ?? {}) },
  });
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const output = [];
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });

  let url;
  try {
    url = await new Promise((resolveUrl, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`server did not print "listening on" within ${STARTUP_TIMEOUT_MS} ms`));
      }, STARTUP_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${error.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(
            `server exited (code ${code}, signal ${signal}) before listening: ` +
              `${bin} ${args.join(' ')}\nstdout:\n${output.join('\n')}`,
          ),
        );
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        output.push(line);
        const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\/?\s*$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  return { url, port: Number(new URL(url).port), dbPath, dataDir, process: child, output, stop };
}

/**
 * Launches headless Chromium (Debian's; nothing is downloaded).
 * @param {import('playwright-core').LaunchOptions} [options] merged over the defaults
 */
export function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: process.env.ENCLAVE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

/**
 * Records every request a page (or a whole browser context) issues, including those of its
 * workers, in the order they are issued. Returns the live array:
 * `{url, method, headers, postData, resourceType}` with `postData` a Buffer, or null without body.
 *
 * @param {import('playwright-core').Page | import('playwright-core').BrowserContext} target
 */
export function recordRequests(target) {
  const requests = [];
  target.on('request', (request) => {
    requests.push({
      url: request.url(),
      method: request.method(),
      headers: request.headers(),
      postData: request.postDataBuffer(),
      resourceType: request.resourceType(),
    });
  });
  return requests;
}

/** The app's own code, fetched by the page and by every worker the pool starts. */
const APP_FILES = /^\/(?:pkg\/(?:app|engine)(?:_bg)?\.(?:js|wasm)|worker\.js|main\.js|style\.css|favicon\.svg)$/;

/**
 * The recorded requests other than GETs of the app's own code from its own origin. The pool
 * starts a spare worker after each load, whose script and engine arrive whenever the browser
 * gets to them; those carry nothing of the user's and are left out here, anything else stays.
 *
 * @param {{url: string, method: string}[]} requests
 * @param {string} origin the app's origin
 */
export function beyondAppFiles(requests, origin) {
  return requests.filter((r) => {
    const url = new URL(r.url);
    const code = r.method === 'GET' && url.origin === origin && url.search === '' && APP_FILES.test(url.pathname);
    return !code;
  });
}

/** How long a page may take to load a file in these tests. */
export const LOAD_TIMEOUT = 60_000;

/**
 * A fresh browser context and page at `url` that records every request (see `recordRequests`)
 * and collects console errors and uncaught exceptions.
 * Returns `{context, page, requests, errors, response}`.
 */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const requests = recordRequests(context);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const response = await page.goto(url);
  return { context, page, requests, errors, response };
}

/** Waits until the element with `data-testid=testid` carries `data-value` = `value`. */
export async function waitForValue(page, testid, value) {
  await page.waitForFunction(
    ([id, v]) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') === String(v),
    [testid, value],
    { timeout: LOAD_TIMEOUT },
  );
}

/**
 * The setup every e2e file shares: registers node:test `before` and `after` hooks in the scope it
 * is called in (a file's top level, or a `describe`) that start the server and Chromium once
 * and, after the last test, close the browser, stop the server and remove the scratch folder.
 * Returns the live context the tests use once the hooks have run:
 * `{server, browser, url, scratch, open(path)}`, where `open(path)` is `openPage` at
 * `url + path` and `scratch` a fresh folder for the files a test writes.
 *
 * @param {{server?: (app: {scratch: string}) => (object | Promise<object>)}} [options]
 *   server: the options of `startServer`, computed once the scratch folder exists.
 */
export function useApp(options = {}) {
  const app = {
    server: undefined,
    browser: undefined,
    scratch: undefined,
    get url() {
      return app.server.url;
    },
    open(path = '/') {
      return openPage(app.browser, app.server.url + path);
    },
  };
  before(async () => {
    app.scratch = await mkdtemp(join(tmpdir(), 'enclave-e2e-files-'));
    app.server = await startServer(await options.server?.(app));
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.stop();
    if (app.scratch) await rm(app.scratch, { recursive: true, force: true });
  });
  return app;
}

/** bcftools is the oracle for record counts and sample names: `{records, samples}` of `path`. */
export function bcftoolsCounts(path) {
  const lines = (args) =>
    execFileSync('bcftools', args, { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .split('\n')
      .filter((l) => l.length > 0);
  return { records: lines(['view', '-H', path]).length, samples: lines(['query', '-l', path]) };
}
