//! Crypt4GH helpers of the engine's and the CLI's tests, written from the standard
//! (crypt4gh.tex) independently of the engine: what a reader sees under an edit list
//! ([`edited`], §4.3), where a file's segments start ([`header_len`], §3.2), deterministic
//! plaintexts of the sizes that matter around a segment ([`plaintexts`]), and running the
//! `enclave` CLI's Crypt4GH commands ([`decrypt`], [`assert_reads_like_plaintext`]).

#[cfg(not(target_arch = "wasm32"))]
use std::ffi::{OsStr, OsString};
#[cfg(not(target_arch = "wasm32"))]
use std::path::{Path, PathBuf};

#[cfg(not(target_arch = "wasm32"))]
use crate::files::write;
#[cfg(not(target_arch = "wasm32"))]
use crate::process::{Program, shown};
use crate::rng::SplitMix64;

/// Plaintext bytes per Crypt4GH segment (crypt4gh §3.3).
pub const SEGMENT: usize = 65536;

/// The KDFs `enclave keygen --kdf` offers, and `none` (`--no-passphrase`).
pub const KDFS: [&str; 4] = ["scrypt", "bcrypt", "pbkdf2_hmac_sha256", "none"];

/// What a reader sees of `plain` under an edit list (crypt4gh §4.3): lengths alternate skip,
/// keep, …; after an odd count the rest is kept, after an even count nothing more is.
pub fn edited(plain: &[u8], lengths: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for (k, &len) in lengths.iter().enumerate() {
        let end = at
            .saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
            .min(plain.len());
        if k % 2 == 1 {
            out.extend_from_slice(&plain[at..end]);
        }
        at = end;
    }
    if lengths.len() % 2 == 1 {
        out.extend_from_slice(&plain[at..]);
    }
    out
}

/// An edit list as `--edit-list` takes it: the lengths, comma-separated.
pub fn edit_list_arg(lengths: &[u64]) -> String {
    lengths
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
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

/// `len` deterministic bytes from `seed`, without a pattern that repeats within a segment, so a
/// segment moved, dropped or decrypted at the wrong offset shows.
pub fn plaintext(len: usize, seed: u64) -> Vec<u8> {
    SplitMix64(seed).bytes(len)
}

/// The plaintexts of the round trips, written to `dir/LABEL.bin`: empty (a header and no
/// segment), short, exactly one segment (no trailing empty segment), and several segments with a
/// short last one (seeds `seed` and `seed + 1`). The last is the several segments.
#[cfg(not(target_arch = "wasm32"))]
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

/// Writes a passphrase file (the passphrase and a newline, as `echo` writes it).
#[cfg(not(target_arch = "wasm32"))]
pub fn passphrase_file(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let path = dir.join(name);
    write(&path, format!("{passphrase}\n").as_bytes());
    path
}

/// `decrypt KEY… [-o OUT] ENCRYPTED`: `key` is `--key SECRET_KEY [--passphrase-file FILE]`.
#[cfg(not(target_arch = "wasm32"))]
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
#[cfg(not(target_arch = "wasm32"))]
pub fn decrypt<S: AsRef<OsStr>>(enclave: Program, key: &[S], encrypted: &Path) -> Vec<u8> {
    enclave.ok(&decrypt_args(key, None, encrypted))
}

/// `enclave` `view`, `query` and `stats` with `key` (`--key SECRET_KEY [--passphrase-file FILE]`)
/// on `encrypted` print what they print for its plaintext `plain`, which has records.
#[cfg(not(target_arch = "wasm32"))]
pub fn assert_reads_like_plaintext<S: AsRef<OsStr>>(
    enclave: Program,
    encrypted: &Path,
    plain: &Path,
    key: &[S],
) {
    // One command on both files: what it prints with the key on `encrypted`, and on `plain`.
    let on_both = |command: &[&str]| {
        let mut on_plain: Vec<OsString> = command.iter().map(OsString::from).collect();
        let mut with_key = on_plain.clone();
        with_key.extend(key.iter().map(|a| a.as_ref().to_owned()));
        with_key.push(encrypted.into());
        on_plain.push(plain.into());
        let expected = enclave.ok(&on_plain);
        assert!(
            !expected.is_empty(),
            "`enclave {}` prints nothing",
            shown(&on_plain)
        );
        (enclave.ok(&with_key), expected)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_lists_skip_and_keep_in_turn() {
        let plain: Vec<u8> = (0..10).collect();
        // An even count (none at all included) keeps nothing past its last length.
        assert_eq!(edited(&plain, &[]), Vec::<u8>::new());
        // Odd count: skip 2, keep 3, skip 1, then the rest is kept.
        assert_eq!(edited(&plain, &[2, 3, 1]), [2, 3, 4, 6, 7, 8, 9]);
        // Even count: nothing after the last kept length.
        assert_eq!(edited(&plain, &[2, 3]), [2, 3, 4]);
        assert_eq!(edited(&plain, &[0, 4, 100, 1]), [0, 1, 2, 3]);
        // Lengths past the end keep what there is.
        assert_eq!(edited(&plain, &[8, u64::MAX]), [8, 9]);
        assert_eq!(edit_list_arg(&[100, 200, 70000]), "100,200,70000");
    }

    #[test]
    fn a_header_is_measured_by_its_packets() {
        let mut file = b"crypt4gh".to_vec();
        file.extend_from_slice(&1u32.to_le_bytes());
        file.extend_from_slice(&2u32.to_le_bytes());
        for len in [20u32, 8] {
            file.extend_from_slice(&len.to_le_bytes());
            file.extend(std::iter::repeat_n(0, len as usize - 4));
        }
        file.extend_from_slice(b"segments");
        assert_eq!(header_len(&file), 16 + 20 + 8);
    }

    #[test]
    fn plaintexts_are_deterministic_and_seeded() {
        assert_eq!(plaintext(1000, 5), plaintext(1000, 5));
        assert_ne!(plaintext(1000, 5), plaintext(1000, 6));
        let bytes = plaintext(SEGMENT, 1);
        // No short period: the second half is not the first.
        assert_ne!(bytes[..SEGMENT / 2], bytes[SEGMENT / 2..]);
    }
}
