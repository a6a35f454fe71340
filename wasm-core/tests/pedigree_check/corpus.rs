//! Every multi-sample variant file of the shared corpus through the check (skipped with a
//! notice when the corpus is absent): no panic, and numbers that hold together whatever the
//! file — counts within their sites, every pair listed once, the JSON the app receives
//! written and read back, a PED naming none of the samples said so and compared with nothing.
//!
//! The files come from the corpus's `manifest.tsv` (the `samples` column, as bcftools counts
//! them); those Enclave does not read are passed over (the ingest tests judge them).

use std::panic::{AssertUnwindSafe, catch_unwind};

use enclave_test_support::engine::{panic_message, read_from};
use enclave_test_support::files;
use wasm_core::pedigree_check::{
    self, CheckNotice, CheckParams, CheckWarning, PedigreeCheck, PredictedRelation, relatedness,
};

use super::parse_ped;

/// The corpus's VCF and BCF files with at least two samples, by the manifest.
fn multi_sample_files(dir: &std::path::Path) -> Vec<String> {
    let manifest = String::from_utf8(files::read(&dir.join("manifest.tsv"))).unwrap();
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (path, format, samples) = (column("path"), column("format"), column("samples"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() > samples && (f[format].starts_with("VCF") || f[format] == "BCF"))
        .filter(|f| {
            let count = f[samples].trim_end_matches("(hdr)");
            count.parse::<usize>().is_ok_and(|n| n >= 2)
        })
        .map(|f| f[path].to_string())
        .collect()
}

/// What must hold of any result, whatever the file.
fn consistent(name: &str, ds: &wasm_core::Dataset, r: &PedigreeCheck, params: &CheckParams) {
    let n = ds.store.samples().len();
    assert_eq!(r.samples, ds.store.samples(), "{name}: samples");
    assert_eq!(r.sex.len(), n, "{name}: a sex row per sample");
    for s in &r.sex {
        assert!(
            s.hom_ref + s.het + s.hom_alt <= r.x_sites,
            "{name} {}: more chrX genotypes than sites",
            s.sample
        );
        assert!(
            s.y_alt <= s.y_called && s.y_called <= r.y_sites,
            "{name} {s:?}"
        );
    }
    if n > params.relatedness.max_samples {
        assert!(r.pairs.is_empty(), "{name}");
        return;
    }
    assert_eq!(
        r.pairs_total as usize,
        relatedness::pair_count(n),
        "{name}: pairs checked"
    );
    if n <= params.relatedness.all_pairs_up_to {
        assert_eq!(r.pairs.len(), relatedness::pair_count(n), "{name}: pairs");
    }
    let mut last = None;
    for p in &r.pairs {
        let what = format!(
            "{name} {}-{}",
            r.samples[p.a as usize], r.samples[p.b as usize]
        );
        assert!(p.a < p.b && (p.b as usize) < n, "{what}: indices");
        assert!(last < Some((p.a, p.b)), "{what}: each pair once, in order");
        last = Some((p.a, p.b));
        assert!(p.ibs0 + p.ibs2 <= p.n, "{what}: IBS0 + IBS2 <= n");
        assert!(p.n <= r.relatedness_sites, "{what}: n within the sites");
        assert!(
            p.shared_hets <= p.ibs2 && p.shared_hets <= p.hets_a.min(p.hets_b),
            "{what}: shared hets"
        );
        if p.n < params.relatedness.min_sites {
            assert_eq!(p.predicted, PredictedRelation::Undetermined, "{what}");
        }
        if let Some(rel) = p.relatedness {
            assert!(rel.is_finite() && rel <= 2.0, "{what}: relatedness {rel}");
        }
    }
    let json = serde_json::to_string(r).unwrap_or_else(|e| panic!("{name}: to JSON: {e}"));
    let back: PedigreeCheck =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: from JSON: {e}"));
    assert_eq!(back.pairs.len(), r.pairs.len(), "{name}: JSON round trip");
    assert_eq!(back.notices, r.notices, "{name}: JSON round trip");
}

#[test]
fn every_multi_sample_file_of_the_shared_corpus() {
    let Some(dir) = files::shared_testdata_or_skip("pedigree_check corpus") else {
        return;
    };
    let params = CheckParams::default();
    let strangers = parse_ped("f\tNOT_A_SAMPLE_1\t0\t0\t1\t1\nf\tNOT_A_SAMPLE_2\t0\t0\t2\t1\n");
    let (mut checked, mut with_pairs) = (0, 0);
    for name in multi_sample_files(&dir) {
        let bytes = files::read(&dir.join(&name));
        let Ok(ds) = read_from(&name, &bytes[..], Some(bytes.len() as u64)) else {
            continue;
        };
        if ds.store.samples().len() < 2 {
            continue;
        }
        let run = |ped| {
            catch_unwind(AssertUnwindSafe(|| {
                pedigree_check::check(&ds, ped, &params)
            }))
            .unwrap_or_else(|p| panic!("{name}: the check panicked: {}", panic_message(&*p)))
        };
        let r = run(None);
        consistent(&name, &ds, &r, &params);
        // Without a PED only duplicates are warned of.
        assert!(
            r.warnings
                .iter()
                .all(|w| matches!(w, CheckWarning::Duplicate { .. })),
            "{name}: {:?}",
            r.warnings
        );
        assert!(r.notices.contains(&CheckNotice::NoPedigree), "{name}");
        // A PED naming none of the samples: said so, and nothing more is compared.
        let s = run(Some(&strangers));
        consistent(&name, &ds, &s, &params);
        assert!(
            s.notices.contains(&CheckNotice::NoPedigreeSampleInFile),
            "{name}"
        );
        assert!(s.sex.iter().all(|x| !x.mismatch), "{name}");
        checked += 1;
        with_pairs += usize::from(r.pairs.iter().any(|p| p.n > 0));
    }
    eprintln!("pedigree_check corpus: {checked} files checked, {with_pairs} with shared sites");
    assert!(checked >= 300, "{checked} multi-sample files read");
    assert!(with_pairs >= 50, "{with_pairs} files with shared sites");
}
