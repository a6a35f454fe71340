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

#[path = "crypt4gh_support/common.rs"]
mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

/// The reference CLI's two commands.
struct Reference {
    crypt4gh: PathBuf,
    keygen: PathBuf,
}

/// Finds the reference CLI, or says why not: `None` skips the test, except under CI.
fn reference() -> Option<Reference> {
    let crypt4gh = match std::env::var_os("ENCLAVE_CRYPT4GH_PY") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_root().join("tools/crypt4gh-venv/bin/crypt4gh"),
    };
    let keygen = crypt4gh.with_file_name("crypt4gh-keygen");
    if crypt4gh.is_file() && keygen.is_file() {
        return Some(Reference { crypt4gh, keygen });
    }
    let why = format!(
        "the reference Crypt4GH CLI is missing ({} and crypt4gh-keygen beside it): run \
         `cargo xtask bootstrap`, or set ENCLAVE_CRYPT4GH_PY to a `crypt4gh` 1.8.6",
        crypt4gh.display()
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{why}");
    }
    eprintln!("notice: skipping the round trips with the reference implementation: {why}");
    None
}

impl Reference {
    /// A reference command with a clean Crypt4GH environment: its `C4GH_*` defaults would
    /// otherwise change which key it uses.
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        for var in [
            "C4GH_SECRET_KEY",
            "C4GH_PUBLIC_KEY",
            "C4GH_PASSPHRASE",
            "C4GH_LOG",
            "C4GH_DEBUG",
        ] {
            command.env_remove(var);
        }
        command
    }

    /// `crypt4gh ARGS < input`, with the secret key's passphrase in `C4GH_PASSPHRASE` (the
    /// reference's non-interactive way); fails the test unless it succeeds.
    fn run(&self, args: &[&OsStr], passphrase: Option<&str>, input: &Path) -> Vec<u8> {
        let mut command = self.command(&self.crypt4gh);
        command
            .args(args)
            .stdin(std::fs::File::open(input).expect("the input exists"));
        if let Some(passphrase) = passphrase {
            command.env("C4GH_PASSPHRASE", passphrase);
        }
        let out = command.output().expect("the reference crypt4gh runs");
        assert_success(&out, &format!("crypt4gh {}", shown(args)));
        out.stdout
    }

    /// [`Reference::run`], writing the output to `output`.
    fn run_into(&self, args: &[&OsStr], passphrase: Option<&str>, input: &Path, output: &Path) {
        write(output, &self.run(args, passphrase, input));
    }

    /// `crypt4gh encrypt --recipient_pk RECIPIENT EXTRA… < input > output`: from an anonymous
    /// sender (a one-off key).
    fn encrypt_anonymously(&self, recipient: &Path, extra: &[&OsStr], input: &Path, output: &Path) {
        let mut args = vec![
            "encrypt".as_ref(),
            "--recipient_pk".as_ref(),
            recipient.as_os_str(),
        ];
        args.extend_from_slice(extra);
        self.run_into(&args, None, input, output);
    }

    /// `crypt4gh-keygen --sk NAME.sec --pk NAME.pub`, protected by `passphrase` (scrypt, all the
    /// reference writes) or not (`--nocrypt`).
    fn keygen(&self, dir: &Path, name: &str, passphrase: Option<&str>) -> Key {
        let key = Key::new(dir, name, passphrase.map(str::to_string));
        // `crypt4gh-keygen` asks with getpass, which prefers the controlling terminal: run it in
        // a new session (through the venv's Python) so it reads the passphrase from stdin even
        // when the tests run in a terminal.
        let python = self.crypt4gh.with_file_name("python");
        let python = if python.is_file() {
            python
        } else {
            PathBuf::from("python3")
        };
        let mut command = self.command(&python);
        command
            .args([
                "-c",
                "import os, sys; os.setsid(); os.execv(sys.argv[1], sys.argv[1:])",
            ])
            .arg(&self.keygen)
            .args(["-f", "-C", name, "--sk"])
            .arg(&key.sec)
            .arg("--pk")
            .arg(&key.public)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if passphrase.is_none() {
            command.arg("--nocrypt");
        }
        let mut child = command.spawn().expect("crypt4gh-keygen runs");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped stdin");
            if let Some(passphrase) = passphrase {
                write!(stdin, "{passphrase}\n{passphrase}\n").expect("keygen reads its passphrase");
            }
        }
        let out = child.wait_with_output().expect("crypt4gh-keygen ends");
        assert_success(&out, &format!("crypt4gh-keygen for {name}"));
        key
    }
}

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
        enclave_ok(&args);
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
    let Some(reference) = reference() else { return };
    let dir = scratch("reference_reads_enclave");
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
        enclave_ok(&args);
        for key in &keys {
            assert!(
                reference_decrypt(key, Some(sender), &encrypted) == plain,
                "the reference decrypts {label} for {} wrongly",
                key.name
            );
        }

        // Anonymous sender (a one-off key), one recipient.
        let anonymous = dir.join(format!("{label}.anonymous.c4gh"));
        enclave_ok(&[
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
        enclave_ok(&args);
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
    let Some(reference) = reference() else { return };
    let dir = scratch("enclave_reads_reference");
    let alice = reference.keygen(&dir, "alice", Some("alice words"));
    let bob = reference.keygen(&dir, "bob", None);

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
            decrypt(&alice.key_args(), &for_both) == plain,
            "{label} for alice"
        );
        assert!(
            decrypt(&bob.key_args(), &for_both) == plain,
            "{label} for bob"
        );

        // Anonymous sender.
        let anonymous = dir.join(format!("{label}.anonymous.c4gh"));
        reference.encrypt_anonymously(&bob.public, &[], &input, &anonymous);
        assert!(
            decrypt(&bob.key_args(), &anonymous) == plain,
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
            decrypt(&bob.key_args(), &ranged) == plain[start..end - 1],
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
            decrypt(&bob.key_args(), &rearranged) == plain[start..end - 1],
            "rearrange --range {range} read by enclave"
        );
    }
}

#[test]
fn a_vcf_the_reference_encrypts_reads_like_its_plaintext() {
    let Some(reference) = reference() else { return };
    let dir = scratch("reference_vcf");
    let reader = reference.keygen(&dir, "reader", Some("reader words"));
    let plain = crypt4gh_testdata().join("generated/plain/sample.vcf.gz");
    let encrypted = dir.join("sample.vcf.gz.c4gh");
    reference.encrypt_anonymously(&reader.public, &[], &plain, &encrypted);
    // `view -f tsv` and `stats` (each printing something), and more: `view -f vcf`, `query`,
    // `stats --json`.
    assert_reads_like_plaintext(&encrypted, &plain, &reader.key_args());
}
