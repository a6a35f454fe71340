// End-to-end tests of the app against the real server in Debian's Chromium: the demo, every
// supported format with the record count bcftools gives, malformed input, the variant table,
// and the privacy guarantee (no file content in any request).

import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { EXPECTED_CSP, LOAD_TIMEOUT, bcftoolsCounts, repoRoot, useApp, waitForValue } from './harness.mjs';

const app = useApp();

const td = (p) => join(repoRoot, 'testdata', p);
const demoPath = join(repoRoot, 'static/demo/trio.vcf.gz');

/** One file per format and shape the foundation supports. */
const FORMATS = [
  ['plain VCF, 3 samples', td('vcfpy/tests/vcfs/full_vcf43.vcf')],
  ['BGZF VCF', td('vcfpy/tests/vcfs/full_vcf43.vcf.gz')],
  ['plain-gzip VCF, 629 samples', td('vcfpy/tests/vcfs_from_the_wild/1kg.vcf.gz')],
  ['BCF, 629 samples', td('generated/derived/vcfpy.1kg.bcf')],
  ['sites only (no samples)', td('vcfpy/tests/vcfs/full_vcf43_no_samples.vcf')],
  ['BCF from htslib', td('htslib/test/tabix/vcf_file.bcf')],
];

async function countOf(page, testid) {
  const el = page.getByTestId(testid);
  await el.waitFor({ timeout: LOAD_TIMEOUT });
  return Number(await el.getAttribute('data-value'));
}

/** Waits until the summary shows `records` (the page may still show the previous file's). */
function waitForCount(page, records) {
  return waitForValue(page, 'variant-count', records);
}

describe('demo', () => {
  test('/?demo=trio loads the trio with the counts bcftools gives, and a table of rows', async () => {
    const want = bcftoolsCounts(demoPath);
    const { page, errors, response, context } = await app.open('/?demo=trio');
    assert.equal(response.headers()['content-security-policy'], EXPECTED_CSP);
    await waitForCount(page, want.records);
    assert.equal(await countOf(page, 'sample-count'), want.samples.length);
    for (const name of want.samples) {
      assert.ok((await page.textContent('body')).includes(name), `sample ${name} shown locally`);
    }
    const ms = await countOf(page, 'load-time');
    assert.ok(Number.isFinite(ms) && ms >= 0, `load-time data-value is a number of ms: ${ms}`);
    const rows = page.getByTestId('variant-row');
    await rows.first().waitFor();
    const n = await rows.count();
    assert.ok(n > 0 && n <= 200, `a page of rows, not all ${want.records}: ${n}`);
    // Positions are shown with thousands separators.
    const first = (await rows.first().textContent()).replaceAll(',', '');
    const firstRecord = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\n', demoPath]).toString().split('\n')[0].split('\t');
    assert.ok(first.includes(firstRecord[0]) && first.includes(firstRecord[1]), `first row is the first record: ${first}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the open-demo button opens the same demo', async () => {
    const { page, context } = await app.open('/');
    await page.getByTestId('open-demo').click();
    await waitForCount(page, bcftoolsCounts(demoPath).records);
    await context.close();
  });

  test('sorting by QUAL puts the highest QUAL first, and paging moves through the rows', async () => {
    const { page, context } = await app.open('/?demo=trio');
    await waitForCount(page, bcftoolsCounts(demoPath).records);
    const quals = execFileSync('bcftools', ['query', '-f', '%QUAL\n', demoPath])
      .toString()
      .split('\n')
      .filter((q) => q && q !== '.')
      .map(Number);
    const maxQual = Math.max(...quals);
    await page.getByTestId('sort-qual').click();
    // The header says the direction at once; the rows follow when the worker answers. Toggle
    // until the order is descending (the first click may sort ascending).
    const sortState = () => page.evaluate(() => document.querySelector('th:has([data-testid="sort-qual"])').getAttribute('aria-sort'));
    await page.waitForFunction(() => document.querySelector('th:has([data-testid="sort-qual"])').getAttribute('aria-sort') !== 'none');
    if ((await sortState()) !== 'descending') await page.getByTestId('sort-qual').click();
    await page.waitForFunction(
      (q) => document.querySelector('[data-testid="variant-row"]')?.textContent.includes(q),
      String(maxQual),
      { timeout: LOAD_TIMEOUT },
    );
    const firstText = await page.getByTestId('variant-row').first().textContent();
    assert.ok(firstText.includes(String(maxQual)), `first row has QUAL ${maxQual}: ${firstText}`);
    await context.close();
  });
});

describe('formats', () => {
  for (const [label, path] of FORMATS) {
    test(`${label}: ${basename(path)} loads with bcftools' record and sample counts`, async () => {
      const want = bcftoolsCounts(path);
      const { page, errors, context } = await app.open('/');
      await page.getByTestId('open-file').setInputFiles(path);
      await waitForCount(page, want.records);
      assert.equal(await countOf(page, 'sample-count'), want.samples.length);
      assert.equal(await page.getByTestId('error-banner').count(), 0, 'no error banner');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  test('the format is sniffed from the bytes, not the name', async () => {
    const renamed = join(app.scratch, 'looks-like-text.txt');
    writeFileSync(renamed, readFileSync(td('generated/derived/vcfpy.1kg.bcf')));
    const want = bcftoolsCounts(td('generated/derived/vcfpy.1kg.bcf'));
    const { page, context } = await app.open('/');
    await page.getByTestId('open-file').setInputFiles(renamed);
    await waitForCount(page, want.records);
    await context.close();
  });
});

describe('malformed input', () => {
  const demo = readFileSync(demoPath);
  const cases = [
    ['a text file', 'notes.vcf', Buffer.from('hello, this is not a genome\n'), /not a VCF or BCF/i],
    ['a truncated BGZF file', 'truncated.vcf.gz', demo.subarray(0, Math.floor(demo.length / 2)), /truncated|damaged/i],
    [
      'a record with a bad position',
      'badpos.vcf',
      Buffer.from('##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t100\t.\tA\tG\t.\t.\t.\n1\tabc\t.\tA\tG\t.\t.\t.\n'),
      /line 4.*record 2|record 2.*line 4/i,
    ],
    ['an empty file', 'empty.vcf', Buffer.alloc(0), /empty/i],
  ];
  for (const [label, name, bytes, pattern] of cases) {
    test(`${label} shows an error naming the problem, and a good file loads afterwards`, async () => {
      const path = join(app.scratch, name);
      writeFileSync(path, bytes);
      const { page, context } = await app.open('/');
      await page.getByTestId('open-file').setInputFiles(path);
      const banner = page.getByTestId('error-banner');
      await banner.waitFor({ timeout: LOAD_TIMEOUT });
      const text = await banner.textContent();
      assert.match(text, pattern);
      const good = td('vcfpy/tests/vcfs/full_vcf43.vcf.gz');
      await page.getByTestId('open-file').setInputFiles(good);
      await waitForCount(page, bcftoolsCounts(good).records);
      await page.waitForFunction(() => document.querySelector('[data-testid="error-banner"]') === null, null, {
        timeout: LOAD_TIMEOUT,
      });
      await context.close();
    });
  }
});

describe('cancel', () => {
  test('cancelling a long load keeps the file on screen and the app usable', async () => {
    // ~300 MB of VCF text: long enough to still be loading when the click lands, even at the
    // 400 MB/s ingest budget.
    const big = join(app.scratch, 'big.vcf');
    const fd = openSync(big, 'w');
    writeSync(fd, '##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n');
    const chunk = [];
    for (let i = 1; i <= 100_000; i++) chunk.push(`1\t${i}\t.\tA\tG\t50\tPASS\tDP=30;AF=0.5;MQ=60;QD=12.5;FS=1.2\n`);
    const block = chunk.join('');
    for (let k = 0; k < Math.ceil(300e6 / block.length); k++) writeSync(fd, block);
    closeSync(fd);

    const demo = bcftoolsCounts(demoPath).records;
    const { page, requests, context } = await app.open('/?demo=trio');
    await waitForCount(page, demo);
    await page.getByTestId('open-file').setInputFiles(big);
    await page.getByTestId('cancel').click({ timeout: LOAD_TIMEOUT });
    await page.getByRole('status').filter({ hasText: /cancelled/i }).waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await page.getByTestId('error-banner').count(), 0, 'a cancel is not an error');
    assert.equal(await countOf(page, 'variant-count'), demo, 'the demo is still shown');
    assert.equal(await page.getByTestId('progress').count(), 0, 'no progress bar after cancel');
    await page.getByTestId('sort-qual').click();
    await page.getByTestId('variant-row').first().waitFor();
    assert.equal(requests.filter((r) => r.method === 'POST').length, 1, 'no descriptor for the cancelled file');
    // And the next file loads.
    const good = td('vcfpy/tests/vcfs/full_vcf43.vcf.gz');
    await page.getByTestId('open-file').setInputFiles(good);
    await waitForCount(page, bcftoolsCounts(good).records);
    await context.close();
  });
});

describe('privacy', () => {
  test('no request carries file bytes, sample names, file names or records; the egress log shows every request', async () => {
    const { page, requests, context } = await app.open('/?demo=trio');
    const demoCounts = bcftoolsCounts(demoPath);
    await waitForCount(page, demoCounts.records);
    const local = td('vcfpy/tests/vcfs_from_the_wild/1kg.vcf.gz');
    const localCounts = bcftoolsCounts(local);
    await page.getByTestId('open-file').setInputFiles(local);
    await waitForCount(page, localCounts.records);
    // Let the descriptor POSTs finish.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="egress-log"] li').length >= 2,
      null,
      { timeout: LOAD_TIMEOUT },
    );

    const secrets = [
      ...demoCounts.samples,
      ...localCounts.samples.slice(0, 50),
      basename(local),
      ...execFileSync('bcftools', ['query', '-f', '%CHROM:%POS\n', local]).toString().split('\n').filter(Boolean).slice(0, 20),
    ];
    const fileBytes = readFileSync(local);
    const origin = new URL(app.url).origin;
    let posts = 0;
    const posted = [];
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
      const haystack = r.url + ' ' + (r.postData ? r.postData.toString('latin1') : '');
      for (const s of secrets) {
        assert.ok(!haystack.includes(s), `request ${r.method} ${r.url} carries ${JSON.stringify(s)}`);
      }
      if (r.postData) {
        // No 64-byte window of the file appears in a body.
        for (let k = 0; k + 64 <= fileBytes.length; k += 4096) {
          assert.equal(r.postData.indexOf(fileBytes.subarray(k, k + 64)), -1, `file bytes in ${r.url}`);
        }
      }
      if (r.method === 'POST') {
        posts += 1;
        assert.equal(new URL(r.url).pathname, '/api/v1/datasets');
        const body = JSON.parse(r.postData.toString());
        const allowed = ['format', 'size_bytes', 'record_count', 'sample_count', 'contig_count', 'reference_build', 'fingerprint'];
        for (const k of Object.keys(body)) assert.ok(allowed.includes(k), `unexpected field ${k}`);
        assert.match(body.fingerprint, /^[0-9a-f]{64}$/);
        posted.push(body);
      } else {
        assert.equal(r.method, 'GET', `only GET and POST: ${r.method} ${r.url}`);
      }
    }
    assert.equal(posts, 2, 'one descriptor per opened dataset');
    const log = await page.getByTestId('egress-log').textContent();
    assert.ok(log.includes('/api/v1/datasets'), 'the egress log lists the POST');
    assert.ok(log.includes('"record_count":' + localCounts.records) || log.includes('"record_count": ' + localCounts.records),
      'the egress log shows the body');

    // The server stored exactly these descriptors.
    assert.deepEqual(posted.map((b) => b.record_count).sort((a, b) => a - b), [localCounts.records, demoCounts.records].sort((a, b) => a - b));
    const listed = await (await fetch(app.url + '/api/v1/datasets')).json();
    for (const body of posted) {
      const stored = listed.datasets.find((d) => d.fingerprint === body.fingerprint);
      assert.ok(stored, `descriptor ${body.fingerprint} stored`);
      assert.equal(stored.record_count, body.record_count);
      assert.equal(stored.sample_count, body.sample_count);
    }
    await context.close();
  });

  test('security headers are on the page and on the wasm module', async () => {
    for (const path of ['/', '/pkg/app_bg.wasm', '/api/v1/health']) {
      const res = await fetch(app.url + path);
      assert.equal(res.headers.get('content-security-policy'), EXPECTED_CSP, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin', path);
    }
    const wasm = await fetch(app.url + '/pkg/app_bg.wasm');
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  });
});
