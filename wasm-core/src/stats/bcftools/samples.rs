//! The per-genotype sections of `bcftools stats -s -`: PSC, PSI, HWE, VAF, and the genotype
//! columns of DP and IDD (`do_sample_stats`, `sample_gt_stats`), counted sample by sample for
//! each record.
//!
//! Rules worth knowing (docs/STATS.md has them all):
//! - A record has genotypes when its FORMAT has GT; the store knows that from its cells, so a
//!   record counts as having GT when any sample's genotype is there. Where it has them, a
//!   sample without one is missing (nMissing).
//! - Hom-ref genotypes count in nRefHom at *every* site; hets and hom-alts count in PSC only
//!   when one of their alleles is a SNP or reference-like, and in nIndels/PSI when one is an
//!   indel (a het with both counts in both). Haploid genotypes count only as nHapRef/nHapAlt,
//!   and never as the non-reference genotype that makes a singleton.
//! - Per-sample ts/tv compares first bases like the site sections, without checking REF's:
//!   `N>C` counts as a transition there.
//! - A genotype's depth is FORMAT/DP when the record has DP (a sample's missing DP is no
//!   depth), else the sum of its AD; depths of 0 are not counted.
//! - VAF and IDD's genotype columns take the AD of the called alternate alleles (of the
//!   largest alternate AD when the genotype is missing) over that depth; a second allele
//!   counts only when its AD differs from the first's. IDD files every allele by htslib's
//!   length, so SNP alleles (length 1) add to the 1-base insertion row's genotype columns.

use crate::store::{ColumnData, INT_MISSING, Ints, VariantStore};
use crate::variant_type::{INDEL, REF, SNP};

use super::super::alleles::RecordAlleles;
use super::super::bins::{self, DEPTH_BINS};
use super::super::frequency::AfBinning;
use super::super::genotypes::{GenotypeTable, GtClass, GtType};
use super::sites::MAX_INDEL;
use super::{BcftoolsStats, HweBin, SampleCounts, SampleIndels, SampleVaf};

/// Bins of the het fraction in HWE (bcftools' `naf_hwe`).
const HWE_BINS: usize = 100;
/// VAF bins: 0, 0.05, … 1.
const VAF_BINS: usize = 21;

/// Per-sample counters (PSC and PSI).
#[derive(Debug, Clone, Default)]
struct Sample {
    ref_hom: u64,
    non_ref_hom: u64,
    hets: u64,
    ts: u64,
    tv: u64,
    indels: u64,
    depth_sum: u64,
    depth_n: u64,
    singletons: u64,
    hap_ref: u64,
    hap_alt: u64,
    missing: u64,
    ins_hets: u64,
    del_hets: u64,
    ins_homs: u64,
    del_homs: u64,
    vaf_snv: [u64; VAF_BINS],
    vaf_indel: [u64; VAF_BINS],
}

/// Counters of the per-genotype sections.
#[derive(Debug)]
pub struct Samples<'a> {
    store: &'a VariantStore,
    table: &'a GenotypeTable,
    samples: Vec<Sample>,
    format_dp: Option<&'a Ints>,
    format_ad: Option<&'a Ints>,
    /// Whether the header declares FORMAT/AD: bcftools prints VAF only then.
    declares_ad: bool,
    depth: Vec<u64>,
    /// Genotypes with an allele of each length −60..=60 (index 60 + length), and their VAFs.
    vaf_n: Vec<u64>,
    vaf_sum: Vec<f64>,
    /// `af_bin × HWE_BINS + het_bin`.
    hwe: Vec<u64>,
}

impl<'a> Samples<'a> {
    pub fn new(store: &'a VariantStore, table: &'a GenotypeTable, af_bins: usize) -> Self {
        let ints = |key: &str| match store.format.get(key).map(|f| &f.data) {
            Some(ColumnData::Integer(c)) => Some(c),
            _ => None,
        };
        Self {
            store,
            table,
            samples: vec![Sample::default(); store.samples().len()],
            format_dp: ints("DP"),
            format_ad: ints("AD"),
            declares_ad: store.format.get("AD").is_some_and(|f| f.declared),
            depth: vec![0; DEPTH_BINS],
            vaf_n: vec![0; 2 * MAX_INDEL + 1],
            vaf_sum: vec![0.0; 2 * MAX_INDEL + 1],
            hwe: vec![0; af_bins * HWE_BINS],
        }
    }

    /// Whether record `i` has GT (any sample's genotype is there).
    pub fn has_genotypes(&self, i: usize) -> bool {
        let n = self.samples.len();
        let codes = self.store.genotype_codes();
        (i * n..(i + 1) * n).any(|cell| codes.get(cell) != 0)
    }

    /// Counts the genotypes of record `i`.
    pub fn add(&mut self, i: usize, alleles: &RecordAlleles, bins: &[usize], has_gt: bool) {
        let n = self.samples.len();
        let first = i * n;
        let has_dp = self
            .format_dp
            .is_some_and(|dp| (first..first + n).any(|c| dp.count(c) > 0));
        let (mut non_ref, mut last_non_ref) = (0u32, 0usize);
        let (mut hom_ref, mut het, mut alt) = (0u32, 0u32, 0u32);
        for s in 0..n {
            let cell = first + s;
            let depth = self.depth_of(cell, has_dp);
            if depth > 0 {
                self.depth[bins::depth_bin(depth)] += 1;
                self.samples[s].depth_n += 1;
                self.samples[s].depth_sum += depth as u64;
            }
            let gt = if has_gt {
                let mut gt = self.table.class(self.store, i, s);
                if gt.ty == GtType::Absent {
                    gt.ty = GtType::Missing;
                }
                self.genotype(s, gt, alleles);
                if gt.is_diploid_non_ref() {
                    non_ref += 1;
                    last_non_ref = s;
                }
                match gt.ty {
                    GtType::HomRef => hom_ref += 1,
                    GtType::HetRefAlt => het += 1,
                    GtType::HetAltAlt | GtType::HomAlt => alt += 1,
                    _ => {}
                }
                gt
            } else {
                GtClass {
                    ty: GtType::Absent,
                    ial: 0,
                    jal: 0,
                }
            };
            if depth > 0 {
                self.vaf(cell, s, gt, depth, alleles);
            }
        }
        if non_ref == 1 {
            self.samples[last_non_ref].singletons += 1;
        }
        let total = hom_ref + het + alt;
        if has_gt && alleles.len() > 1 && total > 0 {
            let fraction = het as f32 / total as f32;
            let het_bin = (fraction * (HWE_BINS - 1) as f32) as usize;
            self.hwe[het_bin + bins[1] * HWE_BINS] += 1;
        }
    }

    /// The depth of one genotype: FORMAT/DP when the record has it, else the sum of the AD
    /// values given; −1 for none.
    fn depth_of(&self, cell: usize, has_dp: bool) -> i64 {
        if has_dp {
            return match self.format_dp.and_then(|dp| dp.first(cell)) {
                Some(v) if v != INT_MISSING => i64::from(v),
                _ => -1,
            };
        }
        let Some(ad) = self.format_ad else {
            return -1;
        };
        ad.with(cell, |values| {
            let given = values.iter().filter(|&&v| v != INT_MISSING);
            let (n, sum) = given.fold((0, 0i64), |(n, sum), &v| (n + 1, sum + i64::from(v)));
            if n == 0 { -1 } else { sum }
        })
    }

    /// PSC and PSI for one genotype (`sample_gt_stats`).
    fn genotype(&mut self, s: usize, gt: GtClass, alleles: &RecordAlleles) {
        let c = &mut self.samples[s];
        let kind_of = |k: usize| if k > 0 { alleles.kind(k) } else { REF };
        let kinds = kind_of(gt.ial) | kind_of(gt.jal);
        match gt.ty {
            GtType::Missing | GtType::Absent => {
                c.missing += 1;
                return;
            }
            GtType::HaploidRef => {
                c.hap_ref += 1;
                return;
            }
            GtType::HaploidAlt => {
                c.hap_alt += 1;
                return;
            }
            _ => {}
        }
        let non_ref = gt.ty != GtType::HomRef;
        // A hom-ref genotype has no alternate allele, so it counts here at every site.
        if kinds & SNP != 0 || kinds == REF {
            match gt.ty {
                GtType::HetRefAlt | GtType::HetAltAlt => c.hets += 1,
                GtType::HomRef => c.ref_hom += 1,
                GtType::HomAlt => c.non_ref_hom += 1,
                _ => {}
            }
            if non_ref {
                for (k, check) in [(gt.ial, true), (gt.jal, gt.ial != gt.jal)] {
                    if !check || alleles.kind(k) & SNP == 0 {
                        continue;
                    }
                    let alt = alleles.get(k).first_base;
                    if alt < 0 {
                        // bcftools leaves the genotype here: no indel counts either.
                        return;
                    }
                    if (alleles.ref_base - alt).abs() == 2 {
                        c.ts += 1;
                    } else {
                        c.tv += 1;
                    }
                }
            }
        }
        if kinds & INDEL != 0 && non_ref {
            c.indels += 1;
            let is_del = |k: usize| alleles.get(k).length_or_zero() < 0;
            match gt.ty {
                GtType::HetRefAlt | GtType::HetAltAlt => {
                    let (mut ins, mut del) = (false, false);
                    for k in [gt.ial, gt.jal] {
                        if kind_of(k) & INDEL != 0 {
                            if is_del(k) {
                                del = true;
                            } else {
                                ins = true;
                            }
                        }
                    }
                    // A het with an insertion and a deletion counts in both.
                    c.del_hets += u64::from(del);
                    c.ins_hets += u64::from(ins);
                }
                GtType::HomAlt if is_del(gt.ial) => c.del_homs += 1,
                GtType::HomAlt => c.ins_homs += 1,
                _ => {}
            }
        }
    }

    /// VAF and IDD's genotype columns for one genotype with a depth.
    fn vaf(&mut self, cell: usize, s: usize, gt: GtClass, depth: i64, alleles: &RecordAlleles) {
        let Some(ad) = self.format_ad else {
            return;
        };
        let n_alleles = alleles.len();
        let (first, second) = ad.with(cell, |values| {
            let at = |k: usize| match values.get(k) {
                Some(&v) if v != INT_MISSING && k > 0 => v,
                _ => 0,
            };
            if matches!(gt.ty, GtType::Missing | GtType::Absent) {
                // The largest alternate AD (the first of equal ones).
                let mut best = (0usize, 0i32);
                for (k, &v) in values.iter().enumerate().take(n_alleles).skip(1) {
                    if v != INT_MISSING && v > best.1 {
                        best = (k, v);
                    }
                }
                (best, (0, 0))
            } else {
                ((gt.ial, at(gt.ial)), (gt.jal, at(gt.jal)))
            }
        });
        // bcftools divides a `float` AD by the integer depth.
        let fraction = |reads: i32| reads as f32 / depth as f32;
        if first.1 != 0 {
            self.add_vaf(s, first.0, fraction(first.1), alleles);
        }
        if second.1 != 0 && second.1 != first.1 {
            self.add_vaf(s, second.0, fraction(second.1), alleles);
        }
    }

    fn add_vaf(&mut self, s: usize, k: usize, vaf: f32, alleles: &RecordAlleles) {
        let a = alleles.get(k);
        let length = a
            .length_or_zero()
            .clamp(-(MAX_INDEL as i32), MAX_INDEL as i32);
        let bin = (MAX_INDEL as i32 + length) as usize;
        self.vaf_n[bin] += 1;
        self.vaf_sum[bin] += f64::from(vaf);
        if (0.0..=1.0).contains(&vaf) {
            // `nearbyintf(vaf / 0.05)`: the quotient in double, rounded to float, then to the
            // nearest integer with ties to even.
            let b = ((f64::from(vaf) / 0.05) as f32).round_ties_even() as usize;
            let c = &mut self.samples[s];
            if a.kind == SNP {
                c.vaf_snv[b] += 1;
            } else {
                c.vaf_indel[b] += 1;
            }
        }
    }

    /// Writes PSC, PSI, HWE and VAF into `out` and fills the genotype columns of DP and IDD
    /// that [`super::sites::Sites::finish`] wrote.
    pub fn finish(mut self, binning: &AfBinning, out: &mut BcftoolsStats) {
        for (row, &g) in out.depth.iter_mut().zip(&self.depth) {
            row.genotypes = g;
        }
        if self.samples.is_empty() {
            return;
        }
        for row in &mut out.indel_lengths {
            let bin = (MAX_INDEL as i32 + row.length) as usize;
            row.genotypes = self.vaf_n[bin];
            row.vaf_sum = self.vaf_sum[bin];
            if self.vaf_n[bin] > 0 {
                row.mean_vaf = Some(self.vaf_sum[bin] / self.vaf_n[bin] as f64);
            }
        }
        let names = self.store.samples();
        out.samples = self
            .samples
            .iter()
            .zip(names)
            .map(|(c, name)| SampleCounts {
                sample: name.clone(),
                ref_hom: c.ref_hom,
                non_ref_hom: c.non_ref_hom,
                hets: c.hets,
                ts: c.ts,
                tv: c.tv,
                indels: c.indels,
                // `unsigned long / (float) n`.
                mean_depth: if c.depth_n == 0 {
                    0.0
                } else {
                    c.depth_sum as f32 / c.depth_n as f32
                },
                singletons: c.singletons,
                hap_ref: c.hap_ref,
                hap_alt: c.hap_alt,
                missing: c.missing,
                depth_sum: c.depth_sum,
                depth_n: c.depth_n,
            })
            .collect();
        out.sample_indels = self
            .samples
            .iter()
            .zip(names)
            .map(|(c, name)| SampleIndels {
                sample: name.clone(),
                ins_hets: c.ins_hets,
                del_hets: c.del_hets,
                ins_alt_homs: c.ins_homs,
                del_alt_homs: c.del_homs,
            })
            .collect();
        // Singleton sites join the lowest frequency bin, as in AF.
        for k in 0..HWE_BINS {
            self.hwe[HWE_BINS + k] += self.hwe[k];
        }
        out.hwe = (1..binning.bins)
            .filter_map(|b| {
                hwe_row(
                    &self.hwe[b * HWE_BINS..(b + 1) * HWE_BINS],
                    binning.label(b),
                )
            })
            .collect();
        if self.declares_ad {
            out.vaf = Some(
                self.samples
                    .iter()
                    .zip(names)
                    .map(|(c, name)| SampleVaf {
                        sample: name.clone(),
                        snv: c.vaf_snv.to_vec(),
                        indel: c.vaf_indel.to_vec(),
                    })
                    .collect(),
            );
        }
    }
}

/// One HWE row from the het-fraction counts of one frequency bin: the bins (in hundredths)
/// where the cumulative fraction first reaches 25 %, 50 % and 75 % (a bin reaching a higher
/// mark also sets every lower mark not yet set).
/// The HWE row of one allele-frequency bin from its sites per hundredth of het fraction
/// (also [`BcftoolsStats::merge`]'s, after adding the parts' counts).
pub(super) fn hwe_row(counts: &[u64], af: f64) -> Option<HweBin> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let mut marks: Vec<f32> = Vec::with_capacity(3);
    let mut running = 0u64;
    for (j, &n) in counts.iter().enumerate() {
        running += n;
        let fraction = running as f32 / total as f32;
        let value = j as f32 / HWE_BINS as f32;
        let reached = if fraction >= 0.75 {
            3
        } else if fraction >= 0.5 {
            2
        } else if fraction >= 0.25 {
            1
        } else {
            0
        };
        while marks.len() < reached {
            marks.push(value);
        }
        if marks.len() == 3 {
            break;
        }
    }
    Some(HweBin {
        af,
        sites: total,
        p25: marks.first().copied().unwrap_or(0.0),
        median: marks.get(1).copied().unwrap_or(0.0),
        p75: marks.get(2).copied().unwrap_or(0.0),
        het_fractions: counts.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hwe_quartiles_fill_lower_marks_first() {
        let mut counts = [0u64; HWE_BINS];
        counts[0] = 1;
        counts[33] = 6;
        let row = hwe_row(&counts, 0.49).unwrap();
        assert_eq!(
            (row.sites, row.p25, row.median, row.p75),
            (7, 0.33, 0.33, 0.33)
        );
        counts = [0; HWE_BINS];
        counts[99] = 2;
        counts[0] = 2;
        let row = hwe_row(&counts, 0.0).unwrap();
        assert_eq!((row.p25, row.median, row.p75), (0.0, 0.0, 0.99));
        assert!(hwe_row(&[0; HWE_BINS], 0.1).is_none());
    }
}
