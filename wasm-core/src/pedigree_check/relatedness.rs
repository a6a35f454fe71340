//! Relatedness of every pair of samples (CLINICAL.md §4), by peddy's rule (cyvcf2's
//! `krelated`, a KING-robust estimator) over the file's own sites.
//!
//! Sites: biallelic SNVs on the autosomes with call rate ≥ 0.8 (peddy's gate for its sites)
//! that are common among the file's samples: minor allele frequency ≥ 0.05. peddy reads a
//! fixed list of 25,000 exome sites common in the 1000 Genomes Project; Enclave has no
//! population list in the browser and reads every such site of the file (docs/PEDIGREE_CHECK.md).
//! In a trio the frequency rule only drops sites where all are hom-alt; in a cohort it keeps
//! rare variants out, whose few hets would make unrelated samples look related.
//!
//! Genotypes: a het counts only when its alternate-allele fraction (FORMAT/AD) is within
//! 0.2–0.8, unless no sample has AD at the site; a het outside is read as not called. For a
//! pair (a, b), over the sites where both are called: `n` the sites, `ibs0` those where one
//! is hom-ref and the other hom-alt, `ibs2` those with the same genotype, `shared_hets` those
//! where both are het; per sample `hets` its hets over all sites. Then
//! `relatedness = (shared_hets − 2·ibs0) / min(hets_a, hets_b)` ([`relatedness`]).
//!
//! The kernel is columnar: the sites are taken in blocks of [`BLOCK_SITES`], each sample's
//! genotypes in a block become three bit sets (hom-ref, het, hom-alt), and each pair's counts
//! are popcounts of their ANDs — 64 sites per instruction, so a whole genome of a family or
//! a few thousand sites of a cohort take well under a second.

use super::RelatednessParams;
use super::sites::{ContigClass, Depths, GtClass, GtClasses, is_biallelic_snv};
use crate::store::VariantStore;

/// Sites per block of the pair kernel (256 words of 64).
pub const BLOCK_SITES: usize = 256 * 64;

/// One pair's counts; additive across a file's shards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PairCounts {
    pub n: u64,
    pub ibs0: u64,
    pub ibs2: u64,
    pub shared_hets: u64,
}

/// The relatedness counts of a store.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RelatednessTally {
    pub samples: usize,
    /// Per pair `a < b`, in the order `(0,1), (0,2), …, (1,2), …` ([`pair_index`]).
    pub pairs: Vec<PairCounts>,
    /// Per sample: hets used (allele balance within bounds, or no AD at the site).
    pub hets: Vec<u64>,
    /// Per sample: hets left out for their allele balance.
    pub hets_off_balance: Vec<u64>,
    /// Autosomal records seen, and the sites that passed the site rules.
    pub autosomal_records: u64,
    pub candidate_sites: u64,
    /// Sites read: every `step`-th candidate (1 unless the work limit thinned them).
    pub sites: u64,
    pub step: u64,
}

impl RelatednessTally {
    fn empty(samples: usize) -> Self {
        Self {
            samples,
            pairs: vec![PairCounts::default(); pair_count(samples)],
            hets: vec![0; samples],
            hets_off_balance: vec![0; samples],
            step: 1,
            ..Self::default()
        }
    }

    pub fn add(&mut self, other: &RelatednessTally) {
        if self.samples != other.samples {
            if self.pairs.is_empty() && self.hets.is_empty() {
                *self = other.clone();
            }
            return;
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.n += b.n;
            a.ibs0 += b.ibs0;
            a.ibs2 += b.ibs2;
            a.shared_hets += b.shared_hets;
        }
        for (a, b) in self.hets.iter_mut().zip(&other.hets) {
            *a += b;
        }
        for (a, b) in self
            .hets_off_balance
            .iter_mut()
            .zip(&other.hets_off_balance)
        {
            *a += b;
        }
        self.autosomal_records += other.autosomal_records;
        self.candidate_sites += other.candidate_sites;
        self.sites += other.sites;
        self.step = self.step.max(other.step);
    }
}

/// Pairs of `n` samples.
pub fn pair_count(n: usize) -> usize {
    n * n.saturating_sub(1) / 2
}

/// The position of pair `(a, b)`, `a < b < n`, in [`RelatednessTally::pairs`].
pub fn pair_index(a: usize, b: usize, n: usize) -> usize {
    debug_assert!(a < b && b < n);
    a * (2 * n - a - 1) / 2 + (b - a - 1)
}

/// peddy's relatedness: `(shared_hets − 2·ibs0) / min(hets_a, hets_b)`, the larger het count
/// when one is zero; `None` when both samples have no het (peddy then divides by −1 and
/// reports a meaningless number).
pub fn relatedness(counts: &PairCounts, hets_a: u64, hets_b: u64) -> Option<f64> {
    let bottom = match hets_a.min(hets_b) {
        0 => hets_a.max(hets_b),
        m => m,
    };
    (bottom > 0).then(|| (counts.shared_hets as f64 - 2.0 * counts.ibs0 as f64) / bottom as f64)
}

/// Three bit sets per sample over one block of sites, sample-major.
struct Block {
    words: usize,
    samples: usize,
    hom_ref: Vec<u64>,
    het: Vec<u64>,
    hom_alt: Vec<u64>,
    used: usize,
}

impl Block {
    fn new(samples: usize) -> Self {
        let words = BLOCK_SITES / 64;
        Self {
            words,
            samples,
            hom_ref: vec![0; words * samples],
            het: vec![0; words * samples],
            hom_alt: vec![0; words * samples],
            used: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.used == BLOCK_SITES
    }

    /// Adds the next site's genotype for `sample` (`None`: not called).
    fn set(&mut self, sample: usize, class: GtClass) {
        let (w, bit) = (self.used / 64, 1u64 << (self.used % 64));
        let k = sample * self.words + w;
        match class {
            GtClass::HomRef => self.hom_ref[k] |= bit,
            GtClass::Het => self.het[k] |= bit,
            GtClass::HomAlt => self.hom_alt[k] |= bit,
            GtClass::Missing => {}
        }
    }

    /// Adds every pair's counts over the block's sites to `pairs`, then empties the block.
    fn flush(&mut self, pairs: &mut [PairCounts]) {
        if self.used == 0 {
            return;
        }
        let used_words = self.used.div_ceil(64);
        let n = self.samples;
        let mut k = 0;
        for a in 0..n {
            let ra = &self.hom_ref[a * self.words..a * self.words + used_words];
            let ha = &self.het[a * self.words..a * self.words + used_words];
            let aa = &self.hom_alt[a * self.words..a * self.words + used_words];
            for b in a + 1..n {
                let rb = &self.hom_ref[b * self.words..b * self.words + used_words];
                let hb = &self.het[b * self.words..b * self.words + used_words];
                let ab = &self.hom_alt[b * self.words..b * self.words + used_words];
                let (mut both, mut ibs0, mut ibs2, mut shared) = (0u32, 0u32, 0u32, 0u32);
                for w in 0..used_words {
                    let called_a = ra[w] | ha[w] | aa[w];
                    let called_b = rb[w] | hb[w] | ab[w];
                    both += (called_a & called_b).count_ones();
                    ibs0 += ((ra[w] & ab[w]) | (aa[w] & rb[w])).count_ones();
                    let same_het = ha[w] & hb[w];
                    shared += same_het.count_ones();
                    ibs2 += ((ra[w] & rb[w]) | same_het | (aa[w] & ab[w])).count_ones();
                }
                let p = &mut pairs[k];
                p.n += u64::from(both);
                p.ibs0 += u64::from(ibs0);
                p.ibs2 += u64::from(ibs2);
                p.shared_hets += u64::from(shared);
                k += 1;
            }
        }
        self.hom_ref.fill(0);
        self.het.fill(0);
        self.hom_alt.fill(0);
        self.used = 0;
    }
}

/// The records the relatedness reads (before any thinning), in file order: biallelic
/// autosomal SNVs with call rate high enough, common among the samples.
pub fn sites(store: &VariantStore, params: &RelatednessParams) -> Vec<usize> {
    let contig_classes: Vec<ContigClass> = store
        .contigs()
        .iter()
        .map(|c| super::sites::contig_class(c))
        .collect();
    sites_with(
        store,
        &contig_classes,
        &GtClasses::new(store),
        params,
        &mut 0,
    )
}

fn sites_with(
    store: &VariantStore,
    contig_classes: &[ContigClass],
    gts: &GtClasses,
    params: &RelatednessParams,
    autosomal_records: &mut u64,
) -> Vec<usize> {
    let n = store.samples().len();
    let codes = store.contig_codes();
    let mut candidates = Vec::new();
    if n == 0 {
        return candidates;
    }
    for i in 0..store.len() {
        let autosome = contig_classes.get(codes.get(i) as usize) == Some(&ContigClass::Autosome);
        if !autosome {
            continue;
        }
        *autosomal_records += 1;
        if !is_biallelic_snv(store, i) {
            continue;
        }
        let (mut called, mut alt_alleles) = (0u64, 0u64);
        for s in 0..n {
            let c = gts.of(store, i, s);
            if c != GtClass::Missing {
                called += 1;
                alt_alleles += c.alt_alleles();
            }
        }
        // As peddy (cyvcf2) computes them: call rate over all samples, alternate allele
        // frequency over the called ones; common: the minor allele's frequency.
        let call_rate = called as f64 / n as f64;
        let alt_freq = if called == 0 {
            0.0
        } else {
            alt_alleles as f64 / (2 * called) as f64
        };
        let minor = alt_freq.min(1.0 - alt_freq);
        if call_rate >= params.min_call_rate && minor >= params.min_minor_freq {
            candidates.push(i);
        }
    }
    candidates
}

/// Counts every pair over the relatedness sites of a store.
pub(super) fn tally(
    store: &VariantStore,
    contig_classes: &[ContigClass],
    params: &RelatednessParams,
) -> RelatednessTally {
    let n = store.samples().len();
    if n > params.max_samples {
        // No pair counts at all (`finish` says why): never n²/2 of memory for a cohort.
        return RelatednessTally {
            samples: n,
            step: 1,
            ..RelatednessTally::default()
        };
    }
    let mut t = RelatednessTally::empty(n);
    if n == 0 {
        return t;
    }
    let gts = GtClasses::new(store);
    let depths = Depths::new(store);

    // Pass 1: the candidate sites (a record index each).
    let candidates = sites_with(
        store,
        contig_classes,
        &gts,
        params,
        &mut t.autosomal_records,
    );
    t.candidate_sites = candidates.len() as u64;

    // Work limit: pairs × sites / 64 word operations at most; beyond it every `step`-th
    // site is read (peddy's `--each`).
    let work = (pair_count(n) as u64).max(1) * (candidates.len() as u64).div_ceil(64);
    t.step = work.div_ceil(params.max_pair_words.max(1)).max(1);

    // Pass 2: genotypes into bit blocks; pairs counted per block.
    let mut block = Block::new(n);
    for &i in candidates.iter().step_by(t.step as usize) {
        let site_has_balance = (0..n).any(|s| matches!(depths.of(i, s), Some((_, Some(_)))));
        for s in 0..n {
            let mut c = gts.of(store, i, s);
            if c == GtClass::Het && site_has_balance {
                let fraction = depths.of(i, s).and_then(|(_, f)| f);
                let balanced =
                    fraction.is_some_and(|f| f >= params.min_balance && f <= params.max_balance);
                if !balanced {
                    t.hets_off_balance[s] += 1;
                    c = GtClass::Missing;
                }
            }
            if c == GtClass::Het {
                t.hets[s] += 1;
            }
            block.set(s, c);
        }
        block.used += 1;
        t.sites += 1;
        if block.is_full() {
            block.flush(&mut t.pairs);
        }
    }
    block.flush(&mut t.pairs);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_indices_cover_the_upper_triangle_in_order() {
        for n in 0..9 {
            let mut k = 0;
            for a in 0..n {
                for b in a + 1..n {
                    assert_eq!(pair_index(a, b, n), k);
                    k += 1;
                }
            }
            assert_eq!(pair_count(n), k);
        }
    }

    #[test]
    fn relatedness_formula() {
        // peddy on the GIAB trio over every autosomal SNV: HG002–HG003 shared 2033, ibs0 13,
        // hets 4024 and 3779 → (2033 − 26) / 3779 = 0.5311.
        let c = PairCounts {
            n: 8600,
            ibs0: 13,
            ibs2: 4892,
            shared_hets: 2033,
        };
        let r = relatedness(&c, 4024, 3779).unwrap();
        assert!((r - 0.531_093).abs() < 1e-6, "{r}");
        // Unrelated: many opposite homozygotes pull it to about zero (HG003–HG004).
        let c = PairCounts {
            n: 8615,
            ibs0: 679,
            ibs2: 2937,
            shared_hets: 1350,
        };
        let r = relatedness(&c, 3779, 3937).unwrap();
        assert!((r - -0.002_117).abs() < 1e-6, "{r}");
        // One sample without hets: the other's count is the denominator.
        let c = PairCounts {
            n: 10,
            ibs0: 1,
            ibs2: 5,
            shared_hets: 0,
        };
        assert_eq!(relatedness(&c, 0, 4), Some(-0.5));
        // Neither has a het: no value (peddy divides by −1).
        assert_eq!(relatedness(&c, 0, 0), None);
    }
}
