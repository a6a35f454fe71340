//! A VCF split into parts at given records, each part a store of its own as the app's pool
//! holds them, against the whole store: shared by `inheritance_parts` and
//! `inheritance_property`.

use enclave_test_support::engine::read_from;
use wasm_core::inheritance::{Analysis, Mode, Options, PartEvidence};
use wasm_core::pedigree::Pedigree;

/// What one comparison covered.
#[derive(Debug, Default, Clone, Copy)]
pub struct Covered {
    /// Records kept by some mode in some family (whole store).
    pub kept: u64,
    /// `comp-het` explanations compared, and partners named in another part among them.
    pub explained: u64,
    pub cross_partners: u64,
}

impl std::ops::AddAssign for Covered {
    fn add_assign(&mut self, o: Covered) {
        self.kept += o.kept;
        self.explained += o.explained;
        self.cross_partners += o.cross_partners;
    }
}

/// Splits `vcf`'s records before each index of `bounds` (ascending, inside the file, so no
/// part is empty), evaluates every mode in each part with the merged [`PartEvidence`] of all
/// parts, and asserts that every family's fits / possible bits, and every `comp-het`
/// explanation of `explain(i)`'s records (verdicts, reasons, partners with their positions),
/// are the whole store's. The evidence goes through JSON as it would through a worker message.
pub fn check(
    name: &str,
    vcf: &str,
    ped: &str,
    options: &Options,
    bounds: &[usize],
    explain: impl Fn(usize, bool) -> bool,
) -> Covered {
    let header: String = vcf
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let records: Vec<&str> = vcf.lines().filter(|l| !l.starts_with('#')).collect();
    let pedigree = Pedigree::parse(ped.as_bytes()).expect("the PED parses");
    let whole = read_from(name, vcf.as_bytes(), None).expect("the VCF reads");
    let Ok(a) = Analysis::new(&whole.store, &pedigree, options.clone()) else {
        return Covered::default();
    };
    assert_eq!(
        whole.store.len(),
        records.len(),
        "{name}: one record a line"
    );
    let mut starts = vec![0];
    starts.extend_from_slice(bounds);
    starts.push(records.len());
    let parts: Vec<_> = starts
        .windows(2)
        .map(|w| {
            assert!(w[0] < w[1], "{name}: an empty part in {bounds:?}");
            let text = format!("{header}{}\n", records[w[0]..w[1]].join("\n"));
            let ds = read_from(name, text.as_bytes(), None).expect("a part reads");
            let analysis =
                Analysis::new(&ds.store, &pedigree, options.clone()).expect("a part's analysis");
            (w[0], ds, analysis)
        })
        .collect();
    let evidence: Vec<PartEvidence> = parts
        .iter()
        .enumerate()
        .map(|(k, (_, ds, pa))| {
            let e = pa.part_evidence(&ds.store, k as u32);
            let json = serde_json::to_string(&e).expect("evidence serialises");
            serde_json::from_str(&json).expect("evidence deserialises")
        })
        .collect();
    let merged = PartEvidence::merge(evidence);
    let mut covered = Covered::default();
    for mode in Mode::ALL {
        let expected = a.evaluate(&whole.store, mode);
        covered.kept += expected.kept().count_ones() as u64;
        for (k, (first, ds, pa)) in parts.iter().enumerate() {
            let got = pa.evaluate_in_part(&ds.store, mode, k as u32, &merged);
            for (fe, fg) in expected.families.iter().zip(&got.families) {
                assert_eq!(fe.family, fg.family);
                for i in 0..ds.store.len() {
                    let at = first + i;
                    assert_eq!(
                        (fe.fits.get(at), fe.possible.get(at)),
                        (fg.fits.get(i), fg.possible.get(i)),
                        "{name}: {} in family {}, record {at} ({}:{}), part {k} of {bounds:?}, \
                         {options:?}",
                        mode.name(),
                        fe.family,
                        ds.store.chrom(i),
                        ds.store.pos(i),
                    );
                }
            }
            let selection = pa.select_in_part(&ds.store, &[mode], k as u32, &merged);
            assert_eq!(selection.modes, vec![got]);
        }
    }
    let comp_het = a.evaluate(&whole.store, Mode::CompHet).kept();
    for (k, (first, ds, pa)) in parts.iter().enumerate() {
        for i in 0..ds.store.len() {
            let at = first + i;
            if !explain(at, comp_het.get(at)) {
                continue;
            }
            let expected = a.explain(&whole.store, at, Mode::CompHet);
            let got = pa.explain_row_in_part(&ds.store, i, &[Mode::CompHet], k as u32, &merged);
            assert_eq!(
                expected, got,
                "{name}: comp-het explanation of record {at}, part {k} of {bounds:?}, {options:?}"
            );
            covered.explained += 1;
            covered.cross_partners += got
                .iter()
                .flat_map(|e| &e.partners)
                .filter(|p| {
                    let p = p.record as usize;
                    p < *first || p >= first + ds.store.len()
                })
                .count() as u64;
        }
    }
    covered
}
