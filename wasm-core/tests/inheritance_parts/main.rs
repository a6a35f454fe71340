//! `comp-het` across the parts of a file read in parts (the app's pool): each part's
//! [`PartEvidence`], merged, lets every part keep exactly what the whole store keeps.
//!
//! - `demo`: the demo families (`static/demo/family.vcf`, `family.ped`) split into 2 parts at
//!   every record, and into 3 and 4 parts at seeded random records: per mode and family the
//!   same fits / possible bits, and every `comp-het` explanation (verdicts, reasons, partners
//!   named by position, those in other parts too) the same as the whole store's.
//! - the random families of `inheritance_property` go through the same comparison there.
//! - the evidence survives JSON (a worker message) unchanged, and the empty evidence changes
//!   nothing.

mod split;

use enclave_test_support::engine::read_from;
use enclave_test_support::files;
use enclave_test_support::rng::SplitMix64;
use wasm_core::inheritance::{Analysis, Build, Mode, Options, PartEvidence};
use wasm_core::pedigree::Pedigree;

fn demo() -> (String, String, Options) {
    let root = files::workspace_root().join("static/demo");
    let vcf = String::from_utf8(files::read(&root.join("family.vcf"))).expect("UTF-8");
    let ped = String::from_utf8(files::read(&root.join("family.ped"))).expect("UTF-8");
    let ds = read_from("family.vcf", vcf.as_bytes(), None).expect("the demo reads");
    let options = Options {
        build: Build::of_summary(&ds.summary),
        ..Options::default()
    };
    (vcf, ped, options)
}

fn records(vcf: &str) -> usize {
    vcf.lines().filter(|l| !l.starts_with('#')).count()
}

#[test]
fn demo_in_two_parts_at_every_record_is_the_whole() {
    let (vcf, ped, options) = demo();
    let n = records(&vcf);
    let mut covered = split::Covered::default();
    for cut in 1..n {
        // Every comp-het hit is explained at every cut; the other records at a few.
        covered += split::check("demo", &vcf, &ped, &options, &[cut], |i, kept| {
            kept || (i + cut).is_multiple_of(37)
        });
    }
    assert!(covered.kept > 0 && covered.explained > 0);
    // Some cut separates a demo comp-het pair: partners are named across parts.
    assert!(covered.cross_partners > 0, "{covered:?}");
}

#[test]
fn demo_in_three_and_four_parts_is_the_whole() {
    let (vcf, ped, options) = demo();
    let n = records(&vcf) as u64;
    let mut rng = SplitMix64(14);
    let mut covered = split::Covered::default();
    for round in 0..40 {
        let parts = 3 + round % 2;
        let mut bounds: Vec<usize> = Vec::new();
        while bounds.len() < parts - 1 {
            let b = 1 + rng.below(n - 1) as usize;
            if !bounds.contains(&b) {
                bounds.push(b);
            }
        }
        bounds.sort_unstable();
        covered += split::check("demo", &vcf, &ped, &options, &bounds, |_, kept| kept);
    }
    assert!(covered.cross_partners > 0, "{covered:?}");
}

#[test]
fn evidence_round_trips_through_json_and_empty_evidence_changes_nothing() {
    let (vcf, ped, options) = demo();
    let ds = read_from("family.vcf", vcf.as_bytes(), None).expect("the demo reads");
    let pedigree = Pedigree::parse(ped.as_bytes()).expect("PED");
    let a = Analysis::new(&ds.store, &pedigree, options).expect("analysis");
    let evidence = a.part_evidence(&ds.store, 3);
    let (candidates, sites) = evidence.size();
    assert!(
        candidates > 0 && sites > 0,
        "the demo has comp-het candidates"
    );
    let json = serde_json::to_string(&evidence).expect("serialises");
    let back: PartEvidence = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, evidence);
    // Sites are interned: far fewer than candidates.
    assert!(
        sites < candidates,
        "{sites} sites for {candidates} candidates"
    );
    // One part alone shares no gene with another: merged, it offers nothing.
    assert_eq!(PartEvidence::merge(vec![evidence.clone()]).size(), (0, 0));
    let merged = PartEvidence::merge(vec![evidence.clone(), evidence]);
    assert_eq!(merged.size(), (0, 0), "the same part twice is one part");
    assert_eq!(
        a.select(&ds.store, &Mode::ALL),
        a.select_in_part(&ds.store, &Mode::ALL, 0, &PartEvidence::default())
    );
}

#[test]
fn malformed_evidence_is_ignored_not_a_panic() {
    let (vcf, ped, options) = demo();
    let ds = read_from("family.vcf", vcf.as_bytes(), None).expect("the demo reads");
    let pedigree = Pedigree::parse(ped.as_bytes()).expect("PED");
    let a = Analysis::new(&ds.store, &pedigree, options).expect("analysis");
    // Two parts' evidence (the store's own, renumbered), damaged: indices past their
    // tables in some groups, sites of another pedigree's shape everywhere.
    let damaged = |part: u32| -> PartEvidence {
        let mut json = serde_json::to_value(a.part_evidence(&ds.store, part)).expect("JSON");
        for (k, group) in json["groups"]
            .as_array_mut()
            .expect("groups")
            .iter_mut()
            .enumerate()
        {
            if k % 2 == 0 {
                group["site"][0] = 9999.into();
                group["contig"][0] = 9999.into();
                group["gene"] = 9999.into();
            }
        }
        for site in json["sites"].as_array_mut().expect("sites") {
            site["origins"] = serde_json::json!([]);
        }
        serde_json::from_value(json).expect("still evidence")
    };
    let merged = PartEvidence::merge(vec![damaged(1), damaged(2)]);
    assert!(merged.size().0 > 0, "the undamaged groups are kept");
    let whole = a.select(&ds.store, &Mode::ALL);
    for evidence in [merged, damaged(1)] {
        assert_eq!(
            a.select_in_part(&ds.store, &Mode::ALL, 0, &evidence).kept,
            whole.kept
        );
        for i in 0..ds.store.len() {
            assert_eq!(
                a.explain_in_part(&ds.store, i, Mode::CompHet, 0, &evidence),
                a.explain(&ds.store, i, Mode::CompHet)
            );
        }
    }
}
