//! Round trips between `enclave` and the reference Crypt4GH implementation (PyPI `crypt4gh`
//! 1.8.6, the CLI the GA4GH standard's authors maintain), both ways:
//!
//! - files `enclave encrypt` writes, for keys `enclave keygen` makes under every KDF, for several
//!   recipients and with edit lists, decrypt with `crypt4gh decrypt` to the expected bytes;
//! - files `crypt4gh encrypt` writes (keys from `crypt4gh-keygen`, two recipients, an anonymous
//!   sender, `--range`) and `crypt4gh rearrange` turns into edit-list files decrypt with
//!   `enclave decrypt`, and read with `enclave view --key`.
//!
//! The reference CLI is `tools/crypt4gh-venv/bin/crypt4gh` (`cargo xtask bootstrap` installs it),
//! or the path in `ENCLAVE_CRYPT4GH_PY` (`crypt4gh-keygen` beside it). Without it these tests
//! print a notice and pass, except under CI (`CI` set), where a test that silently skips would
//! hide a broken bootstrap, so they fail.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use enclave_test_support::crypt4gh::{
    KDFS, assert_reads_like_plaintext, decrypt, edit_list_arg, edited, passphrase_file, plaintexts,
};
use enclave_test_support::files::{TempDir, testdata_path};
use enclave_test_support::oracle::Crypt4ghReference;
use enclave_test_support::process::Program;

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

/// A key pair in `DIR/NAME.sec` and `DIR/NAME.pub`, made by `enclave keygen` or the reference's
/// `crypt4gh-keygen`, and its passphrase (also in `DIR/NAME.passphrase`, for `enclave`).
struct Key {
    name: String,
    sec: PathBuf,
    public: PathBuf,
    passphrase: Option<String>,
    passphrase_file: Option<PathBuf>,
}

impl Key {
    /// The files of key `name` in `dir`, the passphrase file written.
    fn new(dir: &Path, name: &str, passphrase: Option<String>) -> Self {
        Self {
            name: name.to_string(),
            sec: dir.join(format!("{name}.sec")),
            public: dir.join(format!("{name}.pub")),
            passphrase_file: passphrase
                .as_deref()
                .map(|p| passphrase_file(dir, &format!("{name}.passphrase"), p)),
            passphrase,
        }
    }

    /// The reference's `crypt4gh-keygen`, protected by `passphrase` (scrypt, all the reference
    /// writes) or not.
    fn reference(
        reference: &Crypt4ghReference,
        dir: &Path,
        name: &str,
        passphrase: Option<&str>,
    ) -> Self {
        let key = Self::new(dir, name, passphrase.map(str::to_string));
        reference.keygen(&key.sec, &key.public, name, passphrase);
        key
    }

    /// `enclave keygen` for one KDF (`none`: `--no-passphrase`).
    fn enclave_keygen(dir: &Path, kdf: &str) -> Self {
        let passphrase = (kdf != "none").then(|| format!("{kdf} secret words"));
        let key = Self::new(dir, &format!("enclave_{kdf}"), passphrase);
        let mut args: Vec<&OsStr> = vec!["keygen".as_ref()];
        match &key.passphrase_file {
            None => args.push("--no-passphrase".as_ref()),
            Some(file) => args.extend([
                "--kdf".as_ref(),
                kdf.as_ref(),
                "--passphrase-file".as_ref(),
                file.as_os_str(),
            ]),
        }
        let comment = format!("{}@example.org", key.name);
        let base = dir.join(&key.name);
        args.extend([
            "-C".as_ref(),
            comment.as_ref(),
            "-o".as_ref(),
            base.as_os_str(),
        ]);
        ENCLAVE.ok(&args);
        key
    }

    /// `--key SEC [--passphrase-file F]` for `enclave`.
    fn key_args(&self) -> Vec<&OsStr> {
        let mut args = vec!["--key".as_ref(), self.sec.as_os_str()];
        if let Some(file) = &self.passphrase_file {
            args.extend(["--passphrase-file".as_ref(), file.as_os_str()]);
        }
        args
    }
}

#[test]
fn files_enclave_encrypts_decrypt_with_the_reference() {
    let Some(reference) = Crypt4ghReference::find() else {
        return;
    };
    let dir = TempDir::new("crypt4gh-reference_reads_enclave");
    let keys: Vec<Key> = KDFS
        .iter()
        .map(|kdf| Key::enclave_keygen(&dir, kdf))
        .collect();
    let sender = &keys[0];
    let recipients: Vec<&OsStr> = keys
        .iter()
        .flat_map(|k| ["--recipient".as_ref(), k.public.as_os_str()])
        .collect();
    let reference_decrypt = |key: &Key, sender: Option<&Key>, file: &Path| {
        let mut args: Vec<&OsStr> = vec!["decrypt".as_ref(), "--sk".as_ref(), key.sec.as_os_str()];
        if let Some(sender) = sender {
            // The reference checks the header was written by this sender.
            args.extend(["--sender_pk".as_ref(), sender.public.as_os_str()]);
        }
        reference.run(&args, key.passphrase.as_deref(), file)
    };

    for (label, input, plain) in plaintexts(&dir, 11) {
        // For all four keys, signed by the scrypt key.
        let encrypted = dir.join(format!("{label}.c4gh"));
        let mut args: Vec<&OsStr> = vec!["encrypt".as_ref()];
        args.extend(recipients.iter().copied());
        args.extend(sender.key_args());
        args.extend(["-o".as_ref(), encrypted.as_os_str(), input.as_os_str()]);
        ENCLAVE.ok(&args);
        for key in &keys {
            assert!(
                reference_decrypt(key, Some(sender), &encrypted) == plain,
                "the reference decrypts {label} for {} wrongly",
                key.name
            );
        }

        // Anonymous sender (a one-off key), one recipient.
        let anonymous = dir.join(format!("{label}.anonymous.c4gh"));
        ENCLAVE.ok(&[
            "encrypt".as_ref(),
            "--recipient".as_ref(),
            keys[2].public.as_os_str(),
            "-o".as_ref(),
            anonymous.as_os_str(),
            input.as_os_str(),
        ]);
        assert!(
            reference_decrypt(&keys[2], None, &anonymous) == plain,
            "the reference decrypts the anonymous {label} wrongly"
        );
    }

    // Edit lists: odd (the rest is kept after the last skip), even, and one that keeps exact
    // segments.
    let (_, input, plain) = plaintexts(&dir, 11).pop().expect("several segments");
    for edit_list in [
        &[100u64, 200, 70000][..],
        &[65530, 12, 65536, 5],
        &[65536, 65536],
        &[0, 10, 131062],
    ] {
        let list = edit_list_arg(edit_list);
        let encrypted = dir.join(format!("edited_{}.c4gh", list.replace(',', "_")));
        let mut args: Vec<&OsStr> = vec!["encrypt".as_ref()];
        args.extend(recipients[2..6].iter().copied());
        args.extend([
            "--edit-list".as_ref(),
            list.as_ref(),
            "-o".as_ref(),
            encrypted.as_os_str(),
            input.as_os_str(),
        ]);
        ENCLAVE.ok(&args);
        let expected = edited(&plain, edit_list);
        for key in &keys[1..3] {
            assert!(
                reference_decrypt(key, None, &encrypted) == expected,
                "the reference reads edit list {list} for {} wrongly",
                key.name
            );
        }
    }
}

#[test]
fn files_the_reference_encrypts_decrypt_with_enclave() {
    let Some(reference) = Crypt4ghReference::find() else {
        return;
    };
    let dir = TempDir::new("crypt4gh-enclave_reads_reference");
    let alice = Key::reference(&reference, &dir, "alice", Some("alice words"));
    let bob = Key::reference(&reference, &dir, "bob", None);

    for (label, input, plain) in plaintexts(&dir, 11) {
        // Signed by alice, for alice and bob.
        let for_both = dir.join(format!("{label}.both.c4gh"));
        reference.run_into(
            &[
                "encrypt".as_ref(),
                "--sk".as_ref(),
                alice.sec.as_os_str(),
                "--recipient_pk".as_ref(),
                alice.public.as_os_str(),
                "--recipient_pk".as_ref(),
                bob.public.as_os_str(),
            ],
            alice.passphrase.as_deref(),
            &input,
            &for_both,
        );
        assert!(
            decrypt(ENCLAVE, &alice.key_args(), &for_both) == plain,
            "{label} for alice"
        );
        assert!(
            decrypt(ENCLAVE, &bob.key_args(), &for_both) == plain,
            "{label} for bob"
        );

        // Anonymous sender.
        let anonymous = dir.join(format!("{label}.anonymous.c4gh"));
        reference.encrypt_anonymously(&bob.public, &[], &input, &anonymous);
        assert!(
            decrypt(ENCLAVE, &bob.key_args(), &anonymous) == plain,
            "anonymous {label} for bob"
        );
    }

    let (_, input, plain) = plaintexts(&dir, 11).pop().expect("several segments");
    // `--range S-E` encrypts plaintext bytes [S, E-1) (generated/README.md, "Quirks").
    for (start, end) in [(10usize, 20usize), (65530, 131080)] {
        let ranged = dir.join(format!("range_{start}_{end}.c4gh"));
        let range = format!("{start}-{end}");
        reference.encrypt_anonymously(
            &bob.public,
            &["--range".as_ref(), range.as_ref()],
            &input,
            &ranged,
        );
        assert!(
            decrypt(ENCLAVE, &bob.key_args(), &ranged) == plain[start..end - 1],
            "--range {range} read by enclave"
        );
    }

    // `rearrange --range S-E` keeps the segments it needs and adds an edit list.
    let for_bob = dir.join("for_bob.c4gh");
    reference.encrypt_anonymously(&bob.public, &[], &input, &for_bob);
    for (start, end) in [(65535usize, 131074usize), (100, 70000)] {
        let rearranged = dir.join(format!("rearranged_{start}_{end}.c4gh"));
        let range = format!("{start}-{end}");
        reference.run_into(
            &[
                "rearrange".as_ref(),
                "--sk".as_ref(),
                bob.sec.as_os_str(),
                "--range".as_ref(),
                range.as_ref(),
            ],
            None,
            &for_bob,
            &rearranged,
        );
        // The reference reads its own file the same way.
        let reference_view = reference.run(
            &["decrypt".as_ref(), "--sk".as_ref(), bob.sec.as_os_str()],
            None,
            &rearranged,
        );
        assert!(reference_view == plain[start..end - 1]);
        assert!(
            decrypt(ENCLAVE, &bob.key_args(), &rearranged) == plain[start..end - 1],
            "rearrange --range {range} read by enclave"
        );
    }
}

#[test]
fn a_vcf_the_reference_encrypts_reads_like_its_plaintext() {
    let Some(reference) = Crypt4ghReference::find() else {
        return;
    };
    let dir = TempDir::new("crypt4gh-reference_vcf");
    let reader = Key::reference(&reference, &dir, "reader", Some("reader words"));
    let plain = testdata_path("crypt4gh").join("generated/plain/sample.vcf.gz");
    let encrypted = dir.join("sample.vcf.gz.c4gh");
    reference.encrypt_anonymously(&reader.public, &[], &plain, &encrypted);
    // `view -f tsv` and `stats` (each printing something), and more: `view -f vcf`, `query`,
    // `stats --json`.
    assert_reads_like_plaintext(ENCLAVE, &encrypted, &plain, &reader.key_args());
}
