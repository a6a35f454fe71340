//! Sex from genotypes (CLINICAL.md §4, peddy's `sex_check`): heterozygosity on chrX outside
//! the pseudo-autosomal regions, with chrY calls as supporting evidence.
//!
//! Sites: biallelic SNVs on chrX outside the PARs of the file's build ([`SexRegions`]) with
//! call rate ≥ 0.5 and alternate allele frequency ≥ 0.01 over the samples. Genotypes: those
//! with depth ≥ 7 ([`super::sites::Depths`]; a site where no sample has a depth is read without
//! the filter, as peddy does). Per sample the hom-ref, het and hom-alt counts ([`SexCounts`]);
//! [`predict`] turns them into `het / hom-alt` and a sex (male below 0.6). On chrY outside its
//! PARs, biallelic SNVs: per sample the genotypes called (with the same depth filter) and
//! those carrying the alternate allele — a female has few chrY calls.

use super::SexParams;
use super::declared::Sex;
use super::sites::{ContigClass, Depths, GtClass, GtClasses, SexRegions, is_biallelic_snv};
use crate::store::VariantStore;

/// One sample's counts over the sex-check sites; additive across a file's shards.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SexCounts {
    pub hom_ref: u64,
    pub het: u64,
    pub hom_alt: u64,
    /// chrY (outside its PARs): genotypes called, and those with an alternate allele.
    pub y_called: u64,
    pub y_alt: u64,
}

impl SexCounts {
    pub fn add(&mut self, other: &SexCounts) {
        self.hom_ref += other.hom_ref;
        self.het += other.het;
        self.hom_alt += other.hom_alt;
        self.y_called += other.y_called;
        self.y_alt += other.y_alt;
    }
}

/// The sex-check counts of a store: per sample, plus the sites read.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SexTally {
    pub samples: Vec<SexCounts>,
    /// chrX records seen (any kind), and the sites that passed the site rules.
    pub x_records: u64,
    pub x_sites: u64,
    /// Sites where no sample had a depth, read without the depth filter.
    pub x_sites_without_depth: u64,
    pub y_records: u64,
    pub y_sites: u64,
}

impl SexTally {
    pub fn add(&mut self, other: &SexTally) {
        if self.samples.len() < other.samples.len() {
            self.samples
                .resize(other.samples.len(), SexCounts::default());
        }
        for (a, b) in self.samples.iter_mut().zip(&other.samples) {
            a.add(b);
        }
        self.x_records += other.x_records;
        self.x_sites += other.x_sites;
        self.x_sites_without_depth += other.x_sites_without_depth;
        self.y_records += other.y_records;
        self.y_sites += other.y_sites;
    }
}

/// Counts the sex-check genotypes of every sample. `classes` gives each record's contig class.
pub(super) fn tally(
    store: &VariantStore,
    contig_classes: &[ContigClass],
    regions: &SexRegions,
    params: &SexParams,
) -> SexTally {
    let n = store.samples().len();
    let mut t = SexTally {
        samples: vec![SexCounts::default(); n],
        ..SexTally::default()
    };
    if n == 0 {
        return t;
    }
    let gts = GtClasses::new(store);
    let depths = Depths::new(store);
    let codes = store.contig_codes();
    let mut classes = vec![GtClass::Missing; n];
    let mut depth_ok = vec![true; n];
    for i in 0..store.len() {
        let class = contig_classes
            .get(codes.get(i) as usize)
            .copied()
            .unwrap_or(ContigClass::Other);
        let on_x = match class {
            ContigClass::X => true,
            ContigClass::Y => false,
            _ => continue,
        };
        if on_x {
            t.x_records += 1;
        } else {
            t.y_records += 1;
        }
        let pos = store.pos(i);
        let in_par = if on_x {
            regions.in_x_par(pos)
        } else {
            regions.in_y_par(pos)
        };
        if in_par || !is_biallelic_snv(store, i) {
            continue;
        }
        let (mut called, mut alt_alleles) = (0u64, 0u64);
        for (s, c) in classes.iter_mut().enumerate() {
            *c = gts.of(store, i, s);
            if *c != GtClass::Missing {
                called += 1;
                alt_alleles += c.alt_alleles();
            }
        }
        // The depth filter applies when any sample has a depth at this site (peddy:
        // `np.all(gt_depths < 0)` turns it off).
        let mut any_depth = false;
        for (s, ok) in depth_ok.iter_mut().enumerate() {
            let d = depths.of(i, s).map(|(d, _)| d);
            any_depth |= d.is_some();
            *ok = d.is_some_and(|d| d >= params.min_depth);
        }
        if !on_x {
            t.y_sites += 1;
            for s in 0..n {
                if classes[s] != GtClass::Missing && (!any_depth || depth_ok[s]) {
                    t.samples[s].y_called += 1;
                    t.samples[s].y_alt += u64::from(classes[s] != GtClass::HomRef);
                }
            }
            continue;
        }
        // Site rules, computed as peddy (cyvcf2) does: call rate over all samples, alternate
        // allele frequency over the called ones.
        let call_rate = called as f64 / n as f64;
        let alt_freq = if called == 0 {
            0.0
        } else {
            alt_alleles as f64 / (2 * called) as f64
        };
        if call_rate < params.min_call_rate || alt_freq < params.min_alt_freq {
            continue;
        }
        t.x_sites += 1;
        t.x_sites_without_depth += u64::from(!any_depth);
        for s in 0..n {
            if any_depth && !depth_ok[s] {
                continue;
            }
            let counts = &mut t.samples[s];
            match classes[s] {
                GtClass::HomRef => counts.hom_ref += 1,
                GtClass::Het => counts.het += 1,
                GtClass::HomAlt => counts.hom_alt += 1,
                GtClass::Missing => {}
            }
        }
    }
    t
}

/// `het / hom-alt` and the sex it predicts. peddy divides by at least 1 (`het / max(hom_alt,
/// 1)`); with fewer than `min_informative` het + hom-alt genotypes the sex is unknown and the
/// ratio is still given (peddy would call a sample without any chrX alternate call male).
pub fn predict(counts: &SexCounts, params: &SexParams) -> (Option<f64>, Sex) {
    let informative = counts.het + counts.hom_alt;
    if informative == 0 {
        return (None, Sex::Unknown);
    }
    let ratio = counts.het as f64 / counts.hom_alt.max(1) as f64;
    let sex = if informative < params.min_informative {
        Sex::Unknown
    } else if ratio < params.male_below {
        Sex::Male
    } else {
        Sex::Female
    };
    (Some(ratio), sex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(het: u64, hom_alt: u64) -> SexCounts {
        SexCounts {
            hom_ref: 100,
            het,
            hom_alt,
            ..SexCounts::default()
        }
    }

    #[test]
    fn ratio_and_prediction() {
        let p = SexParams::default();
        // A male: few hets against many hom-alts.
        assert_eq!(predict(&counts(30, 600), &p), (Some(0.05), Sex::Male));
        // A female: hets outnumber hom-alts.
        assert_eq!(predict(&counts(900, 600), &p), (Some(1.5), Sex::Female));
        // At the cut-off: 0.6 is not below 0.6.
        assert_eq!(predict(&counts(6, 10), &p), (Some(0.6), Sex::Female));
        assert_eq!(predict(&counts(5, 10), &p), (Some(0.5), Sex::Male));
        // No hom-alt: peddy divides by 1.
        assert_eq!(predict(&counts(12, 0), &p), (Some(12.0), Sex::Female));
        // Too little evidence: the ratio is shown, the sex is not guessed.
        assert_eq!(predict(&counts(0, 3), &p), (Some(0.0), Sex::Unknown));
        // No informative genotype at all (no chrX, or only hom-ref): nothing to say.
        assert_eq!(predict(&counts(0, 0), &p), (None, Sex::Unknown));
    }
}
