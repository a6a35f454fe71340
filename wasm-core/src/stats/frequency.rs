//! Allele-frequency bins of `bcftools stats` (its `init_iaf`): each ALT allele of a record goes
//! to bin 0 (singletons, and sites whose counts are unknown) or to bin `1 + ⌊AF × (m − 2)⌋`,
//! where `m` is 101 or the number of samples plus one, whichever is larger.
//!
//! The allele counts come from INFO/AN and INFO/AC when the header has both and the record has
//! AN (non-negative) and AC; otherwise from the called alleles of every GT (`bcf_calc_ac`
//! with `-s -`). A record whose AC has the wrong number of values, or which has neither the
//! INFO counts nor any GT, puts every allele in bin 0 — so a sites-only file without AC/AN
//! reports every SNP as a singleton (SiS), as bcftools does.
//!
//! Where it sits: [`super::bcftools`] asks for the bins of each record before the site and
//! sample sections read them (AF, SiS, HWE).

use crate::store::{ColumnData, INT_MISSING, Ints, VariantStore};

use super::genotypes::GenotypeTable;

/// How a store's records are binned by allele frequency.
#[derive(Debug)]
pub struct AfBinning<'a> {
    /// Number of bins (`m_af`): bin 0 is singletons, bins 1.. frequencies.
    pub bins: usize,
    an: Option<&'a Ints>,
    ac: Option<&'a Ints>,
}

impl<'a> AfBinning<'a> {
    pub fn new(store: &'a VariantStore) -> Self {
        let ints = |key: &str| match store.info.get(key).map(|f| &f.data) {
            Some(ColumnData::Integer(c)) => Some(c),
            _ => None,
        };
        let (an, ac) = match (ints("AN"), ints("AC")) {
            (Some(an), Some(ac)) => (Some(an), Some(ac)),
            _ => (None, None),
        };
        Self {
            bins: 101.max(store.samples().len() + 1),
            an,
            ac,
        }
    }

    /// The frequency printed for bin `bin` ≥ 1: `(bin − 1) / (m − 1)`. (Alleles are binned by
    /// `× (m − 2)` but labelled by `/ (m − 1)`: bcftools' own arithmetic, kept.)
    pub fn label(&self, bin: usize) -> f64 {
        (bin - 1) as f64 / (self.bins - 1) as f64
    }

    /// The bin of each allele of record `i` (index 0, REF, is always 0) into `out`. `n_alleles`
    /// counts REF; `has_gt` says whether the record has genotypes; `counts` is scratch space.
    #[allow(clippy::too_many_arguments)]
    pub fn bin_record(
        &self,
        store: &VariantStore,
        table: &GenotypeTable,
        i: usize,
        n_alleles: usize,
        has_gt: bool,
        counts: &mut Vec<i64>,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        out.resize(n_alleles, 0);
        counts.clear();
        counts.resize(n_alleles, 0);
        match self.info_counts(i, counts) {
            Counts::Known => {}
            // AC of the wrong length: every allele stays in bin 0.
            Counts::Unknown => return,
            Counts::NotGiven if !has_gt => return,
            Counts::NotGiven => {
                for s in 0..store.samples().len() {
                    table.count_alleles(store, i, s, counts);
                }
            }
        }
        let an: i64 = counts.iter().sum();
        for k in 1..n_alleles {
            out[k] = if counts[k] == 1 {
                0
            } else if an == 0 {
                1
            } else {
                // `(float) ac / an`, clamped, times `m − 2` in float, truncated.
                let af = (counts[k] as f32 / an as f32).clamp(0.0, 1.0);
                (af * (self.bins - 2) as f32) as usize + 1
            };
        }
    }

    /// Counts from INFO/AN and INFO/AC into `counts` (REF = AN − ΣAC).
    fn info_counts(&self, i: usize, counts: &mut [i64]) -> Counts {
        let (Some(an), Some(ac)) = (self.an, self.ac) else {
            return Counts::NotGiven;
        };
        let Some(total) = an.first(i).filter(|&v| v != INT_MISSING && v >= 0) else {
            return Counts::NotGiven;
        };
        ac.with(i, |values| {
            if values.is_empty() {
                return Counts::NotGiven;
            }
            if values.len() != counts.len() - 1 {
                return Counts::Unknown;
            }
            let missing = missing_as_htslib_reads_it(values);
            let mut sum = 0i64;
            for (c, &v) in counts[1..].iter_mut().zip(values) {
                *c = i64::from(if v == INT_MISSING { missing } else { v });
                sum += *c;
            }
            counts[0] = i64::from(total) - sum;
            Counts::Known
        })
    }
}

/// What INFO/AN and INFO/AC say about a record's allele counts.
enum Counts {
    /// Not both there (or AN missing or negative): count the genotypes instead.
    NotGiven,
    /// AC has the wrong number of values: the frequencies are unknown.
    Unknown,
    Known,
}

/// The value htslib reads for a missing AC entry: the missing marker of the narrowest BCF
/// integer type that holds the vector's other values (`bcf_enc_vint`), read back as a plain
/// number (−128, −32768 or `i32::MIN`).
fn missing_as_htslib_reads_it(values: &[i32]) -> i32 {
    let present = values.iter().copied().filter(|&v| v != INT_MISSING);
    let (lo, hi) = present.fold((i32::MAX, i32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi || (lo >= -120 && hi <= 127) {
        -128
    } else if lo >= -32_760 && hi <= 32_767 {
        -32_768
    } else {
        INT_MISSING
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ac_reads_as_its_type_minimum() {
        assert_eq!(missing_as_htslib_reads_it(&[INT_MISSING]), -128);
        assert_eq!(missing_as_htslib_reads_it(&[3, INT_MISSING]), -128);
        assert_eq!(missing_as_htslib_reads_it(&[300, INT_MISSING]), -32_768);
        assert_eq!(
            missing_as_htslib_reads_it(&[70_000, INT_MISSING]),
            INT_MISSING
        );
    }
}
