//! Genotype classes as htslib's `bcf_gt_type` gives them to `bcftools stats`: hom-ref, hom-alt,
//! het ref/alt, het alt/alt, haploid ref, haploid alt, missing — with the two alternate
//! alleles (`ial`, the smaller index, and `jal`) that decide which allele's class counts.
//!
//! Where it sits: the store keeps genotypes as codes into a table of distinct packed values
//! ([`crate::store::genotype`]), so [`GenotypeTable`] judges each distinct genotype once and
//! the sample loop of [`super::bcftools`] looks classes up by code. Genotypes the store keeps
//! as text (ploidy above 2) are judged from their text, cell by cell.

use crate::store::VariantStore;
use crate::store::genotype::{self, ABSENT, OVERFLOW};

/// htslib's `GT_*` classes, plus [`GtType::Absent`] for a cell without a GT value at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GtType {
    HomRef,
    HomAlt,
    HetRefAlt,
    HetAltAlt,
    HaploidRef,
    HaploidAlt,
    /// Any allele missing (`./.`, `0/.`, `.`): htslib's `GT_UNKN`.
    Missing,
    /// The record's FORMAT has no GT, or the store holds no value for the cell.
    Absent,
}

/// One genotype's class and alleles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GtClass {
    pub ty: GtType,
    /// The smaller alternate allele index called (0 when none; unset for missing).
    pub ial: usize,
    /// The other alternate allele of an alt/alt het (0 otherwise).
    pub jal: usize,
}

impl GtClass {
    const ABSENT: GtClass = GtClass {
        ty: GtType::Absent,
        ial: 0,
        jal: 0,
    };

    /// Not hom-ref, haploid, missing or absent: the genotypes bcftools counts as non-reference
    /// when it looks for singletons.
    pub fn is_diploid_non_ref(&self) -> bool {
        matches!(
            self.ty,
            GtType::HomAlt | GtType::HetRefAlt | GtType::HetAltAlt
        )
    }
}

/// `bcf_gt_type` over the alleles of one genotype in order (`None` = missing). A missing
/// allele anywhere makes the genotype missing; otherwise one allele is haploid, no reference
/// allele is hom-alt (one distinct alternate) or alt/alt het, no alternate is hom-ref, and both
/// het ref/alt.
pub fn classify(alleles: impl IntoIterator<Item = Option<u32>>) -> GtClass {
    let (mut n, mut has_ref, mut distinct_alts) = (0usize, false, 0u8);
    let (mut ial, mut jal) = (0usize, 0usize);
    for allele in alleles {
        let Some(a) = allele else {
            return GtClass {
                ty: GtType::Missing,
                ial: 0,
                jal: 0,
            };
        };
        let a = a as usize;
        if a == 0 {
            has_ref = true;
        } else if ial == 0 {
            ial = a;
            distinct_alts = 1;
        } else if a != ial {
            // htslib keeps the smaller index in `ial`; a third distinct allele replaces `jal`.
            if a < ial {
                jal = ial;
                ial = a;
            } else {
                jal = a;
            }
            distinct_alts = 2;
        }
        n += 1;
    }
    let ty = match (n, has_ref, distinct_alts) {
        (0, _, _) => GtType::Missing,
        (1, true, _) => GtType::HaploidRef,
        (1, false, _) => GtType::HaploidAlt,
        (_, false, 1) => GtType::HomAlt,
        (_, false, _) => GtType::HetAltAlt,
        (_, true, 0) => GtType::HomRef,
        (_, true, _) => GtType::HetRefAlt,
    };
    GtClass { ty, ial, jal }
}

/// The alleles of a genotype the store kept as text (`0/1/1`): `None` for `.`; a token that is
/// not a number reads as missing.
fn text_alleles(text: &str) -> impl Iterator<Item = Option<u32>> + '_ {
    text.trim_start_matches(['/', '|'])
        .split(['/', '|'])
        .map(|t| t.parse().ok())
}

/// The class of every distinct genotype of a store, by code.
#[derive(Debug, Clone)]
pub struct GenotypeTable {
    classes: Vec<GtClass>,
    /// Per code, the called (non-missing) alleles of a packed genotype, for allele counts.
    calls: Vec<[Option<u32>; 2]>,
    /// Codes whose genotype is kept as text.
    overflow: Vec<bool>,
}

impl GenotypeTable {
    pub fn new(store: &VariantStore) -> Self {
        let values = store.genotype_values();
        let mut classes = Vec::with_capacity(values.len());
        let mut calls = Vec::with_capacity(values.len());
        let mut overflow = Vec::with_capacity(values.len());
        for &packed in values {
            overflow.push(packed == OVERFLOW);
            match genotype::unpack(packed) {
                Some((alleles, ploidy, _)) => {
                    classes.push(classify(alleles[..ploidy].iter().copied()));
                    let mut c = [None; 2];
                    for (slot, a) in c.iter_mut().zip(&alleles[..ploidy]) {
                        *slot = *a;
                    }
                    calls.push(c);
                }
                None => {
                    debug_assert!(packed == ABSENT || packed == OVERFLOW);
                    classes.push(GtClass::ABSENT);
                    calls.push([None; 2]);
                }
            }
        }
        Self {
            classes,
            calls,
            overflow,
        }
    }

    /// The class of `sample`'s genotype in record `i`.
    #[inline]
    pub fn class(&self, store: &VariantStore, i: usize, sample: usize) -> GtClass {
        let code = store.genotype_code(i, sample) as usize;
        if self.overflow[code] {
            return classify(text_alleles(&store.genotype_text(i, sample)));
        }
        self.classes[code]
    }

    /// Adds the called alleles of `sample`'s genotype in record `i` to `counts` (one per
    /// allele index; indexes past `counts` are dropped). `bcf_calc_ac` from GT.
    #[inline]
    pub fn count_alleles(&self, store: &VariantStore, i: usize, sample: usize, counts: &mut [i64]) {
        let code = store.genotype_code(i, sample) as usize;
        let add = |a: Option<u32>| {
            if let Some(slot) = a.and_then(|a| counts.get_mut(a as usize)) {
                *slot += 1;
            }
        };
        if self.overflow[code] {
            text_alleles(&store.genotype_text(i, sample)).for_each(add);
        } else {
            self.calls[code].iter().copied().for_each(add);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> (GtType, usize, usize) {
        let c = classify(text_alleles(text));
        (c.ty, c.ial, c.jal)
    }

    #[test]
    fn classes_follow_bcf_gt_type() {
        use GtType::*;
        for (gt, want) in [
            ("0/0", (HomRef, 0, 0)),
            ("0|1", (HetRefAlt, 1, 0)),
            ("1/0", (HetRefAlt, 1, 0)),
            ("1/1", (HomAlt, 1, 0)),
            ("2/1", (HetAltAlt, 1, 2)),
            ("1/2", (HetAltAlt, 1, 2)),
            ("0", (HaploidRef, 0, 0)),
            ("2", (HaploidAlt, 2, 0)),
            ("./.", (Missing, 0, 0)),
            ("0/.", (Missing, 0, 0)),
            (".", (Missing, 0, 0)),
            ("0/1/1", (HetRefAlt, 1, 0)),
            ("1/2/3", (HetAltAlt, 1, 3)),
            ("1/1/1", (HomAlt, 1, 0)),
        ] {
            assert_eq!(of(gt), want, "{gt}");
        }
    }
}
