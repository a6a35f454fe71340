//! Conformance against the hts-specs VCF corpus (`testdata/hts-specs/test/vcf/`, copied from
//! github.com/samtools/hts-specs; see `testdata/README.md`).
//!
//! - Every file in `*/passed/` must load, with one record per non-header line.
//! - Every file in `*/failed/` has one defect, named by its `##CauseOfFailure=` line. The engine
//!   either rejects it (`error`, with its message) or tolerates it (`lenient`, with its warnings).
//!   Which one is a product decision that changes as the engine grows (bcftools itself accepts 554
//!   of them), so the outcomes are not asserted one by one in code: they are computed here and
//!   compared with the committed manifest `testdata/expected/hts-specs-failed-outcomes.tsv`. Any
//!   change — a file newly rejected, newly tolerated, or a reworded message — fails the test and
//!   shows up as a reviewable diff once the manifest is regenerated with
//!   `ENCLAVE_BLESS=1 cargo test -p wasm-core --test hts_specs_corpus`.
//! - No file may panic the engine: each one is read inside `catch_unwind`.
//!
//! The table of outcomes is printed (`cargo test -- --nocapture`) and written to
//! `target/hts-specs-outcomes.txt`.

// Native only: these read files from testdata/ and catch panics, which the browser build cannot.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use enclave_test_support::files::{blessing, testdata_dir};
use wasm_core::progress::Silent;

const MANIFEST: &str = "expected/hts-specs-failed-outcomes.tsv";
const CORPUS: &str = "hts-specs/test/vcf";

/// What the engine did with one file.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Loaded: record count and warnings.
    Loaded { records: u64, warnings: Vec<String> },
    /// Rejected with this message.
    Error(String),
    /// The engine panicked (always a bug).
    Panic(String),
}

/// Reads one file through the engine, catching panics.
fn outcome(bytes: &[u8]) -> Outcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let ds =
            wasm_core::read_dataset(Cursor::new(bytes), Some(bytes.len() as u64), &mut Silent)?;
        // Exporting what was loaded must not panic either.
        let mut tsv = Vec::new();
        wasm_core::export::write_tsv(&mut tsv, &ds.store, 0..ds.store.len())
            .expect("writing to a Vec");
        Ok::<_, wasm_core::IngestError>(ds)
    }));
    match result {
        Ok(Ok(ds)) => Outcome::Loaded {
            records: ds.summary.records,
            warnings: ds.summary.warnings,
        },
        Ok(Err(e)) => Outcome::Error(e.report().to_string()),
        Err(payload) => Outcome::Panic(
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic payload)".into()),
        ),
    }
}

/// Record lines: not empty and not starting with `#`.
fn data_lines(bytes: &[u8]) -> u64 {
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && l[0] != b'#')
        .count() as u64
}

fn cause_of_failure(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .find_map(|l| l.strip_prefix("##CauseOfFailure="))
        .map_or_else(
            || "(none given)".to_string(),
            |c| c.trim_end_matches('\r').to_string(),
        )
}

/// Escapes a TSV cell: backslash, tab, CR and LF.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// `(version, kind, path relative to testdata)` of every corpus file, sorted.
fn corpus_files() -> Vec<(String, String, String)> {
    let root = testdata_dir().join(CORPUS);
    let mut out = Vec::new();
    let mut versions: Vec<_> = fs::read_dir(&root)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the corpus is committed under testdata/)",
                root.display()
            )
        })
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    for version in versions {
        for kind in ["passed", "failed"] {
            let dir = root.join(&version).join(kind);
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".vcf"))
                .collect();
            names.sort();
            for name in names {
                out.push((
                    version.clone(),
                    kind.to_string(),
                    format!("{CORPUS}/{version}/{kind}/{name}"),
                ));
            }
        }
    }
    out
}

/// One manifest row: `outcome`, `cause`, `detail`.
type Row = (String, String, String);

fn manifest_row(outcome: &Outcome, cause: &str) -> Row {
    let (kind, detail) = match outcome {
        Outcome::Error(msg) => ("error", msg.clone()),
        Outcome::Loaded { warnings, .. } => {
            let mut d = format!("{} warning(s)", warnings.len());
            if !warnings.is_empty() {
                d.push_str(": ");
                d.push_str(&warnings.join(" | "));
            }
            ("lenient", d)
        }
        Outcome::Panic(msg) => ("panic", msg.clone()),
    };
    (kind.to_string(), escape(cause), escape(&detail))
}

const HEADER: &str = "# Outcomes of Enclave's engine on hts-specs' must-fail VCFs (testdata/hts-specs/test/vcf/*/failed/).\n\
# outcome: error = rejected with the message in `detail`; lenient = loaded, `detail` lists the warnings.\n\
# Computed by wasm-core/tests/hts_specs_corpus.rs. Regenerate after an intended change with:\n\
#   ENCLAVE_BLESS=1 cargo test -p wasm-core --test hts_specs_corpus\n\
path\toutcome\tcause_of_failure\tdetail\n";

fn render_manifest(rows: &BTreeMap<String, Row>) -> String {
    let mut s = HEADER.to_string();
    for (path, (outcome, cause, detail)) in rows {
        let _ = writeln!(s, "{path}\t{outcome}\t{cause}\t{detail}");
    }
    s
}

fn parse_manifest(text: &str) -> BTreeMap<String, Row> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty() && !l.starts_with("path\t"))
        .map(|l| {
            let mut c = l.splitn(4, '\t');
            let mut next = || c.next().unwrap_or_default().to_string();
            let path = next();
            (path, (next(), next(), next()))
        })
        .collect()
}

/// Where cargo puts build output for this test binary (`target/` unless CARGO_TARGET_DIR says).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test binary>
    exe.ancestors()
        .nth(3)
        .map_or_else(|| testdata_dir().join("../target"), Path::to_path_buf)
}

#[test]
fn hts_specs_vcf_corpus() {
    let files = corpus_files();
    assert!(
        files.len() > 600,
        "expected the whole hts-specs VCF corpus, found {} files",
        files.len()
    );

    let mut problems = Vec::new();
    let mut actual = BTreeMap::new();
    // version -> [passed loaded, passed rejected, failed error, failed lenient, panics]
    let mut table: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    for (version, kind, path) in &files {
        let bytes = fs::read(testdata_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let got = outcome(&bytes);
        let counts = table.entry(version.clone()).or_default();
        if let Outcome::Panic(msg) = &got {
            counts[4] += 1;
            problems.push(format!("PANIC {path}: {msg}"));
            if kind == "failed" {
                actual.insert(path.clone(), manifest_row(&got, &cause_of_failure(&bytes)));
            }
            continue;
        }
        if kind == "passed" {
            let expected = data_lines(&bytes);
            match &got {
                Outcome::Loaded { records, .. } if *records == expected => counts[0] += 1,
                Outcome::Loaded { records, .. } => {
                    counts[1] += 1;
                    problems.push(format!("must-pass {path}: loaded {records} records, the file has {expected} record lines"));
                }
                Outcome::Error(msg) => {
                    counts[1] += 1;
                    problems.push(format!("must-pass {path} was rejected: {msg}"));
                }
                Outcome::Panic(_) => unreachable!(),
            }
        } else {
            counts[if matches!(got, Outcome::Error(_)) {
                2
            } else {
                3
            }] += 1;
            actual.insert(path.clone(), manifest_row(&got, &cause_of_failure(&bytes)));
        }
    }

    let mut report = String::from("hts-specs VCF corpus: Enclave engine outcomes\n");
    let _ = writeln!(
        report,
        "{:<8} {:>13} {:>15} {:>13} {:>15} {:>7}",
        "version", "passed:loaded", "passed:rejected", "failed:error", "failed:lenient", "panics"
    );
    let mut total = [0u64; 5];
    for (version, c) in &table {
        let _ = writeln!(
            report,
            "{version:<8} {:>13} {:>15} {:>13} {:>15} {:>7}",
            c[0], c[1], c[2], c[3], c[4]
        );
        for (t, v) in total.iter_mut().zip(c) {
            *t += v;
        }
    }
    let c = total;
    let _ = writeln!(
        report,
        "{:<8} {:>13} {:>15} {:>13} {:>15} {:>7}",
        "total", c[0], c[1], c[2], c[3], c[4]
    );
    for p in &problems {
        let _ = writeln!(report, "  {p}");
    }
    print!("{report}");
    let target = target_dir();
    if fs::create_dir_all(&target).is_ok() {
        let _ = fs::write(target.join("hts-specs-outcomes.txt"), &report);
    }

    let manifest_path = testdata_dir().join(MANIFEST);
    if blessing() {
        fs::create_dir_all(manifest_path.parent().expect("has a parent"))
            .expect("create testdata/expected");
        fs::write(&manifest_path, render_manifest(&actual)).expect("write manifest");
        println!("wrote {}", manifest_path.display());
    } else {
        let committed = fs::read_to_string(&manifest_path).unwrap_or_else(|e| {
            panic!("{}: {e}; generate it with ENCLAVE_BLESS=1 cargo test -p wasm-core --test hts_specs_corpus", manifest_path.display())
        });
        let expected = parse_manifest(&committed);
        let mut diff = Vec::new();
        for (path, row) in &actual {
            match expected.get(path) {
                None => diff.push(format!(
                    "+ {path}\t{}\t{}  (not in the manifest)",
                    row.0, row.2
                )),
                Some(old) if old != row => {
                    diff.push(format!(
                        "~ {path}\n    was: {}\t{}\n    now: {}\t{}",
                        old.0, old.2, row.0, row.2
                    ));
                }
                Some(_) => {}
            }
        }
        for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
            diff.push(format!(
                "- {path}  (in the manifest, no longer in the corpus)"
            ));
        }
        if !diff.is_empty() {
            problems.push(format!(
                "{} must-fail outcome(s) differ from {MANIFEST}; if the change is intended, regenerate it with \
                 ENCLAVE_BLESS=1 cargo test -p wasm-core --test hts_specs_corpus and review the diff:\n{}",
                diff.len(),
                diff.join("\n")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "hts-specs corpus:\n{}",
        problems.join("\n")
    );
}
