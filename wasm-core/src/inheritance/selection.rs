//! Several modes at once — the app's ticked checkboxes, the CLI's `--mode … --mode …` — as one
//! [`Selection`]: the records that fit any chosen mode in some family (a union, as seqr's
//! "recessive" is recessive ∪ comp-het ∪ x-recessive), each mode's own answer beside it for its
//! "removed by" count, and the `INFO/INHERITANCE` value a kept record is exported with.
//!
//! This is the surface a caller that is not the CLI needs, the app's worker first:
//!
//! 1. [`Analysis::new`] once per pedigree, gates and strictness (it reads every call's state,
//!    the part that costs time);
//! 2. [`Analysis::select`] on every change of the ticked modes (columnar, no row interpreter):
//!    [`Selection::kept`] is the bitmap of passing rows, to be combined with the filter's;
//! 3. [`Analysis::explain_row`] for the one row a person looks at: "fits", or the reasons it
//!    does not, per mode and family.
//!
//! [`select`] does 1 and 2 in one call for a caller that keeps nothing.

use super::{
    Analysis, Explanation, InheritanceError, Mode, ModeResult, Options, PartEvidence, Verdict,
};
use crate::bitmap::Bitmap;
use crate::pedigree::Pedigree;
use crate::store::VariantStore;

/// The answer to several modes: their union, and each mode's own result.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Records that fit, or are possible, in some family under some chosen mode.
    pub kept: Bitmap,
    /// One result per chosen mode, in the order given (duplicates dropped).
    pub modes: Vec<ModeResult>,
}

impl Selection {
    /// The records a mode keeps, or `None` when it was not chosen.
    pub fn of(&self, mode: Mode) -> Option<&ModeResult> {
        self.modes.iter().find(|r| r.mode == mode)
    }

    /// `INFO/INHERITANCE` of record `i`: `MODE:FAMILY|FAMILY,…`, a family followed by `?` where
    /// the record is only possible there; empty when no chosen mode keeps it.
    ///
    /// ```
    /// use wasm_core::inheritance::{Analysis, Mode, Options, Gates};
    /// use wasm_core::pedigree::Pedigree;
    /// let vcf = [
    ///     "##fileformat=VCFv4.2",
    ///     "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
    ///     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tFA\tMO",
    ///     "1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/0\t0/0\n",
    /// ]
    /// .join("\n");
    /// let mut silent = wasm_core::progress::Silent;
    /// let ds = wasm_core::read_dataset(vcf.as_bytes(), None, &mut silent).unwrap();
    /// let ped = Pedigree::parse(b"fam KID FA MO 1 2\nfam FA 0 0 1 1\nfam MO 0 0 2 1\n").unwrap();
    /// let options = Options { gates: Gates::off(), ..Options::default() };
    /// let analysis = Analysis::new(&ds.store, &ped, options).unwrap();
    /// let selection = analysis.select(&ds.store, &[Mode::DeNovo, Mode::Dominant]);
    /// assert_eq!(selection.kept.count_ones(), 1);
    /// assert_eq!(selection.tag(0), "de-novo:fam");
    /// ```
    pub fn tag(&self, i: usize) -> String {
        self.modes
            .iter()
            .filter_map(|r| {
                let families: Vec<String> = r
                    .families_of(i)
                    .into_iter()
                    .map(|(f, v)| {
                        if v == Verdict::Possible {
                            format!("{f}?")
                        } else {
                            f.to_string()
                        }
                    })
                    .collect();
                (!families.is_empty()).then(|| format!("{}:{}", r.mode.name(), families.join("|")))
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Analysis {
    /// Every record's answer to each of `modes`, and their union.
    pub fn select(&self, store: &VariantStore, modes: &[Mode]) -> Selection {
        self.select_in_part(store, modes, 0, &PartEvidence::default())
    }

    /// [`Analysis::select`] for part `part` of a file read in parts (this store): `others`,
    /// the merged evidence of every part ([`PartEvidence::merge`]; this part's own entries are
    /// ignored), gives `comp-het` the candidates of the other parts to pair with.
    pub fn select_in_part(
        &self,
        store: &VariantStore,
        modes: &[Mode],
        part: u32,
        others: &PartEvidence,
    ) -> Selection {
        let mut kept = Bitmap::zeros(store.len());
        let mut results: Vec<ModeResult> = Vec::with_capacity(modes.len());
        for &mode in modes {
            if results.iter().any(|r| r.mode == mode) {
                continue;
            }
            let r = self.evaluate_in_part(store, mode, part, others);
            kept.or_with(&r.kept());
            results.push(r);
        }
        Selection {
            kept,
            modes: results,
        }
    }

    /// Row `record`'s explanations under each of `modes`, in that order: per family and
    /// alternate allele, "fits", "possible" or the reasons it does not (see
    /// [`Analysis::explain`]).
    pub fn explain_row(
        &self,
        store: &VariantStore,
        record: usize,
        modes: &[Mode],
    ) -> Vec<Explanation> {
        self.explain_row_in_part(store, record, modes, 0, &PartEvidence::default())
    }

    /// [`Analysis::explain_row`] for record `record` of part `part` (see
    /// [`Analysis::select_in_part`]); `comp-het` partners in other parts are named by position
    /// and by index in the whole file.
    pub fn explain_row_in_part(
        &self,
        store: &VariantStore,
        record: usize,
        modes: &[Mode],
        part: u32,
        others: &PartEvidence,
    ) -> Vec<Explanation> {
        let mut out = Vec::new();
        let mut seen: Vec<Mode> = Vec::with_capacity(modes.len());
        for &mode in modes {
            if !seen.contains(&mode) {
                seen.push(mode);
                out.extend(self.explain_in_part(store, record, mode, part, others));
            }
        }
        out
    }
}

/// [`Analysis::new`] then [`Analysis::select`]: the rows of `store` that fit any of `modes` in
/// some family of `pedigree`, with the analysis kept for explanations and further selections.
pub fn select(
    store: &VariantStore,
    pedigree: &Pedigree,
    options: Options,
    modes: &[Mode],
) -> Result<(Analysis, Selection), InheritanceError> {
    let analysis = Analysis::new(store, pedigree, options)?;
    let selection = analysis.select(store, modes);
    Ok((analysis, selection))
}
