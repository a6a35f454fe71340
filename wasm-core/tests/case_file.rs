//! The encrypted case file (`case::file`): a case with every kind of content sealed to two
//! recipients opens with either key to the same case, and with no other key, passphrase or
//! damaged copy; the reference Crypt4GH CLI (Python `crypt4gh` 1.8.6, when installed — under CI
//! it must be) decrypts what Enclave seals to the case's JSON, and Enclave opens a case the
//! reference encrypted.

use std::ffi::OsStr;

use enclave_test_support::files::{TempDir, testdata_dir};
use enclave_test_support::oracle::Crypt4ghReference;
use wasm_core::case::file::{CaseFileErrorKind, open, open_with_key_file, seal};
use wasm_core::case::{Case, Tag, VariantKey};
use wasm_core::classification::Class;
use wasm_core::classification::case::Classification;
use wasm_core::crypt4gh::{PublicKey, SecretKey};
use wasm_core::inheritance::Mode;

const ALICE_SEC: &str = "crypt4gh/generated/keys/alice.sec";
const ALICE_PASSPHRASE: &str = "alice-passphrase";

fn read_key(path: &str) -> Vec<u8> {
    std::fs::read(testdata_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn public(name: &str) -> PublicKey {
    PublicKey::parse(&read_key(&format!("crypt4gh/generated/keys/{name}.pub"))).unwrap()
}

fn secret(name: &str, passphrase: &str) -> SecretKey {
    let passphrase = (!passphrase.is_empty()).then_some(passphrase.as_bytes());
    SecretKey::parse(
        &read_key(&format!("crypt4gh/generated/keys/{name}.sec")),
        passphrase,
    )
    .unwrap()
}

/// A case holding something of every field: pedigree, filter, modes, a classified variant with
/// tags and a note, one on the report, case notes.
fn full_case() -> Case {
    let mut case = Case::new("3f1c0ffee", "demo-family.vcf.gz");
    case.pedigree = Some("fam\tkid\tdad\tmum\t1\t2\nfam\tdad\t0\t0\t1\t1\n".into());
    case.filter.expression = "QUAL>=30 && INFO/DP>10".into();
    case.filter.regions = "chr1:1-2000000".into();
    case.filter.genes = "BRCA1\nTTN".into();
    case.modes = vec![Mode::DeNovo, Mode::CompHet];
    case.lenient = true;
    let key = |pos| VariantKey {
        chrom: "chr1".into(),
        pos,
        reference: "C".into(),
        alt: "T".into(),
    };
    case.edit_variant(&key(1_234_567), |v| {
        let mut c = Classification::from_prefills(Vec::new());
        c.set_class(Class::LikelyPathogenic);
        v.classification = Some(c);
        v.tags = vec![
            Tag::Candidate,
            Tag::Excluded {
                reason: "seen in the unaffected brother — \"twice\"".into(),
            },
        ];
        v.note = "Sanger requested\nsecond line".into();
        v.on_report = true;
    });
    case.edit_variant(&key(42), |v| v.tags.push(Tag::ConfirmationRequested));
    case.notes = "Trio, proband with ID.".into();
    case.updated_ms = 1_765_000_000_123.0;
    case
}

#[test]
fn a_case_sealed_to_two_keys_opens_with_each_to_the_same_case() {
    let case = full_case();
    let carol = secret("carol", "");
    let file = seal(&case, Some(&carol), &[public("alice"), public("bob")]).unwrap();
    assert_eq!(&file[..8], b"crypt4gh");
    assert!(
        !file.windows(9).any(|w| w == b"3f1c0ffee"),
        "the fingerprint is in the clear"
    );
    let alice = open_with_key_file(
        &file,
        &read_key(ALICE_SEC),
        Some(ALICE_PASSPHRASE.as_bytes()),
    )
    .unwrap();
    assert_eq!(alice, case);
    assert_eq!(open(&file, &secret("bob", "bob-passphrase")).unwrap(), case);
    // Carol wrote it but is no recipient.
    assert_eq!(
        open(&file, &carol).unwrap_err().kind(),
        CaseFileErrorKind::NotARecipient
    );
    assert_eq!(
        open_with_key_file(&file, &read_key(ALICE_SEC), Some(b"not alice's"))
            .unwrap_err()
            .kind(),
        CaseFileErrorKind::WrongPassphrase
    );
    assert_eq!(
        open_with_key_file(&file, &read_key(ALICE_SEC), None)
            .unwrap_err()
            .kind(),
        CaseFileErrorKind::Key
    );
    for cut in [0, 7, 100, file.len() - 1] {
        assert_eq!(
            open(&file[..cut], &secret("bob", "bob-passphrase"))
                .unwrap_err()
                .kind(),
            CaseFileErrorKind::Damaged,
            "cut at {cut}"
        );
    }
}

#[test]
fn a_case_file_of_another_version_or_dataset_is_refused() {
    let bob = secret("bob", "bob-passphrase");
    let json = full_case()
        .to_json()
        .replacen("\"version\":1", "\"version\":2", 1);
    // A sealed file of another version, written by the plain encryptor.
    let mut out =
        wasm_core::crypt4gh::Encryptor::new(Vec::new(), None, &[*bob.public()], None).unwrap();
    std::io::Write::write_all(&mut out, json.as_bytes()).unwrap();
    let file = out.finish().unwrap();
    assert_eq!(
        open(&file, &bob).unwrap_err().kind(),
        CaseFileErrorKind::Version
    );
    let case = open(&seal(&full_case(), None, &[*bob.public()]).unwrap(), &bob).unwrap();
    assert_eq!(
        case.check_dataset("another", "other.vcf.gz")
            .unwrap_err()
            .kind(),
        CaseFileErrorKind::OtherDataset
    );
    case.check_dataset("3f1c0ffee", "demo-family.vcf.gz")
        .unwrap();
}

#[test]
fn the_reference_crypt4gh_reads_a_sealed_case_and_writes_one_enclave_opens() {
    let Some(reference) = Crypt4ghReference::find() else {
        return;
    };
    let dir = TempDir::new("case-file-reference");
    let case = full_case();
    // Enclave seals to a key the reference made, from an anonymous writer and from a named one.
    let (sk, pk) = (dir.join("ref.sec"), dir.join("ref.pub"));
    reference.keygen(&sk, &pk, "case oracle", Some("ref-passphrase"));
    let recipient = PublicKey::parse(&std::fs::read(&pk).unwrap()).unwrap();
    for writer in [None, Some(secret("carol", ""))] {
        let sealed = dir.join("case.c4gh");
        std::fs::write(
            &sealed,
            seal(&case, writer.as_ref(), &[public("alice"), recipient]).unwrap(),
        )
        .unwrap();
        let plain = reference.run(
            &["decrypt".as_ref(), "--sk".as_ref(), sk.as_os_str()],
            Some("ref-passphrase"),
            &sealed,
        );
        assert_eq!(String::from_utf8(plain).unwrap(), case.to_json());
    }
    // The reference encrypts a case's JSON; Enclave opens it with the reference's key.
    let json = dir.join("case.json");
    std::fs::write(&json, case.to_json()).unwrap();
    let encrypted = dir.join("from-reference.c4gh");
    reference.encrypt_anonymously(&pk, &[] as &[&OsStr], &json, &encrypted);
    let opened = open_with_key_file(
        &std::fs::read(&encrypted).unwrap(),
        &std::fs::read(&sk).unwrap(),
        Some(b"ref-passphrase"),
    )
    .unwrap();
    assert_eq!(opened, case);
}
