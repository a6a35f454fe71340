//! [`BcftoolsStats::merge`]: the statistics of a whole file from the statistics of its parts
//! (the app holds a large file as shards, one store per worker, and asks each for its numbers).
//!
//! Every section of `bcftools stats` is a sum of per-record (or per-genotype) counts, so the
//! parts' counts add, row by row, keyed by the row's label: AF and SiS by frequency bin, QUAL
//! by its bin, IDD by length, DP by depth, PSC/PSI/VAF by sample. What is not a count is
//! derived again from counts each part carries for it: PSC's mean depth from `depth_sum` and
//! `depth_n`, IDD's mean VAF from `vaf_sum` and `genotypes`, HWE's quartiles from its sites per
//! hundredth of het fraction (`het_fractions`). The ratios (`TsTv::ratio`) are read from the
//! counts anyway.
//!
//! Where it sits: after [`super::compute`] ran on each part; the app's client merges its
//! shards' answers with it. `wasm-core/tests/stats_merge.rs` holds it to one store's numbers.

use super::samples::hwe_row;
use super::{AfBin, BcftoolsStats, DepthBin, HweBin, IndelLength, QualBin, SampleVaf};

impl BcftoolsStats {
    /// The statistics of the records of every part together (parts of one file: same header,
    /// same samples). An empty list gives the empty statistics.
    ///
    /// ```
    /// use wasm_core::stats::bcftools::{self, BcftoolsStats};
    /// let vcf = concat!(
    ///     "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
    ///     "1\t10\t.\tA\tG\t50\tPASS\t.\n",
    ///     "1\t20\t.\tC\tA\t50\tPASS\t.\n",
    /// );
    /// let ds = wasm_core::read_dataset(vcf.as_bytes(), None, &mut wasm_core::progress::Silent).unwrap();
    /// let one = |i| bcftools::compute(&ds.store, Some(&wasm_core::bitmap::Bitmap::from_fn(2, |r| r == i)));
    /// let merged = BcftoolsStats::merge(&[one(0), one(1)]);
    /// assert_eq!(merged, bcftools::compute(&ds.store, None));
    /// ```
    pub fn merge(parts: &[BcftoolsStats]) -> BcftoolsStats {
        let Some((first, rest)) = parts.split_first() else {
            return BcftoolsStats::default();
        };
        let mut out = first.clone();
        for part in rest {
            out.add(part);
        }
        out.finish();
        out
    }

    fn add(&mut self, part: &BcftoolsStats) {
        let (s, p) = (&mut self.summary, &part.summary);
        s.samples = s.samples.max(p.samples);
        s.records += p.records;
        s.no_alts += p.no_alts;
        s.snps += p.snps;
        s.mnps += p.mnps;
        s.indels += p.indels;
        s.others += p.others;
        s.multiallelic += p.multiallelic;
        s.multiallelic_snps += p.multiallelic_snps;
        let (t, q) = (&mut self.tstv, &part.tstv);
        t.ts += q.ts;
        t.tv += q.tv;
        t.ts_first_alt += q.ts_first_alt;
        t.tv_first_alt += q.tv_first_alt;
        add_af(&mut self.singletons, &part.singletons);
        merge_rows(&mut self.af, &part.af, |a, b| a.af.total_cmp(&b.af), add_af);
        merge_rows(
            &mut self.qual,
            &part.qual,
            // Missing QUAL (`None`) is bcftools' first bin.
            |a, b| match (a.qual, b.qual) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => x.total_cmp(&y),
            },
            |a: &mut QualBin, b| {
                a.snps += b.snps;
                a.ts += b.ts;
                a.tv += b.tv;
                a.indels += b.indels;
            },
        );
        merge_rows(
            &mut self.indel_lengths,
            &part.indel_lengths,
            |a, b| a.length.cmp(&b.length),
            |a: &mut IndelLength, b| {
                a.sites += b.sites;
                a.genotypes += b.genotypes;
                a.vaf_sum += b.vaf_sum;
            },
        );
        for (a, b) in self.substitutions.iter_mut().zip(&part.substitutions) {
            a.1 += b.1;
        }
        if self.substitutions.is_empty() {
            self.substitutions = part.substitutions.clone();
        }
        merge_rows(
            &mut self.depth,
            &part.depth,
            |a, b| depth_rank(a).cmp(&depth_rank(b)),
            |a: &mut DepthBin, b| {
                a.genotypes += b.genotypes;
                a.sites += b.sites;
            },
        );
        if self.samples.is_empty() {
            self.samples = part.samples.clone();
            self.sample_indels = part.sample_indels.clone();
        } else {
            for (a, b) in self.samples.iter_mut().zip(&part.samples) {
                a.ref_hom += b.ref_hom;
                a.non_ref_hom += b.non_ref_hom;
                a.hets += b.hets;
                a.ts += b.ts;
                a.tv += b.tv;
                a.indels += b.indels;
                a.singletons += b.singletons;
                a.hap_ref += b.hap_ref;
                a.hap_alt += b.hap_alt;
                a.missing += b.missing;
                a.depth_sum += b.depth_sum;
                a.depth_n += b.depth_n;
            }
            for (a, b) in self.sample_indels.iter_mut().zip(&part.sample_indels) {
                a.ins_hets += b.ins_hets;
                a.del_hets += b.del_hets;
                a.ins_alt_homs += b.ins_alt_homs;
                a.del_alt_homs += b.del_alt_homs;
            }
        }
        merge_rows(
            &mut self.hwe,
            &part.hwe,
            |a, b| a.af.total_cmp(&b.af),
            |a: &mut HweBin, b| {
                a.het_fractions
                    .resize(a.het_fractions.len().max(b.het_fractions.len()), 0);
                for (x, y) in a.het_fractions.iter_mut().zip(&b.het_fractions) {
                    *x += y;
                }
            },
        );
        match (&mut self.vaf, &part.vaf) {
            (Some(a), Some(b)) => {
                for (x, y) in a.iter_mut().zip(b) {
                    add_counts(x, y);
                }
            }
            (None, Some(b)) => self.vaf = Some(b.clone()),
            _ => {}
        }
    }

    /// Derives again what is not a count: means and quartiles.
    fn finish(&mut self) {
        for row in &mut self.indel_lengths {
            row.mean_vaf = (row.genotypes > 0).then(|| row.vaf_sum / row.genotypes as f64);
        }
        for c in &mut self.samples {
            // As `samples::Samples::finish` divides: `float` over `float`.
            c.mean_depth = if c.depth_n == 0 {
                0.0
            } else {
                c.depth_sum as f32 / c.depth_n as f32
            };
        }
        for row in &mut self.hwe {
            if let Some(again) = hwe_row(&row.het_fractions, row.af) {
                *row = again;
            }
        }
    }
}

fn add_af(a: &mut AfBin, b: &AfBin) {
    a.snps += b.snps;
    a.ts += b.ts;
    a.tv += b.tv;
    a.indels += b.indels;
}

fn add_counts(a: &mut SampleVaf, b: &SampleVaf) {
    for (x, y) in a.snv.iter_mut().zip(&b.snv) {
        *x += y;
    }
    for (x, y) in a.indel.iter_mut().zip(&b.indel) {
        *x += y;
    }
}

/// DP's row order: below 0, each depth, above the range.
fn depth_rank(d: &DepthBin) -> (u8, u32) {
    match d.depth {
        super::super::bins::DepthKey::Below => (0, 0),
        super::super::bins::DepthKey::Exact(v) => (1, v),
        super::super::bins::DepthKey::Above => (2, 0),
    }
}

/// Adds `part`'s rows into `rows`, both sorted by `order`: a row of the same key is added with
/// `add`, a new one inserted in its place.
fn merge_rows<T: Clone>(
    rows: &mut Vec<T>,
    part: &[T],
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
    add: impl Fn(&mut T, &T),
) {
    for row in part {
        match rows.binary_search_by(|r| order(r, row)) {
            Ok(k) => add(&mut rows[k], row),
            Err(k) => rows.insert(k, row.clone()),
        }
    }
}
