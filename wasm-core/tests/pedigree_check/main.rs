//! The pedigree check (CLINICAL.md §4) on whole files.
//!
//! - `synthetic`: a simulated three-generation family with a duplicate and an unrelated
//!   sample; with the true PED the check predicts every relation and sex and warns only about
//!   the duplicate (whom the PED cannot declare); with a PED carrying a non-paternity, a wrong
//!   sex and a wrong sibling it raises exactly the warnings those imply. The file is committed
//!   (peddy reads it too).
//! - `peddy`: Enclave's numbers against peddy 0.4.8's `ped_check.csv` and `sex_check.csv`,
//!   committed under `testdata/expected/peddy/` by `scripts/regen-peddy.sh`.
//! - `corpus`: every multi-sample file of the shared corpus (skipped when absent): no panic,
//!   numbers that hold together, a PED naming no sample said so.
//! - `random`: seeded random files — no failure on odd input, counts independent of the order
//!   of the samples, the tallies of two parts adding up to the whole.

mod corpus;
mod peddy;
mod random;
mod synthetic;

use std::collections::BTreeSet;

use enclave_test_support::{compress, files};
use wasm_core::pedigree::Pedigree;
use wasm_core::pedigree_check::{
    self, CheckNotice, CheckParams, CheckWarning, Declared, PedigreeCheck, PredictedRelation, Sex,
};

/// Reads PED text (CLINICAL.md §1) into the check's input through the pedigree's reader, as
/// `enclave check` and the app do.
pub fn parse_ped(text: &str) -> Declared {
    Declared::from_pedigree(&Pedigree::parse(text.as_bytes()).expect("the test PED reads"))
}

pub fn read(bytes: &[u8]) -> wasm_core::Dataset {
    wasm_core::read_dataset(
        bytes,
        Some(bytes.len() as u64),
        &mut wasm_core::progress::Silent,
    )
    .expect("the file reads")
}

/// The PED of a peddy case (`testdata/expected/peddy/CASE/input.ped`).
fn ped(case: &str) -> Declared {
    let path = files::testdata_path(&format!("expected/peddy/{case}/input.ped"));
    parse_ped(&String::from_utf8(files::read(&path)).unwrap())
}

const SYNTHETIC: &str = "generated/pedigree-check/synthetic-family.vcf.gz";

fn synthetic() -> PedigreeCheck {
    let text = synthetic::vcf();
    pedigree_check::check(
        &read(text.as_bytes()),
        Some(&ped("synthetic-family")),
        &CheckParams::default(),
    )
}

#[test]
fn synthetic_file_is_the_committed_one() {
    let text = synthetic::vcf();
    let path = files::testdata_path(SYNTHETIC);
    if files::blessing() {
        files::write(&path, &compress::bgzip(text.as_bytes()));
    }
    assert!(
        compress::gunzip(&files::read(&path)) == text.as_bytes(),
        "{SYNTHETIC} differs from the generator: bless with ENCLAVE_BLESS=1 and re-run scripts/regen-peddy.sh"
    );
}

/// The relation of two samples of the simulation, by their names.
fn truth(a: &str, b: &str) -> PredictedRelation {
    let pair: BTreeSet<&str> = [a, b].into_iter().collect();
    let is = |x: &str, y: &str| pair == [x, y].into_iter().collect();
    let any = |list: &[(&str, &str)]| list.iter().any(|(x, y)| is(x, y));
    use PredictedRelation as R;
    if is("MOM", "MOM_AGAIN") {
        return R::Duplicate;
    }
    let parent_child = [
        ("GF", "DAD"),
        ("GM", "DAD"),
        ("GF", "AUNT"),
        ("GM", "AUNT"),
        ("DAD", "KID1"),
        ("DAD", "KID2"),
        ("MOM", "KID1"),
        ("MOM", "KID2"),
        ("MOM_AGAIN", "KID1"),
        ("MOM_AGAIN", "KID2"),
    ];
    let second = [
        ("GF", "KID1"),
        ("GF", "KID2"),
        ("GM", "KID1"),
        ("GM", "KID2"),
        ("AUNT", "KID1"),
        ("AUNT", "KID2"),
    ];
    if any(&parent_child) {
        R::ParentChild
    } else if any(&[("DAD", "AUNT"), ("KID1", "KID2")]) {
        R::Siblings
    } else if any(&second) {
        R::SecondDegree
    } else {
        R::Unrelated
    }
}

#[test]
fn synthetic_family_every_relation_and_sex_predicted() {
    let r = synthetic();
    assert_eq!(r.build, Some(pedigree_check::Build::GRCh37));
    assert_eq!(r.pairs.len(), 36);
    for p in &r.pairs {
        let (a, b) = (&r.samples[p.a as usize], &r.samples[p.b as usize]);
        assert_eq!(
            p.predicted,
            truth(a, b),
            "{a}-{b}: relatedness {:?}, IBS0 {} of {}",
            p.relatedness,
            p.ibs0,
            p.n
        );
    }
    for s in &r.sex {
        let male = ["GF", "DAD", "KID2", "UNREL"].contains(&s.sample.as_str());
        let expected = if male { Sex::Male } else { Sex::Female };
        assert_eq!(s.predicted, expected, "{}: {s:?}", s.sample);
        // chrY: males called at most sites, females never.
        if male {
            assert!(s.y_called > 60, "{s:?}");
        } else {
            assert_eq!(s.y_called, 0, "{s:?}");
        }
    }
    // With the true PED the warnings are all about MOM_AGAIN, whom a PED cannot declare: a
    // duplicate of MOM, and so (for the PED, in another family) parent of KID1 and KID2.
    let expected: BTreeSet<_> = [
        k("duplicate", "MOM", "MOM_AGAIN"),
        k("unexpected-parent-child", "KID1", "MOM_AGAIN"),
        k("unexpected-parent-child", "KID2", "MOM_AGAIN"),
    ]
    .into_iter()
    .collect();
    assert_eq!(warning_keys(&r), expected, "{:#?}", r.warnings);
    assert!(r.notices.is_empty(), "{:?}", r.notices);
    assert_eq!(r.pairs.iter().filter(|p| p.flagged).count(), 3);
}

/// A warning's key: (kind, sample, sample).
fn k(kind: &str, a: &str, b: &str) -> (String, String, String) {
    (kind.to_string(), a.to_string(), b.to_string())
}

/// Each warning as (kind, sample, sample).
fn warning_keys(r: &PedigreeCheck) -> BTreeSet<(String, String, String)> {
    r.warnings
        .iter()
        .map(|w| {
            let (kind, a, b) = match w {
                CheckWarning::Sex { sample, .. } => ("sex", sample.clone(), String::new()),
                CheckWarning::Duplicate { a, b, .. } => ("duplicate", a.clone(), b.clone()),
                CheckWarning::NotParentChild { a, b, .. } => {
                    ("not-parent-child", a.clone(), b.clone())
                }
                CheckWarning::UnexpectedParentChild { a, b, .. } => {
                    ("unexpected-parent-child", a.clone(), b.clone())
                }
                CheckWarning::Relatedness { a, b, .. } => ("relatedness", a.clone(), b.clone()),
            };
            (kind.to_string(), a, b)
        })
        .collect()
}

#[test]
fn synthetic_family_wrong_ped_warnings() {
    let text = synthetic::vcf();
    let r = pedigree_check::check(
        &read(text.as_bytes()),
        Some(&ped("synthetic-family-wrong-ped")),
        &CheckParams::default(),
    );
    let expected: BTreeSet<_> = [
        // KID2 declared female.
        k("sex", "KID2", ""),
        // Non-paternity: the declared father is not, the mother's husband is.
        k("not-parent-child", "KID2", "UNREL"),
        k("unexpected-parent-child", "DAD", "KID2"),
        // Then KID2 is, in truth, DAD's parents' grandchild and AUNT's nephew (0.25; the PED
        // says unrelated).
        k("relatedness", "GF", "KID2"),
        k("relatedness", "GM", "KID2"),
        k("relatedness", "KID2", "AUNT"),
        // UNREL declared MOM's brother (0.5) and so KID1's uncle (0.25): both about 0.
        k("relatedness", "MOM", "UNREL"),
        k("relatedness", "KID1", "UNREL"),
        // By the PED KID2 is the child of two siblings, so MOM–KID2 expects 2 × (1/4 + 1/8) =
        // 0.75 and sees 0.5. (KID1–KID2 expects 0.375 by the PED and sees 0.5: within 0.17.)
        k("relatedness", "MOM", "KID2"),
        // The duplicate, and her children by the PED's account unrelated to her.
        k("duplicate", "MOM", "MOM_AGAIN"),
        k("unexpected-parent-child", "KID1", "MOM_AGAIN"),
        k("unexpected-parent-child", "KID2", "MOM_AGAIN"),
    ]
    .into_iter()
    .collect();
    assert_eq!(warning_keys(&r), expected, "{:#?}", r.warnings);
    assert!(r.notices.contains(&CheckNotice::NotSequenced {
        samples: vec!["MGF".into(), "MGM".into()]
    }));
    // Each warning prints as one line with its numbers.
    for w in &r.warnings {
        let line = w.to_string();
        assert!(
            !line.contains('\n') && line.chars().any(|c| c.is_ascii_digit()),
            "{line}"
        );
    }
}

/// The synthetic family cut into three parts, as a pool's shards hold a file: the parts'
/// tallies, sent through serde as a worker posts them and merged, finish into the whole file's
/// check, warnings and notices included.
#[test]
fn parts_merged_equal_the_whole() {
    let text = synthetic::vcf();
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().take_while(|l| l.starts_with('#')).count();
    let body = &lines[header..];
    let part = |records: &[&str]| {
        let mut t = lines[..header].join("\n");
        t.push('\n');
        for l in records {
            t.push_str(l);
            t.push('\n');
        }
        read(t.as_bytes())
    };
    let params = CheckParams::default();
    let whole_ds = read(text.as_bytes());
    let build = pedigree_check::build_of(&whole_ds);
    let declared = ped("synthetic-family-wrong-ped");
    let whole = pedigree_check::check(&whole_ds, Some(&declared), &params);
    let (third, two_thirds) = (body.len() / 3, 2 * body.len() / 3);
    let tallies: Vec<pedigree_check::Tally> = [
        &body[..third],
        &body[third..two_thirds],
        &body[two_thirds..],
    ]
    .iter()
    .map(|records| {
        let ds = part(records);
        assert_eq!(pedigree_check::build_of(&ds), build);
        let t = pedigree_check::tally(&ds.store, build, &params);
        // Through serde, as a worker posts it to the page.
        serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap()
    })
    .collect();
    // Each part alone is not the whole (the test can fail).
    assert_ne!(
        pedigree_check::finish(&tallies[0], Some(&declared), &params).pairs,
        whole.pairs
    );
    let merged = pedigree_check::Tally::merge(tallies).unwrap();
    assert_eq!(
        merged,
        pedigree_check::tally(&whole_ds.store, build, &params)
    );
    let parts = pedigree_check::finish(&merged, Some(&declared), &params);
    assert_eq!(parts, whole);
    assert!(!whole.warnings.is_empty() && whole.relatedness_sites > 500);
    assert_eq!(pedigree_check::Tally::merge(Vec::new()), None);
}
