//! `enclave decrypt`, `encrypt`, `keygen` and `--key` on `view` / `stats` / `query`, through the
//! real binary, against files no one here wrote: `testdata/crypt4gh/generated` (made by the
//! reference `crypt4gh` 1.8.6; keys, passphrases and expected outputs in its README) and
//! `testdata/crypt4gh/htsget-rs` (made by crypt4gh-rust, with their plaintexts).
//!
//! Failures must be one clear line on stderr, a non-zero exit, and no output file (nor temporary
//! file) left behind. The round trips through the reference Python CLI are in
//! `crypt4gh_reference.rs`.

#[path = "crypt4gh_support/common.rs"]
mod common;

use std::path::{Path, PathBuf};

use common::*;

fn generated(path: &str) -> PathBuf {
    crypt4gh_testdata().join("generated").join(path)
}

fn htsget(path: &str) -> PathBuf {
    crypt4gh_testdata().join("htsget-rs/data").join(path)
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
    let dir = scratch("decrypt_reference_files");
    for (k, &(encrypted, key_name, expected)) in DECRYPT_CASES.iter().enumerate() {
        let out = dir.join(format!("out{k}"));
        let mut args = vec!["decrypt".to_string()];
        args.extend(key_args(&dir, key_name));
        args.extend(["-o".to_string(), out.display().to_string()]);
        args.push(generated(encrypted).display().to_string());
        enclave_ok(&args);
        assert!(
            read(&out) == read(&generated(expected)),
            "`enclave {}` does not give {expected}",
            shown(&args)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out)
                .expect("output exists")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "decrypted {encrypted} is readable by others"
            );
        }
    }
}

#[test]
fn decrypt_to_standard_output() {
    let dir = scratch("decrypt_stdout");
    for (encrypted, key_name, expected) in [
        ("enc/abcd.multi.c4gh", "carol.sec", "plain/abcd.bin"),
        ("enc/hello.txt.c4gh", "alice.sec", "plain/hello.txt"),
    ] {
        let mut args = vec!["decrypt".to_string()];
        args.extend(key_args(&dir, key_name));
        args.push(generated(encrypted).display().to_string());
        assert!(
            enclave_ok(&args) == read(&generated(expected)),
            "`enclave {}` does not print {expected}",
            shown(&args)
        );
    }
}

#[test]
fn htsget_rs_files_decrypt_to_their_plaintexts() {
    let dir = scratch("decrypt_htsget");
    let bob = htsget("c4gh/keys/bob.sec");
    for (encrypted, plain) in [
        ("c4gh/spec-v4.3.vcf.gz.c4gh", "vcf/spec-v4.3.vcf.gz"),
        (
            "c4gh/sample1-bcbio-cancer.vcf.gz.c4gh",
            "vcf/sample1-bcbio-cancer.vcf.gz",
        ),
        (
            "c4gh/sample1-bcbio-cancer.bcf.c4gh",
            "bcf/sample1-bcbio-cancer.bcf",
        ),
    ] {
        let out = dir.join("out");
        enclave_ok(&[
            "decrypt".as_ref(),
            "--key".as_ref(),
            bob.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            htsget(encrypted).as_os_str(),
        ]);
        assert!(read(&out) == read(&htsget(plain)), "{encrypted} ≠ {plain}");
    }
}

#[test]
fn a_wrong_passphrase_is_named_and_nothing_is_written() {
    let dir = scratch("wrong_passphrase");
    let wrong = passphrase_file(&dir, "wrong.passphrase", "not-alice");
    let before = names_in(&dir);
    let out = dir.join("out.vcf.gz");
    let (alice, _) = key("alice.sec");
    let encrypted = generated("enc/sample.vcf.gz.c4gh");
    let args = [
        "decrypt".as_ref(),
        "--key".as_ref(),
        alice.as_os_str(),
        "--passphrase-file".as_ref(),
        wrong.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        encrypted.as_os_str(),
    ];
    let message = enclave_err(&args);
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
    enclave_err(&args);
    assert_eq!(read(&out), b"previous");
    assert_eq!(names_in(&dir).len(), before.len() + 1);
}

#[test]
fn a_key_the_file_is_not_for_is_named_and_nothing_is_written() {
    let dir = scratch("not_a_recipient");
    let out = dir.join("out.txt");
    let (carol, _) = key("carol.sec");
    let message = enclave_err(&[
        "decrypt".as_ref(),
        "--key".as_ref(),
        carol.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        generated("enc/hello.txt.c4gh").as_os_str(),
    ]);
    assert!(
        message.contains("not encrypted for this key") && message.contains("carol.sec"),
        "{message}"
    );
    assert!(
        names_in(&dir).is_empty(),
        "left behind: {:?}",
        names_in(&dir)
    );

    let message = enclave_err(&[
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
    let dir = scratch("tampered");
    // abcd.multi.c4gh: four full segments, for alice, carol and dave (carol needs no passphrase).
    let mut bytes = read(&generated("enc/abcd.multi.c4gh"));
    let segment2 = header_len(&bytes) + (SEGMENT + 28) + 1000;
    bytes[segment2] ^= 0x01;
    let tampered = dir.join("abcd.tampered.c4gh");
    write(&tampered, &bytes);
    let out = dir.join("abcd.out");
    let (carol, _) = key("carol.sec");
    let message = enclave_err(&[
        "decrypt".as_ref(),
        "--key".as_ref(),
        carol.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        tampered.as_os_str(),
    ]);
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
    let message = enclave_err(&[
        "decrypt".as_ref(),
        "--key".as_ref(),
        carol.as_os_str(),
        tampered.as_os_str(),
    ]);
    assert!(message.contains("segment 2"), "{message}");
}

#[test]
fn a_protected_key_without_a_passphrase_file_is_named() {
    let (alice, _) = key("alice.sec");
    let encrypted = generated("enc/sample.vcf.gz.c4gh");
    for command in ["decrypt", "view", "stats"] {
        let message = enclave_err(&[
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
        let mut args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        args.push(encrypted.as_os_str());
        let message = enclave_err(&args);
        assert!(
            message.contains(&format!(
                "{} is Crypt4GH-encrypted: give --key SECRET_KEY",
                encrypted.display()
            )),
            "{message}"
        );
    }
}

/// `view`, `query` and `stats` with `--key` on an encrypted file print what they print for its
/// plaintext.
fn assert_reads_like_plaintext(encrypted: &Path, plain: &Path, key: &[String]) {
    let with_key = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(key.iter().cloned());
        all.push(encrypted.display().to_string());
        enclave_ok(&all)
    };
    let plain_run = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.push(plain.display().to_string());
        enclave_ok(&all)
    };
    let name = encrypted.display();
    let tsv = plain_run(&["view", "-f", "tsv"]);
    assert!(!tsv.is_empty(), "{} has no records", plain.display());
    assert!(
        with_key(&["view", "-f", "tsv"]) == tsv,
        "view -f tsv of {name}"
    );
    assert!(
        with_key(&["view", "-f", "vcf"]) == plain_run(&["view", "-f", "vcf"]),
        "view -f vcf of {name}"
    );
    let format = "%CHROM\\t%POS\\t%REF\\t%ALT[\\t%SAMPLE=%GT]\\n";
    assert!(
        with_key(&["query", "-f", format]) == plain_run(&["query", "-f", format]),
        "query of {name}"
    );
    assert!(
        with_key(&["stats"]) == plain_run(&["stats"]),
        "stats of {name}"
    );
    let json = |bytes: Vec<u8>| -> serde_json::Value {
        serde_json::from_slice(&bytes).expect("stats --json prints JSON")
    };
    let encrypted_json = json(with_key(&["stats", "--json"]));
    let plain_json = json(plain_run(&["stats", "--json"]));
    assert_eq!(
        encrypted_json["stats"], plain_json["stats"],
        "stats --json of {name}"
    );
    assert_eq!(
        encrypted_json["summary"]["records"],
        plain_json["summary"]["records"]
    );
    assert_eq!(encrypted_json["summary"]["encrypted"], true);
}

#[test]
fn view_query_and_stats_with_a_key_read_like_the_plaintext() {
    let bob = vec![
        "--key".to_string(),
        htsget("c4gh/keys/bob.sec").display().to_string(),
    ];
    for (encrypted, plain) in [
        ("c4gh/spec-v4.3.vcf.gz.c4gh", "vcf/spec-v4.3.vcf.gz"),
        (
            "c4gh/sample1-bcbio-cancer.vcf.gz.c4gh",
            "vcf/sample1-bcbio-cancer.vcf.gz",
        ),
        (
            "c4gh/sample1-bcbio-cancer.bcf.c4gh",
            "bcf/sample1-bcbio-cancer.bcf",
        ),
    ] {
        assert_reads_like_plaintext(&htsget(encrypted), &htsget(plain), &bob);
    }

    // A passphrase-protected key, and a name that does not say "encrypted": sniffing is by
    // content.
    let dir = scratch("view_with_key");
    let disguised = dir.join("sample.vcf.gz");
    write(&disguised, &read(&generated("enc/sample.vcf.gz.c4gh")));
    assert_reads_like_plaintext(
        &disguised,
        &generated("plain/sample.vcf.gz"),
        &key_args(&dir, "alice.sec"),
    );
}

#[test]
fn a_filter_applies_to_an_encrypted_file() {
    let bob = htsget("c4gh/keys/bob.sec");
    let encrypted = htsget("c4gh/sample1-bcbio-cancer.vcf.gz.c4gh");
    let plain = htsget("vcf/sample1-bcbio-cancer.vcf.gz");
    let filtered = enclave_ok(&[
        "view".as_ref(),
        "-i".as_ref(),
        "TYPE=\"snp\"".as_ref(),
        "--key".as_ref(),
        bob.as_os_str(),
        encrypted.as_os_str(),
    ]);
    let expected = enclave_ok(&[
        "view".as_ref(),
        "-i".as_ref(),
        "TYPE=\"snp\"".as_ref(),
        plain.as_os_str(),
    ]);
    assert!(filtered == expected);
    assert!(filtered.len() < enclave_ok(&["view".as_ref(), plain.as_os_str()]).len());
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
    let out = enclave(&args);
    assert!(
        out.status.success(),
        "`enclave {}`: {}",
        shown(&args),
        String::from_utf8_lossy(&out.stderr)
    );
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
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(base.with_extension("sec"))
            .expect("the secret key exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}.sec is readable by others");
    }
    key
}

const KDFS: [&str; 4] = ["scrypt", "bcrypt", "pbkdf2_hmac_sha256", "none"];

#[test]
fn keygen_encrypt_decrypt_round_trip_for_every_kdf() {
    let dir = scratch("round_trip");
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
    let decrypt = |key: &[String], encrypted: &Path| -> Vec<u8> {
        let mut args = vec!["decrypt".to_string()];
        args.extend(key.iter().cloned());
        args.push(encrypted.display().to_string());
        enclave_ok(&args)
    };

    let plaintexts = [
        ("empty", Vec::new()),
        ("short", b"Hello, Crypt4GH!\n".to_vec()),
        ("one_segment", plaintext(SEGMENT, 1)),
        ("several_segments", plaintext(3 * SEGMENT + 3392, 2)),
    ];
    for (label, plain) in &plaintexts {
        let input = dir.join(format!("{label}.bin"));
        write(&input, plain);
        let encrypted = dir.join(format!("{label}.c4gh"));
        // Sender: the bcrypt key (protected), recipients: all four.
        let mut args = vec!["encrypt".to_string()];
        args.extend(recipients.iter().cloned());
        args.extend(keys[1].1.iter().cloned());
        args.extend(["-o".into(), encrypted.display().to_string()]);
        args.push(input.display().to_string());
        enclave_ok(&args);
        // Every KDF opens the multi-segment file; the unprotected key (fast) opens the rest.
        let readers = if plain.len() > SEGMENT {
            &keys[..]
        } else {
            &keys[3..]
        };
        for (name, key) in readers {
            assert!(decrypt(key, &encrypted) == *plain, "{label} for {name}");
        }
    }

    // Edit lists, odd (the rest kept after the last skip) and even, from an anonymous sender
    // and read from standard input.
    let plain = &plaintexts[3].1;
    let input = dir.join("several_segments.bin");
    for edit_list in [&[100u64, 200, 70000][..], &[65530, 12, 65536, 5]] {
        let list = edit_list
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let encrypted = dir.join(format!("edited_{}.c4gh", edit_list.len()));
        let mut args = vec!["encrypt".to_string()];
        // For the first two keys (scrypt, bcrypt) only.
        args.extend(recipients[..4].iter().cloned());
        args.extend(["--edit-list".into(), list.clone(), "-o".into()]);
        args.push(encrypted.display().to_string());
        args.push("-".into());
        let out = std::process::Command::new(ENCLAVE)
            .args(&args)
            .stdin(std::fs::File::open(&input).expect("the plaintext exists"))
            .output()
            .expect("enclave runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = edited(plain, edit_list);
        for (name, key) in &keys[..2] {
            assert!(
                decrypt(key, &encrypted) == expected,
                "edit list {list} read by {name}"
            );
        }
    }
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = scratch("keygen_overwrite");
    let base = dir.join("me");
    let make = |extra: &[&str]| {
        let mut args = vec![
            "keygen",
            "--no-passphrase",
            "-o",
            base.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        enclave(&args)
    };
    assert!(make(&[]).status.success());
    let first = read(&base.with_extension("sec"));
    let message = enclave_err(&[
        "keygen",
        "--no-passphrase",
        "-o",
        base.to_str().expect("utf-8"),
    ]);
    assert!(
        message.contains("already exists") && message.contains("-f"),
        "{message}"
    );
    assert_eq!(
        read(&base.with_extension("sec")),
        first,
        "keygen overwrote without -f"
    );
    assert!(make(&["-f"]).status.success());
    assert_ne!(
        read(&base.with_extension("sec")),
        first,
        "-f did not write a new key"
    );
    assert_eq!(names_in(&dir), ["me.pub", "me.sec"]);

    let message = enclave_err(&["keygen", "-o", dir.join("other").to_str().expect("utf-8")]);
    assert!(
        message.contains("--passphrase-file") && message.contains("--no-passphrase"),
        "{message}"
    );
}

#[test]
fn encrypt_errors_are_named() {
    let dir = scratch("encrypt_errors");
    let input = dir.join("plain.txt");
    write(&input, b"some text\n");
    let out = dir.join("out.c4gh");
    let (carol_sec, _) = key("carol.sec");
    let carol_pub = generated("keys/carol.pub");
    let run = |extra: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["encrypt".as_ref()];
        args.extend_from_slice(extra);
        args.extend(["-o".as_ref(), out.as_os_str(), input.as_os_str()]);
        enclave_err(&args)
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
    let help = String::from_utf8(enclave_ok(&["--help"])).expect("utf-8");
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
