// Screenshots of the app's main states, to look at after a UI change: the real server and the
// release build (`cargo xtask build`) in Debian's headless Chromium, as the tests run them. Not a
// test (its name matches none of node's test patterns): it writes PNGs and prints their paths.
//
// usage: node e2e/screens.mjs [OUTDIR]     (default: a fresh folder under the system's tmp)
// with the tests' environment: ENCLAVE_SERVER_BIN, ENCLAVE_DIST, ENCLAVE_CHROMIUM (harness.mjs).
//
// Each shot is a full page at 1280 px wide, taken once the page shows what it is about
// (`waitForValue` on the same `data-testid`s the tests read), so a shot never catches a load
// half-way unless that is its subject:
//  1-demo              the demo trio loaded: summary, filter panel, builder, table
//  2-filtered          an expression applied: "N of M", removed-by per clause
//  3-filter-warning    `DB` alone: applied with a warning beside the box, 0 records
//  4-filter-error      a typo: the caret under the unknown field, the previous result kept
//  5-builder           the builder's GQ control writing the expression
//  6-presets           a VEP-annotated file: its builder and a shipped preset applied
//  7-key-panel         an encrypted demo waiting for its key
//  8-open-error        a malformed file: the error banner
//  9-overview-loading  the 1,000,000-record file (bigvcf.mjs) while it loads, from its index
// 10-streaming         the same file past a 5 MB budget: streaming mode, before a scan
// 11-streaming-kept    a scan's result, with the records kept of those scanned
// 12-streaming-warning `INFO/DP` alone scanned: the warning in streaming mode
// 13-streaming-region  a region read through the index
// 14-family            /?demo=family: the Family panel, comp-het ticked, a row's why / why not
//                      open in a row under it
// 15-variant-detail    /?demo=family, de-novo ticked, the planted stop-gain's detail open
//                      (the drawer at the right, the viewport only: it is fixed) with the
//                      grid's pre-fills; 16-variant-detail-lower: the drawer scrolled to its
//                      samples, explanation, transcripts and fields, the links shown

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bigVcf } from './bigvcf.mjs';
import { LOAD_TIMEOUT, launchBrowser, openPage, repoRoot, startServer, waitForValue } from './harness.mjs';

const out = process.argv[2] || (await mkdtemp(join(tmpdir(), 'enclave-screens-')));
const VIEWPORT = { width: 1280, height: 900 };

async function shot(page, name) {
  // Let transitions and the "filtering…" delay settle.
  await page.waitForTimeout(300);
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(path);
}

async function apply(page, expression) {
  const box = page.getByTestId('filter-expression');
  await box.fill(expression);
  await box.press('Enter');
}

const big = await bigVcf();
const server = await startServer();
const browser = await launchBrowser();
/** A fresh context at `path`, `VIEWPORT` wide; closed after `body`. */
async function visit(path, body) {
  const { page, context } = await openPage(browser, server.url + path);
  await page.setViewportSize(VIEWPORT);
  try {
    await body(page);
  } finally {
    await context.close();
  }
}

try {
  await visit('/?demo=trio', async (page) => {
    await waitForValue(page, 'variant-count', 9940);
    await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '1-demo');
    await apply(page, 'QUAL>=100 && INFO/DP>=50');
    await waitForValue(page, 'filtered-count', 9594);
    await shot(page, '2-filtered');
    await apply(page, 'DB');
    await page.getByTestId('filter-warning').waitFor({ timeout: LOAD_TIMEOUT });
    await waitForValue(page, 'filtered-count', 0);
    await shot(page, '3-filter-warning');
    await apply(page, 'QUAL>=100 && NOSUCH>1');
    await page.getByTestId('filter-error').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '4-filter-error');
    // The builder writes the expression: GQ ≥ 20 is bcftools' FMT/GQ>=20.
    await apply(page, '');
    await waitForValue(page, 'filtered-count', 9940);
    await page.getByTestId('builder-gq').fill('20');
    await page.getByTestId('builder-gq').press('Enter');
    await waitForValue(page, 'filtered-count', 9908);
    await shot(page, '5-builder');
  });
  await visit('/', async (page) => {
    await page.getByTestId('open-file').setInputFiles(join(repoRoot, 'testdata/annotation/bcftools/test/split-vep.vcf'));
    await waitForValue(page, 'variant-count', 802);
    await page.locator('[data-testid="preset"][data-preset-id="high-impact"]').click();
    await waitForValue(page, 'filtered-count', 6);
    await shot(page, '6-presets');
  });
  await visit('/?demo=trio-encrypted', async (page) => {
    await page.getByTestId('key-panel').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '7-key-panel');
  });
  await visit('/', async (page) => {
    const bad = join(out, 'badpos.vcf');
    await writeFile(bad, '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t100\t.\tA\tG\t.\t.\t.\n1\tabc\t.\tA\tG\t.\t.\t.\n');
    await page.getByTestId('open-file').setInputFiles(bad);
    await page.getByTestId('error-banner').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '8-open-error');
  });
  await visit('/', async (page) => {
    await page.getByTestId('open-file').setInputFiles([big.vcf, big.tbi]);
    await page.getByTestId('overview-records').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '9-overview-loading');
    await waitForValue(page, 'variant-count', big.total);
  });
  await visit('/?memory-budget=5', async (page) => {
    await page.getByTestId('open-file').setInputFiles([big.vcf, big.csi]);
    await page.getByTestId('streaming-mode').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '10-streaming');
    await apply(page, 'QUAL>=90 && INFO/DP>50');
    await page.getByTestId('streaming-kept').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '11-streaming-kept');
    await apply(page, 'INFO/DP');
    await page.getByTestId('filter-warning').waitFor({ timeout: LOAD_TIMEOUT });
    await waitForValue(page, 'streaming-kept', 0);
    await shot(page, '12-streaming-warning');
    await page.getByTestId('region-input').fill('chr3:1000000-3000000');
    await page.getByTestId('region-input').press('Enter');
    await page.getByTestId('region-count').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '13-streaming-region');
  });
  await visit('/?demo=family', async (page) => {
    await waitForValue(page, 'variant-count', 292);
    await waitForValue(page, 'pedigree-families', 2);
    await page.getByTestId('inheritance-comp-het').check();
    await waitForValue(page, 'filtered-count', 42);
    await page.getByTestId('inheritance-why').first().click();
    await page.getByTestId('inheritance-reasons').waitFor({ timeout: LOAD_TIMEOUT });
    await shot(page, '14-family');
  });
  await visit('/?demo=family', async (page) => {
    await waitForValue(page, 'pedigree-families', 2);
    await page.getByTestId('inheritance-de-novo').check();
    await waitForValue(page, 'filtered-count', 2);
    await page.getByTestId('variant-row').filter({ hasText: 'SCN1A' }).locator('td.chrom').click();
    const detail = page.getByTestId('variant-detail');
    await detail.getByTestId('acmg-grid').waitFor({ timeout: LOAD_TIMEOUT });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, '15-variant-detail.png') });
    console.log(join(out, '15-variant-detail.png'));
    await detail.getByTestId('external-links-acknowledge').click();
    await detail.getByTestId('detail-samples').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, '16-variant-detail-lower.png') });
    console.log(join(out, '16-variant-detail-lower.png'));
  });
} finally {
  await browser.close();
  await server.stop();
}
