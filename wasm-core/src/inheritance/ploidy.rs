//! Where a record sits for inheritance: autosome, chrX inside or outside the pseudo-autosomal
//! regions of the file's build, chrY or the mitochondrion (CLINICAL.md §2, "PARs").
//!
//! Outside the PARs a male's chrX is hemizygous; inside them it pairs with chrY and is inherited
//! like an autosome, so the autosomal modes read PAR records and the chrX modes do not. chrY and
//! chrM take part in `mendel-error` only.

use crate::bitmap::Bitmap;
use crate::store::VariantStore;

/// A reference build with known PAR coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Build {
    GRCh37,
    GRCh38,
}

/// chrX lengths, to recognise a build from its `##contig` line when the header names none.
const X_LENGTHS: [(u64, Build); 2] = [(155_270_560, Build::GRCh37), (156_040_895, Build::GRCh38)];

impl Build {
    /// `GRCh37` / `hg19` / `b37` … and `GRCh38` / `hg38` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Build> {
        match name.to_ascii_lowercase().as_str() {
            "grch37" | "hg19" | "b37" | "hs37d5" | "37" => Some(Build::GRCh37),
            "grch38" | "hg38" | "38" => Some(Build::GRCh38),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Build::GRCh37 => "GRCh37",
            Build::GRCh38 => "GRCh38",
        }
    }

    /// The build from the summary's `reference_build`, else from the length of chrX.
    pub fn detect(reference_build: Option<&str>, x_length: Option<u64>) -> Option<Build> {
        reference_build.and_then(Build::from_name).or_else(|| {
            X_LENGTHS
                .iter()
                .find(|(len, _)| Some(*len) == x_length)
                .map(|&(_, b)| b)
        })
    }

    /// The build of a loaded file ([`Build::detect`] on its summary): the header's reference
    /// build, else the length of its `X` / `chrX` contig.
    pub fn of_summary(summary: &crate::formats::Summary) -> Option<Build> {
        let x = summary
            .contigs
            .iter()
            .find(|c| ContigKind::of(&c.name) == ContigKind::X)
            .and_then(|c| c.length);
        Build::detect(summary.reference_build.as_deref(), x)
    }

    /// The two PARs of chrX, 1-based inclusive (CLINICAL.md §2).
    pub fn pars(self) -> [(u64, u64); 2] {
        match self {
            Build::GRCh37 => [(60_001, 2_699_520), (154_931_044, 155_260_560)],
            Build::GRCh38 => [(10_001, 2_781_479), (155_701_383, 156_030_895)],
        }
    }

    /// Whether chrX position `pos` lies in a PAR.
    pub fn in_par(self, pos: u64) -> bool {
        self.pars().iter().any(|&(a, b)| (a..=b).contains(&pos))
    }
}

/// What a contig is, from its name (`X`, `chrX`, `chrM`, `MT`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContigKind {
    /// chr1–22 and anything unplaced or unknown.
    Autosome,
    X,
    Y,
    Mito,
}

impl ContigKind {
    pub fn of(name: &str) -> ContigKind {
        let bare = name.strip_prefix("chr").unwrap_or(name);
        match bare {
            "X" | "x" | "23" => ContigKind::X,
            "Y" | "y" | "24" => ContigKind::Y,
            "M" | "MT" | "m" | "mt" | "25" => ContigKind::Mito,
            _ => ContigKind::Autosome,
        }
    }
}

/// Where one record sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Context {
    Autosome,
    /// chrX inside a PAR: diploid in both sexes.
    XPar,
    /// chrX outside the PARs: males hemizygous.
    XHemizygous,
    Y,
    Mito,
}

impl Context {
    /// Read as an autosome by the autosomal modes.
    pub fn autosomal(self) -> bool {
        matches!(self, Context::Autosome | Context::XPar)
    }
}

/// The context of every record, as masks over the store.
#[derive(Debug, Clone)]
pub struct Contexts {
    /// Autosomes and chrX PARs.
    pub autosomal: Bitmap,
    pub x_hemizygous: Bitmap,
    pub y: Bitmap,
    pub mito: Bitmap,
    kinds: Vec<ContigKind>,
    build: Option<Build>,
}

impl Contexts {
    /// Classifies every record; `None` when the store has chrX records and `build` is unknown
    /// (then which are in a PAR cannot be told), with the number of such records.
    pub fn new(store: &VariantStore, build: Option<Build>) -> Result<Contexts, u64> {
        let kinds: Vec<ContigKind> = store.contigs().iter().map(|c| ContigKind::of(c)).collect();
        let n = store.len();
        let kind_of = |i: usize| kinds[store.contig_of(i) as usize];
        let x = store
            .contig_codes()
            .bitmap(|c| kinds.get(c as usize) == Some(&ContigKind::X));
        let x_records = x.count_ones();
        let build = match build {
            Some(b) => Some(b),
            None if x_records > 0 => return Err(x_records),
            None => None,
        };
        let mut x_par = x.clone();
        x_par.retain(|i| build.is_some_and(|b| b.in_par(store.pos(i))));
        let mut x_hemizygous = x;
        x_hemizygous.retain(|i| !x_par.get(i));
        let mut autosomal = store
            .contig_codes()
            .bitmap(|c| kinds.get(c as usize) == Some(&ContigKind::Autosome));
        autosomal.or_with(&x_par);
        let y = Bitmap::from_fn(n, |i| kind_of(i) == ContigKind::Y);
        let mito = Bitmap::from_fn(n, |i| kind_of(i) == ContigKind::Mito);
        Ok(Contexts {
            autosomal,
            x_hemizygous,
            y,
            mito,
            kinds,
            build,
        })
    }

    /// The context of record `i`, from its contig and position.
    pub fn of(&self, store: &VariantStore, i: usize) -> Context {
        match self.kinds[store.contig_of(i) as usize] {
            ContigKind::Autosome => Context::Autosome,
            ContigKind::Y => Context::Y,
            ContigKind::Mito => Context::Mito,
            ContigKind::X => {
                if self.build.is_some_and(|b| b.in_par(store.pos(i))) {
                    Context::XPar
                } else {
                    Context::XHemizygous
                }
            }
        }
    }

    pub fn build(&self) -> Option<Build> {
        self.build
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_edges_per_build() {
        let b37 = Build::GRCh37;
        assert!(!b37.in_par(60_000) && b37.in_par(60_001) && b37.in_par(2_699_520));
        assert!(!b37.in_par(2_699_521) && b37.in_par(154_931_044) && !b37.in_par(155_260_561));
        let b38 = Build::GRCh38;
        assert!(!b38.in_par(10_000) && b38.in_par(10_001) && b38.in_par(2_781_479));
        assert!(!b38.in_par(2_781_480) && b38.in_par(156_030_895) && !b38.in_par(156_030_896));
    }

    #[test]
    fn builds_from_names_and_chrx_length() {
        assert_eq!(Build::detect(Some("GRCh37"), None), Some(Build::GRCh37));
        assert_eq!(Build::detect(Some("hg38"), None), Some(Build::GRCh38));
        assert_eq!(Build::detect(None, Some(156_040_895)), Some(Build::GRCh38));
        assert_eq!(Build::detect(Some("T2T-CHM13"), Some(1)), None);
        for (name, kind) in [
            ("chrX", ContigKind::X),
            ("X", ContigKind::X),
            ("chrY", ContigKind::Y),
            ("MT", ContigKind::Mito),
            ("chrM", ContigKind::Mito),
            ("chr1", ContigKind::Autosome),
            ("GL000192.1", ContigKind::Autosome),
        ] {
            assert_eq!(ContigKind::of(name), kind, "{name}");
        }
    }
}
