//! A fuzz target's seeds ([`Seeds`]), gathered at run time from `testdata/`,
//! `../shared/testdata` (when present) and `fuzz/seeds/<target>/` into its corpus folder.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use super::{Seeds, Target};
use crate::util::{self, Cmd, Result};

/// Writes `target`'s seeds into `corpus`, each named by a hash of its bytes (so the same seed
/// from two places is one file, and a kept corpus does not grow copies).
pub fn write(root: &Path, target: &Target, corpus: &Path) -> Result<()> {
    let mut folders = vec![root.join("testdata")];
    if let Some(shared) = shared_testdata(root) {
        folders.push(shared);
    }
    let mut files = Vec::new();
    for folder in &folders {
        files.extend(util::files_under(folder)?);
    }
    let write = |bytes: &[u8]| -> Result<()> {
        if bytes.is_empty() || bytes.len() > target.max_len {
            return Ok(());
        }
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        let path = corpus.join(format!("seed-{:016x}", hasher.finish()));
        fs::write(&path, bytes).map_err(|e| util::io_error("cannot write", &path, e))
    };
    let committed = root.join("fuzz").join("seeds").join(target.name);
    if committed.is_dir() {
        for file in util::files_under(&committed)? {
            write(&read(&file)?)?;
        }
    }
    for source in target.seeds {
        match *source {
            Seeds::Files(endings) => {
                for file in files.iter().filter(|f| ends_with(f, endings)) {
                    if size(file) <= target.max_len as u64 {
                        write(&read(file)?)?;
                    }
                }
            }
            Seeds::Inflated(endings) => {
                for file in files.iter().filter(|f| ends_with(f, endings)) {
                    // Compressed files grow: look at those up to 4 × the longest input.
                    if size(file) <= 4 * target.max_len as u64 {
                        write(&inflated(file)?)?;
                    }
                }
            }
            Seeds::KeysWithPassphrase => {
                for file in files.iter().filter(|f| ends_with(f, &[".sec"])) {
                    let stem = file
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .split('.')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let key = read(file)?;
                    for passphrase in [format!("{stem}-passphrase"), stem] {
                        let mut bytes = key.clone();
                        if !bytes.ends_with(b"\n") {
                            bytes.push(b'\n');
                        }
                        bytes.extend_from_slice(passphrase.as_bytes());
                        bytes.push(b'\n');
                        write(&bytes)?;
                    }
                }
            }
            Seeds::IndexedPairs => {
                for index in files.iter().filter(|f| ends_with(f, &[".tbi", ".csi"])) {
                    let data = index.with_extension("");
                    if !data.is_file() || size(&data) + size(index) + 5 > target.max_len as u64 {
                        continue;
                    }
                    // Mode 0: the pair as it is (the target's input layout: mode, index
                    // length, index, data).
                    let (index_bytes, data_bytes) = (read(index)?, read(&data)?);
                    write(&indexed_input(0, &index_bytes, &data_bytes))?;
                    // Mode 1 (blocks of 97 bytes) on the decompressed pair: the target
                    // compresses the text itself, so mutations reach the records.
                    let (index_text, data_text) = (inflated(index)?, inflated(&data)?);
                    write(&indexed_input(1, &index_text, &data_text))?;
                }
            }
            Seeds::FilterExpressions => {
                for tsv in files.iter().filter(|f| ends_with(f, &["filter-tests.tsv"])) {
                    let text = fs::read_to_string(tsv)
                        .map_err(|e| util::io_error("cannot read", tsv, e))?;
                    for expression in text.lines().flat_map(|l| options_of(l, &["-i", "-e"])) {
                        write(expression.as_bytes())?;
                    }
                }
            }
            Seeds::QueryFormats => {
                for tsv in files.iter().filter(|f| ends_with(f, &["filter-tests.tsv"])) {
                    let text = fs::read_to_string(tsv)
                        .map_err(|e| util::io_error("cannot read", tsv, e))?;
                    for format in text.lines().flat_map(|l| options_of(l, &["-f"])) {
                        // The shell's `\t` and `\n` are the format's own escapes: kept as typed.
                        write(format.as_bytes())?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// The `indexed` target's input: mode ‖ index length (u32 LE) ‖ index ‖ data.
pub fn indexed_input(mode: u8, index: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = vec![mode];
    out.extend_from_slice(&(index.len() as u32).to_le_bytes());
    out.extend_from_slice(index);
    out.extend_from_slice(data);
    out
}

/// The quoted values of `flags` in a bcftools command line (`-i'EXPR'`, `-e "EXPR"`), with a
/// shell's quoting undone (`\"` and `\\` inside double quotes).
fn options_of(line: &str, flags: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for word_start in line.match_indices(' ').map(|(i, _)| i + 1) {
        let rest = &line[word_start..];
        for flag in flags {
            let Some(after) = rest.strip_prefix(flag) else {
                continue;
            };
            let mut chars = after.trim_start().chars();
            let quote = match chars.next() {
                Some(q @ ('\'' | '"')) => q,
                _ => continue,
            };
            let mut value = String::new();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    c if c == quote => {
                        closed = true;
                        break;
                    }
                    '\\' if quote == '"' => match chars.next() {
                        Some(e @ ('"' | '\\')) => value.push(e),
                        Some(other) => {
                            value.push('\\');
                            value.push(other);
                        }
                        None => break,
                    },
                    c => value.push(c),
                }
            }
            if closed {
                out.push(value);
            }
        }
    }
    out
}

fn ends_with(path: &Path, endings: &[&str]) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    endings.iter().any(|e| name.ends_with(e))
}

fn size(path: &Path) -> u64 {
    fs::metadata(path).map_or(u64::MAX, |m| m.len())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| util::io_error("cannot read", path, e))
}

/// The bytes of `path` decompressed by `gzip -dc` (which reads BGZF too, a series of gzip
/// members) when they start with gzip's magic, else as they are.
fn inflated(path: &Path) -> Result<Vec<u8>> {
    let bytes = read(path)?;
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    Ok(Cmd::new("gzip")
        .arg("-dc")
        .arg(path)
        .read_bytes()
        .unwrap_or(bytes))
}

/// `../shared/testdata` beside the checkout, when present.
fn shared_testdata(root: &Path) -> Option<PathBuf> {
    let dir = root.parent()?.join("shared").join("testdata");
    dir.canonicalize().ok().filter(|d| d.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_formats_come_out_of_command_lines() {
        let line = "12\tquery\tbcftools query -f '%POS\\n' -i'QUAL>10 && DP<5' -e \"GT=\\\"het\\\"\" x.vcf";
        assert_eq!(options_of(line, &["-i"]), ["QUAL>10 && DP<5"]);
        assert_eq!(options_of(line, &["-f"]), ["%POS\\n"]);
        assert_eq!(options_of(line, &["-e"]), ["GT=\"het\""]);
        assert!(options_of("bcftools view x.vcf", &["-i"]).is_empty());
    }

    #[test]
    fn indexed_input_has_the_targets_layout() {
        let input = indexed_input(1, b"TBI", b"data");
        assert_eq!(input, b"\x01\x03\x00\x00\x00TBIdata");
    }
}
