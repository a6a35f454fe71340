// End-to-end tests of the variant detail (issue 16) against the real server in Debian's
// Chromium, on `/?demo=family` (the synthetic annotated families with their PED): a row opens
// `variant-detail` with its INFO fields and their header descriptions, its transcripts (the most
// severe marked), the samples with the family's roles and allele balance, and the explanation
// under the modes in force; the keyboard moves between rows and pages; the ACMG/AMP grid shows
// the worker's pre-fills with their evidence, combines by points, sets the classification and
// the variant goes on the report, all shown again when the variant is opened again; the links
// notice comes before any link; and no field value, sample name, classification or evidence text
// leaves the page.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, useApp, waitForValue } from './harness.mjs';

// bcftools view -H static/demo/family.vcf | wc -l
const FAMILY_RECORDS = 292;
// enclave view --ped static/demo/family.ped --mode de-novo -f tsv static/demo/family.vcf | wc -l
const DE_NOVO = 2;
// The planted de novo stop-gain of static/demo/family.vcf (line 79): chr2:165980700 A>G, SCN1A,
// KID 0/1 with AD 15,15 (allele balance 0.5), both parents 0/0.
const STOP_GAIN = { pos: '165980700', gene: 'SCN1A' };

const app = useApp();

async function openFamilyDemo() {
  const opened = await app.open('/?demo=family');
  await waitForValue(opened.page, 'variant-count', FAMILY_RECORDS);
  await waitForValue(opened.page, 'pedigree-families', 2);
  return opened;
}

/** Ticks de-novo and opens the planted stop-gain's detail by a click on its row. */
async function openStopGain(page) {
  await page.getByTestId('inheritance-de-novo').check();
  await waitForValue(page, 'filtered-count', DE_NOVO);
  await page.getByTestId('variant-row').filter({ hasText: STOP_GAIN.gene }).locator('td.chrom').click();
  const detail = page.getByTestId('variant-detail');
  await detail.getByTestId('detail-samples').waitFor({ timeout: LOAD_TIMEOUT });
  return detail;
}

const activeIndex = (page) => page.evaluate(() => document.activeElement?.dataset?.index ?? null);

describe('variant detail', () => {
  test('a row opens its fields, transcripts, samples with roles and the explanation', async () => {
    const { page, context, errors } = await openFamilyDemo();
    const detail = await openStopGain(page);
    assert.match(await detail.getByTestId('variant-detail-title').textContent(), /chr2:165,980,700 A>G/);
    // INFO: every field the record has, with its header's description and Number/Type.
    const csq = detail.locator('[data-testid="detail-info-field"][data-key="CSQ"]');
    assert.match(await csq.getByTestId('detail-info-description').textContent(), /Consequence annotations from Ensembl VEP/);
    assert.match(await csq.getByTestId('detail-info-value').textContent(), /stop_gained\|HIGH\|SCN1A/);
    // FORMAT fields with their declarations.
    const ad = detail.locator('[data-testid="detail-format-field"][data-key="AD"]');
    assert.equal(await ad.count(), 1);
    // Transcripts: a table, the most severe marked.
    const transcripts = detail.locator('[data-testid="detail-transcripts"][data-tag="CSQ"] [data-testid="detail-transcript"]');
    assert.ok((await transcripts.count()) >= 1);
    assert.equal(await transcripts.first().getAttribute('data-most-severe'), 'true');
    assert.match(await transcripts.first().textContent(), /stop_gained/);
    // Samples in the family's order with their roles, sex, affection, GT, AD and balance.
    const roles = await detail.getByTestId('detail-sample').evaluateAll((rows) => rows.map((r) => r.dataset.role ?? ''));
    assert.deepEqual(roles.slice(0, 4), ['proband', 'mother', 'father', 'sibling']);
    const kid = detail.locator('[data-testid="detail-sample"][data-sample="KID"]');
    assert.equal((await kid.getByTestId('detail-sample-gt').textContent()).trim(), '0/1');
    assert.equal((await kid.getByTestId('detail-sample-ad').textContent()).trim(), '15,15');
    assert.equal(await kid.getByTestId('detail-sample-ab').getAttribute('data-value'), '0.5');
    assert.equal((await kid.getByTestId('detail-sample-affected').textContent()).trim(), 'affected');
    assert.equal((await kid.getByTestId('detail-sample-sex').textContent()).trim(), 'male');
    // The explanation under the mode in force (de-novo ticked): it fits in the quartet.
    const fits = detail.locator(
      '[data-testid="detail-inheritance"] [data-testid="inheritance-explanation"][data-mode="de-novo"][data-verdict="fits"]',
    );
    assert.equal(await fits.count(), 1);
    assert.equal(
      await detail.locator('[data-testid="detail-inheritance"] [data-testid="inheritance-explanation"]:not([data-mode="de-novo"])').count(),
      0,
      'only the modes in force are explained',
    );
    // The close button closes it.
    await detail.getByTestId('variant-detail-close').click();
    assert.equal(await page.getByTestId('variant-detail').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the keyboard: Enter opens, up/down move (paging at the edges), Escape closes', async () => {
    const { page, context } = await openFamilyDemo();
    const rows = page.getByTestId('variant-row');
    const indexes = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.index));
    await rows.first().focus();
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('variant-detail');
    await detail.waitFor({ timeout: LOAD_TIMEOUT });
    assert.equal(await detail.getAttribute('data-index'), indexes[0]);
    // Down moves the focus and the open detail with it.
    await page.keyboard.press('ArrowDown');
    assert.equal(await activeIndex(page), indexes[1]);
    await page.waitForFunction((i) => document.querySelector('[data-testid="variant-detail"]')?.dataset.index === i, indexes[1]);
    await page.keyboard.press('ArrowUp');
    assert.equal(await activeIndex(page), indexes[0]);
    // Escape closes; the focus stays on the row, visible.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('[data-testid="variant-detail"]'));
    assert.equal(await activeIndex(page), indexes[0]);
    assert.equal(await page.evaluate(() => document.activeElement.matches(':focus-visible')), true);
    // Down from the page's last row pages on and focuses the next page's first row.
    await rows.last().focus();
    await page.keyboard.press('ArrowDown');
    await waitForValue(page, 'page-first-row', indexes.length + 1);
    await page.waitForFunction(
      (n) => document.activeElement?.dataset?.index && !n.includes(document.activeElement.dataset.index),
      indexes,
      { timeout: LOAD_TIMEOUT },
    );
    const second = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.index));
    assert.equal(await activeIndex(page), second[0]);
    // Up from there goes back to the first page's last row.
    await page.keyboard.press('ArrowUp');
    await waitForValue(page, 'page-first-row', 1);
    await page.waitForFunction((i) => document.activeElement?.dataset?.index === i, indexes.at(-1), { timeout: LOAD_TIMEOUT });
    await context.close();
  });

  test('classify through the grid: pre-fills named, points, the class set, on the report, kept', async () => {
    const { page, context, errors } = await openFamilyDemo();
    let detail = await openStopGain(page);
    // The worker's pre-fills: PVS1 from the stop-gain, PM6 from the de novo call (parentage
    // not confirmed), each marked and naming its evidence.
    const pvs1 = detail.getByTestId('acmg-PVS1');
    const pm6 = detail.getByTestId('acmg-PM6');
    assert.equal(await pvs1.getAttribute('data-prefill'), 'true');
    assert.equal(await pm6.getAttribute('data-prefill'), 'true');
    assert.equal(await pvs1.isChecked(), true);
    assert.equal(await pm6.isChecked(), true);
    assert.equal(await detail.getByTestId('acmg-PS2').isChecked(), false);
    const evidence = detail.locator('[data-testid="acmg-prefill"][data-criterion="PVS1"] [data-testid="acmg-prefill-evidence"]');
    const named = await evidence.evaluateAll((es) => es.map((e) => e.textContent));
    assert.ok(named.includes('INFO/CSQ:Consequence = stop_gained'), named.join(' | '));
    assert.match(await detail.getByTestId('acmg-de-novo-note').textContent(), /PM6/);
    assert.equal(await detail.getByTestId('acmg-criterion').count(), 28);
    // PVS1 (8) + PM6 (2) = 10 points: pathogenic; the 2015 rules beside it.
    assert.equal(await detail.getByTestId('acmg-points').getAttribute('data-value'), '10');
    assert.equal(await detail.getByTestId('acmg-class').getAttribute('data-value'), 'pathogenic');
    assert.equal(await detail.getByTestId('acmg-rules').getAttribute('data-value'), 'likely-pathogenic');
    // Editable: PVS1 down to strong (4 + 2 = 6, likely pathogenic), then the grid's class.
    await detail.getByTestId('acmg-PVS1-strength').selectOption('Strong');
    await waitForValue(page, 'acmg-points', 6);
    assert.equal(await detail.getByTestId('acmg-class').getAttribute('data-value'), 'likely-pathogenic');
    await detail.getByTestId('acmg-PM2').check();
    await waitForValue(page, 'acmg-points', 8);
    await detail.getByTestId('acmg-use-class').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="classification"]')?.value === 'likely-pathogenic');
    await detail.getByTestId('classification-evidence').fill('Segregates; ZEBRA-EVIDENCE-42');
    await detail.getByTestId('classification-evidence').blur();
    await detail.getByTestId('tag-candidate').check();
    await detail.getByTestId('add-to-report').click();
    assert.equal(await detail.getByTestId('add-to-report').getAttribute('aria-pressed'), 'true');
    // The row carries the case's mark.
    const row = page.getByTestId('variant-row').filter({ hasText: STOP_GAIN.gene });
    const mark = row.getByTestId('case-mark');
    assert.equal(await mark.getAttribute('data-classification'), 'likely-pathogenic');
    assert.equal(await mark.getAttribute('data-report'), 'true');
    // Closed and opened again (another row between): everything is back.
    await page.keyboard.press('Escape');
    await page.getByTestId('variant-row').filter({ hasNotText: STOP_GAIN.gene }).locator('td.chrom').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="classification"]')?.value === '');
    await row.locator('td.chrom').click();
    detail = page.getByTestId('variant-detail');
    await page.waitForFunction(() => document.querySelector('[data-testid="classification"]')?.value === 'likely-pathogenic');
    assert.equal(await detail.getByTestId('classification-evidence').inputValue(), 'Segregates; ZEBRA-EVIDENCE-42');
    assert.equal(await detail.getByTestId('acmg-PVS1-strength').inputValue(), 'Strong');
    assert.equal(await detail.getByTestId('acmg-PM2').isChecked(), true);
    assert.equal(await detail.getByTestId('tag-candidate').isChecked(), true);
    assert.equal(await detail.getByTestId('add-to-report').getAttribute('aria-pressed'), 'true');
    // Set directly, whatever the grid says.
    await detail.getByTestId('classification').selectOption('uncertain');
    await page.waitForFunction(
      (g) => [...document.querySelectorAll('[data-testid="variant-row"]')]
        .find((r) => r.textContent.includes(g))
        ?.querySelector('[data-testid="case-mark"]')?.dataset.classification === 'uncertain',
      STOP_GAIN.gene,
    );
    assert.match(await detail.getByTestId('classification-basis').textContent(), /directly/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the links notice comes before any link; links open in a new tab without referrer', async () => {
    const { page, context, requests } = await openFamilyDemo();
    const detail = await openStopGain(page);
    const links = detail.getByTestId('external-links');
    assert.equal(await links.getAttribute('data-build'), 'GRCh38');
    assert.match(await links.getByTestId('external-links-notice').textContent(), /sends it this variant's position/);
    assert.equal(await page.locator('a[data-testid="external-link"]').count(), 0, 'no link before the notice is acknowledged');
    const before = requests.length;
    await links.getByTestId('external-links-acknowledge').click();
    const anchors = links.getByTestId('external-link');
    const all = await anchors.evaluateAll((as) => as.map((a) => ({ site: a.dataset.site, href: a.href, target: a.target, rel: a.rel })));
    assert.deepEqual([...new Set(all.map((a) => a.site))].sort(), ['ClinVar', 'Ensembl', 'Franklin', 'UCSC', 'gnomAD']);
    for (const a of all) {
      assert.equal(a.target, '_blank');
      assert.equal(a.rel, 'noopener noreferrer');
    }
    assert.ok(all.find((a) => a.site === 'gnomAD').href.includes('2-165980700-A-G?dataset=gnomad_r4'));
    // Showing the links asks nothing of anyone.
    assert.equal(requests.length, before);
    // Acknowledged once for the page: the next variant's links show at once.
    await page.keyboard.press('Escape');
    await page.getByTestId('variant-row').filter({ hasNotText: STOP_GAIN.gene }).locator('td.chrom').click();
    await page.getByTestId('variant-detail').getByTestId('external-links-list').waitFor({ timeout: LOAD_TIMEOUT });
    await context.close();
  });

  test('privacy: no field value, sample name, classification or evidence text is sent', async () => {
    const { page, context, requests } = await openFamilyDemo();
    const detail = await openStopGain(page);
    await detail.getByTestId('classification-evidence').fill('PRIVATE-EVIDENCE-77');
    await detail.getByTestId('classification-evidence').blur();
    await detail.getByTestId('acmg-PS2').check();
    await detail.getByTestId('acmg-PS2-evidence').fill('PRIVATE-CRITERION-NOTE-5');
    await detail.getByTestId('acmg-PS2-evidence').blur();
    await detail.getByTestId('acmg-use-class').click();
    await detail.getByTestId('tag-excluded-reason').fill('PRIVATE-REASON-3');
    await detail.getByTestId('tag-excluded').check();
    await detail.getByTestId('add-to-report').click();
    await detail.getByTestId('external-links-acknowledge').click();
    // Keyboard through a few rows with the detail open: each is asked of its worker.
    await page.keyboard.press('Escape');
    await page.getByTestId('inheritance-de-novo').uncheck();
    await waitForValue(page, 'filtered-count', FAMILY_RECORDS);
    await page.getByTestId('variant-row').first().focus();
    await page.keyboard.press('Enter');
    for (let k = 0; k < 3; k += 1) await page.keyboard.press('ArrowDown');
    await page.getByTestId('variant-detail').getByTestId('detail-samples').waitFor({ timeout: LOAD_TIMEOUT });
    const secrets = [
      'KID', 'SIS', 'GPA', 'GMA', 'DAU', 'quartet',
      STOP_GAIN.gene, STOP_GAIN.pos, 'stop_gained', 'ENST00000800001', '15,15',
      'PRIVATE-EVIDENCE-77', 'PRIVATE-CRITERION-NOTE-5', 'PRIVATE-REASON-3',
      'pathogenic', 'PVS1', 'PM6', 'PS2', 'gnomad', 'clinvar',
    ];
    const origin = new URL(app.url).origin;
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
      const haystack = (r.url + ' ' + (r.postData ? r.postData.toString('latin1') : '')).toLowerCase();
      for (const s of secrets) {
        assert.ok(!haystack.includes(s.toLowerCase()), `request ${r.method} ${r.url} carries ${JSON.stringify(s)}`);
      }
    }
    // The only POST is the file's descriptor.
    assert.equal(requests.filter((r) => r.method === 'POST').length, 1);
    await context.close();
  });
});
