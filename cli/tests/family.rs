//! `enclave view --ped … --mode …` and `enclave explain` (DESIGN.md's CLI contract,
//! docs/INHERITANCE.md): the kept records, the VCF output with `INFO/INHERITANCE`, the
//! explanations with their reason codes, and the errors a person sees.

use std::process::{Command, Stdio};

use enclave_test_support::files::{self, TempDir};
use enclave_test_support::oracle;
use enclave_test_support::process::Program;

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

fn demo(name: &str) -> String {
    files::workspace_root()
        .join("static/demo")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn mendel_errors_of_the_demo_trio_are_bcftools_mendelian_sites() {
    let out = ENCLAVE.ok(&[
        "view",
        "--ped",
        &demo("trio-affected-kid.ped"),
        "--mode",
        "mendel-error",
        "--no-gates",
        &demo("trio.vcf.gz"),
    ]);
    let ours = lines(&out);
    assert_eq!(ours.len(), 91, "CLINICAL.md §3: 91 sites on the GIAB trio");
    if !oracle::available(
        "mendel_errors_of_the_demo_trio_are_bcftools_mendelian_sites",
        &["bcftools"],
    ) {
        return;
    }
    let mut mendelian = Command::new("bcftools")
        .args([
            "+mendelian",
            "-m",
            "x",
            "-p",
            &demo("trio-affected-kid.ped"),
            &demo("trio.vcf.gz"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bcftools runs");
    let query = Command::new("bcftools")
        .args(["query", "-f", "%CHROM\t%POS\t%REF\t%ALT\n", "-"])
        .stdin(mendelian.stdout.take().expect("piped"))
        .output()
        .expect("bcftools query runs");
    assert!(mendelian.wait().expect("ends").success());
    assert_eq!(ours, lines(&query.stdout));
}

#[test]
fn gates_filters_and_lenient_change_what_is_kept() {
    let count = |extra: &[&str]| {
        let mut args = vec![
            "view",
            "--ped",
            &*Box::leak(demo("trio-affected-kid.ped").into_boxed_str()),
        ];
        args.extend_from_slice(extra);
        args.push(Box::leak(demo("trio.vcf.gz").into_boxed_str()));
        lines(&ENCLAVE.ok(&args)).len()
    };
    let gated = count(&["--mode", "de-novo"]);
    let open = count(&["--mode", "de-novo", "--no-gates"]);
    assert!(
        gated < open,
        "the gates remove de novo candidates: {gated} vs {open}"
    );
    let union = count(&["--mode", "de-novo", "--mode", "recessive", "--no-gates"]);
    let recessive = count(&["--mode", "recessive", "--no-gates"]);
    assert_eq!(
        union,
        open + recessive,
        "de novo and recessive sites are disjoint"
    );
    let filtered = count(&["--mode", "recessive", "--no-gates", "-i", "QUAL>1000"]);
    assert!(filtered < recessive && filtered > 0);
    let lenient = count(&["--mode", "de-novo", "--no-gates", "--lenient"]);
    assert!(lenient >= open);
}

#[test]
fn vcf_output_declares_and_carries_the_inheritance_tag() {
    let out = ENCLAVE.ok(&[
        "view",
        "--ped",
        &demo("family.ped"),
        "--mode",
        "de-novo",
        "--mode",
        "dominant",
        "-f",
        "vcf",
        &demo("family.vcf"),
    ]);
    let text = String::from_utf8(out).expect("text");
    assert!(text.starts_with("##fileformat=VCFv4.2\n"));
    assert!(text.contains("##INFO=<ID=INHERITANCE,Number=.,Type=String,"));
    let records: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(!records.is_empty());
    for r in &records {
        let info = r.split('\t').nth(7).expect("INFO");
        assert!(
            info.contains("INHERITANCE=de-novo:") || info.contains("INHERITANCE=dominant:"),
            "{r}"
        );
    }
    let de_novo = records
        .iter()
        .find(|r| r.split('\t').nth(2) == Some("demo-de-novo"))
        .expect("the planted de novo is kept");
    assert!(de_novo.contains("INHERITANCE=de-novo:quartet"), "{de_novo}");
    let dominant = records
        .iter()
        .find(|r| r.split('\t').nth(2) == Some("demo-dominant"))
        .expect("the planted dominant is kept");
    assert!(
        dominant.contains("INHERITANCE=dominant:dominant"),
        "{dominant}"
    );
    if oracle::available(
        "vcf_output_declares_and_carries_the_inheritance_tag",
        &["bcftools"],
    ) {
        let dir = TempDir::new("family-vcf");
        let path = dir.path().join("out.vcf");
        files::write(&path, text.as_bytes());
        let q = Command::new("bcftools")
            .args(["query", "-f", "%ID\t%INHERITANCE\n"])
            .arg(&path)
            .output()
            .expect("bcftools runs");
        assert!(
            q.status.success(),
            "bcftools reads the output: {}",
            String::from_utf8_lossy(&q.stderr)
        );
        assert_eq!(lines(&q.stdout).len(), records.len());
    }
}

#[test]
fn explain_names_the_reasons_as_text_and_json() {
    let text = String::from_utf8(ENCLAVE.ok(&[
        "explain",
        "--ped",
        &demo("family.ped"),
        "--mode",
        "de-novo",
        "-r",
        "chr7:117480900",
        &demo("family.vcf"),
    ]))
    .expect("text");
    assert!(text.contains("de-novo       quartet: no"), "{text}");
    assert!(
        text.contains("MO has 6 alternate reads [parent-alt-reads]"),
        "{text}"
    );
    let json = ENCLAVE.ok(&[
        "explain",
        "--ped",
        &demo("family.ped"),
        "--json",
        "-r",
        "chr7:117480900",
        &demo("family.vcf"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let all = v.as_array().expect("a list");
    assert_eq!(all.len(), 8 * 2, "every mode, both families");
    let de_novo = all
        .iter()
        .find(|e| e["mode"] == "de-novo" && e["family"] == "quartet")
        .expect("de-novo in the quartet");
    assert_eq!(de_novo["verdict"], "no");
    assert_eq!(de_novo["reasons"][0]["code"], "parent-alt-reads");
    assert_eq!(de_novo["reasons"][0]["sample"], "MO");
}

#[test]
fn errors_are_one_line() {
    let dir = TempDir::new("family-errors");
    let other = dir.path().join("other.ped");
    files::write(&other, b"f A B C 1 2\nf B 0 0 1 1\nf C 0 0 2 1\n");
    let e = ENCLAVE.err(&[
        "view",
        "--ped",
        &other.to_string_lossy(),
        "--mode",
        "de-novo",
        &demo("trio.vcf.gz"),
    ]);
    assert!(e.contains("other.ped") && e.contains("HG002"), "{e}");
    let cycle = dir.path().join("cycle.ped");
    files::write(
        &cycle,
        b"f HG002 HG003 HG004 1 2\r\nf HG003 HG002 0 1 1\r\nf HG004 0 0 2 1\r\n",
    );
    let e = ENCLAVE.err(&[
        "view",
        "--ped",
        &cycle.to_string_lossy(),
        "--mode",
        "de-novo",
        &demo("trio.vcf.gz"),
    ]);
    assert!(e.contains("line 1"), "{e}");
    // CR-only line ends: named, at the line the carriage return is in, not read as one line.
    let mac = dir.path().join("mac.ped");
    files::write(
        &mac,
        b"f HG002 HG003 HG004 1 2\rf HG003 0 0 1 1\rf HG004 0 0 2 1\r",
    );
    let e = ENCLAVE.err(&[
        "view",
        "--ped",
        &mac.to_string_lossy(),
        "--mode",
        "de-novo",
        &demo("trio.vcf.gz"),
    ]);
    assert!(e.contains("mac.ped") && e.contains("line 1"), "{e}");
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    let e = ENCLAVE.err(&[
        "view",
        "--ped",
        &demo("trio.ped"),
        "--mode",
        "autosomal",
        &demo("trio.vcf.gz"),
    ]);
    assert!(e.contains("de-novo"), "{e}");
    ENCLAVE.err(&["view", "--ped", &demo("trio.ped"), &demo("trio.vcf.gz")]);
    ENCLAVE.err(&["explain", "--ped", &demo("trio.ped"), &demo("trio.vcf.gz")]);
    let e = ENCLAVE.err(&[
        "explain",
        "--ped",
        &demo("trio.ped"),
        "-r",
        "1:12",
        &demo("trio.vcf.gz"),
    ]);
    assert!(e.contains("no record at 1:12"), "{e}");
}
