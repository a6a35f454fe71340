//! Which records and genotypes the pedigree check reads, and how it reads them.
//!
//! The store's columns seen through the check's eyes: a contig is an autosome, chrX, chrY or
//! something else ([`ContigClass`]); a position on chrX/chrY is pseudo-autosomal or not
//! ([`SexRegions`], CLINICAL.md §2's coordinates per build); a record is a biallelic SNV or
//! not ([`is_biallelic_snv`]); a genotype is hom-ref, het, hom-alt or missing ([`GtClass`],
//! judged once per distinct packed genotype, [`GtClasses`]); a genotype has a depth and an
//! alternate-allele fraction from FORMAT/AD, else a depth from FORMAT/DP ([`Depths`]). The
//! sex and relatedness tallies ([`super::sex`], [`super::relatedness`]) are built on these.

use crate::store::genotype;
use crate::store::{ColumnData, INT_MISSING, Ints, VariantStore};

/// What a contig is, for the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContigClass {
    /// 1–22 (with or without `chr`).
    Autosome,
    X,
    Y,
    /// Mitochondria, unplaced and alternate contigs, non-human names: never read.
    Other,
}

/// Classifies a contig by name: `1`…`22`, `X`, `Y`, with or without a `chr` prefix in any
/// case (`chr1`, `Chr1`, `CHRX`).
pub fn contig_class(name: &str) -> ContigClass {
    let bare = match name.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("chr") => &name[3..],
        _ => name,
    };
    match bare {
        "X" | "x" => ContigClass::X,
        "Y" | "y" => ContigClass::Y,
        _ => match bare.parse::<u8>() {
            Ok(1..=22) if !bare.starts_with('0') => ContigClass::Autosome,
            _ => ContigClass::Other,
        },
    }
}

/// The reference builds whose pseudo-autosomal regions the check knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Build {
    GRCh37,
    GRCh38,
}

impl Build {
    /// The build named by [`crate::Summary::reference_build`] (`GRCh37`, `GRCh38`), else the
    /// one whose chrX length the header gives (GRCh37 155,270,560; GRCh38 156,040,895).
    pub fn infer(reference_build: Option<&str>, x_length: Option<u64>) -> Option<Build> {
        match reference_build {
            Some("GRCh37") => Some(Build::GRCh37),
            Some("GRCh38") => Some(Build::GRCh38),
            _ => match x_length {
                Some(155_270_560) => Some(Build::GRCh37),
                Some(156_040_895) => Some(Build::GRCh38),
                _ => None,
            },
        }
    }
}

/// 1-based inclusive intervals of chrX and chrY that are pseudo-autosomal (diploid in males),
/// which the sex check leaves out.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SexRegions {
    pub x: Vec<(u64, u64)>,
    pub y: Vec<(u64, u64)>,
}

impl SexRegions {
    /// The PARs of a build. chrX: CLINICAL.md §2. chrY: the GRC's PAR coordinates
    /// (GRCh37 Y:10001-2649520 and Y:59034050-59363566; GRCh38 Y:10001-2781479 and
    /// Y:56887903-57217415).
    pub fn of(build: Build) -> Self {
        match build {
            Build::GRCh37 => Self {
                x: vec![(60_001, 2_699_520), (154_931_044, 155_260_560)],
                y: vec![(10_001, 2_649_520), (59_034_050, 59_363_566)],
            },
            Build::GRCh38 => Self {
                x: vec![(10_001, 2_781_479), (155_701_383, 156_030_895)],
                y: vec![(10_001, 2_781_479), (56_887_903, 57_217_415)],
            },
        }
    }

    /// When the build is unknown: every position that is pseudo-autosomal in either build, so
    /// no diploid male call is read as a heterozygous female one (peddy does the same with
    /// one pair of intervals for both builds).
    pub fn either_build() -> Self {
        let (a, b) = (Self::of(Build::GRCh37), Self::of(Build::GRCh38));
        let union = |p: &[(u64, u64)], q: &[(u64, u64)]| {
            let mut all: Vec<(u64, u64)> = p.iter().chain(q).copied().collect();
            all.sort_unstable();
            let mut out: Vec<(u64, u64)> = Vec::new();
            for (s, e) in all {
                match out.last_mut() {
                    Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
                    _ => out.push((s, e)),
                }
            }
            out
        };
        Self {
            x: union(&a.x, &b.x),
            y: union(&a.y, &b.y),
        }
    }

    pub fn in_x_par(&self, pos: u64) -> bool {
        self.x.iter().any(|&(s, e)| (s..=e).contains(&pos))
    }

    pub fn in_y_par(&self, pos: u64) -> bool {
        self.y.iter().any(|&(s, e)| (s..=e).contains(&pos))
    }
}

fn is_base(b: u8) -> bool {
    matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T')
}

/// A biallelic SNV: one REF base and exactly one ALT base, each A, C, G or T (`*`, `.`, `N`
/// and symbolic alleles are not SNVs).
pub fn is_biallelic_snv(store: &VariantStore, i: usize) -> bool {
    matches!(store.reference(i), [r] if is_base(*r)) && matches!(store.alts(i), [a] if is_base(*a))
}

/// The genotype of one sample at a biallelic site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GtClass {
    HomRef,
    Het,
    HomAlt,
    Missing,
}

impl GtClass {
    /// Alternate alleles counted for the allele frequency: a haploid `1` counts as `1/1`, as
    /// cyvcf2 (peddy's reader) counts it.
    pub fn alt_alleles(self) -> u64 {
        match self {
            GtClass::Het => 1,
            GtClass::HomAlt => 2,
            GtClass::HomRef | GtClass::Missing => 0,
        }
    }
}

/// Classifies a packed genotype at a biallelic site. Haploid `0` / `1` are hom-ref / hom-alt
/// (a male's chrX, CLINICAL.md §2). A genotype with any missing allele (`./.`, `0/.`, `./1`)
/// is missing: cyvcf2 reads `0/.` as hom-ref and `./1` as het, which would make half a call a
/// whole one (docs/PEDIGREE_CHECK.md). Alleles other than 0 and 1, ploidy above two and
/// absent genotypes are missing too.
pub fn classify(packed: u32) -> GtClass {
    match genotype::unpack(packed) {
        Some(([a, _], 1, _)) => match a {
            Some(0) => GtClass::HomRef,
            Some(1) => GtClass::HomAlt,
            _ => GtClass::Missing,
        },
        Some(([a, b], 2, _)) => match (a, b) {
            (Some(0), Some(0)) => GtClass::HomRef,
            (Some(0), Some(1)) | (Some(1), Some(0)) => GtClass::Het,
            (Some(1), Some(1)) => GtClass::HomAlt,
            _ => GtClass::Missing,
        },
        _ => GtClass::Missing,
    }
}

/// Whether a packed genotype calls any allele (`0`, `1/2`, `./1`, an overflowed `0/1/1`), as
/// opposed to `.`, `./.` or no GT at all.
pub fn has_called_allele(packed: u32) -> bool {
    match genotype::unpack(packed) {
        Some((alleles, _, _)) => alleles.iter().any(Option::is_some),
        None => packed == genotype::OVERFLOW,
    }
}

/// The class of every distinct genotype of a store, by genotype code: the check judges each
/// distinct packed genotype once, then reads classes by code (store::genotype).
pub struct GtClasses {
    by_code: Vec<GtClass>,
}

impl GtClasses {
    pub fn new(store: &VariantStore) -> Self {
        Self {
            by_code: store
                .genotype_values()
                .iter()
                .map(|&p| classify(p))
                .collect(),
        }
    }

    /// The class of `sample`'s genotype in record `i`.
    #[inline]
    pub fn of(&self, store: &VariantStore, i: usize, sample: usize) -> GtClass {
        self.by_code
            .get(store.genotype_code(i, sample) as usize)
            .copied()
            .unwrap_or(GtClass::Missing)
    }
}

/// Where a genotype's read depth comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepthSource {
    /// FORMAT/AD: the reference plus the alternate reads, as peddy (cyvcf2) counts depth.
    Ad,
    /// FORMAT/DP, when the file has no AD.
    Dp,
    /// Neither: the depth filter and the allele-balance filter are skipped.
    None,
}

impl std::fmt::Display for DepthSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DepthSource::Ad => "FORMAT/AD",
            DepthSource::Dp => "FORMAT/DP",
            DepthSource::None => "no depth field",
        })
    }
}

/// Per-genotype depth and alternate-allele fraction.
pub struct Depths<'a> {
    source: DepthSource,
    column: Option<&'a Ints>,
    samples: usize,
}

impl<'a> Depths<'a> {
    /// FORMAT/AD when the file has it as integers, else FORMAT/DP.
    pub fn new(store: &'a VariantStore) -> Self {
        // A field only counts when some genotype has it: headers often declare AD or DP
        // for records that never carry them.
        let ints = |key: &str| match store.format.get(key).map(|f| &f.data) {
            Some(ColumnData::Integer(c)) if (0..c.len()).any(|i| c.count(i) > 0) => Some(c),
            _ => None,
        };
        let (source, column) = match (ints("AD"), ints("DP")) {
            (Some(ad), _) => (DepthSource::Ad, Some(ad)),
            (None, Some(dp)) => (DepthSource::Dp, Some(dp)),
            (None, None) => (DepthSource::None, None),
        };
        Self {
            source,
            column,
            samples: store.samples().len(),
        }
    }

    pub fn source(&self) -> DepthSource {
        self.source
    }

    /// The depth of `sample` in record `i` and, with AD, its alternate-allele fraction:
    /// `None` when the genotype has no depth. From AD (cyvcf2's rule): reference reads +
    /// alternate reads, a missing count read as 0 unless both are missing; the fraction is
    /// 0 when the depth is 0 or the alternate count is missing.
    pub fn of(&self, i: usize, sample: usize) -> Option<(i64, Option<f64>)> {
        let column = self.column?;
        let cell = i * self.samples + sample;
        if cell >= column.len() {
            return None;
        }
        let known = |v: i32| (v != INT_MISSING && v >= 0).then_some(i64::from(v));
        match self.source {
            DepthSource::Ad => column.with(cell, |v| {
                if v.len() < 2 {
                    return None;
                }
                let reference = known(v[0]);
                let alt = v[1..]
                    .iter()
                    .filter_map(|&x| known(x))
                    .fold(None, |sum: Option<i64>, x| Some(sum.unwrap_or(0) + x));
                if reference.is_none() && alt.is_none() {
                    return None;
                }
                let depth = reference.unwrap_or(0) + alt.unwrap_or(0);
                let fraction = match alt {
                    Some(a) if depth > 0 => a as f64 / depth as f64,
                    _ => 0.0,
                };
                Some((depth, Some(fraction)))
            }),
            DepthSource::Dp => column.with(cell, |v| {
                v.first().and_then(|&d| known(d)).map(|d| (d, None))
            }),
            DepthSource::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contig_names() {
        for (name, class) in [
            ("1", ContigClass::Autosome),
            ("chr22", ContigClass::Autosome),
            ("Chr7", ContigClass::Autosome),
            ("X", ContigClass::X),
            ("chrX", ContigClass::X),
            ("CHRY", ContigClass::Y),
            ("23", ContigClass::Other),
            ("01", ContigClass::Other),
            ("chrM", ContigClass::Other),
            ("chr1_gl000191_random", ContigClass::Other),
            ("GL000192.1", ContigClass::Other),
            ("", ContigClass::Other),
        ] {
            assert_eq!(contig_class(name), class, "{name}");
        }
    }

    #[test]
    fn pars_per_build_and_unknown_build() {
        let b37 = SexRegions::of(Build::GRCh37);
        // CLINICAL.md §2: GRCh37 X:60001-2699520; X:2699521 is the first haploid-male base.
        assert!(b37.in_x_par(60_001) && b37.in_x_par(2_699_520));
        assert!(!b37.in_x_par(60_000) && !b37.in_x_par(2_699_521));
        assert!(b37.in_x_par(154_931_044) && !b37.in_x_par(154_931_043));
        let b38 = SexRegions::of(Build::GRCh38);
        assert!(b38.in_x_par(2_781_479) && !b38.in_x_par(2_781_480));
        assert!(b38.in_x_par(155_701_383) && !b38.in_x_par(155_701_382));
        // Unknown build: pseudo-autosomal in either build.
        let either = SexRegions::either_build();
        assert!(either.in_x_par(10_001) && either.in_x_par(2_781_479));
        assert!(!either.in_x_par(2_781_480));
        assert!(either.in_x_par(154_931_044) && either.in_x_par(156_030_895));
        assert!(!either.in_x_par(100_000_000));
        // Between GRCh37's PAR2 and GRCh38's, chrX is haploid in males in both builds.
        assert!(!either.in_x_par(155_500_000));
        assert_eq!(either.x.len(), 3);
    }

    #[test]
    fn builds_from_summary_or_x_length() {
        assert_eq!(Build::infer(Some("GRCh38"), None), Some(Build::GRCh38));
        assert_eq!(Build::infer(None, Some(155_270_560)), Some(Build::GRCh37));
        assert_eq!(Build::infer(Some("T2T-CHM13"), None), None);
        assert_eq!(Build::infer(None, Some(81_195_210)), None);
    }

    #[test]
    fn genotype_classes() {
        let p = |a: &[genotype::Allele]| genotype::pack(a, false).unwrap();
        assert_eq!(classify(p(&[Some(0), Some(0)])), GtClass::HomRef);
        assert_eq!(classify(p(&[Some(1), Some(0)])), GtClass::Het);
        assert_eq!(classify(p(&[Some(1), Some(1)])), GtClass::HomAlt);
        assert_eq!(classify(p(&[Some(0)])), GtClass::HomRef);
        assert_eq!(classify(p(&[Some(1)])), GtClass::HomAlt);
        assert_eq!(classify(p(&[None])), GtClass::Missing);
        assert_eq!(classify(p(&[None, None])), GtClass::Missing);
        assert_eq!(classify(p(&[Some(0), None])), GtClass::Missing);
        assert_eq!(classify(p(&[None, Some(1)])), GtClass::Missing);
        assert_eq!(classify(p(&[Some(1), Some(2)])), GtClass::Missing);
        assert_eq!(classify(genotype::ABSENT), GtClass::Missing);
        assert_eq!(classify(genotype::OVERFLOW), GtClass::Missing);
    }
}
