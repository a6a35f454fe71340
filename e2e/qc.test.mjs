// End-to-end tests of the QC panel (issue 15) on the demo (GIAB trio, 9,940 records) against the
// real server in Debian's Chromium: the panel shows bcftools 1.24's SN and TSTV numbers exactly
// (the committed pysam 0.24.1 output, testdata/expected/bcftools-stats/trio.txt, which
// `enclave stats --bcftools` equals line for line: cli/tests/bcftools_stats.rs); a plot's TSV
// holds the engine's numbers; the "bcftools stats" download is that text; the filtered toggle
// gives the numbers of `bcftools view -i 'GT="het"' | bcftools stats` (trio-het.txt); no request
// carries any of it; a screenshot of the panel is saved in the test output
// (target/e2e-output/qc-panel.png).

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, beyondAppFiles, repoRoot, useApp, waitForValue } from './harness.mjs';

const TOTAL = 9940;
const EXPECTED = join(repoRoot, 'testdata/expected/bcftools-stats');
const OUTPUT = join(repoRoot, 'target/e2e-output');

/** The SN keys of bcftools' text and the panel's test ids. */
const SN = {
  'number of samples:': 'qc-sn-samples',
  'number of records:': 'qc-sn-records',
  'number of no-ALTs:': 'qc-sn-no-alts',
  'number of SNPs:': 'qc-sn-snps',
  'number of MNPs:': 'qc-sn-mnps',
  'number of indels:': 'qc-sn-indels',
  'number of others:': 'qc-sn-others',
  'number of multiallelic sites:': 'qc-sn-multiallelic',
  'number of multiallelic SNP sites:': 'qc-sn-multiallelic-snps',
};
/** TSTV's columns 3–8 and the panel's test ids. */
const TSTV = [
  'qc-tstv-ts',
  'qc-tstv-tv',
  'qc-tstv-ratio',
  'qc-tstv-ts-first',
  'qc-tstv-tv-first',
  'qc-tstv-ratio-first',
];

/** bcftools stats text → its lines of `section` as arrays of columns. */
function section(text, name) {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}\t`))
    .map((l) => l.split('\t'));
}

async function expected(name) {
  return (await readFile(join(EXPECTED, `${name}.txt`))).toString();
}

const app = useApp();

async function openQc() {
  const { context, page, requests, errors } = await app.open('/?demo=trio');
  await waitForValue(page, 'variant-count', TOTAL);
  await page.locator('[data-testid="qc-panel"] > summary').click();
  await waitForValue(page, 'qc-status', 'ready');
  return { context, page, requests, errors };
}

async function value(page, testid) {
  return page.getByTestId(testid).getAttribute('data-value');
}

/** Asserts the panel's SN and TSTV numbers are those of bcftools' text `text`. */
async function assertNumbers(page, text, what) {
  const sn = section(text, 'SN');
  assert.equal(sn.length, Object.keys(SN).length, what);
  for (const [, , key, want] of sn) {
    assert.equal(await value(page, SN[key]), want, `${what}: SN ${key}`);
  }
  const [tstv] = section(text, 'TSTV');
  for (const [k, id] of TSTV.entries()) {
    assert.equal(await value(page, id), tstv[k + 2], `${what}: TSTV column ${k + 3}`);
  }
}

async function download(page, testid) {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: LOAD_TIMEOUT }),
    page.getByTestId(testid).click(),
  ]);
  return { name: file.suggestedFilename(), text: (await readFile(await file.path())).toString() };
}

describe('QC panel', () => {
  test('shows bcftools 1.24\'s SN and TSTV numbers for the demo, badges with their ranges', async () => {
    const { page, context, errors, requests } = await openQc();
    const before = requests.length;
    const text = await expected('trio');
    await assertNumbers(page, text, 'whole file');
    assert.equal(await value(page, 'qc-scope'), 'whole');
    assert.equal(await value(page, 'qc-records'), String(TOTAL));
    // Ts/Tv 6307/2505 = 2.52: between the genome and the exome ranges, so flagged, with both.
    const badge = page.getByTestId('qc-badge-tstv');
    assert.equal(Number(await badge.getAttribute('data-value')), 6307 / 2505);
    assert.equal(await badge.getAttribute('data-state'), 'warn');
    assert.match(await badge.textContent(), /2\.0–2\.1.*2\.8–3\.3/);
    for (const id of ['het-hom', 'allele-balance', 'missing']) {
      const state = await page.getByTestId(`qc-badge-${id}`).getAttribute('data-state');
      assert.ok(['ok', 'warn'].includes(state), `${id}: ${state}`);
    }
    // Every plot the issue names is drawn.
    for (const id of [
      'substitutions', 'tstv-qual', 'indels', 'af', 'depth', 'gq', 'allele-balance', 'filters',
      'contigs', 'samples',
    ]) {
      assert.equal(await page.getByTestId(`qc-plot-${id}`).count(), 1, id);
    }
    // The per-sample table: PSC's counts for each sample.
    const psc = section(text, 'PSC');
    const rows = page.locator('[data-testid="qc-samples"] tbody tr');
    assert.equal(await rows.count(), psc.length);
    for (const [k, line] of psc.entries()) {
      const cells = rows.nth(k).locator('td');
      assert.equal(await rows.nth(k).locator('th').textContent(), line[2]);
      // hom-ref, hom-alt, het; then ts, tv after the ratio; indels; singletons; missing.
      const at = async (c) => cells.nth(c).getAttribute('data-value');
      assert.deepEqual(
        [await at(0), await at(1), await at(2), await at(4), await at(5), await at(7), await at(8), await at(9)],
        [line[3], line[4], line[5], line[6], line[7], line[8], line[10], line[13]],
        line[2],
      );
    }
    await mkdir(OUTPUT, { recursive: true });
    await page.getByTestId('qc-panel').screenshot({ path: join(OUTPUT, 'qc-panel.png') });
    // Counting happened in the browser: nothing was sent for it.
    assert.deepEqual(
      beyondAppFiles(requests.slice(before), new URL(app.url).origin).map((r) => r.url),
      [],
      'the QC panel makes no request',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a plot\'s TSV holds the engine\'s numbers, hover shows them, and the bcftools download is its text', async () => {
    const { page, context, errors } = await openQc();
    const text = await expected('trio');
    const st = section(text, 'ST');
    assert.equal(st.length, 12);
    const tsv = await download(page, 'qc-download-substitutions');
    assert.equal(tsv.name, 'qc-substitutions.tsv');
    assert.deepEqual(
      tsv.text.trimEnd().split('\n'),
      ['type\tcount', ...st.map(([, , type, n]) => `${type}\t${n}`)],
    );
    // The bars carry the same numbers, and their titles show them on hover.
    const bars = page.locator('[data-testid="qc-plot-substitutions"] .bar-row');
    assert.equal(await bars.count(), 12);
    for (const [k, [, , type, n]] of st.entries()) {
      assert.equal(await bars.nth(k).getAttribute('data-value'), n);
      assert.equal(await bars.nth(k).locator('title').textContent(), `${type}: ${Number(n).toLocaleString('en-US')}`);
    }
    // IDD's TSV: bcftools' lengths and site counts.
    const idd = await download(page, 'qc-download-indels');
    assert.deepEqual(
      idd.text.trimEnd().split('\n').slice(1).map((l) => l.split('\t').slice(0, 3)),
      section(text, 'IDD').map((c) => c.slice(2, 5)),
    );
    // The bcftools stats download: bcftools 1.24's lines, but the provenance and file name.
    const full = await download(page, 'qc-download-bcftools');
    assert.equal(full.name, 'trio (demo).bcftools-stats.txt', 'named after the shown file');
    const body = (t) =>
      t.split('\n').filter((l) => !l.startsWith('# This file') && !l.startsWith('# The command') && !l.startsWith('ID\t'));
    assert.deepEqual(body(full.text), body(text));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the filtered toggle counts the records passing the filter, as bcftools view -i | bcftools stats', async () => {
    const { page, context, errors } = await openQc();
    const box = page.getByTestId('filter-expression');
    await box.fill('GT="het"');
    await box.press('Enter');
    await waitForValue(page, 'filtered-count', 8178);
    // The whole-file view is unchanged by a filter.
    assert.equal(await value(page, 'qc-sn-records'), String(TOTAL));
    await page.getByTestId('qc-scope-filtered').click();
    await waitForValue(page, 'qc-scope', 'filtered');
    await waitForValue(page, 'qc-sn-records', 8178);
    await assertNumbers(page, await expected('trio-het'), 'GT="het"');
    const tsv = await download(page, 'qc-download-substitutions');
    assert.deepEqual(
      tsv.text.trimEnd().split('\n').slice(1),
      section(await expected('trio-het'), 'ST').map(([, , type, n]) => `${type}\t${n}`),
    );
    // A new filter while filtered is counted again.
    await box.fill('');
    await box.press('Enter');
    await waitForValue(page, 'filtered-count', TOTAL);
    await waitForValue(page, 'qc-sn-records', TOTAL);
    await page.getByTestId('qc-scope-whole').click();
    await waitForValue(page, 'qc-scope', 'whole');
    await assertNumbers(page, await expected('trio'), 'whole again');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('with a PED the pedigree check\'s sex and relatedness stand beside the badges, and the trios\' errors', async () => {
    // The GIAB trio with its PED (parents unaffected): HG002 is HG003 and HG004's son.
    const { context, page, requests, errors } = await app.open('/?demo=family-trio');
    await waitForValue(page, 'variant-count', TOTAL);
    await waitForValue(page, 'pedigree-families', 1);
    const before = requests.length;
    await page.locator('[data-testid="qc-panel"] > summary').click();
    await waitForValue(page, 'qc-status', 'ready');
    const related = page.getByTestId('qc-badge-relatedness');
    await related.waitFor({ timeout: LOAD_TIMEOUT });
    // Three pairs, none contradicting the PED.
    assert.equal(await related.getAttribute('data-state'), 'ok');
    assert.equal(await related.getAttribute('data-value'), '0');
    assert.match(await related.textContent(), /3 of 3 pairs fit the PED/);
    // The demo holds chromosomes 1 and 2 only: no sex to judge, and the badge says why.
    const sex = page.getByTestId('qc-badge-sex');
    assert.equal(await sex.getAttribute('data-state'), 'none');
    assert.match(await sex.textContent(), /no chrX sites/);
    // bcftools +mendelian's 91 sites for the trio (CLINICAL.md §3).
    const trio = page.locator('[data-testid="qc-trios"] tbody tr');
    assert.equal(await trio.count(), 1);
    assert.equal(await trio.locator('td').nth(3).getAttribute('data-value'), '91');
    await page.getByTestId('qc-panel').screenshot({ path: join(OUTPUT, 'qc-panel-pedigree.png') });
    assert.deepEqual(
      beyondAppFiles(requests.slice(before), new URL(app.url).origin).map((r) => r.url),
      [],
      'the QC panel and the pedigree check make no request',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });
});
