//! The record-level tests both evaluators share, each exactly as bcftools decides it:
//! `FILTER` sets ([`filter_matches`]), variant classes ([`type_matches`]) and genotype classes
//! ([`gt_class`], [`packed_gt_class`] for the kernels, which judge each distinct packed
//! genotype once).

use crate::store::VariantStore;
use crate::store::genotype::{self, Allele};
use crate::variant_type as vt;

use super::ir::{GtClass, TYPE_REF};

/// `FILTER="A;B"` (the same set) or `FILTER~"A"` (contains), without allocating: it runs once
/// per record. `ids == []` is `FILTER="."`; PASS may be stored explicitly.
pub fn filter_matches(
    have: &[u16],
    ids: &[Option<u16>],
    subset: bool,
    pass_id: Option<usize>,
) -> bool {
    let is_pass = |f: u16| pass_id.is_some_and(|p| usize::from(f) == p);
    if ids.is_empty() {
        return have.is_empty();
    }
    let passed = !have.is_empty() && have.iter().all(|&f| is_pass(f));
    let has = |f: u16| have.contains(&f);
    if subset {
        return ids.iter().all(|i| match *i {
            Some(f) if is_pass(f) => passed,
            Some(f) => has(f),
            None => false,
        });
    }
    if ids.iter().any(|i| i.is_some_and(is_pass)) {
        return ids.len() == 1 && passed;
    }
    if ids.iter().any(Option::is_none) {
        return false;
    }
    let have_real = have.iter().filter(|&&f| !is_pass(f)).count();
    ids.len() == have_real && ids.iter().flatten().all(|&f| has(f))
}

/// `TYPE="snp"` (the record's classes are exactly these) or `TYPE~"snp"` (it has one of them);
/// classes from [`vt::record_type`].
pub fn type_matches(store: &VariantStore, rec: usize, mask: u8, any: bool) -> bool {
    let t = match vt::record_type(store, rec) {
        vt::REF => TYPE_REF,
        t => t,
    };
    if any { t & mask != 0 } else { t == mask }
}

pub fn gt_class(store: &VariantStore, rec: usize, s: usize, class: GtClass) -> bool {
    let g = store.genotype(rec, s);
    packed_gt_class(g, class).unwrap_or_else(|| overflow_gt_class(store, rec, s, class))
}

/// [`gt_class`] of a packed genotype; `None` for [`genotype::OVERFLOW`], whose alleles are in
/// the cell's text.
pub fn packed_gt_class(g: u32, class: GtClass) -> Option<bool> {
    if g == genotype::OVERFLOW {
        return None;
    }
    Some(classify(g, class, None))
}

fn overflow_gt_class(store: &VariantStore, rec: usize, s: usize, class: GtClass) -> bool {
    classify(genotype::OVERFLOW, class, Some((store, rec, s)))
}

/// The class test on a packed genotype, or on the overflow text of the cell `cell`.
fn classify(g: u32, class: GtClass, cell: Option<(&VariantStore, usize, usize)>) -> bool {
    let mut buf = [0u32; 2];
    let (called, ploidy, missing): (&[u32], usize, bool);
    let owned: Vec<u32>;
    match (genotype::unpack(g), cell) {
        (Some((a, p, _)), _) => {
            missing = a[..p].iter().any(Option::is_none);
            for (k, x) in a[..p].iter().enumerate() {
                buf[k] = x.unwrap_or(0);
            }
            called = &buf[..p];
            ploidy = p;
        }
        (None, Some((store, rec, s))) if g == genotype::OVERFLOW => {
            let a: Vec<Allele> = store
                .genotype_text(rec, s)
                .split(['/', '|'])
                .map(|x| x.parse().ok())
                .collect();
            missing = a.iter().any(Option::is_none);
            ploidy = a.len();
            owned = a.into_iter().flatten().collect();
            called = &owned;
        }
        (None, _) => return class == GtClass::Mis,
    }
    match class {
        GtClass::Mis => missing,
        _ if missing || called.is_empty() => false,
        GtClass::Hap => ploidy == 1,
        GtClass::HapRef => ploidy == 1 && called[0] == 0,
        GtClass::HapAlt => ploidy == 1 && called[0] != 0,
        GtClass::Hom => ploidy > 1 && called.iter().all(|&a| a == called[0]),
        GtClass::Het => ploidy > 1 && called.iter().any(|&a| a != called[0]),
        GtClass::Ref => called.iter().all(|&a| a == 0),
        GtClass::Alt => called.iter().any(|&a| a != 0),
        GtClass::RR => ploidy == 2 && called.iter().all(|&a| a == 0),
        GtClass::RA => ploidy == 2 && (called[0] == 0) != (called[1] == 0),
        GtClass::AA => ploidy == 2 && called[0] != 0 && called[0] == called[1],
        GtClass::AaDiff => {
            ploidy == 2 && called[0] != 0 && called[1] != 0 && called[0] != called[1]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::genotype::pack;

    #[test]
    fn filter_sets_with_pass_stored_or_implied() {
        // Ids: 0 PASS, 1 LowQual, 2 q10.
        let pass = Some(0);
        let m = |have: &[u16], ids: &[Option<u16>], subset| filter_matches(have, ids, subset, pass);
        // FILTER="." holds only for no FILTER at all.
        assert!(m(&[], &[], false) && !m(&[0], &[], false));
        assert!(m(&[0], &[Some(0)], false) && !m(&[], &[Some(0)], false));
        // The same set, in any order; a name no record carries matches nothing.
        assert!(m(&[2, 1], &[Some(1), Some(2)], false));
        assert!(!m(&[1], &[Some(1), Some(2)], false));
        assert!(!m(&[1], &[None], false));
        // `~`: contains.
        assert!(m(&[1, 2], &[Some(2)], true) && !m(&[1], &[Some(2)], true));
    }

    #[test]
    fn genotype_classes_as_bcftools_names_them() {
        let g = |a: &[Option<u32>], phased| pack(a, phased).expect("packs");
        let het = g(&[Some(0), Some(1)], false);
        let hom_alt = g(&[Some(1), Some(1)], true);
        let two_alts = g(&[Some(1), Some(2)], false);
        let hap_alt = g(&[Some(1)], false);
        let half_missing = g(&[Some(0), None], false);
        let c = |x, class| packed_gt_class(x, class).unwrap();
        assert!(c(het, GtClass::Het) && c(het, GtClass::RA) && c(het, GtClass::Alt));
        assert!(!c(het, GtClass::Hom) && !c(het, GtClass::Ref));
        assert!(c(hom_alt, GtClass::Hom) && c(hom_alt, GtClass::AA));
        assert!(c(two_alts, GtClass::Het) && c(two_alts, GtClass::AaDiff));
        assert!(!c(two_alts, GtClass::RA));
        assert!(c(hap_alt, GtClass::Hap) && c(hap_alt, GtClass::HapAlt));
        assert!(!c(hap_alt, GtClass::Hom) && !c(hap_alt, GtClass::Het));
        // A missing allele: only `mis`.
        assert!(c(half_missing, GtClass::Mis) && !c(half_missing, GtClass::Het));
        assert!(!c(half_missing, GtClass::Ref));
        assert_eq!(packed_gt_class(genotype::OVERFLOW, GtClass::Het), None);
    }
}
