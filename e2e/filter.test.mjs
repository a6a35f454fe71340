// End-to-end tests of filtering on the demo (GIAB trio, 9,940 records) against the real server in
// Debian's Chromium: typed expressions with bcftools' counts, errors with a caret under the
// offending column, "removed by" per clause, presets (shipped and saved), the builder writing
// the same expression, gene and region lists, and the privacy guarantee (no expression, list or
// sample name in any request).

import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, repoRoot, useApp, waitForValue } from './harness.mjs';

const TOTAL = 9940;

// Expected counts, from bcftools 1.16 on the demo file:
//   bcftools view -H -i 'EXPR' static/demo/trio.vcf.gz | wc -l
const COUNT = {
  'QUAL>=100': 9814,
  'QUAL>=100 && INFO/DP>=50': 9594,
  'FILTER="PASS" && FMT/GQ>=20 && FMT/DP>=10': 9062,
  'FMT/GQ>=20': 9908,
  'FMT/GQ>=20 && INFO/MQ>=50': 9557,
  'FMT/GQ>=20 && INFO/MQ>=50 && QUAL>=100': 9461,
  'GT[0]="het"': 4777,
  // A flag or value alone selects nothing in bcftools 1.16+ (which warns); `=1` tests the flag.
  'DB': 0,
  'INFO/POSITIVE_TRAIN_SITE': 0,
  'POSITIVE_TRAIN_SITE=1': 7481,
  'QUAL>30': 9940,
};
// bcftools view -H -e 'QUAL>=100' static/demo/trio.vcf.gz | wc -l
const EXCLUDE_QUAL100 = 126;
// bcftools view -H -t 2 static/demo/trio.vcf.gz | wc -l
const CHROMOSOME_2 = 590;

// A VEP-annotated file from bcftools' tests (the demo's BCSQ header predates a parseable layout).
const VEP_FILE = join(repoRoot, 'testdata/annotation/bcftools/test/split-vep.vcf');
// bcftools view -H testdata/annotation/bcftools/test/split-vep.vcf | wc -l
const VEP_RECORDS = 802;
// Records with a HIGH-impact transcript:
//   bcftools +split-vep -d -f '%CHROM:%POS:%REF:%ALT %IMPACT\n' split-vep.vcf | awk '$2=="HIGH"{print $1}' | sort -u | wc -l
const VEP_HIGH = 6;
// Records annotated with WASH7P:
//   bcftools +split-vep -d -f '%CHROM:%POS:%REF:%ALT %SYMBOL\n' split-vep.vcf | awk '$2=="WASH7P"{print $1}' | sort -u | wc -l
const VEP_WASH7P = 154;

const app = useApp();

/** A fresh context with the demo loaded; records requests and console errors. */
async function openDemo() {
  const { context, page, requests, errors } = await app.open('/?demo=trio');
  await waitForValue(page, 'variant-count', TOTAL);
  await page.getByTestId('filter-expression').waitFor({ timeout: LOAD_TIMEOUT });
  return { context, page, requests, errors };
}

/** Types an expression and presses Enter. */
async function applyExpression(page, expression) {
  const box = page.getByTestId('filter-expression');
  await box.fill(expression);
  await box.press('Enter');
}

async function filteredCount(page) {
  return Number(await page.getByTestId('filtered-count').getAttribute('data-value'));
}

describe('expressions', () => {
  test('a typed expression shows bcftools\' count, "N of M", and the table pages over the passing records', async () => {
    const { page, context, errors } = await openDemo();
    assert.equal(await filteredCount(page), TOTAL, 'no filter: all records');
    const expression = 'QUAL>=100 && INFO/DP>=50';
    await applyExpression(page, expression);
    await waitForValue(page, 'filtered-count', COUNT[expression]);
    const text = await page.getByTestId('filtered-count').textContent();
    assert.match(text, /9,594 of 9,940 variants/);
    await waitForValue(page, 'page-total', COUNT[expression]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('each clause says how many records it removed, and they add up', async () => {
    const { page, context } = await openDemo();
    await applyExpression(page, 'QUAL>=100 && INFO/DP>=50');
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100 && INFO/DP>=50']);
    const items = page.locator('.removed-by li');
    assert.deepEqual(await items.locator('.clause-text').allTextContents(), ['QUAL>=100', 'INFO/DP>=50']);
    const removed = (await page.getByTestId('clause-removed').evaluateAll((els) => els.map((e) => Number(e.dataset.value))));
    // QUAL removes what fails it; DP removes what fails it among the rest.
    assert.deepEqual(removed, [TOTAL - COUNT['QUAL>=100'], COUNT['QUAL>=100'] - COUNT['QUAL>=100 && INFO/DP>=50']]);
    assert.equal(removed[0] + removed[1], TOTAL - COUNT['QUAL>=100 && INFO/DP>=50']);
    await context.close();
  });

  test('a broken expression shows the error with a caret under the right column; the previous count stays', async () => {
    const { page, context } = await openDemo();
    await applyExpression(page, 'QUAL>=100');
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100']);
    await applyExpression(page, 'QUAL>');
    const error = page.getByTestId('filter-error');
    await error.waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await error.locator('.expr-line').textContent(), 'QUAL>');
    const caret = await error.locator('.caret-line').textContent();
    // The value is missing after `>`: the caret sits at column 5, just past the operator.
    assert.equal(caret.indexOf('^'), 5, JSON.stringify(caret));
    assert.match(caret, /^ {5}\^+$/);
    const message = await error.locator('.message').textContent();
    assert.ok(message.trim().length > 0, 'a message');
    assert.equal(await filteredCount(page), COUNT['QUAL>=100'], 'the previous count is still shown');
    await waitForValue(page, 'page-total', COUNT['QUAL>=100']);

    // An unknown field: the caret spans the name.
    await applyExpression(page, 'QUAL>=100 && NOSUCH>1');
    await page.waitForFunction(() => document.querySelector('[data-testid="filter-error"] .expr-line')?.textContent.includes('NOSUCH'));
    const caret2 = await error.locator('.caret-line').textContent();
    assert.equal(caret2.indexOf('^'), 'QUAL>=100 && '.length, JSON.stringify(caret2));
    assert.equal(caret2.trim(), '^'.repeat('NOSUCH'.length));

    // Fixing it clears the error.
    await applyExpression(page, 'QUAL>=100 && INFO/DP>=50');
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100 && INFO/DP>=50']);
    assert.equal(await page.getByTestId('filter-error').count(), 0);
    await context.close();
  });

  test('a flag alone is applied with a warning beside the box and selects nothing, as in bcftools', async () => {
    const { page, context, errors } = await openDemo();
    const warning = page.getByTestId('filter-warning');
    await applyExpression(page, 'DB');
    await warning.waitFor({ timeout: LOAD_TIMEOUT });
    await waitForValue(page, 'filtered-count', COUNT['DB']);
    // Applied (a status, not an alert, and no error), with a caret under the bare name and a hint.
    assert.equal(await warning.getAttribute('role'), 'status');
    assert.equal(await warning.getAttribute('data-value'), '1');
    assert.equal(await page.getByTestId('filter-error').count(), 0);
    assert.equal(await warning.locator('.expr-line').textContent(), 'DB');
    assert.equal(await warning.locator('.caret-line').textContent(), '^^');
    assert.equal(await warning.locator('.caret-view').getAttribute('data-kind'), 'NotACondition');
    assert.ok((await warning.locator('.message').textContent()).trim().length > 0, 'a message');
    assert.ok((await warning.locator('.hint').textContent()).trim().length > 0, 'a hint');
    // Styled as a warning: amber, not the error's red.
    const [warningColor, errorColor] = await page.evaluate(() => {
      const style = getComputedStyle(document.documentElement);
      const probe = (name) => {
        const el = document.createElement('span');
        el.style.color = style.getPropertyValue(name);
        document.body.append(el);
        const color = getComputedStyle(el).color;
        el.remove();
        return color;
      };
      return [probe('--amber'), probe('--red')];
    });
    assert.notEqual(warningColor, errorColor);
    assert.equal(await warning.evaluate((el) => getComputedStyle(el).borderLeftColor), warningColor);

    // A flag that is set on most records still selects nothing alone; `=1` selects them.
    await applyExpression(page, 'INFO/POSITIVE_TRAIN_SITE');
    await page.waitForFunction(() => document.querySelector('[data-testid="filter-warning"] .expr-line')?.textContent === 'INFO/POSITIVE_TRAIN_SITE');
    await waitForValue(page, 'filtered-count', COUNT['INFO/POSITIVE_TRAIN_SITE']);
    await applyExpression(page, 'POSITIVE_TRAIN_SITE=1');
    await waitForValue(page, 'filtered-count', COUNT['POSITIVE_TRAIN_SITE=1']);
    assert.equal(await warning.count(), 0, 'a condition: no warning');

    // Back to a warning, then an expression without one clears it.
    await applyExpression(page, 'INFO/DB');
    await warning.waitFor({ timeout: LOAD_TIMEOUT });
    await applyExpression(page, 'QUAL>30');
    await waitForValue(page, 'filtered-count', COUNT['QUAL>30']);
    assert.equal(await warning.count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('"remove matching" is bcftools -e', async () => {
    const { page, context } = await openDemo();
    await applyExpression(page, 'QUAL>=100');
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100']);
    await page.getByTestId('filter-mode-exclude').click();
    await waitForValue(page, 'filtered-count', EXCLUDE_QUAL100);
    await page.getByTestId('filter-mode-include').click();
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100']);
    await context.close();
  });
});

describe('presets', () => {
  test('a preset fills the expression and applies it; one whose fields are absent is disabled with the reason', async () => {
    const { page, context } = await openDemo();
    const quality = page.locator('[data-testid="preset"][data-preset-id="quality"]');
    await quality.click();
    const expression = 'FILTER="PASS" && FMT/GQ>=20 && FMT/DP>=10';
    await waitForValue(page, 'filtered-count', COUNT[expression]);
    assert.equal(await page.getByTestId('filter-expression').inputValue(), expression);
    // The builder shows the same clauses.
    assert.equal(await page.getByTestId('builder-pass').isChecked(), true);
    assert.equal(await page.getByTestId('builder-gq').inputValue(), '20');
    assert.equal(await page.getByTestId('builder-depth').inputValue(), '10');
    // The demo has no VEP/SnpEff impact annotation.
    const high = page.locator('[data-testid="preset"][data-preset-id="high-impact"]');
    assert.equal(await high.isDisabled(), true);
    const reason = await page.locator('.preset.unavailable', { has: high }).textContent();
    assert.match(reason, /CSQ\/IMPACT/);
    // The preset is a starting point: edit it.
    await applyExpression(page, expression.replace('FMT/GQ>=20 && ', ''));
    await page.waitForFunction((n) => document.querySelector('[data-testid="filtered-count"]').dataset.value !== String(n), COUNT[expression]);
    await context.close();
  });

  test('a saved preset is listed after a reload, applies, and can be deleted', async () => {
    const { page, context } = await openDemo();
    await applyExpression(page, 'QUAL>=100');
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100']);
    await page.getByTestId('preset-name').fill('My QUAL 100');
    await page.getByTestId('preset-save').click();
    const mine = page.getByTestId('user-presets').getByTestId('preset');
    await mine.filter({ hasText: 'My QUAL 100' }).waitFor();
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('enclave.presets.v1')));
    assert.equal(stored.version, 1);
    assert.deepEqual(stored.presets.map((p) => [p.name, p.expression]), [['My QUAL 100', 'QUAL>=100']]);

    await page.reload();
    await waitForValue(page, 'variant-count', TOTAL);
    const saved = page.getByTestId('user-presets').getByTestId('preset').filter({ hasText: 'My QUAL 100' });
    await saved.waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await filteredCount(page), TOTAL, 'a reload starts unfiltered');
    await saved.click();
    await waitForValue(page, 'filtered-count', COUNT['QUAL>=100']);
    assert.equal(await page.getByTestId('filter-expression').inputValue(), 'QUAL>=100');

    await page.getByTestId('preset-delete').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="user-presets"] [data-testid="preset"]').length === 0);
    const after = await page.evaluate(() => JSON.parse(localStorage.getItem('enclave.presets.v1')));
    assert.deepEqual(after.presets, []);
    await context.close();
  });
});

describe('builder', () => {
  test('setting GQ ≥ 20 writes the expression and applies it; typed clauses are kept', async () => {
    const { page, context } = await openDemo();
    const gq = page.getByTestId('builder-gq');
    await gq.fill('20');
    await gq.press('Enter');
    await waitForValue(page, 'filtered-count', COUNT['FMT/GQ>=20']);
    assert.equal(await page.getByTestId('filter-expression').inputValue(), 'FMT/GQ>=20');

    // A clause the builder has no control for stays, as a custom clause.
    await applyExpression(page, 'FMT/GQ>=20 && INFO/MQ>=50');
    await waitForValue(page, 'filtered-count', COUNT['FMT/GQ>=20 && INFO/MQ>=50']);
    assert.match(await page.getByTestId('builder-custom').textContent(), /INFO\/MQ>=50/);
    const qual = page.getByTestId('builder-qual');
    await qual.fill('100');
    await qual.press('Enter');
    const expression = 'FMT/GQ>=20 && INFO/MQ>=50 && QUAL>=100';
    await waitForValue(page, 'filtered-count', COUNT[expression]);
    assert.equal(await page.getByTestId('filter-expression').inputValue(), expression);

    // Clearing a control removes its clause only.
    await gq.fill('');
    await gq.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="filter-expression"]').value === 'INFO/MQ>=50 && QUAL>=100');
    await context.close();
  });

  test('a genotype control writes GT[k]', async () => {
    const { page, context } = await openDemo();
    await page.locator('[data-testid="builder-gt"][data-slot="gt:0"]').selectOption('het');
    await waitForValue(page, 'filtered-count', COUNT['GT[0]="het"']);
    assert.equal(await page.getByTestId('filter-expression').inputValue(), 'GT[0]="het"');
    await context.close();
  });
});

describe('lists and annotation', () => {
  test('a region list narrows the records and shows what it removed', async () => {
    const { page, context } = await openDemo();
    await page.locator('details.lists > summary').click();
    const regions = page.getByTestId('filter-regions');
    await regions.fill('2');
    await regions.blur();
    await waitForValue(page, 'filtered-count', CHROMOSOME_2);
    const removed = await page.getByTestId('clause-removed').evaluateAll((els) => els.map((e) => Number(e.dataset.value)));
    assert.deepEqual(removed, [TOTAL - CHROMOSOME_2]);
    assert.match(await page.locator('.removed-by').textContent(), /regions: 2/);
    await context.close();
  });

  test('a VEP-annotated file: Gene and Consequence columns, the high-impact preset, a gene list', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await page.goto(app.url + '/');
    await page.getByTestId('open-file').setInputFiles(VEP_FILE);
    await waitForValue(page, 'variant-count', VEP_RECORDS);
    const header = await page.getByTestId('variant-table').locator('thead').textContent();
    assert.match(header, /Gene/);
    assert.match(header, /Consequence/);
    await page.getByTestId('cell-gene').first().waitFor();
    assert.equal(await page.getByTestId('cell-gene').first().textContent(), 'WASH7P');
    assert.equal(
      await page.getByTestId('cell-consequence').first().textContent(),
      'non_coding_transcript_exon_variant',
    );

    await page.locator('[data-testid="preset"][data-preset-id="high-impact"]').click();
    await waitForValue(page, 'filtered-count', VEP_HIGH);
    assert.equal(await page.getByTestId('filter-expression').inputValue(), 'CSQ/IMPACT="HIGH"');
    // The builder shows the impact clause.
    assert.equal(await page.locator('[data-testid="builder-impact"][data-slot="impact:HIGH"]').isChecked(), true);

    await page.getByTestId('filter-clear').click();
    await waitForValue(page, 'filtered-count', VEP_RECORDS);
    await page.locator('details.lists > summary').click();
    const genes = page.getByTestId('filter-genes');
    await genes.fill('wash7p\nNOTAGENE1');
    await genes.blur();
    await waitForValue(page, 'filtered-count', VEP_WASH7P);
    assert.match(await page.getByTestId('genes-not-found').textContent(), /NOTAGENE1/);
    assert.doesNotMatch(await page.getByTestId('genes-not-found').textContent(), /wash7p/i);
    await context.close();
  });
});

describe('privacy', () => {
  test('no request carries the expression, the lists or sample names', async () => {
    const { page, requests, context } = await openDemo();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="egress-log"] li').length >= 2, null, {
      timeout: LOAD_TIMEOUT,
    });
    const expression = 'QUAL>=123.5 && INFO/DP>=7 && GT[0]="het"';
    await applyExpression(page, expression);
    await page.locator('details.lists > summary').click();
    await page.getByTestId('filter-genes').fill('UNIQUEGENE42');
    await page.getByTestId('filter-regions').fill('1:1-7654321');
    await page.getByTestId('filter-apply').click();
    await page.getByTestId('genes-not-found').waitFor({ timeout: LOAD_TIMEOUT });
    await page.getByTestId('preset-name').fill('SecretPresetName');
    await page.getByTestId('preset-save').click();
    await page.getByTestId('user-presets').getByText('SecretPresetName').waitFor();

    const samples = await page.getByTestId('sample-names').locator('li').allTextContents();
    assert.equal(samples.length, 3);
    const secrets = [expression, 'QUAL>=123.5', 'UNIQUEGENE42', '1:1-7654321', 'SecretPresetName', ...samples];
    const origin = new URL(app.url).origin;
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
      const haystack = decodeURIComponent(r.url) + ' ' + (r.postData ? r.postData.toString('utf8') : '');
      for (const s of secrets) {
        assert.ok(!haystack.includes(s), `request ${r.method} ${r.url} carries ${JSON.stringify(s)}`);
      }
    }
    assert.equal(requests.filter((r) => r.method === 'POST').length, 1, 'only the dataset descriptor is posted');
    const log = await page.getByTestId('egress-log').textContent();
    assert.ok(!log.includes('123.5') && !log.includes('UNIQUEGENE42'), 'the egress log lists no filter');
    await context.close();
  });
});
