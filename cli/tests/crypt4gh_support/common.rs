//! Helpers shared by `crypt4gh_cli.rs` and `crypt4gh_reference.rs` (included with `#[path]`, so
//! cargo does not build it as a test of its own): running the real `enclave` binary, scratch
//! directories under cargo's per-target temporary directory, deterministic plaintexts, and an
//! edit-list oracle written independently of the engine's.

// Each test crate uses part of this file.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const ENCLAVE: &str = env!("CARGO_BIN_EXE_enclave");

/// Plaintext bytes per Crypt4GH segment (crypt4gh §3.3).
pub const SEGMENT: usize = 65536;

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
pub fn enclave<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(ENCLAVE)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the enclave binary runs")
}

/// The command line, for failure messages.
pub fn shown<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `enclave`, fails the test unless it succeeds, returns standard output.
pub fn enclave_ok<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Vec<u8> {
    let out = enclave(args);
    assert!(
        out.status.success(),
        "`enclave {}` failed ({}): {}",
        shown(args),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `enclave`, fails the test unless it fails with one line on stderr; returns that line.
pub fn enclave_err<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
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
