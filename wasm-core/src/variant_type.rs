//! Variant classes of ALT alleles, as htslib's `bcf_set_variant_type` / `bcf_get_variant_types`
//! report them (vcf.h `VCF_*`). One classification serves `stats`, the filter's `TYPE`/`ILEN`,
//! and `query`'s `%TYPE`/`%ILEN`/`%IS_TS`, so all three agree with bcftools and with each other.

use crate::store::VariantStore;

/// Reference-like allele (`<*>`, `<NON_REF>`, `<X>`, `X`, ALT equal to REF): no bit, as htslib.
pub const REF: u8 = 0;
pub const SNP: u8 = 1;
pub const MNP: u8 = 2;
pub const INDEL: u8 = 4;
pub const OTHER: u8 = 8;
pub const BND: u8 = 16;
pub const OVERLAP: u8 = 32;

/// The class of one ALT allele against REF, by htslib's rules: `*` overlaps; `<*>`,
/// `<NON_REF>`, `<X>` and `X` are reference; other symbolic alleles are "other"; breakends are
/// BND; otherwise common prefix and suffix are trimmed (case-insensitively) and what is left
/// decides between SNP, MNP, indel and other.
pub fn allele_type(reference: &[u8], alt: &[u8]) -> u8 {
    if alt == b"*" {
        return OVERLAP;
    }
    if reference.len() == 1 && alt.len() == 1 {
        return if alt[0] == b'.' || alt[0] == reference[0] || alt[0] == b'X' {
            REF
        } else {
            SNP
        };
    }
    if alt.first() == Some(&b'<') {
        return if matches!(alt, b"<X>" | b"<*>" | b"<NON_REF>") {
            REF
        } else {
            OTHER
        };
    }
    if alt.iter().any(|&b| b == b'[' || b == b']')
        || alt.first() == Some(&b'.')
        || alt.last() == Some(&b'.')
    {
        return BND;
    }
    let eq = |x: u8, y: u8| x.eq_ignore_ascii_case(&y);
    let prefix = reference
        .iter()
        .zip(alt)
        .take_while(|(r, a)| eq(**r, **a))
        .count();
    let (r, a) = (&reference[prefix..], &alt[prefix..]);
    match (r.is_empty(), a.is_empty()) {
        (true, true) => return REF,
        (true, false) | (false, true) => return INDEL,
        _ => {}
    }
    // Trim the common suffix, keeping at least one base on each side.
    let (mut re, mut ae) = (r.len() - 1, a.len() - 1);
    while re > 0 && ae > 0 && eq(r[re], a[ae]) {
        re -= 1;
        ae -= 1;
    }
    if ae == 0 {
        if re == 0 {
            SNP
        } else if eq(r[re], a[ae]) {
            INDEL
        } else {
            OTHER
        }
    } else if re == 0 {
        if eq(r[re], a[ae]) { INDEL } else { OTHER }
    } else if re == ae {
        MNP
    } else {
        OTHER
    }
}

/// The record's classes: the OR over its ALT alleles ([`REF`] when none is a variant).
pub fn record_type(store: &VariantStore, i: usize) -> u8 {
    let reference = store.reference(i);
    store
        .alt_alleles(i)
        .fold(REF, |t, alt| t | allele_type(reference, alt))
}

/// bcftools' names, as `%TYPE` prints them: `REF`, or the classes joined by `,`.
pub fn names(t: u8) -> String {
    if t == REF {
        return "REF".to_string();
    }
    let parts: Vec<&str> = [
        (SNP, "SNP"),
        (MNP, "MNP"),
        (INDEL, "INDEL"),
        (OTHER, "OTHER"),
        (BND, "BND"),
        (OVERLAP, "OVERLAP"),
    ]
    .iter()
    .filter(|(bit, _)| t & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    parts.join(",")
}

/// The class a filter's `TYPE="…"` names (case-insensitive; `ref` is [`REF`]).
pub fn by_name(name: &str) -> Option<u8> {
    Some(match name.to_ascii_lowercase().as_str() {
        "ref" => REF,
        "snp" | "snps" => SNP,
        "mnp" | "mnps" => MNP,
        "indel" | "indels" => INDEL,
        "other" => OTHER,
        "bnd" => BND,
        "overlap" => OVERLAP,
        _ => return None,
    })
}

/// `ILEN` of one ALT: len(ALT) − len(REF) for an indel, `None` otherwise.
pub fn indel_length(reference: &[u8], alt: &[u8]) -> Option<i64> {
    (allele_type(reference, alt) == INDEL).then(|| alt.len() as i64 - reference.len() as i64)
}

/// The REF and ALT bases that differ in a SNP allele (after htslib's trimming), for ts/tv.
pub fn snp_bases(reference: &[u8], alt: &[u8]) -> Option<(u8, u8)> {
    if allele_type(reference, alt) != SNP {
        return None;
    }
    reference
        .iter()
        .zip(alt)
        .find(|(r, a)| !r.eq_ignore_ascii_case(a))
        .map(|(&r, &a)| (r, a))
}

/// A transition (purine ↔ purine, pyrimidine ↔ pyrimidine: A↔G, C↔T), case-insensitive;
/// any other pair, or a base outside ACGT, is not. bcftools' ts/tv (`stats`) and `%IS_TS`.
pub fn is_transition(reference: u8, alt: u8) -> bool {
    matches!(
        (reference.to_ascii_uppercase(), alt.to_ascii_uppercase()),
        (b'A', b'G') | (b'G', b'A') | (b'C', b'T') | (b'T', b'C')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_are_purine_or_pyrimidine_swaps() {
        for (r, a) in [(b'A', b'G'), (b'g', b'a'), (b'C', b't'), (b'T', b'C')] {
            assert!(is_transition(r, a), "{}>{}", r as char, a as char);
        }
        for (r, a) in [
            (b'A', b'C'),
            (b'A', b'T'),
            (b'G', b'C'),
            (b'A', b'A'),
            (b'N', b'G'),
        ] {
            assert!(!is_transition(r, a), "{}>{}", r as char, a as char);
        }
    }

    #[test]
    fn classes_follow_htslib() {
        for (r, a, t) in [
            ("A", "G", SNP),
            ("A", "A", REF),
            ("A", "*", OVERLAP),
            ("A", "<*>", REF),
            ("A", "<NON_REF>", REF),
            ("G", "<X>", REF),
            ("A", "<DEL>", OTHER),
            ("A", "A[1:10[", BND),
            ("A", ".A", BND),
            ("AC", "A", INDEL),
            ("A", "ACT", INDEL),
            ("ACGT", "AT", INDEL),
            ("ACG", "TGA", MNP),
            ("ACG", "TCA", MNP),
            ("ACG", "ATG", SNP),
            ("AC", "AT", SNP),
            ("ACG", "TG", OTHER),
            ("CAAAAA", "CG", OTHER),
            ("acg", "ACGT", INDEL),
        ] {
            assert_eq!(allele_type(r.as_bytes(), a.as_bytes()), t, "{r} {a}");
        }
        assert_eq!(names(REF), "REF");
        assert_eq!(names(MNP | INDEL | OTHER), "MNP,INDEL,OTHER");
        assert_eq!(indel_length(b"CAA", b"C"), Some(-2));
        assert_eq!(indel_length(b"C", b"T"), None);
        assert_eq!(snp_bases(b"AC", b"AT"), Some((b'C', b'T')));
        assert_eq!(by_name("SNP"), Some(SNP));
    }
}
