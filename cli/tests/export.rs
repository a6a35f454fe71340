//! `enclave export` (the documents the app downloads) against bcftools, the oracle: the VCF's
//! records equal `bcftools view -H -i/-e EXPR` for several expressions and files, its header is
//! the file's own (as bcftools reads both) plus the `##enclave_*` lines naming what selected the
//! records, and bcftools reads the export back; the TSV's fixed columns equal `bcftools query`;
//! with a pedigree and modes the records are those `enclave view --ped` keeps.
//!
//! Skipped with a notice when bcftools is absent (under CI it must be there).

use std::path::{Path, PathBuf};

use enclave_test_support::files::{TempDir, workspace_root};
use enclave_test_support::oracle::available;
use enclave_test_support::process::Program;

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));
const BCFTOOLS: Program = Program("bcftools");

fn demo(name: &str) -> PathBuf {
    workspace_root().join("static/demo").join(name)
}

/// (file, `-i` or `-e`, expression): a record selection per line.
const CASES: &[(&str, &str, &str)] = &[
    ("family.vcf", "-i", "QUAL>30"),
    ("family.vcf", "-i", "GT=\"het\""),
    ("family.vcf", "-e", "TYPE=\"snp\""),
    ("family.vcf", "-i", "INFO/CSQ~\"HIGH\""),
    ("trio.vcf.gz", "-i", "INFO/DP>20 && FILTER=\"PASS\""),
    ("trio.vcf.gz", "-i", "FMT/GQ[0]>=30 && GT[1]=\"RR\""),
    ("trio.vcf.gz", "-e", "QUAL<50 || INFO/AF>0.5"),
    ("trio.vcf.gz", "-i", "TYPE=\"indel\""),
];

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("UTF-8 output")
}

/// The header as bcftools reads it, without the lines bcftools adds.
fn bcftools_header(path: &Path) -> Vec<String> {
    text(BCFTOOLS.ok(&[
        "view".as_ref(),
        "-h".as_ref(),
        "--no-version".as_ref(),
        path.as_os_str(),
    ]))
    .lines()
    .map(str::to_string)
    .collect()
}

#[test]
fn vcf_export_records_equal_bcftools_view() {
    if !available("vcf_export_records_equal_bcftools_view", &["bcftools"]) {
        return;
    }
    let dir = TempDir::new("export");
    for &(file, flag, expression) in CASES {
        let path = demo(file);
        let ours = text(ENCLAVE.ok(&[
            "export".as_ref(),
            "-f".as_ref(),
            "vcf".as_ref(),
            flag.as_ref(),
            expression.as_ref(),
            path.as_os_str(),
        ]));
        let theirs = text(BCFTOOLS.ok(&[
            "view".as_ref(),
            "-H".as_ref(),
            flag.as_ref(),
            expression.as_ref(),
            path.as_os_str(),
        ]));
        let records: String = ours
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            records == theirs,
            "{file} {flag} {expression}: {} records, bcftools {}",
            records.lines().count(),
            theirs.lines().count()
        );
        let key = if flag == "-e" {
            "##enclave_filter_exclude="
        } else {
            "##enclave_filter="
        };
        assert!(
            ours.lines().any(|l| l == format!("{key}{expression}")),
            "{file}: no {key} line"
        );
        // bcftools reads the export: its header is the file's own plus the enclave lines.
        let exported = dir.join("export.vcf");
        std::fs::write(&exported, &ours).unwrap();
        let header: Vec<String> = bcftools_header(&exported)
            .into_iter()
            .filter(|l| !l.starts_with("##enclave_"))
            .collect();
        assert_eq!(header, bcftools_header(&path), "{file}");
        assert_eq!(
            text(BCFTOOLS.ok(&["view".as_ref(), "-H".as_ref(), exported.as_os_str()])),
            theirs,
            "{file} {flag} {expression}: bcftools reads the export back"
        );
    }
}

#[test]
fn tsv_export_holds_the_records_bcftools_query_selects() {
    if !available(
        "tsv_export_holds_the_records_bcftools_query_selects",
        &["bcftools"],
    ) {
        return;
    }
    for &(file, flag, expression) in CASES {
        let path = demo(file);
        let ours = text(ENCLAVE.ok(&[
            "export".as_ref(),
            "-f".as_ref(),
            "tsv".as_ref(),
            flag.as_ref(),
            expression.as_ref(),
            path.as_os_str(),
        ]));
        let mut lines = ours.lines();
        let head: Vec<&str> = lines.next().expect("a column line").split('\t').collect();
        assert_eq!(
            head[..7],
            ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER"]
        );
        let fixed: String = lines
            .map(|l| {
                let cells: Vec<&str> = l.split('\t').collect();
                assert_eq!(cells.len(), head.len(), "{file}: {l}");
                format!("{}\n", cells[..7].join("\t"))
            })
            .collect();
        let theirs = text(BCFTOOLS.ok(&[
            "query".as_ref(),
            flag.as_ref(),
            expression.as_ref(),
            "-f".as_ref(),
            "%CHROM\t%POS\t%ID\t%REF\t%ALT\t%QUAL\t%FILTER\n".as_ref(),
            path.as_os_str(),
        ]));
        assert!(fixed == theirs, "{file} {flag} {expression}");
    }
}

#[test]
fn json_export_holds_the_tsv_rows() {
    let path = demo("trio.vcf.gz");
    let args = |format: &str| {
        text(ENCLAVE.ok(&[
            "export".as_ref(),
            "-f".as_ref(),
            format.as_ref(),
            "-i".as_ref(),
            "QUAL>100".as_ref(),
            "-r".as_ref(),
            "1:1-5000000,2".as_ref(),
            path.as_os_str(),
        ]))
    };
    let tsv = args("tsv");
    let json: serde_json::Value = serde_json::from_str(&args("json")).expect("JSON");
    let mut lines = tsv.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(json["columns"], serde_json::json!(head));
    assert_eq!(json["selection"]["expression"], "QUAL>100");
    assert_eq!(json["selection"]["regions"], "1:1-5000000\n2");
    let rows = json["records"].as_array().unwrap();
    let tsv_rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 10, "{} rows", rows.len());
    assert_eq!(rows.len(), tsv_rows.len());
    for (row, line) in rows.iter().zip(tsv_rows) {
        let cells: Vec<String> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap_or(".").to_string())
            .collect();
        assert_eq!(cells.join("\t"), line);
        assert!(cells[0] == "1" || cells[0] == "2", "{line}");
    }
}

#[test]
fn with_a_pedigree_the_records_are_those_the_modes_keep() {
    let (vcf, ped) = (demo("family.vcf"), demo("family.ped"));
    for modes in [&["de-novo"][..], &["recessive", "comp-het"]] {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "--ped".as_ref(),
            ped.as_os_str(),
            "-i".as_ref(),
            "QUAL>20".as_ref(),
        ];
        for m in modes {
            args.push("--mode".as_ref());
            args.push(m.as_ref());
        }
        args.push(vcf.as_os_str());
        let mut export_args: Vec<&std::ffi::OsStr> =
            vec!["export".as_ref(), "-f".as_ref(), "vcf".as_ref()];
        export_args.extend(args.iter().copied());
        let ours = text(ENCLAVE.ok(&export_args));
        let mut view_args: Vec<&std::ffi::OsStr> = vec!["view".as_ref()];
        view_args.extend(args.iter().copied());
        let view = text(ENCLAVE.ok(&view_args));
        let records: String = ours
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let c: Vec<&str> = l.split('\t').collect();
                format!("{}\t{}\t{}\t{}\n", c[0], c[1], c[3], c[4])
            })
            .collect();
        assert!(!records.is_empty(), "{modes:?}");
        assert_eq!(records, view, "{modes:?}");
        assert!(
            ours.lines()
                .any(|l| l == format!("##enclave_inheritance={}", modes.join(","))),
            "{modes:?}"
        );
    }
    let refused = ENCLAVE.output(&["export", "-f", "xml", "x.vcf"]);
    assert!(!refused.status.success());
}
