//! `enclave check` through the real binary: the tables, the warnings with exit status 0, the
//! JSON the app reads, and the bad inputs (no PED sample in the file, a short PED line, an
//! unreadable PED, one sample, no chrX, no genotypes).

use std::path::PathBuf;

use enclave_test_support::files::{TempDir, testdata_path, workspace_root, write};
use enclave_test_support::process::Program;

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

fn demo(name: &str) -> PathBuf {
    workspace_root().join("static/demo").join(name)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("UTF-8 output")
}

/// The pair table's rows: (a, b, PED relation, predicted, check).
fn pair_rows(report: &str) -> Vec<(String, String, String, String, String)> {
    report
        .lines()
        .skip_while(|l| !l.starts_with("SAMPLE_A"))
        .skip(1)
        .take_while(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].into(),
                f[1].into(),
                f[6].into(),
                f[8].into(),
                f[9].into(),
            )
        })
        .collect()
}

#[test]
fn trio_with_its_ped_passes() {
    let out = text(ENCLAVE.ok(&[
        "check".as_ref(),
        "--ped".as_ref(),
        demo("trio.ped").as_os_str(),
        demo("trio.vcf.gz").as_os_str(),
    ]));
    let row = |a: &str, b: &str, ped: &str, predicted: &str| {
        (
            a.to_string(),
            b.to_string(),
            ped.to_string(),
            predicted.to_string(),
            "ok".to_string(),
        )
    };
    assert_eq!(
        pair_rows(&out),
        vec![
            row("HG002", "HG003", "parent-child", "parent-child"),
            row("HG002", "HG004", "parent-child", "parent-child"),
            row("HG003", "HG004", "unrelated", "unrelated"),
        ],
        "{out}"
    );
    assert!(out.contains("# warnings: 0"), "{out}");
    // The demo trio has chr1 and chr2 only: sex unknown, said once, never "female".
    assert!(out.contains("note: no chrX records"), "{out}");
    assert!(
        out.lines()
            .filter(|l| l.starts_with("HG00"))
            .take(3)
            .all(|l| l.split('\t').nth(2) == Some("unknown"))
    );
}

#[test]
fn swapped_labels_are_warnings_with_exit_zero() {
    let ped = testdata_path("expected/peddy/giab-trio-swapped/input.ped");
    let out = text(ENCLAVE.ok(&[
        "check".as_ref(),
        "--ped".as_ref(),
        ped.as_os_str(),
        demo("trio.vcf.gz").as_os_str(),
    ]));
    let rows = pair_rows(&out);
    assert_eq!(rows[1].4, "FLAGGED", "HG002-HG004: {out}");
    assert_eq!(rows[2].4, "FLAGGED", "HG003-HG004: {out}");
    assert_eq!(
        rows[0].4, "ok",
        "HG002-HG003 is parent-child either way: {out}"
    );
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 2, "{out}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("HG002 and HG004 look like parent and child"))
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("HG003 and HG004: the PED says parent and child"))
    );
}

#[test]
fn json_is_the_engines_result() {
    let out = ENCLAVE.ok(&[
        "check".as_ref(),
        "--json".as_ref(),
        "--ped".as_ref(),
        demo("trio.ped").as_os_str(),
        demo("trio.vcf.gz").as_os_str(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(v["samples"], serde_json::json!(["HG002", "HG003", "HG004"]));
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    assert_eq!(pairs[0]["expected"], "parent-child");
    assert_eq!(pairs[0]["predicted"], "parent-child");
    assert!(pairs[0]["ibs0"].as_u64().unwrap() < pairs[2]["ibs0"].as_u64().unwrap());
    assert_eq!(v["sex"][2]["declared"], "female");
    assert_eq!(v["notices"][0]["kind"], "no-chr-x");
}

#[test]
fn without_a_ped_the_inferences_are_shown() {
    let out = text(ENCLAVE.ok(&["check".as_ref(), demo("trio.vcf.gz").as_os_str()]));
    let rows = pair_rows(&out);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].3, "parent-child");
    assert!(rows.iter().all(|r| r.4 == "ok"), "{out}");
    assert!(out.contains("note: no PED"), "{out}");
}

#[test]
fn bad_inputs_are_clear() {
    let dir = TempDir::new("check");
    // A PED naming none of the file's samples: a notice, still exit 0.
    let strangers = dir.join("strangers.ped");
    write(&strangers, b"f\tA\t0\t0\t1\t1\nf\tB\t0\t0\t2\t1\n");
    let out = text(ENCLAVE.ok(&[
        "check".as_ref(),
        "--ped".as_ref(),
        strangers.as_os_str(),
        demo("trio.vcf.gz").as_os_str(),
    ]));
    assert!(
        out.contains("note: the PED names none of the file's samples"),
        "{out}"
    );
    assert!(
        out.contains("note: in the PED but not in the file (not sequenced): A, B"),
        "{out}"
    );
    // A line with five columns: an error naming the line; Windows line ends are fine.
    let short = dir.join("short.ped");
    write(
        &short,
        b"ash\tHG002\tHG003\tHG004\t1\t2\r\nash\tHG003\t0\t0\t1\r\n",
    );
    let err = ENCLAVE.err(&[
        "check".as_ref(),
        "--ped".as_ref(),
        short.as_os_str(),
        demo("trio.vcf.gz").as_os_str(),
    ]);
    assert!(err.contains("line 2") && err.contains("6 columns"), "{err}");
    // No such PED.
    let err = ENCLAVE.err(&[
        "check".as_ref(),
        "--ped".as_ref(),
        dir.join("absent.ped").as_os_str(),
        demo("trio.vcf.gz").as_os_str(),
    ]);
    assert!(err.contains("absent.ped"), "{err}");
    // One sample: no pairs, said so.
    let one = dir.join("one.vcf");
    write(
        &one,
        b"##fileformat=VCFv4.2\n##contig=<ID=1>\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
          #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n",
    );
    let out = text(ENCLAVE.ok(&["check".as_ref(), one.as_os_str()]));
    assert!(pair_rows(&out).is_empty(), "{out}");
    assert!(
        out.contains("note: the file has one sample: no pairs to compare"),
        "{out}"
    );
    assert!(out.contains("note: no FORMAT/AD or FORMAT/DP"), "{out}");
    // Samples without a genotype: one notice, exit 0.
    let no_gt = dir.join("no-gt.vcf");
    write(
        &no_gt,
        b"##fileformat=VCFv4.2\n##contig=<ID=1>\n\
          #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n1\t100\t.\tA\tG\t.\t.\t.\tGT\t./.\t./.\n",
    );
    let out = text(ENCLAVE.ok(&["check".as_ref(), no_gt.as_os_str()]));
    let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("note: ")).collect();
    assert_eq!(notes.len(), 2, "{out}");
    assert!(
        notes[1].starts_with("note: the file has no called genotype"),
        "{out}"
    );
}
