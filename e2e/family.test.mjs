// End-to-end tests of the family analysis (issue 14) against the real server in Debian's
// Chromium: `/?demo=family` (the synthetic annotated families with their PED), each inheritance
// mode's count as the CLI gives it on the same files, seqr's recessive union, a row's reasons,
// a compound het's partners, a bad PED's message naming its line with the app still working, a
// PED with Windows line ends, and privacy: no PED content, sample name, mode or result leaves
// the page.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, repoRoot, useApp, waitForValue } from './harness.mjs';

const FAMILY_VCF = join(repoRoot, 'static/demo/family.vcf');
const FAMILY_PED = join(repoRoot, 'static/demo/family.ped');
// bcftools view -H static/demo/family.vcf | wc -l
const FAMILY_RECORDS = 292;
// Expected counts, from the CLI on the same files, gates on (the default):
//   enclave view --ped static/demo/family.ped --mode MODE -f tsv static/demo/family.vcf | wc -l
const MODE_COUNT = {
  'de-novo': 2,
  dominant: 5,
  recessive: 7,
  'comp-het': 42,
  'x-recessive': 14,
  'x-dominant': 4,
  'x-de-novo': 1,
  'mendel-error': 5,
};
//   enclave view --ped … --mode recessive --mode comp-het --mode x-recessive -f tsv … | wc -l
const RECESSIVE_UNION = 63;
//   enclave view --ped static/demo/family.ped --mode de-novo --no-gates -f tsv … | wc -l
const DE_NOVO_NO_GATES = 4;

const app = useApp();

async function openFamilyDemo() {
  const { context, page, requests, errors } = await app.open('/?demo=family');
  await waitForValue(page, 'variant-count', FAMILY_RECORDS);
  await waitForValue(page, 'pedigree-families', 2);
  return { context, page, requests, errors };
}

async function filteredCount(page) {
  return Number(await page.getByTestId('filtered-count').getAttribute('data-value'));
}

/** Ticks (or unticks) a mode and waits for the count it should give. */
async function setMode(page, mode, on, expected) {
  const box = page.getByTestId(`inheritance-${mode}`);
  if (on) await box.check();
  else await box.uncheck();
  await waitForValue(page, 'filtered-count', expected);
}

describe('modes', () => {
  test('/?demo=family ties its PED; each mode alone gives the CLI\'s count, with its clause', async () => {
    const { page, context, errors } = await openFamilyDemo();
    assert.equal(await page.getByTestId('pedigree-error').count(), 0);
    // Roles: the table's sample columns start with the first family's proband, mother, father.
    const roles = await page.getByTestId('sample-column').evaluateAll((ths) => ths.map((th) => th.dataset.role ?? ''));
    assert.deepEqual(roles.slice(0, 4), ['proband', 'mother', 'father', 'sibling']);
    for (const [mode, count] of Object.entries(MODE_COUNT)) {
      await setMode(page, mode, true, count);
      // The mode's clause beside the expression's: what it removed of all records.
      const clause = page.locator(`[data-mode="${mode}"] [data-testid="clause-removed"]`);
      assert.equal(Number(await clause.getAttribute('data-value')), FAMILY_RECORDS - count, mode);
      // The table pages over the kept records.
      await waitForValue(page, 'page-total', count);
      await setMode(page, mode, false, FAMILY_RECORDS);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('seqr\'s recessive union, modes with an expression, and no gates', async () => {
    const { page, context } = await openFamilyDemo();
    await page.getByTestId('inheritance-recessive-union').check();
    await waitForValue(page, 'filtered-count', RECESSIVE_UNION);
    for (const m of ['recessive', 'comp-het', 'x-recessive']) {
      assert.ok(await page.getByTestId(`inheritance-${m}`).isChecked(), m);
    }
    // An expression joins the modes: never more than either alone.
    await page.getByTestId('filter-expression').fill('QUAL>=0');
    await page.getByTestId('filter-expression').press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="filtered-count"]')?.getAttribute('data-value') !== null);
    assert.ok((await filteredCount(page)) <= RECESSIVE_UNION);
    await page.getByTestId('inheritance-recessive-union').uncheck();
    await page.getByTestId('filter-expression').fill('');
    await page.getByTestId('filter-expression').press('Enter');
    await waitForValue(page, 'filtered-count', FAMILY_RECORDS);
    // No gates: the CLI's --no-gates count.
    await page.getByTestId('gates-off').check();
    await setMode(page, 'de-novo', true, DE_NOVO_NO_GATES);
    await context.close();
  });
});

describe('why', () => {
  test('a de novo row says it fits; a compound het names its partners, which explain in turn', async () => {
    const { page, context } = await openFamilyDemo();
    await setMode(page, 'de-novo', true, MODE_COUNT['de-novo']);
    await page.getByTestId('inheritance-why').first().click();
    const reasons = page.getByTestId('inheritance-reasons');
    await reasons.waitFor({ timeout: LOAD_TIMEOUT });
    const fits = reasons.locator('[data-testid="inheritance-explanation"][data-mode="de-novo"][data-verdict="fits"]');
    assert.ok((await fits.count()) >= 1, 'the kept de novo fits in some family');
    // In the other family it does not, with reasons naming a sample.
    const no = reasons.locator('[data-testid="inheritance-explanation"][data-mode="de-novo"][data-verdict="no"] [data-testid="inheritance-reason"]');
    assert.ok((await no.count()) >= 1);
    await setMode(page, 'de-novo', false, FAMILY_RECORDS);
    await setMode(page, 'comp-het', true, MODE_COUNT['comp-het']);
    await page.getByTestId('inheritance-why').first().click();
    const partner = page.locator('[data-testid="inheritance-reasons"] [data-testid="comp-het-partner"]').first();
    await partner.waitFor({ timeout: LOAD_TIMEOUT });
    const record = await partner.getAttribute('data-record');
    await partner.click();
    await page.waitForFunction(
      (r) => document.querySelector('[data-testid="inheritance-reasons"]')?.dataset.record === r,
      record,
      { timeout: LOAD_TIMEOUT },
    );
    await context.close();
  });
});

describe('bad input', () => {
  test('a PED with a father of sex 2 is refused naming its line; the pedigree before stays and the app works', async () => {
    const { page, context } = await openFamilyDemo();
    const bad = join(app.scratch, 'bad.ped');
    // Line 3: KID's father FA, declared on line 1 with sex 2.
    writeFileSync(bad, 'quartet\tFA\t0\t0\t2\t1\nquartet\tMO\t0\t0\t2\t1\nquartet\tKID\tFA\tMO\t1\t2\n');
    await page.getByTestId('open-file').setInputFiles(bad);
    const error = page.getByTestId('pedigree-error');
    await error.waitFor({ timeout: LOAD_TIMEOUT });
    assert.match(await error.getAttribute('data-kind'), /FatherNotMale/);
    assert.equal(await error.getAttribute('data-line'), '3');
    // The file and the pedigree before stay: a mode still answers.
    await waitForValue(page, 'variant-count', FAMILY_RECORDS);
    await setMode(page, 'dominant', true, MODE_COUNT.dominant);
    await context.close();
  });

  test('a PED with Windows line ends is read as the same pedigree', async () => {
    const { page, context } = await openFamilyDemo();
    const crlf = join(app.scratch, 'family-crlf.ped');
    writeFileSync(crlf, readFileSync(FAMILY_PED, 'utf8').replace(/\n/g, '\r\n'));
    await page.getByTestId('open-file').setInputFiles(crlf);
    await page.waitForFunction(() => !document.querySelector('[data-testid="pedigree-error"]'));
    await waitForValue(page, 'pedigree-families', 2);
    await setMode(page, 'x-recessive', true, MODE_COUNT['x-recessive']);
    await context.close();
  });
});

describe('privacy', () => {
  test('no PED content, sample name, mode or result leaves the page', async () => {
    const { page, requests, context } = await openFamilyDemo();
    // A PED picked by the user, with its own family names.
    const ped = join(app.scratch, 'private.ped');
    const text = readFileSync(FAMILY_PED, 'utf8').replace(/quartet/g, 'ZEBRAFAM7').replace(/dominant\t/g, 'OKAPIFAM9\t');
    writeFileSync(ped, text);
    await page.getByTestId('open-file').setInputFiles(ped);
    await page.waitForFunction(() => document.querySelector('[data-testid="pedigree-family"][data-family="ZEBRAFAM7"]'));
    for (const [mode, count] of Object.entries(MODE_COUNT)) {
      await setMode(page, mode, true, count);
      await setMode(page, mode, false, FAMILY_RECORDS);
    }
    await setMode(page, 'comp-het', true, MODE_COUNT['comp-het']);
    await page.getByTestId('inheritance-why').first().click();
    await page.getByTestId('inheritance-reasons').waitFor({ timeout: LOAD_TIMEOUT });
    const kept = (await page.getByTestId('variant-row').evaluateAll((rows) => rows.map((r) => r.children[1].dataset.value)));
    const secrets = [
      'ZEBRAFAM7', 'OKAPIFAM9', 'GPA', 'GMA', 'DAU', 'SIS', 'KID',
      ...Object.keys(MODE_COUNT), 'comp-het', 'inheritance',
      ...kept.filter(Boolean),
    ];
    const origin = new URL(app.url).origin;
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
      const haystack = r.url + ' ' + (r.postData ? r.postData.toString('latin1') : '');
      for (const s of secrets) {
        assert.ok(!haystack.includes(s), `request ${r.method} ${r.url} carries ${JSON.stringify(s)}`);
      }
    }
    // The only POST is the file's descriptor.
    assert.equal(requests.filter((r) => r.method === 'POST').length, 1);
    await context.close();
  });
});
