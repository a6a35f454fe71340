// End-to-end tests of Crypt4GH-encrypted files against the real server in Debian's Chromium: the
// encrypted demo (made by the reference implementation) asks for its passphrase in the key panel,
// refuses a wrong one with the error banner and keeps working, then loads the same 9,940 records
// as the plain demo; a user's encrypted file and its key picked together (the key recognised by
// its content, not its name); a key without passphrase decrypting at once; a pasted key the file
// was not encrypted for. And the privacy guarantee: neither the passphrase, nor the key file, nor
// the decoded secret, nor sample names appear in any request, in storage or in the URL.

import { createDecipheriv, scryptSync } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { LOAD_TIMEOUT, bcftoolsCounts, repoRoot, useApp, waitForValue } from './harness.mjs';

const DEMO_PLAIN = join(repoRoot, 'static/demo/trio.vcf.gz');
const DEMO_KEY = join(repoRoot, 'static/demo/demo-key.sec');
const DEMO_PASSPHRASE = 'enclave-demo';
const WRONG_PASSPHRASE = 'wrong-passphrase-5e2694a';

const td = (p) => join(repoRoot, 'testdata/crypt4gh', p);
// The reference implementation's files: sample.vcf.gz encrypted for alice (scrypt key).
const SAMPLE_C4GH = td('generated/enc/sample.vcf.gz.c4gh');
const SAMPLE_PLAIN = td('generated/plain/sample.vcf.gz');
const ALICE_SEC = td('generated/keys/alice.sec');
const ALICE_PASSPHRASE = 'alice-passphrase';
// htsget-rs: spec-v4.3.vcf.gz encrypted by crypt4gh-rust for bob (a key without passphrase).
const SPEC_C4GH = td('htsget-rs/data/c4gh/spec-v4.3.vcf.gz.c4gh');
const SPEC_PLAIN = td('htsget-rs/data/vcf/spec-v4.3.vcf.gz');
const HTSGET_BOB_SEC = td('htsget-rs/data/c4gh/keys/bob.sec');

/** The base64 body of an armored key file (between the BEGIN and END lines). */
function armorBody(text) {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
}

/**
 * Decodes a c4gh-v1 secret key file protected by scrypt (what `crypt4gh-keygen` writes), written
 * here from the key format of crypt4gh.tex so that the test can look for the 32-byte secret itself.
 */
function decodeSecret(text, passphrase) {
  const raw = Buffer.from(armorBody(text), 'base64');
  assert.equal(raw.subarray(0, 7).toString(), 'c4gh-v1');
  let at = 7;
  const string = () => {
    const len = raw.readUInt16BE(at);
    const value = raw.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    return value;
  };
  assert.equal(string().toString(), 'scrypt');
  const options = string(); // rounds (u32) ‖ salt
  const salt = options.subarray(4);
  assert.equal(string().toString(), 'chacha20_poly1305');
  const blob = string(); // nonce (12) ‖ ciphertext (32) ‖ MAC (16)
  const derived = scryptSync(passphrase, salt, 32, { N: 1 << 14, r: 8, p: 1 });
  const decipher = createDecipheriv('chacha20-poly1305', derived, blob.subarray(0, 12), { authTagLength: 16 });
  decipher.setAuthTag(blob.subarray(44, 60));
  // `final` throws unless the MAC verifies, so a wrong decoding cannot pass silently.
  const secret = Buffer.concat([decipher.update(blob.subarray(12, 44)), decipher.final()]);
  assert.equal(secret.length, 32);
  return secret;
}

const app = useApp();

/** Fills the passphrase and decrypts; the input is empty right after. */
async function decrypt(page, passphrase) {
  const input = page.getByTestId('passphrase');
  await input.fill(passphrase);
  await page.getByTestId('decrypt').click();
  assert.equal(await input.inputValue(), '', 'the passphrase input is cleared at once');
}

async function bannerText(page) {
  const banner = page.getByTestId('error-banner');
  await banner.waitFor({ timeout: LOAD_TIMEOUT });
  return banner.textContent();
}

describe('encrypted demo', () => {
  test('asks for the passphrase, refuses a wrong one, then loads the trio; nothing secret leaves the page', async () => {
    const plain = bcftoolsCounts(DEMO_PLAIN);
    assert.equal(plain.records, 9940);
    const keyText = readFileSync(DEMO_KEY, 'utf8');
    const keyBytes = readFileSync(DEMO_KEY);
    const secret = decodeSecret(keyText, DEMO_PASSPHRASE);

    const { page, requests, errors, context } = await app.open('/?demo=trio-encrypted');
    const panel = page.getByTestId('key-panel');
    await panel.waitFor({ timeout: LOAD_TIMEOUT });
    // The demo key came with the demo; it needs a passphrase, which the demo shows openly.
    await waitForValue(page, 'key-status', 'passphrase');
    assert.equal(await page.getByTestId('demo-passphrase').getAttribute('data-value'), DEMO_PASSPHRASE);
    assert.equal(await page.getByTestId('passphrase').getAttribute('type'), 'password');
    assert.equal(await page.getByTestId('passphrase').getAttribute('autocomplete'), 'off');
    assert.equal(await page.getByTestId('variant-count').count(), 0, 'nothing is loaded before the key');

    // A wrong passphrase: the error banner says so, the panel stays, the input is empty.
    await decrypt(page, WRONG_PASSPHRASE);
    assert.match(await bannerText(page), /wrong passphrase/i);
    assert.equal(await panel.count(), 1, 'the key panel stays for another try');
    assert.equal(await page.getByTestId('passphrase').inputValue(), '');
    assert.equal(await page.getByTestId('variant-count').count(), 0);

    // The right one, on the same fetched file (no new pick): the trio, as the plain demo.
    await decrypt(page, DEMO_PASSPHRASE);
    await waitForValue(page, 'variant-count', plain.records);
    assert.equal(Number(await page.getByTestId('sample-count').getAttribute('data-value')), plain.samples.length);
    assert.equal(await page.getByTestId('encrypted').getAttribute('data-value'), 'true');
    assert.match(await page.getByTestId('encrypted').textContent(), /Crypt4GH/);
    assert.equal(await page.getByTestId('error-banner').count(), 0, 'the banner goes once the file loads');
    assert.equal(await panel.count(), 0, 'the key panel closes once the file loads');
    // The app works on the decrypted data.
    await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
    await page.getByTestId('sort-qual').click();
    await page.getByTestId('variant-row').first().waitFor({ timeout: LOAD_TIMEOUT });
    // Let the descriptor POST finish: GET data, GET key, POST descriptor.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="egress-log"] li .outcome').length >= 3 &&
        ![...document.querySelectorAll('[data-testid="egress-log"] li .outcome')].some((e) => e.textContent.includes('in flight')),
      null,
      { timeout: LOAD_TIMEOUT },
    );

    // Nothing secret in any request the page or its workers made: URLs, headers or bodies.
    const secretStrings = [
      DEMO_PASSPHRASE,
      WRONG_PASSPHRASE,
      armorBody(keyText),
      ...keyText.split('\n').filter((l) => l.length > 16 && !l.startsWith('-----')),
      secret.toString('hex'),
      secret.toString('base64'),
      secret.toString('base64url'),
      ...plain.samples,
    ];
    const secretBytes = [keyBytes, secret, Buffer.from(DEMO_PASSPHRASE), Buffer.from(WRONG_PASSPHRASE)];
    const plainBytes = readFileSync(DEMO_PLAIN);
    const origin = new URL(app.url).origin;
    let posts = 0;
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
      const haystack = [r.url, JSON.stringify(r.headers), r.postData ? r.postData.toString('latin1') : ''].join(' ');
      for (const s of secretStrings) {
        assert.ok(!haystack.includes(s), `request ${r.method} ${r.url} carries ${JSON.stringify(s)}`);
        assert.ok(!decodeURIComponent(r.url).includes(s), `request URL ${r.url} carries a secret`);
      }
      if (r.postData) {
        for (const bytes of secretBytes) {
          assert.equal(r.postData.indexOf(bytes), -1, `secret bytes in the body of ${r.url}`);
        }
        for (let k = 0; k + 64 <= plainBytes.length; k += 4096) {
          assert.equal(r.postData.indexOf(plainBytes.subarray(k, k + 64)), -1, `file bytes in ${r.url}`);
        }
      }
      if (r.method === 'POST') {
        posts += 1;
        assert.equal(new URL(r.url).pathname, '/api/v1/datasets');
        const body = JSON.parse(r.postData.toString());
        assert.equal(body.record_count, plain.records);
        assert.deepEqual(
          Object.keys(body).sort(),
          ['contig_count', 'fingerprint', 'format', 'record_count', 'reference_build', 'sample_count', 'size_bytes'].filter((k) => k in body),
        );
      } else {
        assert.equal(r.method, 'GET', `only GET and POST: ${r.method} ${r.url}`);
      }
    }
    assert.equal(posts, 1, 'one descriptor, for the decrypted file; none for the failed attempt');
    const paths = requests.map((r) => new URL(r.url).pathname);
    assert.ok(paths.includes('/demo/trio.vcf.gz.c4gh'), 'the demo fetched the encrypted file');
    assert.ok(paths.includes('/demo/demo-key.sec'), 'the demo fetched its key from the same origin');
    assert.ok(!paths.includes('/demo/trio.vcf.gz'), 'the plain demo was not fetched');

    // Not stored and not in the URL either.
    const stored = await page.evaluate(() => {
      const all = [];
      for (const s of [localStorage, sessionStorage]) {
        for (let i = 0; i < s.length; i++) all.push(s.key(i), s.getItem(s.key(i)));
      }
      return all.join('\n');
    });
    for (const s of [DEMO_PASSPHRASE, WRONG_PASSPHRASE, armorBody(keyText), secret.toString('hex')]) {
      assert.ok(!stored.includes(s), `storage holds ${JSON.stringify(s)}`);
      assert.ok(!page.url().includes(s), 'the URL holds a secret');
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the open-demo-encrypted button opens the same demo through the key panel', async () => {
    const { page, context } = await app.open('/');
    await page.getByTestId('open-demo-encrypted').click();
    await waitForValue(page, 'key-status', 'passphrase');
    // Enter in the passphrase field decrypts too.
    await page.getByTestId('passphrase').fill(DEMO_PASSPHRASE);
    await page.getByTestId('passphrase').press('Enter');
    assert.equal(await page.getByTestId('passphrase').inputValue(), '');
    await waitForValue(page, 'variant-count', 9940);
    await context.close();
  });
});

describe('encrypted files of your own', () => {
  test('an encrypted file and its key picked together: the key is recognised by its content', async () => {
    // A name that says nothing: the key is recognised by its armor.
    const key = join(app.scratch, 'my-notes.txt');
    copyFileSync(ALICE_SEC, key);
    const want = bcftoolsCounts(SAMPLE_PLAIN);
    const { page, context } = await app.open('/');
    await page.getByTestId('open-file').setInputFiles([SAMPLE_C4GH, key]);
    await waitForValue(page, 'key-status', 'passphrase');
    assert.match(await page.getByTestId('key-status').textContent(), /my-notes\.txt/);
    assert.equal(await page.getByTestId('demo-passphrase').count(), 0, 'no demo hint for a user key');
    // No passphrase: the key needs one.
    await page.getByTestId('decrypt').click();
    assert.match(await bannerText(page), /protected by a passphrase/i);
    await decrypt(page, ALICE_PASSPHRASE);
    await waitForValue(page, 'variant-count', want.records);
    assert.equal(await page.getByTestId('encrypted').getAttribute('data-value'), 'true');
    await context.close();
  });

  test('a key without passphrase decrypts at once; a pasted key the file is not for is named as such', async () => {
    const spec = bcftoolsCounts(SPEC_PLAIN);
    const sample = bcftoolsCounts(SAMPLE_PLAIN);
    const { page, errors, context } = await app.open('/');
    await page.getByTestId('open-file').setInputFiles([HTSGET_BOB_SEC, SPEC_C4GH]);
    await waitForValue(page, 'variant-count', spec.records);
    assert.equal(await page.getByTestId('encrypted').getAttribute('data-value'), 'true');

    // The key is forgotten once a file loads: the next encrypted file asks again.
    await page.getByTestId('open-file').setInputFiles(SAMPLE_C4GH);
    await waitForValue(page, 'key-status', 'none');
    assert.equal(await page.getByTestId('decrypt').isDisabled(), true, 'no key, no decrypt');
    assert.equal(Number(await page.getByTestId('variant-count').getAttribute('data-value')), spec.records,
      'the file shown before stays while the next one waits for its key');
    await page.getByTestId('key-text').fill(readFileSync(HTSGET_BOB_SEC, 'utf8'));
    await waitForValue(page, 'key-status', 'no-passphrase');
    await page.getByTestId('decrypt').click();
    assert.match(await bannerText(page), /not encrypted for this key/i);

    // Not a key at all.
    await page.getByTestId('key-text').fill('this is not a key');
    await waitForValue(page, 'key-status', 'unusable');
    await page.getByTestId('decrypt').click();
    await page.waitForFunction(
      () => /not a Crypt4GH key file/i.test(document.querySelector('[data-testid="error-banner"]')?.textContent ?? ''),
      null,
      { timeout: LOAD_TIMEOUT },
    );

    // The right key, chosen in the panel, opens the same file.
    await page.getByTestId('key-file').setInputFiles(ALICE_SEC);
    await waitForValue(page, 'key-status', 'passphrase');
    assert.equal(await page.getByTestId('key-text').inputValue(), '', 'choosing a file clears the pasted key');
    await decrypt(page, ALICE_PASSPHRASE);
    await waitForValue(page, 'variant-count', sample.records);
    assert.equal(await page.getByTestId('key-panel').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
