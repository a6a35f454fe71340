//! `enclave stats --bcftools` against bcftools 1.24's `bcftools stats -s -`, line for line, and
//! `enclave stats --qc` over the same selections.
//!
//! - [`cases_equal_bcftools_1_24`]: every case of `testdata/expected/bcftools-stats/cases.tsv`
//!   (a file of `testdata/`, of the shared corpus, or one made by
//!   `enclave_test_support::varied_vcf`; whole, or filtered with `-i/-e` — the oracle is then
//!   `bcftools view -i EXPR | bcftools stats` — or restricted with `-r`) is compared with the
//!   committed output of bcftools 1.24 (pysam 0.24.1; `scripts/regen-bcftools-stats.sh` made
//!   them). Every line is compared but the two provenance lines and the file names of `ID`,
//!   and so is the order of the sections and their descriptions. A case may differ
//!   only in the sections docs/STATS.md lists for it, with the reason; a listed case that no
//!   longer differs fails too, so the list stays true.
//! - [`bcftools_own_expected_outputs`]: bcftools' own `test/stats.*` inputs against the
//!   expected outputs in its repository (compared as its test suite does, without `#` and `ID`
//!   lines).
//! - [`qc_json_counts_the_selection_and_stats_json_is_unchanged`]: `--qc` counts the records
//!   `--bcftools` counts for the same selection (`-i/-e/-r`), its breakdowns add up (one contig,
//!   FILTER, most severe consequence and impact per record; BCSQ read), and `--json` keeps its
//!   keys.
//! - [`generated_inputs_are_the_generators`]: the committed generated inputs are what the
//!   generator makes (`ENCLAVE_BLESS=1` writes them again).
//!
//! None of this needs pysam or bcftools: their outputs are committed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use enclave_test_support::files::{
    blessing, read, shared_testdata_or_skip, testdata_path, workspace_root, write,
};
use enclave_test_support::process::{Program, on_two_workers};
use enclave_test_support::varied_vcf::varied_vcf;

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

const EXPECTED: &str = "expected/bcftools-stats";

/// The generated inputs: file name under `testdata/generated/bcftools-stats/`, seed, records,
/// samples.
const GENERATED: &[(&str, u64, usize, usize)] = &[
    ("varied-4.vcf", 4, 1_000, 4),
    ("varied-1.vcf", 1, 1_000, 1),
    ("varied-0.vcf", 0, 500, 0),
    ("varied-120.vcf", 120, 120, 120),
];

/// One line of cases.tsv.
struct Case {
    name: String,
    input: String,
    /// `-i EXPR`, `-e EXPR`, `-r REGION`, or nothing.
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = String::from_utf8(read(&testdata_path(&format!("{EXPECTED}/cases.tsv"))))
        .expect("cases.tsv is UTF-8");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 3, "cases.tsv: {l:?} has fewer than 3 columns");
            let args = match cols[2] {
                "-" => Vec::new(),
                a => {
                    let (flag, value) = a.split_once(' ').expect("`-i EXPR` in cases.tsv");
                    vec![flag.to_string(), value.to_string()]
                }
            };
            Case {
                name: cols[0].to_string(),
                input: cols[1].to_string(),
                args,
            }
        })
        .collect()
}

/// The input's path, or `None` (with a notice) when it is in the absent shared corpus.
fn input_path(input: &str, case: &str) -> Option<PathBuf> {
    match input.strip_prefix("shared:") {
        Some(rel) => {
            shared_testdata_or_skip(&format!("bcftools stats case {case}")).map(|dir| dir.join(rel))
        }
        None => Some(testdata_path(input)),
    }
}

/// Lines by section tag (the first column; `#` for the description lines), leaving out the
/// provenance lines, which name the program and its command line, and the file names of `ID`
/// (its set number stays).
fn sections(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with("# This file was produced by")
            || line.starts_with("# The command line was:")
        {
            continue;
        }
        let tag = if line.starts_with('#') {
            "#"
        } else {
            line.split('\t').next().unwrap_or("")
        };
        let line = match line.strip_prefix("ID\t") {
            Some(rest) => format!("ID\t{}", rest.split('\t').next().unwrap_or("")),
            None => line.to_string(),
        };
        out.entry(tag.to_string()).or_default().push(line);
    }
    out
}

/// The order of the sections as a reader meets them: each run of lines with one tag (`#` for
/// the description lines) once. plot-vcfstats and MultiQC read section by section, and a
/// section's description precedes its lines.
fn section_order(text: &str) -> Vec<&str> {
    let mut order: Vec<&str> = Vec::new();
    for line in text.lines() {
        let tag = if line.starts_with('#') {
            "#"
        } else {
            line.split('\t').next().unwrap_or("")
        };
        if order.last() != Some(&tag) {
            order.push(tag);
        }
    }
    order
}

/// The sections whose lines differ, with the first differing line of each; `(order)` when the
/// sections come in another order.
fn differences(expected: &str, ours: &str) -> BTreeMap<String, String> {
    let (a, b) = (sections(expected), sections(ours));
    let tags: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let empty = Vec::new();
    let (x, y) = (section_order(expected), section_order(ours));
    let order = (x != y).then(|| {
        (
            "(order)".to_string(),
            format!("sections: bcftools {x:?}, enclave {y:?}"),
        )
    });
    tags.into_iter()
        .filter_map(|tag| {
            let (x, y) = (a.get(tag).unwrap_or(&empty), b.get(tag).unwrap_or(&empty));
            if x == y {
                return None;
            }
            let k = x.iter().zip(y).take_while(|(p, q)| p == q).count();
            let show = |v: &Vec<String>| v.get(k).cloned().unwrap_or_else(|| "(none)".into());
            Some((
                tag.clone(),
                format!(
                    "line {} of {tag}: bcftools {:?}, enclave {:?}",
                    k + 1,
                    show(x),
                    show(y)
                ),
            ))
        })
        .chain(order)
        .collect()
}

/// docs/STATS.md's table of known differences: case → sections.
fn documented_differences() -> BTreeMap<String, BTreeSet<String>> {
    let doc = String::from_utf8(read(&workspace_root().join("docs/STATS.md"))).expect("UTF-8");
    let start = doc
        .find("<!-- differences: begin -->")
        .expect("docs/STATS.md has the differences table");
    let end = doc[start..]
        .find("<!-- differences: end -->")
        .expect("the differences table ends")
        + start;
    doc[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            let case = cols[1].trim_matches('`').to_string();
            let tags = cols[2]
                .split(',')
                .map(|t| t.trim().trim_matches('`').to_string())
                .collect();
            (case, tags)
        })
        .collect()
}

#[test]
fn cases_equal_bcftools_1_24() {
    let cases = cases();
    let documented = documented_differences();
    for name in documented.keys() {
        assert!(
            cases.iter().any(|c| &c.name == name),
            "docs/STATS.md lists a difference for {name}, which is not a case of cases.tsv"
        );
    }
    let results = on_two_workers(&cases, |case| {
        let path = input_path(&case.input, &case.name)?;
        let expected_file = testdata_path(&format!("{EXPECTED}/{}.txt", case.name));
        let expected = String::from_utf8(read(&expected_file)).expect("UTF-8");
        let mut args: Vec<std::ffi::OsString> = vec!["stats".into(), "--bcftools".into()];
        args.extend(case.args.iter().map(Into::into));
        args.push(path.into());
        let ours = String::from_utf8(ENCLAVE.ok(&args)).expect("enclave writes UTF-8");
        Some(differences(&expected, &ours))
    });
    let mut failures = Vec::new();
    let mut compared = 0;
    for (case, result) in cases.iter().zip(results) {
        let Some(diff) = result else { continue };
        compared += 1;
        let allowed = documented.get(&case.name);
        let found: BTreeSet<String> = diff.keys().cloned().collect();
        match allowed {
            None => {
                for line in diff.values() {
                    failures.push(format!("{}: {line}", case.name));
                }
            }
            Some(allowed) if found.is_empty() => failures.push(format!(
                "{}: no longer differs from bcftools in {allowed:?}: remove it from docs/STATS.md",
                case.name
            )),
            Some(allowed) => {
                for (tag, line) in &diff {
                    if !allowed.contains(tag) {
                        failures.push(format!(
                            "{} (undocumented section {tag}): {line}",
                            case.name
                        ));
                    }
                }
            }
        }
    }
    assert!(compared > 0, "no case was compared");
    assert!(
        failures.is_empty(),
        "{} difference(s) from bcftools 1.24 not listed in docs/STATS.md:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn bcftools_own_expected_outputs() {
    // test/test.pl: `bcftools stats ARGS FILE | grep -v '^#' | grep -v '^ID\t'`.
    for (input, args, expected) in [
        ("stats.counts.vcf", &[][..], "stats.counts.chk"),
        (
            "stats.counts.vcf",
            &["-i", "type=\"snp\""][..],
            "stats.counts.2.chk",
        ),
        ("stats.vaf.vcf", &[][..], "stats.vaf.1.chk"),
    ] {
        let dir = testdata_path("bcftools/test");
        let mut cmd: Vec<std::ffi::OsString> = vec!["stats".into(), "--bcftools".into()];
        cmd.extend(args.iter().map(Into::into));
        cmd.push(dir.join(input).into());
        let ours = String::from_utf8(ENCLAVE.ok(&cmd)).expect("UTF-8");
        let ours: Vec<&str> = ours
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("ID\t"))
            .collect();
        let want = String::from_utf8(read(&dir.join(expected))).expect("UTF-8");
        let want: Vec<&str> = want.lines().collect();
        assert_eq!(ours, want, "{input} {args:?} against bcftools' {expected}");
    }
}

#[test]
fn generated_inputs_are_the_generators() {
    for &(name, seed, records, samples) in GENERATED {
        let path = testdata_path(&format!("generated/bcftools-stats/{name}"));
        let made = varied_vcf(seed, records, samples);
        if blessing() {
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            write(&path, made.as_bytes());
            continue;
        }
        assert!(
            read(&path) == made.as_bytes(),
            "{} is not what varied_vcf({seed}, {records}, {samples}) makes: run \
             scripts/regen-bcftools-stats.sh (it blesses the inputs, then asks bcftools again)",
            path.display()
        );
    }
}

#[test]
fn a_filter_and_a_region_narrow_the_records() {
    let trio = testdata_path("slivar/tests/ashk-trio.vcf.gz");
    let records = |args: &[&str]| -> u64 {
        let mut cmd = vec!["stats", "--bcftools"];
        cmd.extend_from_slice(args);
        let path = trio.to_str().expect("UTF-8 path");
        cmd.push(path);
        let out = String::from_utf8(ENCLAVE.ok(&cmd)).expect("UTF-8");
        let line = out
            .lines()
            .find(|l| l.starts_with("SN\t0\tnumber of records:"))
            .expect("an SN records line");
        line.rsplit('\t').next().unwrap().parse().expect("a count")
    };
    let all = records(&[]);
    let snps = records(&["-i", "TYPE=\"snp\""]);
    let not_snps = records(&["-e", "TYPE=\"snp\""]);
    assert_eq!(snps + not_snps, all);
    assert!(snps > 0 && not_snps > 0);
    assert!(records(&["-r", "2"]) < all);
    // Expression errors are the filter's, with their caret.
    let err = ENCLAVE.output(&["stats", "--bcftools", "-i", "QUAL>", trio.to_str().unwrap()]);
    assert!(!err.status.success());
}

#[test]
fn qc_json_counts_the_selection_and_stats_json_is_unchanged() {
    let trio = testdata_path("slivar/tests/ashk-trio.vcf.gz");
    let path = trio.to_str().expect("UTF-8 path");
    let run = |args: &[&str]| -> Vec<u8> {
        let mut cmd = vec!["stats"];
        cmd.extend_from_slice(args);
        cmd.push(path);
        ENCLAVE.ok(&cmd)
    };
    let qc = |args: &[&str]| -> serde_json::Value {
        let mut cmd = vec!["--qc"];
        cmd.extend_from_slice(args);
        serde_json::from_slice(&run(&cmd)).expect("--qc prints JSON")
    };
    let sn_records = |args: &[&str]| -> u64 {
        let mut cmd = vec!["--bcftools"];
        cmd.extend_from_slice(args);
        let out = String::from_utf8(run(&cmd)).expect("UTF-8");
        let line = out
            .lines()
            .find(|l| l.starts_with("SN\t0\tnumber of records:"))
            .expect("an SN records line");
        line.rsplit('\t').next().unwrap().parse().expect("a count")
    };
    let sum = |v: &serde_json::Value| -> u64 {
        v.as_array()
            .expect("a list of counts")
            .iter()
            .map(|c| c["count"].as_u64().expect("a count"))
            .sum()
    };
    for args in [
        &[][..],
        &["-i", "TYPE=\"snp\""][..],
        &["-e", "GT=\"mis\""][..],
    ] {
        let q = qc(args);
        let records = q["records"].as_u64().expect("records");
        assert_eq!(
            records,
            sn_records(args),
            "--qc {args:?} counts bcftools' records"
        );
        assert_eq!(
            sum(&q["per_contig"]),
            records,
            "{args:?}: one contig per record"
        );
        // One FILTER name per record in this file.
        assert_eq!(sum(&q["per_filter"]), records, "{args:?}");
        let c = &q["consequences"];
        assert_eq!(c["field"], "BCSQ", "bcftools csq's annotation is read");
        let annotated = c["annotated"].as_u64().expect("annotated");
        assert!(annotated > 0 && annotated <= records);
        assert_eq!(
            sum(&c["by_consequence"]),
            annotated,
            "one most severe per record"
        );
        assert_eq!(sum(&c["by_impact"]), annotated, "one impact per record");
        assert_eq!(q["allele_balance"].as_array().map(Vec::len), Some(3));
        let gq: u64 = q["gq"]["counts"]
            .as_array()
            .expect("GQ bins")
            .iter()
            .map(|n| n.as_u64().expect("a count"))
            .sum();
        assert!(gq > 0 && gq <= 3 * records);
    }
    let region = qc(&["-r", "2"]);
    assert_eq!(region["per_contig"].as_array().map(Vec::len), Some(1));
    assert_eq!(region["per_contig"][0]["name"], "2");
    assert_eq!(region["records"], region["per_contig"][0]["count"]);
    // `enclave stats --json` is what it was: the summary and the counts, no QC.
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["--json"])).expect("--json prints JSON");
    let keys: BTreeSet<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["summary", "stats"]));
    assert_eq!(json["stats"]["records"].as_u64(), Some(sn_records(&[])));
    // One output at a time.
    let both = ENCLAVE.output(&["stats", "--bcftools", "--qc", path]);
    assert!(!both.status.success());
}
