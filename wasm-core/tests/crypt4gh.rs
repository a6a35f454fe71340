//! Crypt4GH: files made by the reference implementation (Python `crypt4gh` 1.8.6, crypt4gh-rust
//! for htsget-rs) decrypt to the expected bytes; the bad ones fail with the right error; random
//! reads and seeks through the plaintext view equal slicing; tampering names the segment; a region
//! query through an index decrypts only the segments it needs; secrets never reach a message.
//!
//! The local cases use `testdata/crypt4gh` (see its `SOURCE.md`). `sweep_of_shared_files` reads
//! every Crypt4GH file of `../shared/testdata` and skips with a notice when that folder is absent.

use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use enclave_test_support::crypt4gh::edited;
use enclave_test_support::files::{shared_testdata, testdata, testdata_dir};
use enclave_test_support::rng::SplitMix64;
use wasm_core::crypt4gh::keys::Kdf;
use wasm_core::crypt4gh::{
    CIPHER_SEGMENT_SIZE, Crypt4ghError, Encryptor, Header, KeyError, PlaintextReader, PublicKey,
    SEGMENT_SIZE, SecretKey,
};
use wasm_core::progress::Silent;
use wasm_core::{IngestError, read_dataset, read_encrypted_dataset};

const ALICE: (&str, &str) = ("crypt4gh/generated/keys/alice.sec", "alice-passphrase");
const CAROL: (&str, &str) = ("crypt4gh/generated/keys/carol.sec", "");
const DAVE_SCRYPT: (&str, &str) = ("crypt4gh/generated/keys/dave.scrypt.sec", "dave-passphrase");
const DAVE_BCRYPT: (&str, &str) = ("crypt4gh/generated/keys/dave.bcrypt.sec", "dave-passphrase");
const DAVE_PBKDF2: (&str, &str) = (
    "crypt4gh/generated/keys/dave.pbkdf2_hmac_sha256.sec",
    "dave-passphrase",
);
const DAVE_NONE: (&str, &str) = ("crypt4gh/generated/keys/dave.none.sec", "");
const HTSGET_BOB: (&str, &str) = ("crypt4gh/htsget-rs/data/c4gh/keys/bob.sec", "");
const EGA_ALICE: (&str, &str) = ("crypt4gh/ega/tests/_common/alice.sec", "alice");

/// (encrypted file, key, expected plaintext), all under `testdata/`.
const LOCAL_CASES: &[(&str, (&str, &str), &str)] = &[
    (
        "crypt4gh/generated/enc/hello.txt.c4gh",
        ALICE,
        "crypt4gh/generated/plain/hello.txt",
    ),
    (
        "crypt4gh/generated/enc/hello.anon.c4gh",
        ALICE,
        "crypt4gh/generated/plain/hello.txt",
    ),
    (
        "crypt4gh/generated/enc/hello.for_dave.c4gh",
        DAVE_SCRYPT,
        "crypt4gh/generated/plain/hello.txt",
    ),
    (
        "crypt4gh/generated/enc/hello.for_dave.c4gh",
        DAVE_BCRYPT,
        "crypt4gh/generated/plain/hello.txt",
    ),
    (
        "crypt4gh/generated/enc/hello.for_dave.c4gh",
        DAVE_PBKDF2,
        "crypt4gh/generated/plain/hello.txt",
    ),
    (
        "crypt4gh/generated/enc/hello.for_dave.c4gh",
        DAVE_NONE,
        "crypt4gh/generated/plain/hello.txt",
    ),
    (
        "crypt4gh/generated/enc/empty.bin.c4gh",
        ALICE,
        "crypt4gh/generated/plain/empty.bin",
    ),
    (
        "crypt4gh/generated/enc/segment_exact.bin.c4gh",
        ALICE,
        "crypt4gh/generated/plain/segment_exact.bin",
    ),
    (
        "crypt4gh/generated/enc/abcd.multi.c4gh",
        ALICE,
        "crypt4gh/generated/plain/abcd.bin",
    ),
    (
        "crypt4gh/generated/enc/abcd.multi.c4gh",
        CAROL,
        "crypt4gh/generated/plain/abcd.bin",
    ),
    (
        "crypt4gh/generated/enc/abcd.multi.c4gh",
        DAVE_BCRYPT,
        "crypt4gh/generated/plain/abcd.bin",
    ),
    (
        "crypt4gh/generated/enc/abcd.editlist_even.c4gh",
        ALICE,
        "crypt4gh/generated/out/abcd.editlist_even.expected",
    ),
    (
        "crypt4gh/generated/enc/abcd.rearranged_alice.c4gh",
        ALICE,
        "crypt4gh/generated/out/abcd.rearranged.bin",
    ),
    (
        "crypt4gh/generated/enc/sample.vcf.editlist_odd.c4gh",
        ALICE,
        "crypt4gh/generated/out/sample.vcf.editlist_odd.expected",
    ),
    (
        "crypt4gh/generated/enc/sample.vcf.gz.c4gh",
        ALICE,
        "crypt4gh/generated/plain/sample.vcf.gz",
    ),
    (
        "crypt4gh/generated/enc/random_200000.twokeys.c4gh",
        ALICE,
        "crypt4gh/generated/plain/random_200000.bin",
    ),
    (
        "crypt4gh/htsget-rs/data/c4gh/spec-v4.3.vcf.gz.c4gh",
        HTSGET_BOB,
        "crypt4gh/htsget-rs/data/vcf/spec-v4.3.vcf.gz",
    ),
    (
        "crypt4gh/htsget-rs/data/c4gh/sample1-bcbio-cancer.vcf.gz.c4gh",
        HTSGET_BOB,
        "crypt4gh/htsget-rs/data/vcf/sample1-bcbio-cancer.vcf.gz",
    ),
    (
        "crypt4gh/htsget-rs/data/c4gh/sample1-bcbio-cancer.bcf.c4gh",
        HTSGET_BOB,
        "crypt4gh/htsget-rs/data/bcf/sample1-bcbio-cancer.bcf",
    ),
];

fn key_at(root: &Path, (path, passphrase): (&str, &str)) -> SecretKey {
    let text = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let passphrase = (!passphrase.is_empty()).then_some(passphrase.as_bytes());
    SecretKey::parse(&text, passphrase).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn decrypt_all(cipher: Vec<u8>, key: &SecretKey) -> Result<Vec<u8>, Crypt4ghError> {
    let mut reader = PlaintextReader::new(Cursor::new(cipher), key)?;
    let mut out = Vec::new();
    reader
        .read_to_end(&mut out)
        .map_err(Crypt4ghError::from_io)?;
    assert_eq!(
        out.len() as u64,
        reader.len(),
        "len() agrees with the bytes read"
    );
    Ok(out)
}

/// The error of a decryption that must fail (without printing the plaintext if it does not).
fn decrypt_err(cipher: Vec<u8>, key: &SecretKey) -> Crypt4ghError {
    match decrypt_all(cipher, key) {
        Ok(plain) => panic!(
            "decrypted {} bytes where an error was expected",
            plain.len()
        ),
        Err(e) => e,
    }
}

#[test]
fn local_files_decrypt_to_the_expected_bytes() {
    let root = testdata_dir();
    for &(file, key, expected) in LOCAL_CASES {
        let key = key_at(&root, key);
        let plain = decrypt_all(testdata(file), &key).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            plain == testdata(expected),
            "{file}: plaintext differs from {expected}"
        );
    }
}

#[test]
fn detached_header_and_reencrypted_header_decrypt() {
    // `crypt4gh encrypt --header`: header and body in two files, concatenated by the reader.
    let Some(shared) = shared_dir() else { return };
    let enc = shared.join("crypt4gh/generated/enc");
    let body = std::fs::read(enc.join("random_200000.body.c4gh")).unwrap();
    let expected =
        std::fs::read(shared.join("crypt4gh/generated/plain/random_200000.bin")).unwrap();
    for (header, key) in [
        ("random_200000.header.c4gh", ALICE),
        ("random_200000.header.for_dave.c4gh", DAVE_PBKDF2),
    ] {
        let mut file = std::fs::read(enc.join(header)).unwrap();
        file.extend_from_slice(&body);
        let key = key_at(&testdata_dir(), key);
        assert!(decrypt_all(file, &key).unwrap() == expected, "{header}");
    }
}

#[test]
fn wrong_passphrase_unknown_kdf_and_wrong_recipient_are_named() {
    let root = testdata_dir();
    for (path, _) in [ALICE, DAVE_SCRYPT, DAVE_BCRYPT, DAVE_PBKDF2, EGA_ALICE] {
        let text = std::fs::read(root.join(path)).unwrap();
        assert_eq!(
            SecretKey::parse(&text, Some(b"not it")).unwrap_err(),
            KeyError::WrongPassphrase,
            "{path}"
        );
        assert_eq!(
            SecretKey::parse(&text, None).unwrap_err(),
            KeyError::PassphraseRequired,
            "{path}"
        );
    }
    // EGA's bcrypt keys open with their passphrases; the public halves match the .pub files.
    for (sec, public) in [
        (EGA_ALICE, "crypt4gh/ega/tests/_common/alice.pub"),
        (
            ("crypt4gh/ega/tests/_common/bob.sec", "bob"),
            "crypt4gh/ega/tests/_common/bob.pub",
        ),
        (ALICE, "crypt4gh/generated/keys/alice.pub"),
        (DAVE_NONE, "crypt4gh/generated/keys/dave.pub"),
        (HTSGET_BOB, "crypt4gh/htsget-rs/data/c4gh/keys/bob.pub"),
    ] {
        let key = key_at(&root, sec);
        let public = PublicKey::parse(&testdata(public)).unwrap();
        assert_eq!(key.public(), &public, "{}", sec.0);
    }
    // hello.txt.c4gh is for alice only.
    let carol = key_at(&root, CAROL);
    let err = decrypt_err(testdata("crypt4gh/generated/enc/hello.txt.c4gh"), &carol);
    assert!(
        matches!(err, Crypt4ghError::NotARecipient { packets: 1 }),
        "{err}"
    );
}

#[test]
fn tampering_anywhere_names_the_segment_and_the_prefix_before_it_is_intact() {
    let key = SecretKey::from_bytes([5u8; 32]);
    let plain: Vec<u8> = (0..3 * SEGMENT_SIZE + 1000)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let cipher = encrypt(&plain, &key, &[*key.public()], None);
    let header = Header::read(&mut Cursor::new(&cipher)).unwrap().len() as usize;
    for segment in 0..4usize {
        for at in [0, 12, 500, CIPHER_SEGMENT_SIZE - 1] {
            let pos = header + segment * CIPHER_SEGMENT_SIZE + at;
            if pos >= cipher.len() {
                continue;
            }
            let mut bad = cipher.clone();
            bad[pos] ^= 0x40;
            let mut reader = PlaintextReader::new(Cursor::new(bad), &key).unwrap();
            let mut out = Vec::new();
            let err = Crypt4ghError::from_io(reader.read_to_end(&mut out).unwrap_err());
            match err {
                Crypt4ghError::SegmentAuthentication { segment: s, .. } => {
                    assert_eq!(s, segment as u64 + 1)
                }
                other => panic!("byte {pos}: {other}"),
            }
            assert!(
                out == plain[..segment * SEGMENT_SIZE],
                "prefix before segment {segment}"
            );
        }
    }
    // A truncated last segment, a file cut inside a segment, and a short segment moved forward.
    let cut = cipher[..cipher.len() - 20].to_vec();
    assert!(matches!(
        decrypt_err(cut, &key),
        Crypt4ghError::SegmentAuthentication { segment: 4, .. }
    ));
    let cut = cipher[..header + CIPHER_SEGMENT_SIZE + 10].to_vec();
    assert!(matches!(
        decrypt_err(cut, &key),
        Crypt4ghError::SegmentTruncated {
            segment: 2,
            len: 10
        }
    ));
    let last = header + 3 * CIPHER_SEGMENT_SIZE;
    let mut moved = cipher[..header].to_vec();
    moved.extend_from_slice(&cipher[last..]);
    moved.extend_from_slice(&cipher[header..last]);
    assert!(matches!(
        decrypt_err(moved, &key),
        Crypt4ghError::SegmentAuthentication { segment: 1, .. }
    ));
    // A damaged header names the header, not a segment.
    let err = decrypt_err(cipher[..20].to_vec(), &key);
    assert!(matches!(err, Crypt4ghError::Header { .. }), "{err}");
    let err = decrypt_err(b"crypt4gh\x02\0\0\0\0\0\0\0".to_vec(), &key);
    assert!(matches!(err, Crypt4ghError::UnsupportedVersion(2)), "{err}");
}

fn encrypt(plain: &[u8], writer: &SecretKey, to: &[PublicKey], edits: Option<&[u64]>) -> Vec<u8> {
    let mut enc = Encryptor::new(Vec::new(), Some(writer), to, edits).unwrap();
    enc.write_all(plain).unwrap();
    enc.finish().unwrap()
}

#[test]
fn random_reads_and_seeks_equal_slicing() {
    let mut rng = SplitMix64(0xc4_6ed);
    let keys: Vec<SecretKey> = (0..3)
        .map(|k| SecretKey::from_bytes([k as u8 + 1; 32]))
        .collect();
    for case in 0..60 {
        let len = match case % 5 {
            0 => rng.below(100) as usize,
            1 => SEGMENT_SIZE * rng.size(3),
            _ => rng.below(5 * SEGMENT_SIZE as u64) as usize,
        };
        let plain: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let edits: Option<Vec<u64>> = (case % 3 == 0).then(|| {
            (0..rng.size(6))
                .map(|_| rng.below(2 * SEGMENT_SIZE as u64))
                .collect()
        });
        let recipients: Vec<PublicKey> = keys[..rng.size(3)].iter().map(|k| *k.public()).collect();
        let reader_key = &keys[rng.below(recipients.len() as u64) as usize];
        let cipher = encrypt(&plain, &keys[0], &recipients, edits.as_deref());
        let view = match &edits {
            Some(e) => edited(&plain, e),
            None => plain.clone(),
        };
        let cache = rng.size(4);
        let mut reader =
            PlaintextReader::with_cache(Cursor::new(cipher), reader_key, cache).unwrap();
        assert_eq!(reader.len(), view.len() as u64, "case {case}: length");
        let mut pos = 0u64;
        for _ in 0..40 {
            pos = match rng.below(4) {
                0 => reader
                    .seek(SeekFrom::Start(rng.below(view.len() as u64 + 10)))
                    .unwrap(),
                1 => {
                    let back = rng.below(view.len() as u64 + 1) as i64;
                    reader.seek(SeekFrom::End(-back)).unwrap()
                }
                2 => {
                    let step = rng.below(2 * SEGMENT_SIZE as u64) as i64 - SEGMENT_SIZE as i64;
                    match reader.seek(SeekFrom::Current(step)) {
                        Ok(p) => p,
                        Err(_) => {
                            assert!(pos as i64 + step < 0, "case {case}: seek refused");
                            pos
                        }
                    }
                }
                _ => pos,
            };
            let mut buf = vec![0u8; rng.size(3 * SEGMENT_SIZE as u64)];
            let mut got = 0;
            loop {
                let n = reader.read(&mut buf[got..]).unwrap();
                if n == 0 || got + n == buf.len() {
                    got += n;
                    break;
                }
                got += n;
            }
            let start = (pos as usize).min(view.len());
            let end = (start + buf.len()).min(view.len());
            assert!(buf[..got] == view[start..end], "case {case}: read at {pos}");
            pos += got as u64;
        }
    }
}

#[test]
fn encrypted_ingest_equals_plain_and_damage_is_reported_by_segment() {
    let plain = testdata("slivar/tests/ashk-trio.vcf.gz");
    let key = SecretKey::from_bytes([11u8; 32]);
    let cipher = encrypt(&plain, &key, &[*key.public()], None);
    let direct = read_dataset(Cursor::new(&plain), None, &mut Silent).unwrap();
    let through = read_encrypted_dataset(Cursor::new(&cipher), &key, &mut Silent).unwrap();
    assert!(through.summary.encrypted && !direct.summary.encrypted);
    assert_eq!(through.summary.records, 9940);
    assert_eq!(through.summary.records, direct.summary.records);
    assert_eq!(through.summary.samples, direct.summary.samples);
    assert_eq!(through.summary.bytes_read, plain.len() as u64);
    // Without a key the plain reader says what is needed.
    let err = read_dataset(Cursor::new(&cipher), None, &mut Silent).unwrap_err();
    assert!(matches!(err, IngestError::Encrypted), "{err}");
    // A damaged segment stops the read and names it.
    let header = Header::read(&mut Cursor::new(&cipher)).unwrap().len() as usize;
    let mut bad = cipher.clone();
    bad[header + 5 * CIPHER_SEGMENT_SIZE + 100] ^= 1;
    let err = read_encrypted_dataset(Cursor::new(bad), &key, &mut Silent).unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::Decryption(Crypt4ghError::SegmentAuthentication { segment: 6, .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("segment 6"), "{err}");
    // Two full segments swapped: the format cannot tell, the BGZF layer does.
    let mut swapped = cipher[..header].to_vec();
    let seg = |k: usize| {
        &cipher[header + k * CIPHER_SEGMENT_SIZE..header + (k + 1) * CIPHER_SEGMENT_SIZE]
    };
    swapped.extend_from_slice(seg(1));
    swapped.extend_from_slice(seg(0));
    swapped.extend_from_slice(&cipher[header + 2 * CIPHER_SEGMENT_SIZE..]);
    let err = read_encrypted_dataset(Cursor::new(swapped), &key, &mut Silent).unwrap_err();
    assert!(!matches!(err, IngestError::Decryption(_)), "{err}");
    // A key that is not a recipient.
    let other = SecretKey::from_bytes([12u8; 32]);
    let err = read_encrypted_dataset(Cursor::new(&cipher), &other, &mut Silent).unwrap_err();
    assert!(
        matches!(
            err,
            IngestError::Decryption(Crypt4ghError::NotARecipient { .. })
        ),
        "{err}"
    );
}

/// Counts the bytes its inner reader hands out.
struct Metered<R> {
    inner: R,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl<R: Seek> Seek for Metered<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

#[test]
fn a_region_query_through_the_index_decrypts_only_the_segments_it_needs() {
    use noodles::{bgzf, csi, vcf};
    let plain = testdata("slivar/tests/ashk-trio.vcf.gz");
    let index = csi::fs::read(testdata_dir().join("slivar/tests/ashk-trio.vcf.gz.csi")).unwrap();
    let key = SecretKey::from_bytes([13u8; 32]);
    let cipher = encrypt(&plain, &key, &[*key.public()], None);
    let cipher_len = cipher.len() as u64;
    let region: noodles::core::Region = "1:10000000-12000000".parse().unwrap();
    let positions = |reader: &mut dyn FnMut() -> Vec<usize>| reader();

    // Through the plaintext.
    let mut plain_reader = vcf::io::Reader::new(bgzf::io::Reader::new(Cursor::new(&plain)));
    let header = plain_reader.read_header().unwrap();
    let expected: Vec<usize> = positions(&mut || {
        plain_reader
            .query(&header, &index, &region)
            .unwrap()
            .records()
            .map(|r| r.unwrap().variant_start().unwrap().unwrap().get())
            .collect()
    });
    assert_eq!(
        expected.len(),
        166,
        "bcftools view -H -r 1:10000000-12000000 | wc -l"
    );

    // Through decryption: the same records, a few segments decrypted, a fraction of the file read.
    let read = std::rc::Rc::new(std::cell::Cell::new(0));
    let metered = Metered {
        inner: Cursor::new(cipher),
        read: std::rc::Rc::clone(&read),
    };
    let decrypting = PlaintextReader::new(metered, &key).unwrap();
    let segments = decrypting.segments();
    let mut reader = vcf::io::Reader::new(bgzf::io::Reader::new(decrypting));
    let header = reader.read_header().unwrap();
    let after_header = reader.get_ref().get_ref().decrypted_segments();
    let got: Vec<usize> = reader
        .query(&header, &index, &region)
        .unwrap()
        .records()
        .map(|r| r.unwrap().variant_start().unwrap().unwrap().get())
        .collect();
    assert_eq!(got, expected);
    let for_query = reader.get_ref().get_ref().decrypted_segments() - after_header;
    assert!(segments >= 15, "{segments} segments");
    assert!(
        (1..=3).contains(&for_query),
        "the query decrypted {for_query} of {segments} segments"
    );
    assert!(
        read.get() < cipher_len / 3,
        "read {} of {cipher_len} encrypted bytes",
        read.get()
    );
}

#[test]
fn no_secret_reaches_a_message() {
    let root = testdata_dir();
    let text = std::fs::read(root.join(DAVE_SCRYPT.0)).unwrap();
    let secret_hex = "e2acaf16ba9889df89317725ffdb8583613969667f26f51aeb33a9e6ce153607";
    let key = SecretKey::parse(&text, Some(DAVE_SCRYPT.1.as_bytes())).unwrap();
    let mut messages = vec![format!("{key:?}")];
    messages.push(
        SecretKey::parse(&text, Some(b"dave-passphrasf"))
            .unwrap_err()
            .to_string(),
    );
    let hello = testdata("crypt4gh/generated/enc/hello.txt.c4gh");
    messages.push(decrypt_err(hello, &key).to_string());
    let body = String::from_utf8(text.clone()).unwrap();
    let body = body.lines().nth(1).unwrap();
    for m in &messages {
        assert!(!m.contains("dave-passphras"), "{m}");
        assert!(!m.to_lowercase().contains(secret_hex), "{m}");
        assert!(!m.contains(body), "{m}");
    }
    assert!(messages[0].contains("<redacted>"));
}

/// The shared corpus (`ENCLAVE_SHARED_TESTDATA`, else `../shared/testdata`), if it holds the
/// Crypt4GH files.
fn shared_dir() -> Option<PathBuf> {
    let dir = shared_testdata().filter(|dir| dir.join("crypt4gh").is_dir());
    if dir.is_none() {
        eprintln!("notice: the shared Crypt4GH files are absent; skipping the sweep over them");
    }
    dir
}

#[test]
fn sweep_of_shared_files() {
    let Some(shared) = shared_dir() else { return };
    let keys = shared.join("crypt4gh/generated/keys");
    let key = |name: &str, pass: &str| {
        let text = std::fs::read(keys.join(name)).unwrap();
        SecretKey::parse(&text, (!pass.is_empty()).then_some(pass.as_bytes())).unwrap()
    };
    let alice = key("alice.sec", "alice-passphrase");
    let bob = key("bob.sec", "bob-passphrase");
    let carol = key("carol.sec", "");
    let dave = key("dave.scrypt.sec", "dave-passphrase");
    let htsget_bob = key_at(&shared, ("htsget-rs/data/c4gh/keys/bob.sec", ""));
    let ega_alice = key_at(&shared, ("crypt4gh/tests/_common/alice.sec", "alice"));
    let g = "crypt4gh/generated";
    let mut cases: Vec<(String, &SecretKey, String)> = Vec::new();
    // Every plaintext encrypted for alice, and the README's special files.
    for plain in std::fs::read_dir(shared.join(g).join("plain")).unwrap() {
        let name = plain.unwrap().file_name().into_string().unwrap();
        cases.push((
            format!("{g}/enc/{name}.c4gh"),
            &alice,
            format!("{g}/plain/{name}"),
        ));
    }
    for (file, key, expected) in [
        ("hello.anon", &alice, "plain/hello.txt"),
        ("hello.for_dave", &dave, "plain/hello.txt"),
        ("abcd.multi", &alice, "plain/abcd.bin"),
        ("abcd.multi", &carol, "plain/abcd.bin"),
        ("abcd.multi", &dave, "plain/abcd.bin"),
        ("abcd.range_bs", &alice, "out/abcd.range_bs.bin"),
        ("abcd.for_bob", &bob, "plain/abcd.bin"),
        ("abcd.reenc_alice", &alice, "plain/abcd.bin"),
        ("abcd.reenc_alice_bob", &alice, "plain/abcd.bin"),
        ("abcd.reenc_alice_bob", &bob, "plain/abcd.bin"),
        ("abcd.rearranged_bob", &bob, "out/abcd.rearranged.bin"),
        ("abcd.rearranged_alice", &alice, "out/abcd.rearranged.bin"),
        (
            "sample.vcf.editlist_odd",
            &alice,
            "out/sample.vcf.editlist_odd.expected",
        ),
        (
            "abcd.editlist_even",
            &alice,
            "out/abcd.editlist_even.expected",
        ),
        ("random_200000.twokeys", &alice, "plain/random_200000.bin"),
        (
            "rust_written.random_200000",
            &carol,
            "plain/random_200000.bin",
        ),
        (
            "rust_written.sample.vcf.editlist_odd",
            &alice,
            "out/sample.vcf.editlist_odd.expected",
        ),
        (
            "wasm_written.random_200000",
            &alice,
            "plain/random_200000.bin",
        ),
    ] {
        cases.push((
            format!("{g}/enc/{file}.c4gh"),
            key,
            format!("{g}/{expected}"),
        ));
    }
    let gc = "generated/crypt4gh";
    for (file, key, expected) in [
        (
            "ashk-trio.vcf.gz.c4gh",
            &htsget_bob,
            "slivar/tests/ashk-trio.vcf.gz",
        ),
        (
            "ashk-trio.vcf.gz.2recipients.c4gh",
            &htsget_bob,
            "slivar/tests/ashk-trio.vcf.gz",
        ),
        (
            "ashk-trio.vcf.gz.2recipients.c4gh",
            &ega_alice,
            "slivar/tests/ashk-trio.vcf.gz",
        ),
        (
            "seg65536.bin.c4gh",
            &htsget_bob,
            "generated/crypt4gh/seg65536.bin",
        ),
        (
            "simple.vcf.ega-keys.c4gh",
            &ega_alice,
            "vcf-js/test/data/simple.vcf",
        ),
    ] {
        cases.push((format!("{gc}/{file}"), key, expected.to_string()));
    }
    for file in [
        "sample1-bcbio-cancer.bcf",
        "sample1-bcbio-cancer.vcf.gz",
        "spec-v4.3.bcf",
        "spec-v4.3.vcf.gz",
        "htsnexus_test_NA12878.bam",
        "htsnexus_test_NA12878.cram",
    ] {
        let kind = file.rsplit('.').next().unwrap().replace("gz", "vcf");
        cases.push((
            format!("htsget-rs/data/c4gh/{file}.c4gh"),
            &htsget_bob,
            format!("htsget-rs/data/{kind}/{file}"),
        ));
    }
    for (file, key, expected) in &cases {
        let cipher = std::fs::read(shared.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let plain = decrypt_all(cipher, key).unwrap_or_else(|e| panic!("{file}: {e}"));
        let want =
            std::fs::read(shared.join(expected)).unwrap_or_else(|e| panic!("{expected}: {e}"));
        assert!(plain == want, "{file}: differs from {expected}");
    }
    // The ranged file is plaintext bytes [65535, 131073) of the trio.
    let trio = std::fs::read(shared.join("slivar/tests/ashk-trio.vcf.gz")).unwrap();
    let ranged = std::fs::read(
        shared
            .join(gc)
            .join("ashk-trio.vcf.gz.range65535-131074.c4gh"),
    )
    .unwrap();
    assert!(decrypt_all(ranged, &htsget_bob).unwrap() == trio[65535..131073]);
    // The bad files: the README's expected errors, after the README's byte counts.
    let bad = |name: &str, key: &SecretKey| -> (Vec<u8>, Crypt4ghError) {
        let cipher = std::fs::read(shared.join(gc).join(name)).unwrap();
        let mut reader = match PlaintextReader::new(Cursor::new(cipher), key) {
            Ok(r) => r,
            Err(e) => return (Vec::new(), e),
        };
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        (out, Crypt4ghError::from_io(err))
    };
    let (out, err) = bad("bad.truncated.c4gh", &htsget_bob);
    assert_eq!(out.len(), 917_504);
    assert!(
        matches!(
            err,
            Crypt4ghError::SegmentAuthentication { segment: 15, .. }
        ),
        "{err}"
    );
    let (out, err) = bad("bad.flipped-byte.c4gh", &htsget_bob);
    assert_eq!(out.len(), 65_536);
    assert!(
        matches!(err, Crypt4ghError::SegmentAuthentication { segment: 2, .. }),
        "{err}"
    );
    let (_, err) = bad("bad.wrong-recipient-for-bob.c4gh", &htsget_bob);
    assert!(matches!(err, Crypt4ghError::NotARecipient { .. }), "{err}");
    let (_, err) = bad(
        "simple.vcf.ega-keys.c4gh",
        &key_at(&shared, ("crypt4gh/tests/_common/bob.sec", "bob")),
    );
    assert!(matches!(err, Crypt4ghError::NotARecipient { .. }), "{err}");
    eprintln!(
        "{} shared Crypt4GH files decrypted, 4 bad files rejected",
        cases.len() + 1
    );
}

#[test]
fn generated_keys_survive_a_round_trip_through_every_kdf() {
    // The files `to_file` writes are read back by `parse` (the reference reads them too: see
    // cli/tests/crypt4gh_reference.rs).
    let key = SecretKey::generate().unwrap();
    let other = SecretKey::generate().unwrap();
    assert_ne!(key.public(), other.public());
    for kdf in ["scrypt", "bcrypt", "pbkdf2_hmac_sha256", "none"] {
        let kdf = Kdf::by_name(kdf).unwrap();
        let text = key.to_file(kdf, Some(b"pw"), None).unwrap();
        let back = SecretKey::parse(text.as_bytes(), Some(b"pw")).unwrap();
        let cipher = encrypt(b"round trip", &other, &[*key.public()], None);
        assert_eq!(decrypt_all(cipher, &back).unwrap(), b"round trip");
    }
}
