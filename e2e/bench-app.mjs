// The browser half of `cargo xtask bench` (xtask/src/bench.rs): the real app, served by the real
// server, in Debian's headless Chromium, over the whole-genome file `enclave-bench prepare` wrote.
// Not a test (its name matches none of node's test patterns): it measures and prints one JSON
// object on stdout; progress goes to stderr.
//
// usage: node e2e/bench-app.mjs --data FILE.vcf.gz --index FILE.vcf.gz.csi --records N
//          --filter EXPR --edited-filter EXPR --filter-count N --region REGION --region-count N
//          [--runs N] [--workers N]
//
// The counts are the reference's (bcftools' `view -H`, `query -i`, `view -H -r`): every time below
// ends when the page shows exactly that count, so a figure exists only when the app agreed.
//
// For workers = 1 and workers = N (`--workers`, default `os.availableParallelism()` capped at
// 8, at least 2 so the pool is exercised), each run in a fresh browser context at `/?workers=W`:
// - ingest: data + index picked through `open-file`; from the input's `change` event to
//   `variant-count` showing every record (wall), beside the app's own `load-time`; the summary's
//   uncompressed bytes (`text-bytes`), `store-bytes` and `workers` (workers actually used);
// - QC panel: a click on its summary to `qc-status` = ready (every record's statistics, merged
//   over the pool), beside the slowest worker's `qc-time` and the records it counted;
// - region on the loaded store: REGION typed in `region-input` + Enter → `filtered-count` =
//   the reference's region count (the region mask is computed: each run is a fresh page);
// - filter: Clear, then EXPR typed in `filter-expression` + Enter → `filtered-count` = the
//   reference's count (every clause evaluated: `filter_ms`), beside the worker's `filter-time`;
// - re-filter: Clear, then the edited EXPR (one clause's text changed, same records) + Enter: the
//   other clauses come from the worker's clause cache, as when a user edits one clause.
// Then, once per run, streaming mode at `/?memory-budget=1` (the store would not fit, so nothing
// is loaded): REGION in `region-input` + Enter → `region-count` (read through the index), with
// `region-bytes` and the worker's `region-time`.
//
// Every time is taken inside the page (`performance.now()`): from the capturing listener of the
// triggering event to the first DOM mutation that shows the expected value, so Playwright's
// polling does not add to it. Each figure is the best of the runs.

import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { launchBrowser, openPage, startServer } from './harness.mjs';

/** How long one step may take before the run fails (a 5-million-record load in one worker). */
const STEP_TIMEOUT_MS = 10 * 60_000;

function usage(message) {
  process.stderr.write(`bench-app: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!flag.startsWith('--') || value === undefined) usage(`\`${flag}\` needs a value`);
    args[flag.slice(2)] = value;
  }
  for (const name of ['data', 'index', 'records', 'filter', 'edited-filter', 'filter-count', 'region', 'region-count']) {
    if (args[name] === undefined) usage(`--${name} is required`);
  }
  const number = (name, fallback) => {
    const n = args[name] === undefined ? fallback : Number(args[name]);
    if (!Number.isSafeInteger(n) || n < 0) usage(`--${name} takes a whole number, not \`${args[name]}\``);
    return n;
  };
  return {
    data: args.data,
    index: args.index,
    records: number('records'),
    filter: args.filter,
    editedFilter: args['edited-filter'],
    filterCount: number('filter-count'),
    region: args.region,
    regionCount: number('region-count'),
    runs: Math.max(1, number('runs', 3)),
    pool: Math.max(2, number('workers', Math.min(8, availableParallelism()))),
  };
}

const log = (text) => process.stderr.write(`bench-app: ${text}\n`);

/**
 * Times one step inside the page: arms a capturing `event` listener (the start) and a
 * MutationObserver that records the first moment after it when the element `testid` carries
 * `data-value` = `value` (the end); runs `trigger`; waits for the end. Returns milliseconds.
 * Listeners and observers only read the page: Leptos owns its nodes (TOOLCHAIN.md pitfall 9).
 */
async function timeStep(page, { event, testid, value, what }, trigger) {
  await page.evaluate(
    ([event, testid, value]) => {
      const step = { start: null, end: null };
      window.__enclaveBench = step;
      const shown = () =>
        document.querySelector(`[data-testid="${testid}"]`)?.getAttribute('data-value') === value;
      const observer = new MutationObserver(() => {
        if (step.start !== null && step.end === null && shown()) {
          step.end = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      document.addEventListener(event, () => {
        step.start ??= performance.now();
      }, { capture: true, once: true });
    },
    [event, testid, String(value)],
  );
  await trigger();
  try {
    await page.waitForFunction(() => window.__enclaveBench.end !== null, null, {
      timeout: STEP_TIMEOUT_MS,
      polling: 50,
    });
  } catch (error) {
    const shown = await page
      .evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') ?? null, testid)
      .catch(() => null);
    const banner = await page
      .evaluate(() => document.querySelector('[data-testid="error-banner"]')?.textContent ?? null)
      .catch(() => null);
    throw new Error(
      `${what}: ${testid} shows ${shown ?? 'nothing'} after ${STEP_TIMEOUT_MS / 1000} s, expected ${value}` +
        (banner ? `; the page says: ${banner.trim()}` : '') +
        ` (${error.message.split('\n')[0]})`,
    );
  }
  const { start, end } = await page.evaluate(() => window.__enclaveBench);
  return end - start;
}

/** `data-value` of the element `testid`, as a number. */
async function value(page, testid) {
  const text = await page.getByTestId(testid).first().getAttribute('data-value', { timeout: STEP_TIMEOUT_MS });
  return Number(text);
}

/** Waits until the table has its rows (no request in flight), so the next step starts quiet. */
async function settle(page) {
  await page.waitForFunction(
    () => {
      const table = document.querySelector('[data-testid="variant-table"]');
      return table === null || table.getAttribute('aria-busy') === 'false';
    },
    null,
    { timeout: STEP_TIMEOUT_MS },
  );
  await page.waitForTimeout(200);
}

/** A fresh context at `url`, ready for a file to be picked. */
async function freshPage(browser, url) {
  const opened = await openPage(browser, url);
  await opened.page.getByTestId('open-file').waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS });
  // The page's wasm and the first engine worker's, fetched and compiled before the clock starts.
  await opened.page.waitForLoadState('networkidle');
  await opened.page.waitForTimeout(500);
  return opened;
}

/** Types `text` in the box `testid` and times Enter until `testid` shows `value`. */
async function enter(page, box, text, wait) {
  const input = page.getByTestId(box);
  await input.fill(text);
  return timeStep(page, { event: 'keydown', ...wait }, () => input.press('Enter'));
}

/** Clears expression and lists, and waits for every record to pass again. */
async function clear(page, records) {
  await timeStep(
    page,
    { event: 'click', testid: 'filtered-count', value: records, what: 'clear' },
    () => page.getByTestId('filter-clear').click(),
  );
  await settle(page);
}

/** One run of the loaded-store steps at `/?workers=W`. */
async function loadedRun(browser, base, options, workers) {
  const { page, context, errors } = await freshPage(browser, `${base}/?workers=${workers}`);
  const run = {};
  run.ingest_ms = await timeStep(
    page,
    { event: 'change', testid: 'variant-count', value: options.records, what: 'ingest' },
    () => page.getByTestId('open-file').setInputFiles([options.data, options.index]),
  );
  for (const [key, testid] of [
    ['load_ms', 'load-time'],
    ['text_bytes', 'text-bytes'],
    ['file_bytes', 'file-size'],
    ['store_bytes', 'store-bytes'],
    ['workers', 'workers'],
    ['variants', 'variant-count'],
  ]) {
    run[key] = await value(page, testid);
  }
  await settle(page);

  // The QC panel (issue 15): opened after the load, to its statistics of every record on screen.
  run.qc_ms = await timeStep(
    page,
    { event: 'click', testid: 'qc-status', value: 'ready', what: 'QC panel' },
    () => page.locator('[data-testid="qc-panel"] > summary').click(),
  );
  run.qc_worker_ms = await value(page, 'qc-time');
  run.qc_records = await value(page, 'qc-records');
  await settle(page);

  run.region_ms = await enter(page, 'region-input', options.region, {
    testid: 'filtered-count',
    value: options.regionCount,
    what: `region ${options.region}`,
  });
  run.region_count = await value(page, 'filtered-count');
  await settle(page);
  await clear(page, options.records);

  run.filter_ms = await enter(page, 'filter-expression', options.filter, {
    testid: 'filtered-count',
    value: options.filterCount,
    what: `filter ${options.filter}`,
  });
  run.filter_worker_ms = await value(page, 'filter-time');
  run.filtered = await value(page, 'filtered-count');
  await settle(page);
  await clear(page, options.records);

  run.refilter_ms = await enter(page, 'filter-expression', options.editedFilter, {
    testid: 'filtered-count',
    value: options.filterCount,
    what: `re-filter ${options.editedFilter}`,
  });
  run.refilter_worker_ms = await value(page, 'filter-time');
  run.refiltered = await value(page, 'filtered-count');
  if (errors.length > 0) log(`page errors: ${errors.join(' | ')}`);
  await context.close();
  return run;
}

/** One run of the indexed region query in streaming mode (`?memory-budget=1`). */
async function streamingRun(browser, base, options) {
  const { page, context, errors } = await freshPage(browser, `${base}/?memory-budget=1`);
  const run = {};
  const started = Date.now();
  await page.getByTestId('open-file').setInputFiles([options.data, options.index]);
  await page.getByTestId('streaming-mode').waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.getByTestId('region-input').waitFor({ timeout: STEP_TIMEOUT_MS });
  run.open_ms = Date.now() - started;
  await page.waitForTimeout(200);
  run.region_ms = await enter(page, 'region-input', options.region, {
    testid: 'region-count',
    value: options.regionCount,
    what: `streaming region ${options.region}`,
  });
  run.region_count = await value(page, 'region-count');
  run.region_bytes = await value(page, 'region-bytes');
  run.region_worker_ms = await value(page, 'region-time');
  if (errors.length > 0) log(`page errors: ${errors.join(' | ')}`);
  await context.close();
  return run;
}

/** Per key, the smallest figure over the runs for times, the last run's for the rest. */
function best(runs) {
  const out = { ...runs[runs.length - 1] };
  for (const key of Object.keys(out)) {
    if (key.endsWith('_ms')) out[key] = Math.min(...runs.map((r) => r[key]));
  }
  return out;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const result = {
      meta: {
        browser: browser.version(),
        runs: options.runs,
        pool: options.pool,
        cores: availableParallelism(),
        records: options.records,
        data_bytes: statSync(options.data).size,
      },
    };
    for (const [name, workers] of [['one', 1], ['pool', options.pool]]) {
      const runs = [];
      for (let i = 1; i <= options.runs; i += 1) {
        log(`${workers} worker${workers === 1 ? '' : 's'}, run ${i}/${options.runs}`);
        const run = await loadedRun(browser, server.url, options, workers);
        log(
          `  ingest ${run.ingest_ms.toFixed(0)} ms (app ${run.load_ms} ms, ${run.workers} used), ` +
            `region ${run.region_ms.toFixed(1)} ms, filter ${run.filter_ms.toFixed(1)} ms, ` +
            `re-filter ${run.refilter_ms.toFixed(1)} ms`,
        );
        runs.push(run);
      }
      result[name] = { requested: workers, ...best(runs) };
    }
    const runs = [];
    for (let i = 1; i <= options.runs; i += 1) {
      log(`streaming mode, run ${i}/${options.runs}`);
      const run = await streamingRun(browser, server.url, options);
      log(`  region ${run.region_ms.toFixed(1)} ms (worker ${run.region_worker_ms} ms, ${run.region_bytes} bytes)`);
      runs.push(run);
    }
    result.streaming = best(runs);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench-app: ${error.stack ?? error}\n`);
  process.exit(1);
});
