//! Browser tests of opening Crypt4GH files in a real dedicated worker, through the same
//! [`app::worker::load`] the worker runs for `Request::Open`: files made by other Crypt4GH
//! implementations (htsget-rs with crypt4gh-rust, and the Python reference) load with the record
//! count of their plaintext; without a key the worker asks for one; a wrong passphrase, a key the
//! file was not encrypted for, a damaged segment, a missing passphrase and a non-key each fail with
//! their own error, and the same file then opens with the right key. Key material never shows in
//! a `Debug` or a message.

use app::blob_reader::BlobReader;
use app::protocol::{Envelope, KeyMaterial, Request};
use app::worker::{OpenError, Opened, load};
use enclave_test_support::blob::blob;
use enclave_test_support::{testdata_bytes, testdata_str};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::crypt4gh::{Crypt4ghError, KeyError};
use wasm_core::progress::{Flow, Silent};
use wasm_core::{IngestError, read_dataset};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// htsget-rs: encrypted by crypt4gh-rust for `keys/bob.sec` (a key without passphrase).
const SPEC_C4GH: &[u8] = testdata_bytes!("crypt4gh/htsget-rs/data/c4gh/spec-v4.3.vcf.gz.c4gh");
const SPEC_PLAIN: &[u8] = testdata_bytes!("crypt4gh/htsget-rs/data/vcf/spec-v4.3.vcf.gz");
const HTSGET_BOB_SEC: &str = testdata_str!("crypt4gh/htsget-rs/data/c4gh/keys/bob.sec");

/// The Python reference (crypt4gh 1.8.6): encrypted for `alice.sec`, an scrypt-protected key.
const SAMPLE_C4GH: &[u8] = testdata_bytes!("crypt4gh/generated/enc/sample.vcf.gz.c4gh");
const SAMPLE_PLAIN: &[u8] = testdata_bytes!("crypt4gh/generated/plain/sample.vcf.gz");
const ALICE_SEC: &str = testdata_str!("crypt4gh/generated/keys/alice.sec");
const ALICE_PUB: &str = testdata_str!("crypt4gh/generated/keys/alice.pub");
const ALICE_PASSPHRASE: &str = "alice-passphrase";

const SALT: &[u8] = &[7; 32];

fn key(text: &str, passphrase: Option<&str>) -> Option<KeyMaterial> {
    Some(KeyMaterial {
        key_file: text.to_string(),
        passphrase: passphrase.map(str::to_string),
    })
}

/// Records and samples of a plaintext, read the ordinary way.
fn plain_counts(bytes: &[u8]) -> (u64, Vec<String>) {
    let reader = BlobReader::new(blob(bytes)).unwrap();
    let size = reader.size();
    let dataset = read_dataset(reader, Some(size), &mut Silent).unwrap();
    (dataset.summary.records, dataset.summary.samples)
}

fn open_error(bytes: &[u8], key: Option<KeyMaterial>) -> OpenError {
    match load(blob(bytes), SALT, key, &mut Silent) {
        Ok(opened) => panic!("expected a failure, got {opened:?}"),
        Err(e) => e,
    }
}

#[wasm_bindgen_test]
fn encrypted_files_load_with_the_records_of_their_plaintext() {
    let cases = [
        (
            "htsget-rs spec-v4.3, key without passphrase",
            SPEC_C4GH,
            SPEC_PLAIN,
            key(HTSGET_BOB_SEC, None),
        ),
        (
            "reference sample.vcf.gz, scrypt key",
            SAMPLE_C4GH,
            SAMPLE_PLAIN,
            key(ALICE_SEC, Some(ALICE_PASSPHRASE)),
        ),
    ];
    for (label, cipher, plain, key) in cases {
        let (records, samples) = plain_counts(plain);
        assert!(records > 0, "{label}");
        let mut last = None;
        let mut progress = |done: u64, total: Option<u64>| {
            last = Some((done, total));
            Flow::Continue
        };
        let opened =
            load(blob(cipher), SALT, key, &mut progress).unwrap_or_else(|e| panic!("{label}: {e}"));
        let Opened::Loaded {
            session,
            fingerprint,
        } = opened
        else {
            panic!("{label}: asked for a key although one was given");
        };
        let summary = &session.dataset().summary;
        assert_eq!(summary.records, records, "{label}");
        assert_eq!(summary.samples, samples, "{label}");
        assert!(summary.encrypted, "{label}: the summary says encrypted");
        assert_eq!(session.dataset().store.len() as u64, records, "{label}");
        assert_eq!(fingerprint.len(), 64, "{label}");
        // Progress counts plaintext bytes, ending at the plaintext's size.
        let plain_len = plain.len() as u64;
        assert_eq!(last, Some((plain_len, Some(plain_len))), "{label}");
    }
}

#[wasm_bindgen_test]
fn without_a_key_an_encrypted_file_asks_for_one() {
    for cipher in [SPEC_C4GH, SAMPLE_C4GH] {
        match load(blob(cipher), SALT, None, &mut Silent) {
            Ok(Opened::KeyRequired) => {}
            other => panic!("expected KeyRequired, got {other:?}"),
        }
    }
    // A plain file opens whether or not a key comes with it.
    let (records, _) = plain_counts(SPEC_PLAIN);
    for key in [None, key(HTSGET_BOB_SEC, None)] {
        match load(blob(SPEC_PLAIN), SALT, key, &mut Silent) {
            Ok(Opened::Loaded { session, .. }) => {
                assert_eq!(session.dataset().summary.records, records);
                assert!(!session.dataset().summary.encrypted);
            }
            other => panic!("expected the plain file to load, got {other:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn a_wrong_passphrase_fails_and_the_same_file_then_opens_with_the_right_one() {
    let cipher = blob(SAMPLE_C4GH);
    let error = match load(
        cipher.clone(),
        SALT,
        key(ALICE_SEC, Some("not-alices-passphrase")),
        &mut Silent,
    ) {
        Err(e) => e,
        Ok(opened) => panic!("a wrong passphrase opened the key: {opened:?}"),
    };
    assert!(
        matches!(error, OpenError::Key(KeyError::WrongPassphrase)),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("wrong passphrase"), "{message}");
    assert!(!message.contains("not-alices-passphrase"), "{message}");
    // The same Blob handle, no new pick: the right passphrase opens it.
    let (records, _) = plain_counts(SAMPLE_PLAIN);
    match load(
        cipher,
        SALT,
        key(ALICE_SEC, Some(ALICE_PASSPHRASE)),
        &mut Silent,
    ) {
        Ok(Opened::Loaded { session, .. }) => {
            assert_eq!(session.dataset().summary.records, records)
        }
        other => panic!("the right passphrase did not open the file: {other:?}"),
    }
}

#[wasm_bindgen_test]
fn key_problems_fail_with_their_own_messages() {
    // A protected key and no passphrase (none, or an empty field).
    for passphrase in [None, Some("")] {
        let error = open_error(SAMPLE_C4GH, key(ALICE_SEC, passphrase));
        assert!(
            matches!(error, OpenError::Key(KeyError::PassphraseRequired)),
            "{error:?}"
        );
        assert!(error.to_string().contains("passphrase"), "{error}");
    }
    // Not a key file at all, and a public key.
    let error = open_error(SPEC_C4GH, key("hello, I am not a key\n", None));
    assert!(
        matches!(error, OpenError::Key(KeyError::Format(_))),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("not a Crypt4GH key file"),
        "{error}"
    );
    let error = open_error(SPEC_C4GH, key(ALICE_PUB, None));
    assert!(
        matches!(error, OpenError::Key(KeyError::PublicNotSecret)),
        "{error:?}"
    );
    assert!(error.to_string().contains("secret key"), "{error}");
}

#[wasm_bindgen_test]
fn a_key_the_file_was_not_encrypted_for_is_named_as_such() {
    // The reference's file is for alice; htsget-rs' bob is a valid key, but not a recipient.
    let error = open_error(SAMPLE_C4GH, key(HTSGET_BOB_SEC, None));
    assert!(
        matches!(
            error,
            OpenError::Ingest(IngestError::Decryption(Crypt4ghError::NotARecipient { .. }))
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("not encrypted for this key"), "{message}");
    assert!(
        !message.contains(HTSGET_BOB_SEC.lines().nth(1).unwrap()),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn a_damaged_segment_fails_authentication() {
    // One flipped bit in the last byte (inside the MAC) of a one-segment file; the engine counts
    // segments from 1.
    let mut damaged = SPEC_C4GH.to_vec();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    let error = open_error(&damaged, key(HTSGET_BOB_SEC, None));
    assert!(
        matches!(
            error,
            OpenError::Ingest(IngestError::Decryption(
                Crypt4ghError::SegmentAuthentication { segment: 1, .. }
            ))
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("segment 1"), "{error}");
    // And one flipped bit inside the reference's ciphertext.
    let mut damaged = SAMPLE_C4GH.to_vec();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x40;
    let error = open_error(&damaged, key(ALICE_SEC, Some(ALICE_PASSPHRASE)));
    assert!(
        matches!(
            error,
            OpenError::Ingest(IngestError::Decryption(
                Crypt4ghError::SegmentAuthentication { .. }
            ))
        ),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
fn key_material_crosses_the_envelope_but_never_shows_in_debug() {
    let request = Request::Open {
        job: 3,
        salt: SALT.to_vec(),
        name_hint: "sample.vcf.gz.c4gh".into(),
        key: key(ALICE_SEC, Some(ALICE_PASSPHRASE)),
        index_name: Some("sample.vcf.gz.csi".into()),
        memory_budget: Some(1 << 30),
        shards: 2,
    };
    let shown = format!("{request:?}");
    assert!(!shown.contains(ALICE_PASSPHRASE), "{shown}");
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    assert!(
        !shown.contains(ALICE_SEC.lines().nth(1).unwrap()),
        "{shown}"
    );
    let js = Envelope::with_file(&request, blob(b"x")).to_js().unwrap();
    let back = Envelope::<Request>::from_js(&js).unwrap();
    assert_eq!(back.msg, request);
    assert!(back.file.is_some());
    // A request without a key reads back as one.
    let keyless = Request::Open {
        job: 4,
        salt: vec![],
        name_hint: "x".into(),
        key: None,
        index_name: None,
        memory_budget: None,
        shards: 0,
    };
    let js = Envelope::new(&keyless).to_js().unwrap();
    assert_eq!(Envelope::<Request>::from_js(&js).unwrap().msg, keyless);
}
