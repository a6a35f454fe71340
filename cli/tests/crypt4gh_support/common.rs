//! Helpers shared by `crypt4gh_cli.rs` and `crypt4gh_reference.rs` (included with `#[path]`, so
//! cargo does not build it as a test of its own): running the real `enclave` binary (`decrypt`,
//! and `view` / `query` / `stats` with `--key` against the plaintext), scratch directories under
//! cargo's per-target temporary directory, deterministic plaintexts, and an edit-list oracle
//! written independently of the engine's.

// Each test crate uses part of this file.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const ENCLAVE: &str = env!("CARGO_BIN_EXE_enclave");

/// Plaintext bytes per Crypt4GH segment (crypt4gh §3.3).
pub const SEGMENT: usize = 65536;

/// The KDFs `enclave keygen --kdf` offers, and `none` (`--no-passphrase`).
pub const KDFS: [&str; 4] = ["scrypt", "bcrypt", "pbkdf2_hmac_sha256", "none"];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli sits in the workspace")
        .to_path_buf()
}

/// `testdata/crypt4gh`: files made by the reference implementation and upstream projects.
pub fn crypt4gh_testdata() -> PathBuf {
    workspace_root().join("testdata").join("crypt4gh")
}

/// A fresh, empty directory for one test under `CARGO_TARGET_TMPDIR`.
pub fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("crypt4gh")
        .join(test);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("cannot clear {}: {e}", dir.display()));
    }
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Runs `enclave` with `args` (standard input empty).
pub fn enclave<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(ENCLAVE)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the enclave binary runs")
}

/// The command line, for failure messages.
pub fn shown<S: AsRef<OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fails the test unless the process `what` (a command line, for the message) succeeded.
pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "`{what}` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `enclave`, fails the test unless it succeeds, returns what it printed.
pub fn enclave_succeeds<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let out = enclave(args);
    assert_success(&out, &format!("enclave {}", shown(args)));
    out
}

/// Runs `enclave`, fails the test unless it succeeds, returns standard output.
pub fn enclave_ok<S: AsRef<OsStr>>(args: &[S]) -> Vec<u8> {
    enclave_succeeds(args).stdout
}

/// Runs `enclave`, fails the test unless it fails with one line on stderr; returns that line.
pub fn enclave_err<S: AsRef<OsStr>>(args: &[S]) -> String {
    let out = enclave(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "`enclave {}` should fail but succeeded; stderr: {stderr}",
        shown(args)
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "`enclave {}` should explain its failure in one line, printed: {stderr}",
        shown(args)
    );
    stderr
}

pub fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The names in `dir`, sorted: shows what a failed command left behind, temporary files included.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// `decrypt KEY… [-o OUT] ENCRYPTED`: `key` is `--key SECRET_KEY [--passphrase-file FILE]`.
pub fn decrypt_args<S: AsRef<OsStr>>(
    key: &[S],
    out: Option<&Path>,
    encrypted: &Path,
) -> Vec<OsString> {
    let mut args = vec![OsString::from("decrypt")];
    args.extend(key.iter().map(|a| a.as_ref().to_owned()));
    if let Some(out) = out {
        args.extend([OsString::from("-o"), out.into()]);
    }
    args.push(encrypted.into());
    args
}

/// `enclave decrypt KEY… ENCRYPTED`: fails the test unless it succeeds, returns the plaintext.
pub fn decrypt<S: AsRef<OsStr>>(key: &[S], encrypted: &Path) -> Vec<u8> {
    enclave_ok(&decrypt_args(key, None, encrypted))
}

/// `view`, `query` and `stats` with `key` (`--key SECRET_KEY [--passphrase-file FILE]`) on
/// `encrypted` print what they print for its plaintext `plain`, which has records.
pub fn assert_reads_like_plaintext<S: AsRef<OsStr>>(encrypted: &Path, plain: &Path, key: &[S]) {
    // One command on both files: what it prints with the key on `encrypted`, and on `plain`.
    let on_both = |command: &[&str]| {
        let mut on_plain: Vec<OsString> = command.iter().map(OsString::from).collect();
        let mut with_key = on_plain.clone();
        with_key.extend(key.iter().map(|a| a.as_ref().to_owned()));
        with_key.push(encrypted.into());
        on_plain.push(plain.into());
        let expected = enclave_ok(&on_plain);
        assert!(
            !expected.is_empty(),
            "`enclave {}` prints nothing",
            shown(&on_plain)
        );
        (enclave_ok(&with_key), expected)
    };
    let name = encrypted.display();
    let format = "%CHROM\\t%POS\\t%REF\\t%ALT[\\t%SAMPLE=%GT]\\n";
    for command in [
        &["view", "-f", "tsv"][..],
        &["view", "-f", "vcf"],
        &["query", "-f", format],
        &["stats"],
    ] {
        let (with_key, expected) = on_both(command);
        assert!(
            with_key == expected,
            "`enclave {}` of {name} differs from the plaintext's",
            command.join(" ")
        );
    }
    let json = |bytes: Vec<u8>| -> serde_json::Value {
        serde_json::from_slice(&bytes).expect("stats --json prints JSON")
    };
    let (encrypted_json, plain_json) = on_both(&["stats", "--json"]);
    let (encrypted_json, plain_json) = (json(encrypted_json), json(plain_json));
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

/// Deterministic bytes that do not repeat within a segment (xorshift64*), so a segment moved,
/// dropped or decrypted at the wrong offset shows.
pub fn plaintext(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// The plaintexts of the round trips, written to `dir/LABEL.bin`: empty (a header and no
/// segment), short, exactly one segment (no trailing empty segment), and several segments with a
/// short last one (seeds `seed` and `seed + 1`). The last is the several segments.
pub fn plaintexts(dir: &Path, seed: u64) -> Vec<(&'static str, PathBuf, Vec<u8>)> {
    [
        ("empty", Vec::new()),
        ("short", b"Hello, Crypt4GH!\n".to_vec()),
        ("one_segment", plaintext(SEGMENT, seed)),
        ("several_segments", plaintext(3 * SEGMENT + 3392, seed + 1)),
    ]
    .into_iter()
    .map(|(label, bytes)| {
        let path = dir.join(format!("{label}.bin"));
        write(&path, &bytes);
        (label, path, bytes)
    })
    .collect()
}

/// An edit list as `--edit-list` takes it: the lengths, comma-separated.
pub fn edit_list_arg(lengths: &[u64]) -> String {
    lengths
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// What a reader sees of `plain` under an edit list (crypt4gh §4.3): lengths alternate skip,
/// keep, …; after an odd count the rest is kept, after an even count nothing more is.
pub fn edited(plain: &[u8], lengths: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for (k, &len) in lengths.iter().enumerate() {
        let end = at.saturating_add(len as usize).min(plain.len());
        if k % 2 == 1 {
            out.extend_from_slice(&plain[at.min(plain.len())..end]);
        }
        at = end;
    }
    if lengths.len() % 2 == 1 {
        out.extend_from_slice(&plain[at..]);
    }
    out
}

/// The length of a Crypt4GH header (crypt4gh §3.2: magic, version, packet count, then packets
/// that each start with their own length), to find where the segments start.
pub fn header_len(file: &[u8]) -> usize {
    assert_eq!(&file[..8], b"crypt4gh", "not a Crypt4GH file");
    let u32_at = |at: usize| u32::from_le_bytes(file[at..at + 4].try_into().expect("4 bytes"));
    let packets = u32_at(12);
    let mut at = 16usize;
    for _ in 0..packets {
        at += u32_at(at) as usize;
    }
    at
}

/// Writes a passphrase file (the passphrase and a newline, as `echo` writes it).
pub fn passphrase_file(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    write(&path, format!("{passphrase}\n").as_bytes());
    path
}
