//! Enclave's pedigree check against peddy 0.4.8 (CLINICAL.md §3–4).
//!
//! `testdata/expected/peddy/cases.tsv` lists the files; `scripts/regen-peddy.sh` ran peddy on
//! each and committed `ped_check.csv`, `sex_check.csv` and the relatedness sites
//! (`sites.txt.gz`, Enclave's rule written again in Python over cyvcf2, given to peddy as its
//! `--sites`). Cases on files of the shared corpus are skipped with a notice when it is absent.
//!
//! What must agree, and how closely:
//! - Relatedness sites: the same records, exactly.
//! - `hets_a`, `hets_b`, `shared_hets`, `ibs0`: exactly. `rel`: within half a unit of its
//!   fourth significant digit (peddy writes `%.4g` of a float32).
//! - `n`, `ibs2`: peddy ≥ Enclave, by at most the later sample's hets left out for their allele
//!   balance. peddy (cyvcf2's `krelated`) drops such a het only when it belongs to the first
//!   sample of the pair in file order; as the second it still counts the site in `n` (and in
//!   `ibs2` when the first is het too). Enclave drops it from every pair, so the numbers do not
//!   depend on the order of the samples. Files without AD agree exactly.
//! - `predicted_parents` and `sample_duplication_error`: the same, where Enclave predicts (at
//!   least 100 shared sites); `pedigree_parents`: the same.
//! - `pedigree_relatedness`: the same, except in the cases listed in [`PEDIGREE_DIFFERS`],
//!   where peddy's path-length rule is not the kinship (docs/PEDIGREE_CHECK.md).
//! - Sex: with peddy's pseudo-autosomal intervals (X:1-2,781,479 and X:154,931,045-156,030,896,
//!   which it uses for both builds) `hom_ref`, `het`, `hom_alt` exactly, `het_ratio` within
//!   half a unit of its fourth significant digit, and the predicted sex wherever Enclave has
//!   at least 10 informative genotypes (peddy calls a sample without any chrX alternate call
//!   male).

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use enclave_test_support::files;
use wasm_core::pedigree_check::{
    self, CheckParams, DeclaredRelation, PedigreeCheck, PredictedRelation, SexRegions, relatedness,
};

use wasm_core::pedigree::Pedigree;

use super::{parse_ped, read};

/// Cases whose PED makes peddy's expected relatedness differ from the kinship: in
/// `synthetic-family-wrong-ped` the PED declares MOM and UNREL siblings and then parents of
/// KID2, a consanguineous loop that peddy's lowest-common-ancestor path rule scores 0.0625 for
/// KID1–KID2 and 0.125 for MOM–KID2 (kinship: 0.375 and 0.75).
const PEDIGREE_DIFFERS: &[&str] = &["synthetic-family-wrong-ped"];

/// Cases whose PED gives each individual a family of their own (bcftools' test PEDs) and
/// links them by the parent columns. peddy reads parents within a family only, so it declares
/// no one related; Enclave's one PED reader joins such families ([`Pedigree::families`]), as
/// the inheritance modes read them, so the check expects parent and child where the PED names
/// a parent (docs/PEDIGREE_CHECK.md). In these cases every pair the PED links directly is
/// expected parent–child at 0.5 and every other pair is compared with peddy as elsewhere.
const FAMILIES_JOINED: &[&str] = &["bcftools-trio", "bcftools-trio-stats"];

/// Whether the PED names one of `a` and `b` as the other's parent, and they have different
/// family ids (PED column 1).
fn parent_across_families(ped: &Pedigree, a: &str, b: &str) -> bool {
    let (Some(x), Some(y)) = (ped.find(a), ped.find(b)) else {
        return false;
    };
    let people = ped.individuals();
    let parent_of = |child: usize, parent: usize| {
        people[child].father == Some(parent) || people[child].mother == Some(parent)
    };
    people[x].family != people[y].family && (parent_of(x, y) || parent_of(y, x))
}

struct Case {
    name: String,
    vcf: PathBuf,
    ped: PathBuf,
}

fn expected_dir() -> PathBuf {
    files::testdata_path("expected/peddy")
}

/// The cases of cases.tsv whose files are here (shared ones skipped with a notice).
fn cases() -> Vec<Case> {
    let text = String::from_utf8(files::read(&expected_dir().join("cases.tsv"))).unwrap();
    let root = files::workspace_root();
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let resolve = |p: &str| match p.strip_prefix("shared:") {
            Some(rel) => files::shared_testdata().map(|d| d.join(rel)),
            None => Some(root.join(p)),
        };
        match (resolve(f[1]), resolve(f[2])) {
            (Some(vcf), Some(ped)) => out.push(Case {
                name: f[0].to_string(),
                vcf,
                ped,
            }),
            _ => eprintln!(
                "notice: pedigree_check peddy {}: skipped: ../shared/testdata is absent",
                f[0]
            ),
        }
    }
    assert!(out.len() >= 6, "the committed cases are always here");
    out
}

/// A peddy CSV as rows of column → value.
fn csv(case: &str, name: &str) -> Option<Vec<HashMap<String, String>>> {
    let path = expected_dir().join(case).join(name);
    if !path.exists() {
        return None;
    }
    let text = String::from_utf8(files::read(&path)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    Some(
        lines
            .map(|l| {
                header
                    .iter()
                    .zip(l.split(','))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .collect(),
    )
}

fn num(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key}={:?} is not a number", row[key]))
}

/// Half a unit of the fourth significant digit of `x` (peddy writes `%.4g`), at most
/// `5e-4 × |x|`, plus float32's rounding (peddy keeps `rel` as a float32).
fn sig4(x: f64) -> f64 {
    5e-4 * x.abs() + 1e-6
}

fn flag(row: &HashMap<String, String>, key: &str) -> bool {
    row[key] == "True"
}

fn run(case: &Case, params: &CheckParams) -> (wasm_core::Dataset, PedigreeCheck) {
    let ds = read(&files::read(&case.vcf));
    let ped = String::from_utf8(files::read(&case.ped)).unwrap();
    let r = pedigree_check::check(&ds, Some(&parse_ped(&ped)), params);
    (ds, r)
}

#[test]
fn relatedness_sites_are_the_ones_peddy_was_given() {
    for case in cases() {
        let path = expected_dir().join(&case.name).join("sites.txt.gz");
        let mut listed = String::new();
        flate2::read::GzDecoder::new(&files::read(&path)[..])
            .read_to_string(&mut listed)
            .unwrap();
        let ds = read(&files::read(&case.vcf));
        let store = &ds.store;
        let ours: Vec<String> = relatedness::sites(store, &Default::default())
            .into_iter()
            .map(|i| {
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                format!(
                    "{}:{}:{}:{}",
                    store.chrom(i),
                    store.pos(i),
                    text(store.reference(i)),
                    text(store.alts(i))
                )
            })
            .collect();
        let theirs: Vec<&str> = listed.lines().collect();
        assert_eq!(ours, theirs, "{}: relatedness sites", case.name);
    }
}

#[test]
fn pairs_equal_peddys_ped_check() {
    let params = CheckParams::default();
    let mut compared = 0;
    for case in cases() {
        let Some(rows) = csv(&case.name, "ped_check.csv") else {
            continue;
        };
        let (_, r) = run(&case, &params);
        let index: HashMap<&str, usize> = r
            .samples
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        assert_eq!(rows.len(), r.pairs.len(), "{}: pair count", case.name);
        let pedigree = Pedigree::parse(&files::read(&case.ped)).unwrap();
        let joined = FAMILIES_JOINED.contains(&case.name.as_str());
        let mut linked_pairs = 0;
        for row in &rows {
            let (a, b) = (
                index[row["sample_a"].as_str()],
                index[row["sample_b"].as_str()],
            );
            let what = format!("{} {}-{}", case.name, row["sample_a"], row["sample_b"]);
            // peddy's sample_a is the earlier of the two in the file.
            assert!(a < b, "{what}: peddy's pair order");
            let p = r
                .pairs
                .iter()
                .find(|p| p.a as usize == a && p.b as usize == b)
                .unwrap();
            let int = |k: &str| num(row, k) as u64;
            assert_eq!(
                (p.hets_a, p.hets_b, p.shared_hets, p.ibs0),
                (
                    int("hets_a"),
                    int("hets_b"),
                    int("shared_hets"),
                    int("ibs0")
                ),
                "{what}: hets_a, hets_b, shared_hets, ibs0"
            );
            match p.relatedness {
                Some(rel) => assert!(
                    (rel - num(row, "rel")).abs() <= sig4(num(row, "rel")),
                    "{what}: rel {rel} vs peddy {}",
                    row["rel"]
                ),
                // peddy divides by -1 when neither has a het.
                None => assert_eq!((int("hets_a"), int("hets_b")), (0, 0), "{what}"),
            }
            let slack = r.hets_off_balance[b];
            for (ours, key) in [(p.n, "n"), (p.ibs2, "ibs2")] {
                let theirs = int(key);
                assert!(
                    ours <= theirs && theirs - ours <= slack,
                    "{what}: {key} {ours} vs peddy {theirs} (the later sample's off-balance hets: {slack})"
                );
            }
            let linked =
                joined && parent_across_families(&pedigree, &row["sample_a"], &row["sample_b"]);
            if linked {
                linked_pairs += 1;
                assert!(!flag(row, "pedigree_parents"), "{what}: peddy joined them");
                assert_eq!(
                    (p.expected, p.expected_relatedness),
                    (DeclaredRelation::ParentChild, Some(0.5)),
                    "{what}: a parent named across family ids"
                );
            } else {
                assert_eq!(
                    p.expected == DeclaredRelation::ParentChild,
                    flag(row, "pedigree_parents"),
                    "{what}: pedigree_parents"
                );
            }
            if !linked && !PEDIGREE_DIFFERS.contains(&case.name.as_str()) {
                assert_eq!(
                    p.expected_relatedness.unwrap_or(0.0),
                    num(row, "pedigree_relatedness"),
                    "{what}: pedigree_relatedness"
                );
            }
            if p.predicted != PredictedRelation::Undetermined {
                // What peddy calls an error, Enclave warns of.
                // peddy's parent error on a linked pair is its not reading the link (above).
                if (flag(row, "parent_error") && !linked) || flag(row, "sample_duplication_error") {
                    assert!(p.flagged, "{what}: peddy's error is no warning");
                }
                let parents = matches!(
                    p.predicted,
                    PredictedRelation::ParentChild | PredictedRelation::Duplicate
                );
                assert_eq!(
                    parents,
                    flag(row, "predicted_parents"),
                    "{what}: predicted_parents"
                );
                assert_eq!(
                    p.predicted == PredictedRelation::Duplicate,
                    flag(row, "sample_duplication_error"),
                    "{what}: duplicate"
                );
            }
            compared += 1;
        }
        if joined {
            assert!(
                linked_pairs > 0,
                "{}: no parent named across families",
                case.name
            );
        }
    }
    assert!(compared > 300, "{compared} pairs compared");
}

/// peddy's pseudo-autosomal intervals (peddy.py `sex_check`: it queries chrX from 2,781,480
/// and skips 0-based starts in 154,931,044-156,030,895), as 1-based positions.
fn peddy_regions() -> SexRegions {
    SexRegions {
        x: vec![(1, 2_781_479), (154_931_045, 156_030_896)],
        y: SexRegions::either_build().y,
    }
}

#[test]
fn sex_equals_peddys_sex_check() {
    let mut params = CheckParams {
        regions: Some(peddy_regions()),
        ..CheckParams::default()
    };
    params.regions = Some(peddy_regions());
    let mut compared = 0;
    for case in cases() {
        let Some(rows) = csv(&case.name, "sex_check.csv") else {
            continue;
        };
        let (ds, r) = run(&case, &params);
        for row in &rows {
            let s = r.sex.iter().find(|s| s.sample == row["sample_id"]).unwrap();
            let what = format!("{} {}", case.name, s.sample);
            let int = |k: &str| num(row, k) as u64;
            assert_eq!(
                (s.hom_ref, s.het, s.hom_alt),
                (int("hom_ref_count"), int("het_count"), int("hom_alt_count")),
                "{what}: hom-ref, het, hom-alt"
            );
            let ratio = s.het_ratio.unwrap_or(0.0);
            let theirs = num(row, "het_ratio");
            assert!(
                (ratio - theirs).abs() <= sig4(theirs),
                "{what}: het_ratio {ratio} vs peddy {theirs}"
            );
            if s.het + s.hom_alt >= params.sex.min_informative {
                assert_eq!(s.predicted.to_string(), row["predicted_sex"], "{what}: sex");
            } else {
                assert_eq!(s.predicted, pedigree_check::Sex::Unknown, "{what}");
            }
            compared += 1;
        }
        // With the build's own PARs (the default), the GRCh37 files gain the sites of
        // X:2,699,521-2,781,479 that peddy leaves out, and keep their predictions.
        if pedigree_check::build_of(&ds) == Some(pedigree_check::Build::GRCh37) {
            let own = pedigree_check::check(&ds, None, &CheckParams::default());
            assert!(own.x_sites >= r.x_sites, "{}", case.name);
            for (a, b) in own.sex.iter().zip(&r.sex) {
                assert!(a.hom_alt + a.het + a.hom_ref >= b.hom_alt + b.het + b.hom_ref);
                assert_eq!(a.predicted, b.predicted, "{} {}", case.name, a.sample);
            }
        }
    }
    assert!(compared >= 15, "{compared} samples compared");
}
