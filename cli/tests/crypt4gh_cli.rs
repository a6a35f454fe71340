//! `enclave decrypt`, `encrypt`, `keygen` and `--key` on `view` / `stats` / `query`, through the
//! real binary, against files no one here wrote: `testdata/crypt4gh/generated` (made by the
//! reference `crypt4gh` 1.8.6; keys, passphrases and expected outputs in its README) and
//! `testdata/crypt4gh/htsget-rs` (made by crypt4gh-rust, with their plaintexts).
//!
//! Failures must be one clear line on stderr, a non-zero exit, and no output file (nor temporary
//! file) left behind. The round trips through the reference Python CLI are in
//! `crypt4gh_reference.rs`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use enclave_test_support::crypt4gh::{
    KDFS, SEGMENT, assert_reads_like_plaintext, decrypt, decrypt_args, edit_list_arg, edited,
    header_len, passphrase_file, plaintexts,
};
use enclave_test_support::files::{TempDir, names_in, read, testdata_path, write};
use enclave_test_support::process::{Program, assert_success, shown};

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

fn generated(path: &str) -> PathBuf {
    testdata_path("crypt4gh").join("generated").join(path)
}

fn htsget(path: &str) -> PathBuf {
    testdata_path("crypt4gh").join("htsget-rs/data").join(path)
}

/// A key of `generated/keys` and its passphrase (README: "Keys").
fn key(name: &str) -> (PathBuf, Option<&'static str>) {
    let passphrase = match name {
        "alice.sec" => Some("alice-passphrase"),
        "bob.sec" => Some("bob-passphrase"),
        "carol.sec" | "dave.none.sec" => None,
        _ if name.starts_with("dave.") => Some("dave-passphrase"),
        other => panic!("no such test key {other}"),
    };
    (generated(&format!("keys/{name}")), passphrase)
}

/// `--key KEY [--passphrase-file F]` for a key of `generated/keys`, writing F into `dir`.
fn key_args(dir: &Path, name: &str) -> Vec<String> {
    let (path, passphrase) = key(name);
    let mut args = vec!["--key".to_string(), path.display().to_string()];
    if let Some(passphrase) = passphrase {
        let file = passphrase_file(dir, &format!("{name}.passphrase"), passphrase);
        args.extend(["--passphrase-file".to_string(), file.display().to_string()]);
    }
    args
}

/// `--key` for bob's key of `htsget-rs` (no passphrase), for which its files are encrypted.
fn htsget_bob() -> [OsString; 2] {
    ["--key".into(), htsget("c4gh/keys/bob.sec").into()]
}

/// (encrypted file, plaintext) under `htsget-rs/data`, the encrypted ones for bob.
const HTSGET_CASES: &[(&str, &str)] = &[
    ("c4gh/spec-v4.3.vcf.gz.c4gh", "vcf/spec-v4.3.vcf.gz"),
    (
        "c4gh/sample1-bcbio-cancer.vcf.gz.c4gh",
        "vcf/sample1-bcbio-cancer.vcf.gz",
    ),
    (
        "c4gh/sample1-bcbio-cancer.bcf.c4gh",
        "bcf/sample1-bcbio-cancer.bcf",
    ),
];

/// On Unix, fails the test unless only its owner may read `path` (`what`, for the message).
fn assert_private(path: &Path, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{what} is readable by others");
    }
    #[cfg(not(unix))]
    let _ = (path, what);
}

/// (encrypted file under `generated/`, key, expected plaintext under `generated/`), from the
/// README's table of encrypted files.
const DECRYPT_CASES: &[(&str, &str, &str)] = &[
    ("enc/hello.txt.c4gh", "alice.sec", "plain/hello.txt"),
    ("enc/empty.bin.c4gh", "alice.sec", "plain/empty.bin"),
    (
        "enc/segment_exact.bin.c4gh",
        "alice.sec",
        "plain/segment_exact.bin",
    ),
    ("enc/sample.vcf.gz.c4gh", "alice.sec", "plain/sample.vcf.gz"),
    ("enc/hello.anon.c4gh", "alice.sec", "plain/hello.txt"),
    (
        "enc/hello.for_dave.c4gh",
        "dave.scrypt.sec",
        "plain/hello.txt",
    ),
    (
        "enc/hello.for_dave.c4gh",
        "dave.bcrypt.sec",
        "plain/hello.txt",
    ),
    (
        "enc/hello.for_dave.c4gh",
        "dave.pbkdf2_hmac_sha256.sec",
        "plain/hello.txt",
    ),
    (
        "enc/hello.for_dave.c4gh",
        "dave.none.sec",
        "plain/hello.txt",
    ),
    ("enc/abcd.multi.c4gh", "carol.sec", "plain/abcd.bin"),
    ("enc/abcd.multi.c4gh", "dave.none.sec", "plain/abcd.bin"),
    (
        "enc/random_200000.twokeys.c4gh",
        "alice.sec",
        "plain/random_200000.bin",
    ),
    (
        "enc/abcd.rearranged_alice.c4gh",
        "alice.sec",
        "out/abcd.rearranged.bin",
    ),
    (
        "enc/sample.vcf.editlist_odd.c4gh",
        "alice.sec",
        "out/sample.vcf.editlist_odd.expected",
    ),
    (
        "enc/abcd.editlist_even.c4gh",
        "alice.sec",
        "out/abcd.editlist_even.expected",
    ),
];

#[test]
fn decrypt_of_reference_files_gives_the_expected_bytes() {
    let dir = TempDir::new("crypt4gh-decrypt_reference_files");
    for (k, &(encrypted, key_name, expected)) in DECRYPT_CASES.iter().enumerate() {
        let out = dir.join(format!("out{k}"));
        let args = decrypt_args(&key_args(&dir, key_name), Some(&out), &generated(encrypted));
        ENCLAVE.ok(&args);
        assert!(
            read(&out) == read(&generated(expected)),
            "`enclave {}` does not give {expected}",
            shown(&args)
        );
        assert_private(&out, &format!("decrypted {encrypted}"));
    }
}

#[test]
fn decrypt_to_standard_output() {
    let dir = TempDir::new("crypt4gh-decrypt_stdout");
    for (encrypted, key_name, expected) in [
        ("enc/abcd.multi.c4gh", "carol.sec", "plain/abcd.bin"),
        ("enc/hello.txt.c4gh", "alice.sec", "plain/hello.txt"),
    ] {
        let args = decrypt_args(&key_args(&dir, key_name), None, &generated(encrypted));
        assert!(
            ENCLAVE.ok(&args) == read(&generated(expected)),
            "`enclave {}` does not print {expected}",
            shown(&args)
        );
    }
}

#[test]
fn htsget_rs_files_decrypt_to_their_plaintexts() {
    let dir = TempDir::new("crypt4gh-decrypt_htsget");
    for (encrypted, plain) in HTSGET_CASES {
        let out = dir.join("out");
        ENCLAVE.ok(&decrypt_args(&htsget_bob(), Some(&out), &htsget(encrypted)));
        assert!(read(&out) == read(&htsget(plain)), "{encrypted} ≠ {plain}");
    }
}

#[test]
fn a_wrong_passphrase_is_named_and_nothing_is_written() {
    let dir = TempDir::new("crypt4gh-wrong_passphrase");
    let wrong = passphrase_file(&dir, "wrong.passphrase", "not-alice");
    let before = names_in(&dir);
    let out = dir.join("out.vcf.gz");
    let (alice, _) = key("alice.sec");
    let encrypted = generated("enc/sample.vcf.gz.c4gh");
    let alice_wrong = [
        OsStr::new("--key"),
        alice.as_os_str(),
        "--passphrase-file".as_ref(),
        wrong.as_os_str(),
    ];
    let args = decrypt_args(&alice_wrong, Some(&out), &encrypted);
    let message = ENCLAVE.err(&args);
    assert!(message.contains("wrong passphrase"), "{message}");
    assert!(
        message.contains("alice.sec"),
        "the key is not named: {message}"
    );
    assert!(
        !message.contains("not-alice"),
        "the passphrase is shown: {message}"
    );
    assert_eq!(names_in(&dir), before, "decrypt left a file behind");

    // An existing output stays as it was.
    write(&out, b"previous");
    ENCLAVE.err(&args);
    assert_eq!(read(&out), b"previous");
    assert_eq!(names_in(&dir).len(), before.len() + 1);
}

#[test]
fn a_key_the_file_is_not_for_is_named_and_nothing_is_written() {
    let dir = TempDir::new("crypt4gh-not_a_recipient");
    let out = dir.join("out.txt");
    let (carol, _) = key("carol.sec");
    let carol_key = [OsStr::new("--key"), carol.as_os_str()];
    let message = ENCLAVE.err(&decrypt_args(
        &carol_key,
        Some(&out),
        &generated("enc/hello.txt.c4gh"),
    ));
    assert!(
        message.contains("not encrypted for this key") && message.contains("carol.sec"),
        "{message}"
    );
    assert!(
        names_in(&dir).is_empty(),
        "left behind: {:?}",
        names_in(&dir)
    );

    let message = ENCLAVE.err(&[
        "view".as_ref(),
        "--key".as_ref(),
        carol.as_os_str(),
        generated("enc/sample.vcf.gz.c4gh").as_os_str(),
    ]);
    assert!(
        message.contains("not encrypted for this key") && message.contains("carol.sec"),
        "{message}"
    );
}

#[test]
fn a_tampered_segment_is_named_and_nothing_is_written() {
    let dir = TempDir::new("crypt4gh-tampered");
    // abcd.multi.c4gh: four full segments, for alice, carol and dave (carol needs no passphrase).
    let mut bytes = read(&generated("enc/abcd.multi.c4gh"));
    let segment2 = header_len(&bytes) + (SEGMENT + 28) + 1000;
    bytes[segment2] ^= 0x01;
    let tampered = dir.join("abcd.tampered.c4gh");
    write(&tampered, &bytes);
    let out = dir.join("abcd.out");
    let (carol, _) = key("carol.sec");
    let carol_key = [OsStr::new("--key"), carol.as_os_str()];
    let message = ENCLAVE.err(&decrypt_args(&carol_key, Some(&out), &tampered));
    assert!(
        message.contains("segment 2") && message.contains("fails authentication"),
        "{message}"
    );
    assert!(
        message.contains("abcd.tampered.c4gh"),
        "the file is not named: {message}"
    );
    assert_eq!(
        names_in(&dir),
        ["abcd.tampered.c4gh"],
        "decrypt left a file behind"
    );

    // To standard output: segment 1 may be out already, but the exit status says it failed.
    let message = ENCLAVE.err(&decrypt_args(&carol_key, None, &tampered));
    assert!(message.contains("segment 2"), "{message}");
}

#[test]
fn a_protected_key_without_a_passphrase_file_is_named() {
    let (alice, _) = key("alice.sec");
    let encrypted = generated("enc/sample.vcf.gz.c4gh");
    for command in ["decrypt", "view", "stats"] {
        let message = ENCLAVE.err(&[
            command.as_ref(),
            "--key".as_ref(),
            alice.as_os_str(),
            encrypted.as_os_str(),
        ]);
        assert!(
            message.contains("protected by a passphrase") && message.contains("--passphrase-file"),
            "{command}: {message}"
        );
    }
}

#[test]
fn an_encrypted_file_without_a_key_is_named() {
    let encrypted = generated("enc/sample.vcf.gz.c4gh");
    for args in [
        vec!["view", "-f", "tsv"],
        vec!["stats"],
        vec!["query", "-f", "%POS\\n"],
    ] {
        let mut args: Vec<&OsStr> = args.iter().map(|a| a.as_ref()).collect();
        args.push(encrypted.as_os_str());
        let message = ENCLAVE.err(&args);
        assert!(
            message.contains(&format!(
                "{} is Crypt4GH-encrypted: give --key SECRET_KEY",
                encrypted.display()
            )),
            "{message}"
        );
    }
}

#[test]
fn view_query_and_stats_with_a_key_read_like_the_plaintext() {
    for (encrypted, plain) in HTSGET_CASES {
        assert_reads_like_plaintext(ENCLAVE, &htsget(encrypted), &htsget(plain), &htsget_bob());
    }

    // A passphrase-protected key, and a name that does not say "encrypted": sniffing is by
    // content.
    let dir = TempDir::new("crypt4gh-view_with_key");
    let disguised = dir.join("sample.vcf.gz");
    write(&disguised, &read(&generated("enc/sample.vcf.gz.c4gh")));
    assert_reads_like_plaintext(
        ENCLAVE,
        &disguised,
        &generated("plain/sample.vcf.gz"),
        &key_args(&dir, "alice.sec"),
    );
}

#[test]
fn a_filter_applies_to_an_encrypted_file() {
    let [key_flag, bob] = htsget_bob();
    let encrypted = htsget("c4gh/sample1-bcbio-cancer.vcf.gz.c4gh");
    let plain = htsget("vcf/sample1-bcbio-cancer.vcf.gz");
    let filtered = ENCLAVE.ok(&[
        "view".as_ref(),
        "-i".as_ref(),
        "TYPE=\"snp\"".as_ref(),
        key_flag.as_os_str(),
        bob.as_os_str(),
        encrypted.as_os_str(),
    ]);
    let expected = ENCLAVE.ok(&[
        "view".as_ref(),
        "-i".as_ref(),
        "TYPE=\"snp\"".as_ref(),
        plain.as_os_str(),
    ]);
    assert!(filtered == expected);
    assert!(filtered.len() < ENCLAVE.ok(&["view".as_ref(), plain.as_os_str()]).len());
}

/// `enclave keygen` for one KDF (`none`: `--no-passphrase`) into `dir/NAME.{pub,sec}`; returns
/// the `--key` arguments for the new secret key.
fn keygen(dir: &Path, name: &str, kdf: &str, passphrase: &str) -> Vec<String> {
    let base = dir.join(name);
    let mut args = vec!["keygen".to_string()];
    let mut key = vec!["--key".to_string(), format!("{}.sec", base.display())];
    if kdf == "none" {
        args.push("--no-passphrase".into());
    } else {
        let file = passphrase_file(dir, &format!("{name}.passphrase"), passphrase);
        args.extend(["--passphrase-file".into(), file.display().to_string()]);
        args.extend(["--kdf".into(), kdf.into()]);
        key.extend(["--passphrase-file".into(), file.display().to_string()]);
    }
    args.extend(["-C".into(), format!("{name} test key")]);
    args.extend(["-o".into(), base.display().to_string()]);
    let out = ENCLAVE.succeeds(&args);
    let printed = [out.stdout, out.stderr].concat();
    assert!(
        !String::from_utf8_lossy(&printed).contains(passphrase),
        "keygen printed the passphrase"
    );
    let public = String::from_utf8(read(&base.with_extension("pub"))).expect("text");
    let secret = String::from_utf8(read(&base.with_extension("sec"))).expect("text");
    assert!(
        public.starts_with("-----BEGIN CRYPT4GH PUBLIC KEY-----\n"),
        "{public}"
    );
    assert!(secret.starts_with("-----BEGIN CRYPT4GH PRIVATE KEY-----\n"));
    assert_private(&base.with_extension("sec"), &format!("{name}.sec"));
    key
}

#[test]
fn keygen_encrypt_decrypt_round_trip_for_every_kdf() {
    let dir = TempDir::new("crypt4gh-round_trip");
    let keys: Vec<(String, Vec<String>)> = KDFS
        .iter()
        .map(|kdf| {
            let name = format!("k_{kdf}");
            (
                name.clone(),
                keygen(&dir, &name, kdf, &format!("{kdf} pass phrase")),
            )
        })
        .collect();
    let recipients: Vec<String> = keys
        .iter()
        .flat_map(|(name, _)| {
            [
                "--recipient".to_string(),
                dir.join(format!("{name}.pub")).display().to_string(),
            ]
        })
        .collect();

    let plaintexts = plaintexts(&dir, 1);
    for (label, input, plain) in &plaintexts {
        let encrypted = dir.join(format!("{label}.c4gh"));
        // Sender: the bcrypt key (protected), recipients: all four.
        let mut args = vec!["encrypt".to_string()];
        args.extend(recipients.iter().cloned());
        args.extend(keys[1].1.iter().cloned());
        args.extend(["-o".into(), encrypted.display().to_string()]);
        args.push(input.display().to_string());
        ENCLAVE.ok(&args);
        // Every KDF opens the multi-segment file; the unprotected key (fast) opens the rest.
        let readers = if plain.len() > SEGMENT {
            &keys[..]
        } else {
            &keys[3..]
        };
        for (name, key) in readers {
            assert!(
                decrypt(ENCLAVE, key, &encrypted) == *plain,
                "{label} for {name}"
            );
        }
    }

    // Edit lists, odd (the rest kept after the last skip) and even, from an anonymous sender
    // and read from standard input.
    let (_, input, plain) = plaintexts.last().expect("several segments");
    for edit_list in [&[100u64, 200, 70000][..], &[65530, 12, 65536, 5]] {
        let list = edit_list_arg(edit_list);
        let encrypted = dir.join(format!("edited_{}.c4gh", edit_list.len()));
        let mut args = vec!["encrypt".to_string()];
        // For the first two keys (scrypt, bcrypt) only.
        args.extend(recipients[..4].iter().cloned());
        args.extend(["--edit-list".into(), list.clone(), "-o".into()]);
        args.push(encrypted.display().to_string());
        args.push("-".into());
        let out = std::process::Command::new(ENCLAVE)
            .args(&args)
            .stdin(std::fs::File::open(input).expect("the plaintext exists"))
            .output()
            .expect("enclave runs");
        assert_success(
            &out,
            &format!("enclave {} < {}", shown(&args), input.display()),
        );
        let expected = edited(plain, edit_list);
        for (name, key) in &keys[..2] {
            assert!(
                decrypt(ENCLAVE, key, &encrypted) == expected,
                "edit list {list} read by {name}"
            );
        }
    }
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = TempDir::new("crypt4gh-keygen_overwrite");
    let base = dir.join("me");
    let keygen_args = |extra: &[&'static str]| {
        let mut args = vec![
            "keygen",
            "--no-passphrase",
            "-o",
            base.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        args
    };
    ENCLAVE.succeeds(&keygen_args(&[]));
    let first = read(&base.with_extension("sec"));
    let message = ENCLAVE.err(&keygen_args(&[]));
    assert!(
        message.contains("already exists") && message.contains("-f"),
        "{message}"
    );
    assert_eq!(
        read(&base.with_extension("sec")),
        first,
        "keygen overwrote without -f"
    );
    ENCLAVE.succeeds(&keygen_args(&["-f"]));
    assert_ne!(
        read(&base.with_extension("sec")),
        first,
        "-f did not write a new key"
    );
    assert_eq!(names_in(&dir), ["me.pub", "me.sec"]);

    let message = ENCLAVE.err(&["keygen", "-o", dir.join("other").to_str().expect("utf-8")]);
    assert!(
        message.contains("--passphrase-file") && message.contains("--no-passphrase"),
        "{message}"
    );
}

#[test]
fn encrypt_errors_are_named() {
    let dir = TempDir::new("crypt4gh-encrypt_errors");
    let input = dir.join("plain.txt");
    write(&input, b"some text\n");
    let out = dir.join("out.c4gh");
    let (carol_sec, _) = key("carol.sec");
    let carol_pub = generated("keys/carol.pub");
    let run = |extra: &[&OsStr]| {
        let mut args: Vec<&OsStr> = vec!["encrypt".as_ref()];
        args.extend_from_slice(extra);
        args.extend(["-o".as_ref(), out.as_os_str(), input.as_os_str()]);
        ENCLAVE.err(&args)
    };
    let message = run(&[]);
    assert!(message.contains("--recipient"), "{message}");
    let message = run(&["--recipient".as_ref(), carol_sec.as_os_str()]);
    assert!(
        message.contains("carol.sec") && message.contains("secret key"),
        "{message}"
    );
    let message = run(&[
        "--recipient".as_ref(),
        carol_pub.as_os_str(),
        "--edit-list".as_ref(),
        "10,x".as_ref(),
    ]);
    assert!(message.contains("item 2"), "{message}");
    assert_eq!(names_in(&dir), ["plain.txt"]);
}

#[test]
fn help_names_the_crypt4gh_commands() {
    let help = String::from_utf8(ENCLAVE.ok(&["--help"])).expect("utf-8");
    for needle in [
        "enclave decrypt --key KEY",
        "enclave encrypt --recipient PUBKEY",
        "enclave keygen",
        "--passphrase-file",
        "--no-passphrase",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}");
    }
}
