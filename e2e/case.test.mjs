// End-to-end tests of the case (issue 16) against the real server in Debian's Chromium: the
// demo family with a mode ticked, a filter applied and a variant classified and put on the report
// (through the case panel's test hook, `?case-hook=1`, which edits the case as the variant
// detail does); a reload brings the case back with its modes and filter applied and a notice;
// the case exported Crypt4GH-encrypted to the demo's public key, started afresh and imported
// with the secret key gives the same case; a wrong passphrase or another file's case is refused
// by kind with the case unchanged; the export of the filtered records: VCF equal to
// `bcftools view -i EXPR` with the file's header and the `##enclave_*` lines, TSV and JSON equal
// to `enclave export`'s; nothing of it — the variant, its class, the expression, the
// modes, the PED — is in any request.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, beyondAppFiles, repoRoot, useApp, waitForValue } from './harness.mjs';

const DEMO_PUB = join(repoRoot, 'static/demo/demo-key.pub');
const DEMO_SEC = join(repoRoot, 'static/demo/demo-key.sec');
const DEMO_PASSPHRASE = 'enclave-demo';
const FAMILY_PED = join(repoRoot, 'static/demo/family.ped');
// bcftools view -H static/demo/family.vcf | wc -l
const FAMILY_RECORDS = 292;
//   enclave view --ped static/demo/family.ped --mode de-novo -f tsv static/demo/family.vcf | wc -l
const DE_NOVO = 2;
const EXPRESSION = 'QUAL>=0';

const app = useApp();

async function openFamily(context) {
  const page = await context.newPage();
  await page.goto(app.url + '/?demo=family&case-hook=1');
  await waitForValue(page, 'variant-count', FAMILY_RECORDS);
  await waitForValue(page, 'pedigree-families', 2);
  return page;
}

/** `CHROM:POS REF>ALT` of the table's first row. */
async function firstRowKey(page) {
  const row = page.getByTestId('variant-row').first();
  const cells = await row.locator('td').evaluateAll((tds) => tds.map((td) => td.textContent.trim()));
  const pos = await row.locator('td').nth(1).getAttribute('data-value');
  return `${cells[0]}:${pos} ${cells[3]}>${cells[4]}`;
}

async function caseCounts(page) {
  return [
    Number(await page.getByTestId('case-classified').getAttribute('data-value')),
    Number(await page.getByTestId('case-reported').getAttribute('data-value')),
  ];
}

/** Opens the case panel's export / import part (a `<details>`) unless it is open. */
async function openTransfer(page) {
  if (!(await page.locator('.case-transfer').evaluate((d) => d.open))) {
    await page.locator('.case-transfer summary').click();
  }
}

async function importCase(page, file, passphrase) {
  await openTransfer(page);
  await page.getByTestId('case-import-file').setInputFiles(file);
  await page.getByTestId('case-import-key').setInputFiles(DEMO_SEC);
  await page.getByTestId('case-import-passphrase').fill(passphrase);
  await page.getByTestId('case-import').click();
  await page.waitForSelector('[data-testid="case-import-status"], [data-testid="case-import-error"]', {
    timeout: LOAD_TIMEOUT,
  });
}

describe('the case', () => {
  test('survives a reload with its modes and filter, round-trips encrypted, and is never sent', async () => {
    const context = await app.browser.newContext({ acceptDownloads: true });
    const requests = [];
    context.on('request', (r) =>
      requests.push({ url: r.url(), method: r.method(), postData: r.postDataBuffer() }),
    );
    let page = await openFamily(context);
    assert.equal(await page.getByTestId('case-reopened').count(), 0, 'no case kept yet');
    await page.getByTestId('inheritance-de-novo').check();
    await waitForValue(page, 'filtered-count', DE_NOVO);
    await page.getByTestId('filter-expression').fill(EXPRESSION);
    await page.getByTestId('filter-expression').press('Enter');
    await waitForValue(page, 'filtered-count', DE_NOVO);
    const key = await firstRowKey(page);
    await page.getByTestId('case-hook-key').fill(key);
    await page.getByTestId('case-hook-class').selectOption('pathogenic');
    await page.getByTestId('case-hook-add').click();
    await waitForValue(page, 'case-classified', 1);
    await waitForValue(page, 'case-reported', 1);
    // The save is debounced: give it time, then reload.
    await page.waitForTimeout(1500);
    await page.reload();
    await waitForValue(page, 'variant-count', FAMILY_RECORDS);
    const notice = page.getByTestId('case-reopened');
    await notice.waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await notice.getAttribute('data-classified'), '1');
    assert.equal(await notice.getAttribute('data-reported'), '1');
    await waitForValue(page, 'filtered-count', DE_NOVO);
    assert.ok(await page.getByTestId('inheritance-de-novo').isChecked(), 'the mode is ticked again');
    assert.equal(await page.getByTestId('filter-expression').inputValue(), EXPRESSION);
    const variant = page.locator(`[data-testid="case-variant"][data-key="${key}"]`);
    assert.equal(await variant.getAttribute('data-class'), 'pathogenic');
    assert.equal(await variant.getAttribute('data-report'), 'true');

    // Export, encrypted to the demo's public key.
    await openTransfer(page);
    await page.getByTestId('case-recipients').setInputFiles(DEMO_PUB);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: LOAD_TIMEOUT }),
      page.getByTestId('case-export').click(),
    ]);
    assert.match(download.suggestedFilename(), /\.case\.c4gh$/);
    const exported = join(app.scratch, 'exported.case.c4gh');
    await copyFile(await download.path(), exported);
    const bytes = readFileSync(exported);
    assert.equal(bytes.subarray(0, 8).toString(), 'crypt4gh');
    assert.ok(!bytes.includes(Buffer.from('pathogenic')), 'the case file is encrypted');

    // Start afresh: the decisions go, the modes stay.
    await page.getByTestId('case-clear').click();
    await waitForValue(page, 'case-classified', 0);
    await waitForValue(page, 'case-reported', 0);

    // A wrong passphrase is refused by kind; the case stays as it is.
    await importCase(page, exported, 'not the passphrase');
    assert.equal(await page.getByTestId('case-import-error').getAttribute('data-kind'), 'wrong-passphrase');
    assert.deepEqual(await caseCounts(page), [0, 0]);

    // The right one gives the same case back.
    await page.reload();
    await waitForValue(page, 'variant-count', FAMILY_RECORDS);
    await importCase(page, exported, DEMO_PASSPHRASE);
    assert.equal(await page.getByTestId('case-import-error').count(), 0);
    await waitForValue(page, 'case-classified', 1);
    await waitForValue(page, 'case-reported', 1);
    assert.equal(
      await page.locator(`[data-testid="case-variant"][data-key="${key}"]`).getAttribute('data-class'),
      'pathogenic',
    );
    await waitForValue(page, 'filtered-count', DE_NOVO);

    // Nothing of the case crossed the network.
    const origin = new URL(app.url).origin;
    const ped = readFileSync(FAMILY_PED, 'utf8').split('\n').find((l) => l && !l.startsWith('#'));
    const secrets = [key, key.split(' ')[0], 'pathogenic', EXPRESSION, 'de-novo', ped, DEMO_PASSPHRASE];
    for (const r of beyondAppFiles(requests, origin)) {
      const text = decodeURIComponent(r.url) + (r.postData ? r.postData.toString('latin1') : '');
      for (const s of secrets) assert.ok(!text.includes(s), `${r.method} ${r.url} carries ${s}`);
    }
    assert.ok(requests.every((r) => new URL(r.url).origin === origin), 'no other origin');
    await context.close();
  });

  test("another file's case is refused, naming both files", async () => {
    const context = await app.browser.newContext({ acceptDownloads: true });
    const page = await openFamily(context);
    await page.getByTestId('case-hook-key').fill(await firstRowKey(page));
    await page.getByTestId('case-hook-add').click();
    await waitForValue(page, 'case-classified', 1);
    await openTransfer(page);
    await page.getByTestId('case-recipients').setInputFiles(DEMO_PUB);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: LOAD_TIMEOUT }),
      page.getByTestId('case-export').click(),
    ]);
    const exported = join(app.scratch, 'family.case.c4gh');
    await copyFile(await download.path(), exported);
    // The trio demo is another dataset.
    await page.goto(app.url + '/?demo=trio&case-hook=1');
    await page.getByTestId('case-panel').waitFor({ timeout: LOAD_TIMEOUT });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="variant-count"]')?.getAttribute('data-value') !== '292',
      null,
      { timeout: LOAD_TIMEOUT },
    );
    await importCase(page, exported, DEMO_PASSPHRASE);
    const error = page.getByTestId('case-import-error');
    assert.equal(await error.getAttribute('data-kind'), 'other-dataset');
    const text = await error.textContent();
    assert.match(text, /family/);
    assert.match(text, /trio/);
    assert.deepEqual(await caseCounts(page), [0, 0]);
    await context.close();
  });
});

/** The `enclave` CLI the native tests built (or ENCLAVE_CLI_BIN). */
function cli() {
  const candidates = [process.env.ENCLAVE_CLI_BIN, join(repoRoot, 'target/debug/enclave'), join(repoRoot, 'target/release/enclave')];
  const bin = candidates.find((c) => c && existsSync(c));
  if (!bin) throw new Error('no enclave CLI: run `cargo build -p enclave-cli` or set ENCLAVE_CLI_BIN');
  return bin;
}

async function exportAs(page, format) {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: LOAD_TIMEOUT }),
    page.getByTestId(`export-${format}`).click(),
  ]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

describe('export', () => {
  for (const expression of ['QUAL>30', 'GT="het" && TYPE="snp"']) {
    test(`the filtered records (${expression}) as VCF equal bcftools view -i; TSV and JSON equal the CLI's`, async () => {
      const context = await app.browser.newContext({ acceptDownloads: true });
      const requests = [];
      context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), postData: r.postDataBuffer() }));
      const page = await context.newPage();
      await page.goto(app.url + '/?demo=family');
      await waitForValue(page, 'variant-count', FAMILY_RECORDS);
      await page.getByTestId('filter-expression').fill(expression);
      await page.getByTestId('filter-expression').press('Enter');
      const vcfPath = join(repoRoot, 'static/demo/family.vcf');
      const bcftools = execFileSync('bcftools', ['view', '-H', '-i', expression, vcfPath]).toString();
      await waitForValue(page, 'filtered-count', bcftools.split('\n').filter(Boolean).length);
      const vcf = await exportAs(page, 'vcf');
      assert.match(vcf.name, /\.vcf$/);
      const records = vcf.text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l + '\n').join('');
      assert.equal(records, bcftools);
      assert.ok(vcf.text.startsWith('##fileformat='), 'the file\'s header first');
      assert.ok(vcf.text.includes(`\n##enclave_filter=${expression}\n`));
      assert.ok(vcf.text.indexOf('##enclave_filter') < vcf.text.indexOf('\n#CHROM'));
      await waitForValue(page, 'export-status', bcftools.split('\n').filter(Boolean).length);
      for (const format of ['tsv', 'json']) {
        const ours = await exportAs(page, format);
        const theirs = execFileSync(cli(), ['export', '-f', format, '-i', expression, vcfPath]).toString();
        assert.equal(ours.text, theirs, format);
      }
      const origin = new URL(app.url).origin;
      for (const r of beyondAppFiles(requests, origin)) {
        const text = decodeURIComponent(r.url) + (r.postData ? r.postData.toString('latin1') : '');
        assert.ok(!text.includes(expression), `${r.method} ${r.url} carries the expression`);
        assert.ok(!text.includes('enclave_filter'), `${r.method} ${r.url} carries the export`);
      }
      await context.close();
    });
  }
});
