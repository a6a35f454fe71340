// End-to-end tests of opening a large file with its index, and of streaming mode, against the
// real server in Debian's Chromium, on a generated 1,000,000-record BGZF VCF (e2e/bigvcf.mjs)
// with its .tbi and .csi:
// - data and index picked together: the overview from the index (records per contig, as
//   `bcftools index -s` reads them) is on screen while the file is still being read, then the
//   full count; a region typed in the region box gives the count `bcftools view -r` gives;
// - with `?memory-budget=5` the same file opens in streaming mode with its explanation; a
//   filter then keeps the records `bcftools view -i` keeps, a wrong expression shows its caret at
//   once, a value alone keeps nothing (as in bcftools) with its warning, and a region is read through the index with `bcftools view -r`'s count;
// - an index that matches no data file is named; an index of another file is reported in the
//   error banner (naming both files) and the file loads without it; an index made for another
//   version of the file gives a warning; a gene symbol in a file without annotations says why it
//   cannot be looked up;
// - a pool (`?workers=2`) splits the file between two workers, by its index or, without one,
//   at BGZF blocks, and shows what one worker shows: the count, the contig table, pages sorted
//   by position and by QUAL, a filtered last page;
// - privacy: no request carries a contig name, a region, an expression, a sample name or file
//   bytes.

import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, repoRoot, useApp, waitForValue } from './harness.mjs';
import { CONTIGS, SAMPLES, bigVcf } from './bigvcf.mjs';

/** `bcftools view -H ARGS FILE | wc -l`, without holding the records in memory. */
function bcftoolsCount(args, path) {
  const out = execFileSync('sh', ['-c', 'bcftools view -H "$@" | wc -l', 'sh', ...args, path]);
  return Number(out.toString().trim());
}

/** Per-contig record counts as the index holds them: `bcftools index -s`. */
function indexStats(path) {
  return Object.fromEntries(
    execFileSync('bcftools', ['index', '-s', path])
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, , records] = line.split('\t');
        return [name, Number(records)];
      }),
  );
}

const REGION = 'chr7:100000000-120000000';
const REGION_LIST = 'chr2:1-5000000,chr21';
const STREAM_REGION = 'chr3:1000000-3000000';
const EXPRESSION = 'QUAL>=90 && INFO/DP>50';
const WRONG_EXPRESSION = 'QUAL>=90 && INFO/NOPE>3';

let big;

// The generated file first (cached in target/e2e-data/), then the server and the browser.
before(async () => {
  big = await bigVcf();
});
const app = useApp();

/** Records, from now on, the first moment the overview and the full count are on the page. */
async function watchOrder(page) {
  await page.evaluate(() => {
    const seen = {};
    window.__enclaveSeen = seen;
    const look = () => {
      const overview = document.querySelector('[data-testid="overview-records"]');
      const count = document.querySelector('[data-testid="variant-count"]');
      if (overview && !seen.overview) {
        seen.overview = {
          at: performance.now(),
          countShown: count !== null,
          progressShown: document.querySelector('[data-testid="progress"]') !== null,
        };
      }
      if (count && !seen.count) seen.count = { at: performance.now() };
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** Types into the region box and presses Enter (or clicks Go). */
async function goTo(page, text, { click = false } = {}) {
  const box = page.getByTestId('region-input');
  await box.fill(text);
  if (click) await page.getByTestId('region-go').click();
  else await box.press('Enter');
}

/** The first bytes of each 1 MB of a file, to look for in request bodies. */
function fileSamples(path) {
  const fd = openSync(path, 'r');
  const size = statSync(path).size;
  const samples = [];
  for (let at = 0; at + 64 <= size; at += 1 << 20) {
    const buf = Buffer.alloc(64);
    readSync(fd, buf, 0, 64, at);
    samples.push(buf);
  }
  closeSync(fd);
  return samples;
}

/** No request carries any of `secrets` (URL, headers or body) or bytes of the file. */
function assertNothingLeaked(requests, secrets, path) {
  const origin = new URL(app.url).origin;
  const bytes = fileSamples(path);
  let posts = 0;
  for (const r of requests) {
    assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
    const haystack = [decodeURIComponent(r.url), JSON.stringify(r.headers), r.postData ? r.postData.toString('latin1') : ''].join(' ');
    for (const s of secrets) {
      assert.ok(!haystack.includes(s), `request ${r.method} ${r.url} carries ${JSON.stringify(s)}`);
    }
    if (r.postData) {
      for (const b of bytes) assert.equal(r.postData.indexOf(b), -1, `file bytes in ${r.url}`);
    }
    if (r.method === 'POST') {
      posts += 1;
      assert.equal(new URL(r.url).pathname, '/api/v1/datasets');
    } else {
      assert.equal(r.method, 'GET', `only GET and POST: ${r.method} ${r.url}`);
    }
  }
  return posts;
}

describe('a large file with its index', () => {
  test('the overview shows while the file is read, then 1,000,000 records; regions give bcftools counts', async () => {
    const stats = indexStats(big.vcf);
    const regionCount = bcftoolsCount(['-r', REGION], big.vcf);
    const listCount = bcftoolsCount(['-r', REGION_LIST], big.vcf);
    assert.ok(regionCount > 1000 && listCount > 1000, `${regionCount} ${listCount}`);

    const { page, requests, errors, context } = await app.open('/');
    await watchOrder(page);
    await page.getByTestId('open-file').setInputFiles([big.vcf, big.tbi]);
    await waitForValue(page, 'overview-records', big.total);
    await waitForValue(page, 'variant-count', big.total);
    const seen = await page.evaluate(() => window.__enclaveSeen);
    assert.ok(seen.overview && seen.count, JSON.stringify(seen));
    assert.equal(seen.overview.countShown, false, 'the overview came before the full count');
    assert.equal(seen.overview.progressShown, true, 'the overview came while the file was being read');
    assert.ok(seen.overview.at < seen.count.at, JSON.stringify(seen));

    // One bar per contig, with the index's count.
    const bars = await page.$$eval('[data-testid="overview-contig"]', (rects) =>
      rects.map((r) => [r.getAttribute('data-contig'), Number(r.getAttribute('data-value'))]),
    );
    assert.deepEqual(Object.fromEntries(bars), stats);
    assert.equal(bars.length, CONTIGS.length);
    assert.equal(await page.getByTestId('error-banner').count(), 0, 'the index fits: no banner');

    // A region (Enter), then a list of regions (Go): the filter's region list, bcftools' counts.
    await goTo(page, REGION);
    await waitForValue(page, 'filtered-count', regionCount);
    await goTo(page, REGION_LIST, { click: true });
    await waitForValue(page, 'filtered-count', listCount);
    assert.equal(await page.getByTestId('filter-regions').inputValue(), REGION_LIST);
    await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
    const first = (await page.getByTestId('variant-row').first().textContent()).replaceAll(',', '');
    assert.ok(first.includes('chr2'), `the first row is on chr2: ${first}`);

    // A gene symbol, in a file without gene annotations: the box says why it cannot.
    await goTo(page, 'BRCA1');
    const problem = page.getByTestId('region-problem');
    await problem.waitFor({ timeout: LOAD_TIMEOUT });
    assert.match(await problem.textContent(), /no gene annotation/);

    // Let the descriptor POST finish.
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="egress-log"] li .outcome')].some((e) => !e.textContent.includes('in flight')),
      null,
      { timeout: LOAD_TIMEOUT },
    );
    const posts = assertNothingLeaked(
      requests,
      [...CONTIGS, REGION, REGION_LIST, 'chr7:', 'BRCA1', ...SAMPLES, basename(big.vcf), basename(big.tbi)],
      big.vcf,
    );
    assert.equal(posts, 1, 'one descriptor');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a pool of workers gives what one worker gives: count, contigs, filter, sorted pages', async () => {
    const kept = bcftoolsCount(['-i', EXPRESSION], big.vcf);
    /** Opens the file with `workers` workers and reads what a user sees. */
    async function look(workers, files = [big.vcf, big.csi]) {
      const { page, errors, context } = await app.open(`/?workers=${workers}`);
      await page.getByTestId('open-file').setInputFiles(files);
      await waitForValue(page, 'variant-count', big.total);
      const held = Number(await page.getByTestId('workers').getAttribute('data-value'));
      const contigs = await page.$$eval('[data-testid="contig-table"] tr', (rows) => rows.map((r) => r.textContent));
      const rows = async () => {
        await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
        await page.waitForFunction(() => document.querySelector('[data-testid="variant-table"]')?.getAttribute('aria-busy') === 'false', null, { timeout: LOAD_TIMEOUT });
        return page.$$eval('[data-testid="variant-row"]', (rs) => rs.map((r) => r.textContent));
      };
      const first = await rows();
      await page.getByTestId('sort-qual').click();
      await page.getByTestId('sort-qual').click();
      const byQual = await rows();
      await page.getByTestId('page-next').click();
      const byQualNext = await rows();
      const box = page.getByTestId('filter-expression');
      await box.fill(EXPRESSION);
      await box.press('Enter');
      await waitForValue(page, 'filtered-count', kept);
      await page.getByTestId('page-last').click();
      const filteredLast = await rows();
      assert.deepEqual(errors, []);
      await context.close();
      return { held, contigs, first, byQual, byQualNext, filteredLast };
    }
    const one = await look(1);
    const two = await look(2);
    // Without its index the file splits at BGZF blocks where records start.
    const unindexed = await look(2, [big.vcf]);
    assert.equal(one.held, 1);
    assert.equal(two.held, 2, 'the 18 MB file is split between two workers');
    assert.equal(unindexed.held, 2, 'without its index too');
    for (const key of ['contigs', 'first', 'byQual', 'byQualNext', 'filteredLast']) {
      assert.ok(one[key].length > 0, key);
      assert.deepEqual(two[key], one[key], key);
      assert.deepEqual(unindexed[key], one[key], `${key} (no index)`);
    }
  });

  test('an index that matches no picked data file is named and not used', async () => {
    const { page, context } = await app.open('/?demo=trio');
    await waitForValue(page, 'variant-count', 9940);
    await page.getByTestId('open-file').setInputFiles(big.csi);
    const notice = page.getByTestId('notice');
    await notice.waitFor({ timeout: LOAD_TIMEOUT });
    assert.match(await notice.textContent(), new RegExp(`${basename(big.csi).replaceAll('.', '\\.')}.*is an index: pick it together with its data file`));
    assert.equal(Number(await page.getByTestId('variant-count').getAttribute('data-value')), 9940, 'the demo stays');
    await context.close();
  });
});

describe('indexes that do not fit their file', () => {
  let trio;
  before(() => {
    trio = join(app.scratch, 'trio.vcf.gz');
    copyFileSync(join(repoRoot, 'static/demo/trio.vcf.gz'), trio);
  });

  test("another file's index: the banner names both files and the file loads without it", async () => {
    // The generated file's index, under the name the trio's would have.
    const wrong = join(app.scratch, 'trio.vcf.gz.tbi');
    copyFileSync(big.tbi, wrong);
    const { page, context } = await app.open('/');
    await page.getByTestId('open-file').setInputFiles([trio, wrong]);
    await waitForValue(page, 'variant-count', 9940);
    const banner = await page.getByTestId('error-banner').textContent();
    assert.match(banner, /Could not use the index/);
    assert.match(banner, /“trio\.vcf\.gz\.tbi” cannot be used with “trio\.vcf\.gz”: the index does not match the data file/);
    assert.match(banner, /read without it/);
    assert.equal(await page.getByTestId('overview').count(), 0, 'no overview from a rejected index');
    await context.close();
  });

  test('an index made for another version of the file: its counts give it away', async () => {
    // bcftools' CSI of the trio without its last record (app/tests/data/SOURCE.txt).
    const stale = join(app.scratch, 'trio.vcf.gz.csi');
    copyFileSync(join(repoRoot, 'app/tests/data/ashk-trio.minus-last.vcf.gz.csi'), stale);
    const { page, context } = await app.open('/');
    await page.getByTestId('open-file').setInputFiles([trio, stale]);
    await waitForValue(page, 'overview-records', 9939);
    await waitForValue(page, 'variant-count', 9940);
    const warnings = await page.getByTestId('warnings').textContent();
    assert.match(warnings, /does not match the data: it counts 589 records on contig 2, the file has 590/);
    await context.close();
  });
});

describe('streaming mode', () => {
  test('with ?memory-budget=5 the file is scanned, not loaded: filters and regions give bcftools counts', async () => {
    const kept = bcftoolsCount(['-i', EXPRESSION], big.vcf);
    const inRegion = bcftoolsCount(['-r', STREAM_REGION], big.vcf);
    assert.ok(kept > 1000 && inRegion > 100, `${kept} ${inRegion}`);

    const { page, requests, errors, context } = await app.open('/?memory-budget=5');
    await page.getByTestId('open-file').setInputFiles([big.vcf, big.csi]);
    const panel = page.getByTestId('streaming-mode');
    await panel.waitFor({ timeout: LOAD_TIMEOUT });
    const text = await panel.textContent();
    assert.match(text, /would need about [\d.]+ MB of memory; this browser tab can hold 5\.0 MB/);
    assert.match(text, /switched to streaming mode/);
    assert.match(text, /With an index, region queries read only their part of the file/);
    assert.ok(Number(await panel.getAttribute('data-value')) > 5e6, 'the estimate is past the budget');
    assert.equal(await page.getByTestId('variant-count').count(), 0, 'nothing was loaded');
    await waitForValue(page, 'variant-estimate', big.total);
    await waitForValue(page, 'overview-records', big.total);
    assert.equal(await page.getByTestId('variant-row').count(), 0, 'no rows before a filter');

    // A wrong expression: its caret at once, nothing scanned.
    const box = page.getByTestId('filter-expression');
    await box.fill(WRONG_EXPRESSION);
    await box.press('Enter');
    const error = page.getByTestId('filter-error');
    await error.waitFor({ timeout: LOAD_TIMEOUT });
    assert.match(await error.textContent(), /NOPE/);
    assert.equal(await page.locator('.caret-line').getAttribute('data-column'), String(WRONG_EXPRESSION.indexOf('INFO/NOPE')));
    assert.equal(await page.getByTestId('streaming-kept').count(), 0);

    // The right one: the whole file scanned, the matching records kept and shown.
    await box.fill(EXPRESSION);
    await box.press('Enter');
    await waitForValue(page, 'streaming-kept', kept);
    await waitForValue(page, 'streaming-scanned', big.total);
    await waitForValue(page, 'filtered-count', kept);
    await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    assert.equal(await page.getByTestId('filter-warning').count(), 0);

    // A value alone is scanned as bcftools runs it (it keeps nothing), with a warning by the box.
    const bare = 'INFO/DP';
    assert.equal(bcftoolsCount(['-i', bare], big.vcf), 0);
    await box.fill(bare);
    await box.press('Enter');
    const warning = page.getByTestId('filter-warning');
    await warning.waitFor({ timeout: LOAD_TIMEOUT });
    await waitForValue(page, 'streaming-kept', 0);
    await waitForValue(page, 'streaming-scanned', big.total);
    assert.equal(await warning.locator('.caret-view').getAttribute('data-kind'), 'NotACondition');
    assert.equal(await page.getByTestId('filter-error').count(), 0);

    // A region, read through the index: only its part of the file (no filter, so no warning).
    await goTo(page, STREAM_REGION);
    await waitForValue(page, 'region-count', inRegion);
    assert.equal(await warning.count(), 0);
    const bytesRead = Number(await page.getByTestId('region-bytes').getAttribute('data-value'));
    assert.ok(bytesRead > 0 && bytesRead * 20 < statSync(big.vcf).size, `read ${bytesRead} bytes`);
    await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
    const first = (await page.getByTestId('variant-row').first().textContent()).replaceAll(',', '');
    assert.ok(first.includes('chr3'), `the first row is on chr3: ${first}`);

    // A gene symbol cannot be looked up in streaming mode; the box says what to do instead.
    await goTo(page, 'BRCA1', { click: true });
    await page.getByTestId('region-problem').waitFor({ timeout: LOAD_TIMEOUT });
    assert.match(await page.getByTestId('region-problem').textContent(), /streaming mode.*filter on the annotation/);

    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="egress-log"] li .outcome')].some((e) => !e.textContent.includes('in flight')),
      null,
      { timeout: LOAD_TIMEOUT },
    );
    const posts = assertNothingLeaked(
      requests,
      [...CONTIGS, STREAM_REGION, 'chr3:', EXPRESSION, WRONG_EXPRESSION, 'NOPE', 'INFO/DP', 'BRCA1', ...SAMPLES, basename(big.vcf)],
      big.vcf,
    );
    assert.equal(posts, 1, 'one descriptor, for the file opened in streaming mode');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
