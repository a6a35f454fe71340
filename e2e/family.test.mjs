// End-to-end tests of the family analysis (issue 14) against the real server in Debian's
// Chromium: `/?demo=family` (the synthetic annotated families with their PED), each inheritance
// mode's count as the CLI gives it on the same files, seqr's recessive union, a row's reasons
// in a row of their own under it, a compound het's partners (reached on another page, named
// with their alleles, or marked as left out by the filter), a bad PED's message naming its
// line with the app still working, a PED with Windows line ends, and privacy: no PED content,
// sample name, mode or result leaves the page.

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

/** The table's rows on the page shown, as `{index, pos, ref, alt}`. */
async function visibleRows(page) {
  return page.getByTestId('variant-row').evaluateAll((rows) => rows.map((r) => ({
    index: r.dataset.index,
    pos: Number(r.children[1].dataset.value),
    ref: r.children[3].textContent,
    alt: r.children[4].textContent,
  })));
}

/** Opens row `index`'s explanation and waits for it under that row. */
async function explainRow(page, index) {
  await page.locator(`[data-testid="variant-row"][data-index="${index}"] [data-testid="inheritance-why"]`).click();
  await page.waitForFunction(
    (i) => document.querySelector('[data-testid="inheritance-reasons"]')?.dataset.record === i,
    index,
    { timeout: LOAD_TIMEOUT },
  );
}

describe('why beside the row', () => {
  test('the explanation opens under its row, one at a time, and closes', async () => {
    const { page, context } = await openFamilyDemo();
    await setMode(page, 'comp-het', true, MODE_COUNT['comp-het']);
    const rows = await visibleRows(page);
    for (const row of [rows[3], rows[0]]) {
      await explainRow(page, row.index);
      // The row right after the explained one spans the table and holds the explanation.
      const placed = await page.evaluate((i) => {
        const tr = document.querySelector(`[data-testid="variant-row"][data-index="${i}"]`);
        const next = tr.nextElementSibling;
        return {
          next: next?.dataset.testid,
          holds: next?.querySelector('[data-testid="inheritance-reasons"]')?.dataset.record,
          span: Number(next?.firstElementChild.getAttribute('colspan')),
          columns: tr.children.length,
          selected: tr.getAttribute('aria-current'),
        };
      }, row.index);
      const { columns, ...rest } = placed;
      assert.deepEqual(rest, { next: 'inheritance-reasons-row', holds: row.index, span: columns, selected: 'true' });
      assert.equal(await page.getByTestId('inheritance-reasons').count(), 1, 'one explanation open');
      assert.equal(await page.locator('[data-testid="variant-row"][aria-current="true"]').count(), 1);
    }
    // Nothing of it stays in the Family panel.
    assert.equal(await page.locator('[data-testid="family-panel"] [data-testid="inheritance-reasons"]').count(), 0);
    await page.getByTestId('inheritance-reasons-close').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="inheritance-reasons"]'));
    assert.equal(await page.locator('[data-testid="variant-row"][aria-current="true"]').count(), 0);
    await context.close();
  });

  test('a compound het partner on another page is reached: paged to, selected, explained, REF>ALT shown', async () => {
    const { page, context } = await openFamilyDemo();
    await setMode(page, 'comp-het', true, MODE_COUNT['comp-het']);
    // 42 kept records, 25 a page: two pages; by QUAL, best first, so that a pair (neighbours
    // by position) falls on different pages.
    await page.getByTestId('page-size').selectOption('25');
    await waitForValue(page, 'page-last-row', 25);
    await page.getByTestId('sort-qual').click();
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"] [data-testid="sort-qual"]'));
    // A row whose partner is on the other page: from the first page, else from the second.
    let partner = null;
    let from = 1;
    for (const start of [1, 26]) {
      if (start === 26) {
        await page.getByTestId('page-next').click();
        await waitForValue(page, 'page-first-row', 26);
      }
      const shown = await visibleRows(page);
      for (const row of shown) {
        await explainRow(page, row.index);
        const links = await page.locator('[data-testid="inheritance-reasons"] [data-testid="comp-het-partner"]')
          .evaluateAll((as) => as.map((a) => ({ record: a.dataset.record, verdict: a.dataset.verdict, text: a.textContent })));
        partner = links.find((l) => !shown.some((r) => r.index === l.record));
        if (partner) break;
      }
      if (partner) {
        from = start;
        break;
      }
    }
    assert.ok(partner, 'some comp-het row has its partner on the other page');
    await page.locator(`[data-testid="comp-het-partner"][data-record="${partner.record}"]`).first().click();
    await page.waitForFunction(
      (r) => document.querySelector('[data-testid="inheritance-reasons"]')?.dataset.record === r,
      partner.record,
      { timeout: LOAD_TIMEOUT },
    );
    // The table moved to the other page, where the partner's row is, selected, its
    // explanation right under it, and in view.
    await waitForValue(page, 'page-first-row', from === 1 ? 26 : 1);
    const second = await visibleRows(page);
    const row = second.find((r) => r.index === partner.record);
    assert.ok(row, 'the partner is on the page shown');
    const tr = page.locator(`[data-testid="variant-row"][data-index="${partner.record}"]`);
    assert.equal(await tr.getAttribute('aria-current'), 'true');
    assert.equal(await tr.evaluate((t) => t.nextElementSibling.dataset.testid), 'inheritance-reasons-row');
    await page.waitForFunction((i) => {
      const t = document.querySelector(`[data-testid="variant-row"][data-index="${i}"]`).getBoundingClientRect();
      // Below the sticky header, not under it.
      const head = document.querySelector('[data-testid="variant-table"] thead').getBoundingClientRect();
      const box = document.querySelector('.table-scroll').getBoundingClientRect();
      return t.top >= head.bottom && t.bottom <= box.bottom;
    }, partner.record, { timeout: LOAD_TIMEOUT });
    // The link named it by CHROM:POS REF>ALT (verdict), the alleles the table shows.
    const [chrom, rest] = partner.text.split(':');
    assert.equal(rest, `${row.pos.toLocaleString('en-US')} ${row.ref}>${row.alt} (${partner.verdict})`);
    assert.equal(await tr.evaluate((t) => t.children[0].textContent), chrom);
    await context.close();
  });

  test('a partner the filter leaves out is marked so beside its link; the explanation stays', async () => {
    const { page, context } = await openFamilyDemo();
    await setMode(page, 'comp-het', true, MODE_COUNT['comp-het']);
    const rows = await visibleRows(page);
    await explainRow(page, rows[0].index);
    const link = page.locator('[data-testid="inheritance-reasons"] [data-testid="comp-het-partner"]').first();
    const record = await link.getAttribute('data-record');
    await link.click();
    await page.waitForFunction(
      (r) => document.querySelector('[data-testid="inheritance-reasons"]')?.dataset.record === r,
      record,
      { timeout: LOAD_TIMEOUT },
    );
    const partnerPos = Number(await page.locator(`[data-testid="variant-row"][data-index="${record}"] td:nth-child(2)`).getAttribute('data-value'));
    // Back to the first row, then an expression that leaves the partner out.
    await explainRow(page, rows[0].index);
    await page.getByTestId('filter-expression').fill(`POS!=${partnerPos}`);
    await page.getByTestId('filter-expression').press('Enter');
    await page.waitForFunction(
      (r) => !document.querySelector(`[data-testid="variant-row"][data-index="${r}"]`),
      record,
      { timeout: LOAD_TIMEOUT },
    );
    await page.locator(`[data-testid="comp-het-partner"][data-record="${record}"]`).first().click();
    const missing = page.locator(`[data-testid="comp-het-partner-missing"][data-record="${record}"]`).first();
    await missing.waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await page.getByTestId('inheritance-reasons').getAttribute('data-record'), rows[0].index);
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
    // Following a partner link (locating it over the workers, paging there) stays in the page.
    const link = page.locator('[data-testid="inheritance-reasons"] [data-testid="comp-het-partner"]').first();
    const target = await link.getAttribute('data-record');
    await link.click();
    await page.waitForFunction(
      (r) => document.querySelector('[data-testid="inheritance-reasons"]')?.dataset.record === r,
      target,
      { timeout: LOAD_TIMEOUT },
    );
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
