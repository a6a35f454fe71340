//! The per-site sections of `bcftools stats`: SN, TSTV, SiS, AF, QUAL, IDD (sites), ST and DP
//! (sites), counted record by record (`do_vcf_stats`, `do_snp_stats`, `do_indel_stats`).
//!
//! Rules worth knowing (docs/STATS.md has them all):
//! - Substitutions and ts/tv read the *first base* of REF and of the ALT allele, not the base
//!   that differs: `AC>AT` is a SNP (SN) but counts in no substitution type, and a SNP whose
//!   REF starts with a base other than A/C/G/T adds to SN only.
//! - TSTV's totals and AF count every SNP allele; QUAL and TSTV's "1st ALT" columns only a SNP
//!   that is the first ALT. QUAL's indel column counts records, not alleles.
//! - Indel lengths of 60 and more share the ±60 row.

use crate::store::{ColumnData, INT_MISSING, Ints, VariantStore};
use crate::variant_type::{INDEL, MNP, OTHER, REF, SNP};

use super::super::alleles::RecordAlleles;
use super::super::bins::{self, DEPTH_BINS, QualCounts};
use super::super::frequency::AfBinning;
use super::{AfBin, BcftoolsStats, DepthBin, IndelLength, QualBin, SummaryNumbers, TsTv};

/// Indel lengths are counted up to this (bcftools' `m_indel`).
pub const MAX_INDEL: usize = 60;

/// QUAL counters: first-ALT transitions, transversions, records with an indel.
const Q_TS: usize = 0;
const Q_TV: usize = 1;
const Q_INDEL: usize = 2;

/// Counters of the per-site sections.
#[derive(Debug)]
pub struct Sites<'a> {
    summary: SummaryNumbers,
    /// Per allele-frequency bin (bin 0: singletons): SNPs, transitions, transversions, indels.
    af: Vec<[u64; 4]>,
    ts_first_alt: u64,
    tv_first_alt: u64,
    qual: QualCounts<3>,
    insertions: [u64; MAX_INDEL],
    deletions: [u64; MAX_INDEL],
    /// `ref << 2 | alt` over A, C, G, T.
    substitutions: [u64; 16],
    depth: Vec<u64>,
    info_dp: Option<&'a Ints>,
}

impl<'a> Sites<'a> {
    pub fn new(store: &'a VariantStore, af_bins: usize) -> Self {
        let info_dp = match store.info.get("DP").map(|f| &f.data) {
            Some(ColumnData::Integer(c)) => Some(c),
            _ => None,
        };
        Self {
            summary: SummaryNumbers::default(),
            af: vec![[0; 4]; af_bins],
            ts_first_alt: 0,
            tv_first_alt: 0,
            qual: QualCounts::default(),
            insertions: [0; MAX_INDEL],
            deletions: [0; MAX_INDEL],
            substitutions: [0; 16],
            depth: vec![0; DEPTH_BINS],
            info_dp,
        }
    }

    /// Counts record `i`, whose alleles are `alleles` and allele-frequency bins `bins`.
    pub fn add(&mut self, store: &VariantStore, i: usize, alleles: &RecordAlleles, bins: &[usize]) {
        let s = &mut self.summary;
        s.records += 1;
        let kinds = alleles.kinds;
        if kinds == REF {
            s.no_alts += 1;
        }
        s.mnps += u64::from(kinds & MNP != 0);
        s.others += u64::from(kinds & OTHER != 0);
        if alleles.len() > 2 {
            s.multiallelic += 1;
            // Exactly SNP: `C>C,T` (REF-like + SNP) does not count, as bcftools notes.
            s.multiallelic_snps += u64::from(kinds == SNP);
        }
        let qual = bins::qual_value(store.qual_bits()[i]);
        if kinds & SNP != 0 {
            self.summary.snps += 1;
            self.snps(alleles, bins, qual);
        }
        if kinds & INDEL != 0 {
            self.summary.indels += 1;
            self.indels(alleles, bins, qual);
        }
        if let Some(dp) = self.info_dp
            && dp.count(i) == 1
        {
            // A missing INFO/DP is one value below every bin (bcftools reads `bcf_int32_missing`).
            let v = dp.first(i).unwrap_or(INT_MISSING);
            self.depth[bins::depth_bin(i64::from(v))] += 1;
        }
    }

    fn snps(&mut self, alleles: &RecordAlleles, bins: &[usize], qual: u32) {
        let r = alleles.ref_base;
        if r < 0 {
            return;
        }
        for (k, a) in alleles.alts() {
            if a.kind & SNP == 0 || a.first_base < 0 || a.first_base == r {
                continue;
            }
            self.substitutions[(r as usize) << 2 | a.first_base as usize] += 1;
            let bin = &mut self.af[bins[k]];
            bin[0] += 1;
            let ts = (r - a.first_base).abs() == 2;
            bin[if ts { 1 } else { 2 }] += 1;
            if k == 1 {
                if ts {
                    self.ts_first_alt += 1;
                } else {
                    self.tv_first_alt += 1;
                }
                self.qual.add(qual, if ts { Q_TS } else { Q_TV });
            }
        }
    }

    fn indels(&mut self, alleles: &RecordAlleles, bins: &[usize], qual: u32) {
        self.qual.add(qual, Q_INDEL);
        for (k, a) in alleles.alts() {
            if a.kind & INDEL == 0 {
                continue;
            }
            self.af[bins[k]][3] += 1;
            let length = a.length_or_zero();
            let n = (length.unsigned_abs() as usize).min(MAX_INDEL);
            if n == 0 {
                continue;
            }
            let counts = if length < 0 {
                &mut self.deletions
            } else {
                &mut self.insertions
            };
            counts[n - 1] += 1;
        }
    }

    /// Writes the per-site sections into `out`: DP with every bin (sites only) and IDD without
    /// genotype columns; [`super::samples::Samples::finish`] adds those.
    pub fn finish(mut self, binning: &AfBinning, out: &mut BcftoolsStats) {
        out.summary = self.summary;
        let (ts, tv) = self
            .af
            .iter()
            .fold((0, 0), |(ts, tv), b| (ts + b[1], tv + b[2]));
        out.tstv = TsTv {
            ts,
            tv,
            ts_first_alt: self.ts_first_alt,
            tv_first_alt: self.tv_first_alt,
        };
        let row = |af: f64, b: [u64; 4]| AfBin {
            af,
            snps: b[0],
            ts: b[1],
            tv: b[2],
            indels: b[3],
        };
        out.singletons = row(0.0, self.af[0]);
        // Singletons join the lowest frequency bin in AF, as bcftools prints it.
        let singletons = self.af[0];
        for (c, s) in self.af[1].iter_mut().zip(singletons) {
            *c += s;
        }
        out.af = (1..self.af.len())
            .filter(|&b| self.af[b].iter().any(|&n| n > 0))
            .map(|b| row(binning.label(b), self.af[b]))
            .collect();
        out.qual = self
            .qual
            .bins()
            .map(|(bin, c)| QualBin {
                qual: bins::qual_label(bin),
                snps: c[Q_TS] + c[Q_TV],
                ts: c[Q_TS],
                tv: c[Q_TV],
                indels: c[Q_INDEL],
            })
            .collect();
        let deletions = (0..MAX_INDEL)
            .rev()
            .map(|k| (-(k as i32) - 1, self.deletions[k]));
        let insertions = (0..MAX_INDEL).map(|k| (k as i32 + 1, self.insertions[k]));
        // Every length: the genotype columns may count where no site does (SNP and MNP alleles
        // are filed under positive lengths); `compute` keeps the rows with any count.
        out.indel_lengths = deletions
            .chain(insertions)
            .map(|(length, sites)| IndelLength {
                length,
                sites,
                genotypes: 0,
                mean_vaf: None,
                vaf_sum: 0.0,
            })
            .collect();
        const BASES: [char; 4] = ['A', 'C', 'G', 'T'];
        out.substitutions = (0..16)
            .filter(|t| t >> 2 != t & 3)
            .map(|t| {
                let name = format!("{}>{}", BASES[t >> 2], BASES[t & 3]);
                (name, self.substitutions[t])
            })
            .collect();
        out.depth = self
            .depth
            .iter()
            .enumerate()
            .map(|(b, &sites)| DepthBin {
                depth: bins::depth_key(b),
                genotypes: 0,
                sites,
            })
            .collect();
    }
}
