//! `enclave stats --qc --ped FILE.ped`: each trio's Mendelian error rate and de novo count
//! (CLINICAL.md §5) over the whole file or a selection, equal to what `enclave view --ped` keeps
//! for that trio alone (mendel-error ungated: bcftools +mendelian's sites, checked against
//! bcftools in `family.rs`; de-novo and x-de-novo gated), and the called sites counted from the
//! child's genotypes as `enclave query` prints them.

use enclave_test_support::files::{self, TempDir};
use enclave_test_support::process::Program;

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

fn demo(name: &str) -> String {
    files::workspace_root()
        .join("static/demo")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn count_lines(out: &[u8]) -> u64 {
    String::from_utf8_lossy(out).lines().count() as u64
}

fn qc(args: &[&str]) -> serde_json::Value {
    let out = ENCLAVE.ok(args);
    serde_json::from_slice(&out).expect("--qc prints JSON")
}

/// Records where `child`'s genotype has no missing allele, among those `filter` keeps.
fn called(file: &str, child: &str, filter: &[&str]) -> u64 {
    let mut args = vec!["query", "-f", "[%SAMPLE=%GT\\t]\\n"];
    args.extend_from_slice(filter);
    args.push(file);
    let out = String::from_utf8(ENCLAVE.ok(&args)).unwrap();
    let prefix = format!("{child}=");
    out.lines()
        .filter(|l| {
            l.split('\t').any(|cell| {
                cell.strip_prefix(&prefix)
                    .is_some_and(|gt| !gt.split(['/', '|']).any(|a| a == "."))
            })
        })
        .count() as u64
}

#[test]
fn each_trio_counts_what_view_keeps_for_it() {
    let (file, ped) = (demo("family.vcf"), demo("family.ped"));
    let dir = TempDir::new("stats-qc-ped");
    for filter in [&[][..], &["-i", "QUAL>500"][..]] {
        let mut args = vec!["stats", "--qc", "--ped", &ped];
        args.extend_from_slice(filter);
        args.push(&file);
        let json = qc(&args);
        let trios = json["trios"].as_array().expect("trios");
        let names: Vec<(&str, &str, &str)> = trios
            .iter()
            .map(|t| {
                (
                    t["child"].as_str().unwrap(),
                    t["father"].as_str().unwrap(),
                    t["mother"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("KID", "FA", "MO"),
                ("SIS", "FA", "MO"),
                ("MUM", "GPA", "GMA"),
                ("SON", "DAD", "MUM"),
                ("DAU", "DAD", "MUM"),
            ],
            "every trio of the PED whose three members are sequenced, in PED order"
        );
        let mut errors_seen = 0;
        // The children's sexes in family.ped (chrX ploidy follows them).
        let sexes = [1, 2, 2, 1, 2];
        for ((t, (child, father, mother)), sex) in trios.iter().zip(&names).zip(sexes) {
            let trio_ped = dir.path().join(format!("{child}.ped"));
            files::write(
                &trio_ped,
                format!("T\t{child}\t{father}\t{mother}\t{sex}\t2\nT\t{father}\t0\t0\t1\t1\nT\t{mother}\t0\t0\t2\t1\n")
                    .as_bytes(),
            );
            let trio_ped = trio_ped.to_string_lossy().into_owned();
            let view = |modes: &[&str], extra: &[&str]| {
                let mut args = vec!["view", "--ped", trio_ped.as_str()];
                for m in modes {
                    args.extend(["--mode", m]);
                }
                args.extend_from_slice(extra);
                args.extend_from_slice(filter);
                args.push(&file);
                count_lines(&ENCLAVE.ok(&args))
            };
            let errors = view(&["mendel-error"], &["--no-gates"]);
            let de_novo = view(&["de-novo", "x-de-novo"], &[]);
            let sites = called(&file, child, filter);
            assert_eq!(
                t["mendel_errors"].as_u64(),
                Some(errors),
                "{child} {filter:?}"
            );
            assert_eq!(t["de_novo"].as_u64(), Some(de_novo), "{child} {filter:?}");
            assert_eq!(t["sites"].as_u64(), Some(sites), "{child} {filter:?}");
            let rate = t["mendel_error_rate"].as_f64().unwrap();
            assert_eq!(rate, errors as f64 / sites as f64, "{child}");
            errors_seen += errors;
        }
        assert!(errors_seen > 0, "the demo families hold Mendelian errors");
    }
}

#[test]
fn without_ped_there_are_no_trios_and_ped_needs_qc() {
    let file = demo("family.vcf");
    assert_eq!(
        qc(&["stats", "--qc", &file])["trios"],
        serde_json::json!([])
    );
    let ped = demo("family.ped");
    let err = ENCLAVE.err(&["stats", "--bcftools", "--ped", &ped, &file]);
    assert!(err.contains("--ped"), "{err}");
    let err = ENCLAVE.err(&["stats", "--qc", "--ped", "/nonexistent.ped", &file]);
    assert!(err.contains("/nonexistent.ped"), "{err}");
}
