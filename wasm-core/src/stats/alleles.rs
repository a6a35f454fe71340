//! Allele classes and lengths as htslib 1.24 computes them for `bcftools stats`
//! (`bcf_set_variant_type`): the class bits of [`crate::variant_type`] plus the signed length
//! htslib keeps beside them (`bcf_variant_t.n`), which stats reads for indel lengths (IDD) and
//! the mean VAF by length.
//!
//! Where it sits: [`super::bcftools`] classifies each record's ALT alleles once into a
//! [`RecordAlleles`] (a buffer reused from record to record) and every section reads it.
//!
//! Why not [`crate::variant_type::allele_type`] alone: that one also serves the filter's `TYPE`
//! and was matched to bcftools 1.16, which called a single breakend (`.A`, `A.`) a breakend;
//! htslib since 1.16's "Fix breakend detection" looks at `[`/`]` only, so `.A` is an insertion
//! of one base for bcftools 1.24 stats. Everything else agrees (a test checks it).

use crate::variant_type::{BND, INDEL, MNP, OTHER, OVERLAP, REF, SNP};

/// One allele's class bits and htslib's length for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allele {
    /// [`crate::variant_type`] bits (`REF` is 0).
    pub kind: u8,
    /// htslib's `n`: for an indel `len(ALT) − len(REF)`; 1 for a SNP; the changed length for an
    /// MNP or a complex substitution (negative when REF's part is longer); 0 for reference-like
    /// alleles and `*`. `None` where htslib leaves it unset (symbolic alleles, breakends): its
    /// value there is whatever an earlier record left, so Enclave counts it as 0
    /// (docs/STATS.md, "Differences").
    pub length: Option<i32>,
    /// The first base of the allele as bcftools' `bcf_acgt2int` reads it (A 0, C 1, G 2, T 3,
    /// anything else −1): substitution types and ts/tv look at first bases only.
    pub first_base: i8,
}

impl Allele {
    pub const REFERENCE: Allele = Allele {
        kind: REF,
        length: Some(0),
        first_base: -1,
    };

    /// htslib's `n`, 0 where it is unset.
    pub fn length_or_zero(&self) -> i32 {
        self.length.unwrap_or(0)
    }
}

/// `bcf_acgt2int`: A/C/G/T (either case) as 0–3, anything else −1.
pub fn acgt(base: u8) -> i8 {
    match base.to_ascii_uppercase() {
        b'A' => 0,
        b'C' => 1,
        b'G' => 2,
        b'T' => 3,
        _ => -1,
    }
}

/// The class and length of `alt` against `reference`, by htslib 1.24's rules, in order:
/// `*` overlaps; two single bases are a SNP unless ALT is `.`, `X` or REF's base (case
/// matters here, as in htslib); `<X>`, `<*>` and `<NON_REF>` are reference-like and any other
/// symbolic allele is "other"; an ALT starting with `[`/`]` is a breakend; then the shared
/// prefix is trimmed (case-insensitively) — if one side is used up it is an indel (a breakend
/// when ALT ends in `[`/`]`), if both, reference-like — an ALT ending in `[`/`]` is a breakend,
/// and the shared suffix is trimmed keeping a base on each side: one base each is a SNP, one
/// base on one side an indel when that base matches the other side's last (else other), equal
/// lengths an MNP, anything else other.
pub fn classify(reference: &[u8], alt: &[u8]) -> Allele {
    let first_base = alt.first().map_or(-1, |&b| acgt(b));
    let of = |kind: u8, length: Option<i32>| Allele {
        kind,
        length,
        first_base,
    };
    if alt == b"*" {
        return of(OVERLAP, Some(0));
    }
    if reference.len() == 1 && alt.len() == 1 {
        let (r, a) = (reference[0], alt[0]);
        return if a == b'.' || a == r || a == b'X' {
            of(REF, Some(0))
        } else {
            of(SNP, Some(1))
        };
    }
    if alt.first() == Some(&b'<') {
        let reference_like =
            alt.starts_with(b"<X>") || alt.starts_with(b"<*>") || alt == b"<NON_REF>";
        return if reference_like {
            of(REF, Some(0))
        } else {
            of(OTHER, None)
        };
    }
    let is_bracket = |b: Option<&u8>| matches!(b, Some(b'[' | b']'));
    if is_bracket(alt.first()) {
        return of(BND, None);
    }
    let same = |x: u8, y: u8| x.eq_ignore_ascii_case(&y);
    let prefix = reference
        .iter()
        .zip(alt)
        .take_while(|(r, a)| same(**r, **a))
        .count();
    let (r, a) = (&reference[prefix..], &alt[prefix..]);
    // Lengths of VCF alleles fit i32 (a record is at most 256 MiB).
    let difference = alt.len() as i64 - reference.len() as i64;
    let difference = i32::try_from(difference).unwrap_or(0);
    match (r.is_empty(), a.is_empty()) {
        (true, true) => return of(REF, Some(0)),
        (true, false) if is_bracket(alt.last()) => return of(BND, None),
        (true, false) | (false, true) => return of(INDEL, Some(difference)),
        (false, false) => {}
    }
    if is_bracket(alt.last()) {
        return of(BND, None);
    }
    // Trim the shared suffix, keeping one base on each side; `re`/`ae` end at the last
    // differing base of each.
    let (mut re, mut ae) = (r.len() - 1, a.len() - 1);
    while re > 0 && ae > 0 && same(r[re], a[ae]) {
        re -= 1;
        ae -= 1;
    }
    let span = |k: usize| i32::try_from(k).unwrap_or(i32::MAX);
    if ae == 0 {
        if re == 0 {
            return of(SNP, Some(1));
        }
        let kind = if same(r[re], a[ae]) { INDEL } else { OTHER };
        return of(kind, Some(-span(re)));
    }
    if re == 0 {
        let kind = if same(r[re], a[ae]) { INDEL } else { OTHER };
        return of(kind, Some(span(ae)));
    }
    let kind = if re == ae { MNP } else { OTHER };
    let length = if re > ae { -span(re + 1) } else { span(ae + 1) };
    of(kind, Some(length))
}

/// One record's alleles, classified: index 0 is REF, then each ALT in order (htslib's
/// `d.var`). Reused from record to record, so classifying allocates only when a record has
/// more alleles than any before.
#[derive(Debug, Clone, Default)]
pub struct RecordAlleles {
    alleles: Vec<Allele>,
    /// The OR of the ALT alleles' classes (`bcf_get_variant_types`).
    pub kinds: u8,
    /// `bcf_acgt2int` of REF's first base.
    pub ref_base: i8,
}

impl RecordAlleles {
    /// Classifies the ALT alleles of one record (`alts` as the store gives them).
    pub fn classify<'a>(&mut self, reference: &[u8], alts: impl Iterator<Item = &'a [u8]>) {
        self.alleles.clear();
        self.alleles.push(Allele::REFERENCE);
        self.kinds = REF;
        self.ref_base = reference.first().map_or(-1, |&b| acgt(b));
        for alt in alts {
            let a = classify(reference, alt);
            self.kinds |= a.kind;
            self.alleles.push(a);
        }
    }

    /// The number of alleles, REF included (htslib's `n_allele`).
    pub fn len(&self) -> usize {
        self.alleles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alleles.is_empty()
    }

    /// Allele `k` (0 = REF); an index past the record's alleles (a genotype naming an allele
    /// the record lacks, which bcftools stops on) reads as reference-like.
    pub fn get(&self, k: usize) -> Allele {
        self.alleles.get(k).copied().unwrap_or(Allele::REFERENCE)
    }

    /// The class bits of allele `k` ([`Self::get`]).
    pub fn kind(&self, k: usize) -> u8 {
        self.get(k).kind
    }

    /// The ALT alleles with their 1-based index.
    pub fn alts(&self) -> impl Iterator<Item = (usize, Allele)> + '_ {
        self.alleles.iter().copied().enumerate().skip(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variant_type::allele_type;

    #[test]
    fn classes_and_lengths_follow_htslib() {
        for (r, a, kind, length) in [
            ("A", "G", SNP, Some(1)),
            ("A", "A", REF, Some(0)),
            ("A", "a", SNP, Some(1)),
            ("A", ".", REF, Some(0)),
            ("A", "*", OVERLAP, Some(0)),
            ("A", "<*>", REF, Some(0)),
            ("A", "<NON_REF>", REF, Some(0)),
            ("A", "<DEL>", OTHER, None),
            ("A", "A[1:10[", BND, None),
            ("A", "]1:10]A", BND, None),
            ("A", ".A", INDEL, Some(1)),
            ("A", "A.", INDEL, Some(1)),
            ("AC", "A", INDEL, Some(-1)),
            ("A", "ACT", INDEL, Some(2)),
            ("ACGT", "AT", INDEL, Some(-2)),
            ("ACG", "TGA", MNP, Some(3)),
            ("CC", "TT", MNP, Some(2)),
            ("ACG", "ATG", SNP, Some(1)),
            ("AC", "AT", SNP, Some(1)),
            ("ACG", "TG", OTHER, Some(-1)),
            ("CAAAAA", "CG", OTHER, Some(-4)),
            ("CACC", "TAT", OTHER, Some(-4)),
            ("CTTTTT", "CTT", INDEL, Some(-3)),
            ("acg", "ACGT", INDEL, Some(1)),
        ] {
            let got = classify(r.as_bytes(), a.as_bytes());
            assert_eq!((got.kind, got.length), (kind, length), "{r} {a}");
        }
        assert_eq!(acgt(b'g'), 2);
        assert_eq!(acgt(b'N'), -1);
    }

    #[test]
    fn classes_agree_with_variant_type_except_single_breakends() {
        let alleles = [
            "A",
            "C",
            "G",
            "T",
            "AC",
            "CA",
            "ACG",
            "TGA",
            "ACGT",
            "AT",
            ".",
            "*",
            "<*>",
            "<DEL>",
            "<NON_REF>",
            "X",
            "<X>",
            "A[1:5[",
            "]1:5]A",
            "acg",
            "CG",
            "N",
        ];
        for r in ["A", "AC", "ACG", "CAAAAA", "acgt"] {
            for a in alleles {
                let (ours, theirs) = (
                    classify(r.as_bytes(), a.as_bytes()).kind,
                    allele_type(r.as_bytes(), a.as_bytes()),
                );
                if a == "." && r.len() > 1 {
                    // The documented disagreement: `.` beside more than one base.
                    assert_eq!((ours, theirs), (OTHER, BND), "{r} {a}");
                    continue;
                }
                assert_eq!(ours, theirs, "{r} {a}");
            }
        }
        // Single breakends (`.A`, `A.`): a breakend for `variant_type`, an insertion here.
        assert_eq!(allele_type(b"A", b".A"), BND);
        assert_eq!(classify(b"A", b".A").kind, INDEL);
    }

    #[test]
    fn a_record_is_classified_once() {
        let mut rec = RecordAlleles::default();
        rec.classify(b"G", [&b"A"[..], b"GA"].into_iter());
        assert_eq!(rec.len(), 3);
        assert_eq!(rec.kinds, SNP | INDEL);
        assert_eq!(rec.ref_base, 2);
        assert_eq!(rec.get(2).length, Some(1));
        assert_eq!(rec.kind(7), REF);
        rec.classify(b"C", std::iter::empty());
        assert_eq!((rec.len(), rec.kinds), (1, REF));
    }
}
