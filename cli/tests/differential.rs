//! Differential tests: the `enclave` binary against bcftools, the live oracle.
//!
//! - [`differential_set_matches_bcftools`]: for each file of a curated set committed under
//!   `testdata/` (see `testdata/README.md`), `enclave view -f tsv` must equal
//!   `bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\n'` byte for byte, and `enclave stats --json`
//!   must agree with bcftools on records, samples and the `bcftools stats` SN counts.
//! - [`shared_testdata_sweep`]: every VCF/BCF under `$ENCLAVE_SHARED_TESTDATA` (default
//!   `../shared/testdata` beside the workspace) that bcftools reads, except hts-specs' must-fail
//!   files, is compared the same way (TSV only). Files Enclave rejects, and files whose TSV
//!   differs, are listed in committed expectation files; any change to either list fails the test,
//!   so improvements and regressions are both noticed. Regenerate them after an intended change:
//!   `ENCLAVE_BLESS=1 cargo test -p enclave-cli --test differential`.
//!
//! bcftools must be on PATH (`cargo xtask bootstrap` installs it; CI has it): without it these
//! tests fail rather than skip, because a differential test that silently skips cannot fail.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use enclave_test_support::files::{blessing, shared_testdata_or_skip, testdata_dir};
use enclave_test_support::oracle::require;
use enclave_test_support::process::{Program, Run, TIMEOUT, on_two_workers, run};

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

/// Passed to bcftools as written in a shell: bcftools expands `\t` and `\n` itself.
const QUERY_FORMAT: &str = r"%CHROM\t%POS\t%REF\t%ALT\n";

const REJECTIONS: &str = "expected/shared-sweep-rejections.tsv";
const MISMATCHES: &str = "expected/shared-sweep-mismatches.tsv";

/// The curated differential set: a path under `testdata/` and what it covers.
const DIFFERENTIAL_SET: &[(&str, &str)] = &[
    (
        "vcfpy/tests/vcfs/full_vcf43.vcf",
        "plain VCF 4.3, 3 samples, multiallelic, a no-ALT record",
    ),
    ("vcfpy/tests/vcfs/full_vcf43.vcf.gz", "BGZF .vcf.gz"),
    (
        "vcfpy/tests/vcfs/full_vcf43_no_samples.vcf",
        "sites only (no FORMAT, no samples)",
    ),
    (
        "vcfpy/tests/vcfs_from_the_wild/1kg.vcf.gz",
        "plain gzip (not BGZF) .vcf.gz, 629 samples, VCF 4.0",
    ),
    (
        "vcfpy/tests/vcfs_from_the_wild/1kg.sites.vcf",
        "sites only, 1000 Genomes, SNPs and indels",
    ),
    ("generated/derived/vcfpy.1kg.bcf", "BCF (BGZF), 629 samples"),
    (
        "slivar/tests/ashk-trio.vcf.gz",
        "GIAB trio, 9,940 records, BGZF, BCSQ",
    ),
    (
        "cyvcf2/cyvcf2/tests/test.snpeff.bcf",
        "small BCF, 4 samples, SnpEff EFF",
    ),
    (
        "cyvcf2/cyvcf2/tests/test.isa.vcf",
        "gVCF-style <NON_REF> / <*> alleles, no samples",
    ),
    (
        "cyvcf2/cyvcf2/tests/test.mnp.vcf",
        "MNPs, multiallelic, haploid",
    ),
    (
        "cyvcf2/cyvcf2/tests/seg.vcf.gz",
        "BGZF, symbolic <DEL>, contig not in the header",
    ),
    (
        "htslib/test/tabix/vcf_file.bcf",
        "BCF with an allele over 1 kb, Number=G/A",
    ),
    (
        "htslib/test/tabix/large_chr.vcf",
        "POS 2^31-1 on a 2^31-1 long contig",
    ),
    (
        "htslib/test/formatcols.vcf",
        "non-ASCII sample name, long FORMAT strings",
    ),
    ("bcftools/test/norm.breakend.1.vcf", "VCF 4.5 breakends"),
    (
        "bcftools/test/consensus.12.vcf",
        "gVCF reference blocks, <DEL>, multiallelic",
    ),
    (
        "bcftools/test/annotate.missing-append.vcf",
        "spanning deletion *, multiallelic",
    ),
];

fn bcftools(args: &[&str], file: &Path) -> Run {
    run(Command::new("bcftools").args(args).arg(file))
}

fn enclave(args: &[&str], file: &Path) -> Run {
    run(Command::new(ENCLAVE).args(args).arg(file))
}

fn line_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Escapes a TSV cell: backslash, tab, CR and LF.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// The first line where two outputs differ, for a message.
fn first_difference(oracle: &[u8], ours: &[u8]) -> String {
    let a: Vec<&[u8]> = oracle.split(|&b| b == b'\n').collect();
    let b: Vec<&[u8]> = ours.split(|&b| b == b'\n').collect();
    let show = |l: Option<&&[u8]>| {
        l.map_or("(no line)".to_string(), |l| {
            shorten(&escape(&String::from_utf8_lossy(l)), 80)
        })
    };
    let k = (0..a.len().max(b.len()))
        .find(|&k| a.get(k) != b.get(k))
        .unwrap_or(0);
    format!(
        "line {}: bcftools {} / enclave {} ({} vs {} lines)",
        k + 1,
        show(a.get(k)),
        show(b.get(k)),
        line_count(oracle),
        line_count(ours)
    )
}

/// `bcftools stats` SN lines: `number of SNPs:` → 42.
fn sn_counts(stats: &[u8]) -> BTreeMap<String, u64> {
    String::from_utf8_lossy(stats)
        .lines()
        .filter_map(|l| {
            let mut c = l.split('\t');
            (c.next()? == "SN").then_some(())?;
            c.next()?;
            let key = c
                .next()?
                .trim_start_matches("number of ")
                .trim_end_matches(':')
                .to_string();
            Some((key, c.next()?.trim().parse().ok()?))
        })
        .collect()
}

/// Whether every record's alleles lie where Enclave's and bcftools' allele classes coincide,
/// judged on the oracle's own `CHROM POS REF ALT` output. `None` when they do; else the first
/// record that leaves that domain and why.
///
/// Both classify alleles with htslib's rules (`wasm_core::variant_type`, trimming shared prefix
/// and suffix), so SNP, MNP, indel, other and no-ALT counts must agree. Left out: `*`
/// (overlapping deletion) and breakends, classes of their own in htslib (`VCF_OVERLAP`,
/// `VCF_BND`) that bcftools stats 1.16 does not count as "others", while Enclave's summary does.
fn outside_shared_allele_domain(tsv: &[u8]) -> Option<String> {
    for line in String::from_utf8_lossy(tsv).lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let Some(alts) = cols.get(3) else {
            continue;
        };
        let why = alts.split(',').find_map(|a| {
            if a == "*" {
                Some("`*` (overlapping deletion) ALT")
            } else if a.contains('[')
                || a.contains(']')
                || a.starts_with('.') && a.len() > 1
                || a.ends_with('.') && a.len() > 1
            {
                Some("breakend ALT")
            } else {
                None
            }
        });
        if let Some(why) = why {
            return Some(format!("{why}: {}", shorten(&escape(line), 60)));
        }
    }
    None
}

#[test]
fn differential_set_matches_bcftools() {
    require("bcftools");
    let mut failures = Vec::new();
    let mut table = String::from("differential set (enclave vs bcftools)\n");
    let _ = writeln!(
        table,
        "{:<48} {:>7} {:>7}  {:<5} {:<6} allele-class counts",
        "file", "records", "samples", "tsv", "counts"
    );
    for (rel, covers) in DIFFERENTIAL_SET {
        let path = testdata_dir().join(rel);
        assert!(path.is_file(), "{rel} is missing from testdata/ ({covers})");
        let mut fail = |what: String| failures.push(format!("{rel} ({covers}): {what}"));

        let oracle = bcftools(&["query", "-f", QUERY_FORMAT], &path);
        assert!(
            oracle.ok(),
            "bcftools query failed on {rel}, which is in the differential set: {}",
            oracle.stderr
        );
        let view = enclave(&["view", "-f", "tsv"], &path);
        let tsv_ok = if view.crashed() || view.timed_out {
            fail(format!(
                "enclave view crashed or hung (exit {:?}): {}",
                view.code,
                view.stderr.trim()
            ));
            false
        } else if !view.ok() {
            fail(format!("enclave view failed: {}", view.stderr.trim()));
            false
        } else if view.stdout != oracle.stdout {
            fail(format!(
                "tsv differs: {}",
                first_difference(&oracle.stdout, &view.stdout)
            ));
            false
        } else {
            true
        };

        let records = line_count(&bcftools(&["view", "-H"], &path).stdout);
        let samples = line_count(&bcftools(&["query", "-l"], &path).stdout);
        let sn = sn_counts(&bcftools(&["stats"], &path).stdout);
        let stats = enclave(&["stats", "--json"], &path);
        let mut counts_ok = false;
        let mut class_note = String::from("-");
        if !stats.ok() {
            fail(format!(
                "enclave stats failed (exit {:?}): {}",
                stats.code,
                stats.stderr.trim()
            ));
        } else {
            let json: serde_json::Value = serde_json::from_slice(&stats.stdout)
                .unwrap_or_else(|e| panic!("{rel}: enclave stats --json is not JSON: {e}"));
            let get = |p: &str| json.pointer(p).and_then(serde_json::Value::as_u64);
            let before = failures.len();
            // The per-column breakdown adds up to the store's bytes.
            let columns: Option<u64> = json
                .pointer("/summary/store_columns")
                .and_then(serde_json::Value::as_array)
                .map(|cols| cols.iter().filter_map(|c| c["bytes"].as_u64()).sum());
            if columns.is_none() || columns != get("/summary/store_bytes") {
                failures.push(format!(
                    "{rel}: summary.store_columns adds up to {columns:?}, store_bytes is {:?}",
                    get("/summary/store_bytes")
                ));
            }
            let mut check = |what: &str, ours: Option<u64>, theirs: Option<u64>| {
                if ours.is_none() || ours != theirs {
                    failures.push(format!(
                        "{rel} ({covers}): {what}: enclave {ours:?}, bcftools {theirs:?}"
                    ));
                }
            };
            check(
                "summary.records vs `bcftools view -H | wc -l`",
                get("/summary/records"),
                Some(records),
            );
            check(
                "stats.records vs `bcftools view -H | wc -l`",
                get("/stats/records"),
                Some(records),
            );
            check(
                "stats.samples vs `bcftools query -l | wc -l`",
                get("/stats/samples"),
                Some(samples),
            );
            // Agree by definition on every file.
            check(
                "SN number of records",
                get("/stats/records"),
                sn.get("records").copied(),
            );
            check(
                "SN number of samples",
                get("/stats/samples"),
                sn.get("samples").copied(),
            );
            check(
                "SN number of multiallelic sites",
                get("/stats/multiallelic"),
                sn.get("multiallelic sites").copied(),
            );
            // Agree by definition only where both classify alleles the same way.
            match outside_shared_allele_domain(&oracle.stdout) {
                Some(why) => class_note = format!("not compared ({why})"),
                None => {
                    class_note = "compared".into();
                    for (key, sn_key) in [
                        ("no_alts", "no-ALTs"),
                        ("snps", "SNPs"),
                        ("mnps", "MNPs"),
                        ("indels", "indels"),
                        ("others", "others"),
                        ("multiallelic_snps", "multiallelic SNP sites"),
                    ] {
                        check(
                            &format!("SN number of {sn_key}"),
                            get(&format!("/stats/{key}")),
                            sn.get(sn_key).copied(),
                        );
                    }
                }
            }
            counts_ok = failures.len() == before;
        }
        let mark = |ok: bool| if ok { "ok" } else { "FAIL" };
        let _ = writeln!(
            table,
            "{:<48} {records:>7} {samples:>7}  {:<5} {:<6} {class_note}",
            shorten(rel, 48),
            mark(tsv_ok),
            mark(counts_ok)
        );
    }
    print!("{table}");
    assert!(
        failures.is_empty(),
        "enclave disagrees with bcftools:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The shared-corpus sweep.

/// What happened to one shared file.
enum Outcome {
    /// bcftools cannot read it: not compared.
    OracleRejects,
    Match,
    /// Both read it; the TSV differs (first difference).
    Mismatch(String),
    /// bcftools reads it, Enclave refuses it (message).
    Rejected(String),
    /// A panic, a signal or a hang: always a bug, never blessed.
    Crash(String),
}

fn is_variant_file(name: &str) -> bool {
    [".vcf", ".vcf.gz", ".vcf.bgz", ".bcf", ".gvcf"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Every VCF/BCF under `dir` (by name), as sorted `/`-separated relative paths, without
/// hts-specs' must-fail files (bcftools accepts most of them; `hts_specs_corpus` covers them).
fn sweep_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                walk(base, &path, out);
            } else if kind.is_file() && is_variant_file(&entry.file_name().to_string_lossy()) {
                let rel = path.strip_prefix(base).expect("under base");
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.retain(|p| !(p.starts_with("hts-specs/test/vcf/") && p.contains("/failed/")));
    out.sort();
    out
}

fn sweep_one(dir: &Path, rel: &str) -> Outcome {
    let oracle = run(Command::new("bcftools")
        .args(["query", "-f", QUERY_FORMAT, rel])
        .current_dir(dir));
    if !oracle.ok() {
        return Outcome::OracleRejects;
    }
    let ours = run(Command::new(ENCLAVE)
        .args(["view", "-f", "tsv", rel])
        .current_dir(dir));
    if ours.timed_out {
        return Outcome::Crash(format!("no answer after {} s", TIMEOUT.as_secs()));
    }
    if ours.crashed() {
        return Outcome::Crash(format!(
            "exit {:?}: {}",
            ours.code,
            shorten(ours.stderr.trim(), 400)
        ));
    }
    if !ours.ok() {
        // The CLI prints `enclave: PATH: message`; keep the message.
        let msg = ours.stderr.trim();
        let msg = msg.strip_prefix("enclave: ").unwrap_or(msg);
        let msg = msg.strip_prefix(&format!("{rel}: ")).unwrap_or(msg);
        return Outcome::Rejected(escape(msg));
    }
    if ours.stdout == oracle.stdout {
        Outcome::Match
    } else {
        Outcome::Mismatch(first_difference(&oracle.stdout, &ours.stdout))
    }
}

/// Reads an expectation file: path → the remaining cells.
fn read_expectations(path: &Path) -> Option<BTreeMap<String, Vec<String>>> {
    let text = fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("path\t"))
            .map(|l| {
                let mut cells = l.split('\t').map(str::to_string);
                (cells.next().unwrap_or_default(), cells.collect())
            })
            .collect(),
    )
}

const BLESS_HINT: &str = "if the change is intended, regenerate with \
    `ENCLAVE_BLESS=1 cargo test -p enclave-cli --test differential shared_testdata_sweep` and review the diff";

/// Compares `actual` (path → first cell) with the committed file's first cells; returns the
/// changes as readable lines.
fn compare(
    what: &str,
    file: &str,
    expected: &BTreeMap<String, Vec<String>>,
    actual: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut diff = Vec::new();
    for (path, now) in actual {
        match expected.get(path).and_then(|cells| cells.first()) {
            None => diff.push(format!("  new {what}: {path}\n      {now}")),
            Some(was) if was != now => diff.push(format!(
                "  changed {what}: {path}\n      was: {was}\n      now: {now}"
            )),
            Some(_) => {}
        }
    }
    for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
        diff.push(format!("  no longer a {what}: {path}"));
    }
    if !diff.is_empty() {
        diff.insert(0, format!("{} change(s) against {file}:", diff.len()));
    }
    diff
}

#[test]
fn shared_testdata_sweep() {
    let Some(dir) = shared_testdata_or_skip("shared_testdata_sweep") else {
        return;
    };
    require("bcftools");
    let files = sweep_files(&dir);
    assert!(
        !files.is_empty(),
        "no VCF/BCF files under {}",
        dir.display()
    );

    // In the files' (sorted) order.
    let results: Vec<(String, Outcome)> =
        on_two_workers(&files, |rel| (rel.clone(), sweep_one(&dir, rel)));

    let mut rejected = BTreeMap::new();
    let mut mismatched = BTreeMap::new();
    let mut crashes = Vec::new();
    let (mut oracle_rejects, mut matches) = (0, 0);
    for (rel, outcome) in &results {
        match outcome {
            Outcome::OracleRejects => oracle_rejects += 1,
            Outcome::Match => matches += 1,
            Outcome::Mismatch(d) => {
                // Already one line, with the records' tabs shown as `\t`.
                mismatched.insert(rel.clone(), d.clone());
            }
            Outcome::Rejected(m) => {
                rejected.insert(rel.clone(), m.clone());
            }
            Outcome::Crash(m) => crashes.push(format!("  {rel}: {m}")),
        }
    }

    let mut report = format!(
        "shared sweep of {} ({} VCF/BCF files)\n",
        dir.display(),
        files.len()
    );
    let _ = writeln!(
        report,
        "  {:<44} {:>5}",
        "bcftools rejects (not compared)", oracle_rejects
    );
    let _ = writeln!(report, "  {:<44} {:>5}", "same tsv as bcftools", matches);
    let _ = writeln!(
        report,
        "  {:<44} {:>5}",
        "tsv differs from bcftools",
        mismatched.len()
    );
    let _ = writeln!(
        report,
        "  {:<44} {:>5}",
        "enclave rejects, bcftools reads",
        rejected.len()
    );
    let _ = writeln!(
        report,
        "  {:<44} {:>5}",
        "enclave panics, crashes or hangs",
        crashes.len()
    );
    for (rel, m) in &rejected {
        let _ = writeln!(report, "  rejects  {rel}: {}", shorten(m, 160));
    }
    for (rel, d) in &mismatched {
        let _ = writeln!(report, "  differs  {rel}: {}", shorten(d, 160));
    }
    print!("{report}");

    let rejections_path = testdata_dir().join(REJECTIONS);
    let mismatches_path = testdata_dir().join(MISMATCHES);
    let mut problems = Vec::new();
    if !crashes.is_empty() {
        problems.push(format!(
            "enclave panicked, crashed or hung (never acceptable):\n{}",
            crashes.join("\n")
        ));
    }
    if blessing() {
        fs::create_dir_all(rejections_path.parent().expect("has a parent"))
            .expect("create testdata/expected");
        let mut text = String::from(
            "# Files under ../shared/testdata that bcftools 1.16 reads but Enclave rejects, with Enclave's message.\n\
             # Computed by cli/tests/differential.rs (shared_testdata_sweep); a change to this list fails the test.\n\
             # Regenerate after an intended change: ENCLAVE_BLESS=1 cargo test -p enclave-cli --test differential\n\
             path\tenclave_error\n",
        );
        for (rel, m) in &rejected {
            let _ = writeln!(text, "{rel}\t{m}");
        }
        fs::write(&rejections_path, text).expect("write rejections");
        // Keep the hand-written `why` of files that still differ.
        let old = read_expectations(&mismatches_path).unwrap_or_default();
        let mut text = String::from(
            "# Files under ../shared/testdata that both bcftools 1.16 and Enclave read, but whose\n\
             # `enclave view -f tsv` differs from `bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT\\n'`.\n\
             # Columns: the first difference (computed) and why (written by hand, kept when regenerating).\n\
             # Computed by cli/tests/differential.rs (shared_testdata_sweep); a change to this list fails the test.\n\
             # Regenerate after an intended change: ENCLAVE_BLESS=1 cargo test -p enclave-cli --test differential\n\
             path\tfirst_difference\twhy\n",
        );
        for (rel, d) in &mismatched {
            let why = old
                .get(rel)
                .and_then(|c| c.get(1))
                .cloned()
                .unwrap_or_else(|| "(to explain)".into());
            let _ = writeln!(text, "{rel}\t{d}\t{why}");
        }
        fs::write(&mismatches_path, text).expect("write mismatches");
        println!(
            "wrote {} and {}",
            rejections_path.display(),
            mismatches_path.display()
        );
    } else {
        for (what, file, path, actual) in [
            ("rejection", REJECTIONS, &rejections_path, &rejected),
            ("tsv difference", MISMATCHES, &mismatches_path, &mismatched),
        ] {
            match read_expectations(path) {
                None => problems.push(format!(
                    "{} is missing; write it with `ENCLAVE_BLESS=1 cargo test -p enclave-cli --test differential shared_testdata_sweep`",
                    path.display()
                )),
                Some(expected) => {
                    let diff = compare(what, file, &expected, actual);
                    if !diff.is_empty() {
                        problems.push(format!("{}\n  {BLESS_HINT}", diff.join("\n")));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "shared sweep:\n{}",
        problems.join("\n")
    );
}
