//! Inheritance modes over a family's calls, with quality gates and an explanation for every
//! decision (CLINICAL.md §2; the definitions as implemented, and where Enclave decides
//! otherwise than genmod, GEMINI's `inheritance` and bcftools: docs/INHERITANCE.md).
//!
//! [`Analysis::new`] ties a [`Pedigree`] to a store's samples and reads every call once into
//! state bytes (shape at each alternate allele, gates passed), and every record's genes for
//! `comp-het` (so that no mode's first evaluation waits on a scan of the annotation text). [`Analysis::evaluate`] then
//! answers a [`Mode`] for every record at once — a [`ModeResult`] of bitmaps (fits, possible,
//! and per family) that a session combines with the filter's — reading the state columns
//! through small tables, never record by record ([`columnar`]). [`Analysis::explain`] walks
//! one record row by row and says "fits" or why not, naming the sample and the value
//! ([`Explanation`], [`ReasonCode`]); the same walk is the oracle the columnar evaluation is
//! tested against.
//!
//! Several modes at once are a union ([`Analysis::select`] gives a [`Selection`]). A caller
//! such as the app's worker calls [`Analysis::new`] once per pedigree, gates and strictness,
//! [`Analysis::select`] on every change of the chosen modes (its bitmap of passing rows joins
//! the filter's), and [`Analysis::explain_row`] for the row a person looks at. A file read in
//! parts (one store per worker) pairs `comp-het` across them through [`PartEvidence`]
//! ([`Analysis::part_evidence`], [`PartEvidence::merge`], [`Analysis::select_in_part`]).
//!
//! Where it sits: after ingest, beside [`crate::filter`]; the pedigree comes from
//! [`crate::pedigree`]. Modes are decided per alternate allele (a record fits when one of its
//! alleles does) and per family (a record fits when it fits in some family); `mendel-error`
//! judges whole sites, as `bcftools +mendelian` does.

mod candidates;
mod cells;
mod columnar;
mod comphet;
mod evidence;
mod explain;
mod genes;
mod mendel;
mod plan;
mod ploidy;
mod selection;

use crate::bitmap::Bitmap;
use crate::pedigree::{self, Matched, Pedigree, PedigreeError, PedigreeErrorKind};
use crate::store::VariantStore;

pub use self::cells::{GateFail, Gates, SkippedGate};
pub use self::evidence::PartEvidence;
pub use self::explain::{Explanation, Partner, Reason, ReasonCode, Verdict};
pub use self::mendel::MendelClass;
pub use self::ploidy::{Build, Context};
pub use self::selection::{Selection, select};

use self::candidates::Candidates;
use self::cells::{Fields, States, excess_alt_reads};
use self::comphet::{Genes, PairOutcome};
use self::explain::{Row, context_reason};
use self::plan::Outcome;
use self::ploidy::Contexts;

/// An inheritance mode (CLINICAL.md §2), named as the CLI and the app name it (also in serde).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    DeNovo,
    Dominant,
    Recessive,
    CompHet,
    XRecessive,
    XDominant,
    XDeNovo,
    MendelError,
}

impl Mode {
    pub const ALL: [Mode; 8] = [
        Mode::DeNovo,
        Mode::Dominant,
        Mode::Recessive,
        Mode::CompHet,
        Mode::XRecessive,
        Mode::XDominant,
        Mode::XDeNovo,
        Mode::MendelError,
    ];

    /// `de-novo`, `dominant`, `recessive`, `comp-het`, `x-recessive`, `x-dominant`,
    /// `x-de-novo`, `mendel-error`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::DeNovo => "de-novo",
            Mode::Dominant => "dominant",
            Mode::Recessive => "recessive",
            Mode::CompHet => "comp-het",
            Mode::XRecessive => "x-recessive",
            Mode::XDominant => "x-dominant",
            Mode::XDeNovo => "x-de-novo",
            Mode::MendelError => "mendel-error",
        }
    }

    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }

    fn x_linked(self) -> bool {
        matches!(self, Mode::XRecessive | Mode::XDominant | Mode::XDeNovo)
    }
}

/// How modes are evaluated; the default: gates on, strict, the build read from the header.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Options {
    /// [`Gates::default`], or [`Gates::off`] for `--no-gates`.
    pub gates: Gates,
    /// Keep records whose only doubt is a missing genotype, as "possible".
    pub lenient: bool,
    /// The build whose PARs apply; [`Build::detect`] reads it from the header. A file with
    /// chrX records needs one.
    pub build: Option<Build>,
}

/// Why modes cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum InheritanceError {
    #[error(
        "the file has {x_records} records on chrX and its header names no reference build, so \
         the pseudo-autosomal regions are unknown: give the build (GRCh37 or GRCh38)"
    )]
    NoBuild { x_records: u64 },
    #[error(transparent)]
    Pedigree(#[from] PedigreeError),
}

/// What kind of failure an [`InheritanceError`] is, for callers and tests that decide on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum InheritanceErrorKind {
    /// chrX records and no build: ask for one.
    NoBuild,
    Pedigree(PedigreeErrorKind),
}

impl InheritanceError {
    pub fn kind(&self) -> InheritanceErrorKind {
        match self {
            Self::NoBuild { .. } => InheritanceErrorKind::NoBuild,
            Self::Pedigree(e) => InheritanceErrorKind::Pedigree(e.kind()),
        }
    }

    /// The message a person reads, with its causes (see [`crate::formats::IngestError::report`]).
    pub fn report(&self) -> crate::formats::Report<'_> {
        crate::formats::Report::new(self)
    }
}

/// What a reader should know that is not an error.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Notice {
    Pedigree(pedigree::Notice),
    /// A gate is on but the file lacks its FORMAT field: it is skipped.
    GateSkipped(SkippedGate),
    /// No CSQ / ANN / BCSQ gene sub-field: `comp-het` finds nothing.
    NoGeneAnnotation,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::Pedigree(n) => write!(f, "{n}"),
            Notice::GateSkipped(g) => write!(
                f,
                "the {} gate is skipped: the file has no {}",
                g.gate, g.field
            ),
            Notice::NoGeneAnnotation => write!(
                f,
                "no gene annotation (VEP CSQ, SnpEff ANN or bcftools BCSQ): comp-het finds nothing"
            ),
        }
    }
}

/// One family's answer to a mode, one bit per record.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyResult {
    pub family: String,
    pub fits: Bitmap,
    /// Kept with a doubt (see [`Verdict::Possible`]); disjoint from `fits`.
    pub possible: Bitmap,
}

/// A mode's answer for every record: it fits in some family, or is possible in some family.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeResult {
    pub mode: Mode,
    pub fits: Bitmap,
    /// Possible in some family and fits in none.
    pub possible: Bitmap,
    pub families: Vec<FamilyResult>,
}

impl ModeResult {
    /// The records the mode keeps: fits ∪ possible.
    pub fn kept(&self) -> Bitmap {
        let mut k = self.fits.clone();
        k.or_with(&self.possible);
        k
    }

    /// The families in which record `i` fits or is possible.
    pub fn families_of(&self, i: usize) -> Vec<(&str, Verdict)> {
        self.families
            .iter()
            .filter_map(|f| {
                if f.fits.get(i) {
                    Some((f.family.as_str(), Verdict::Fits))
                } else if f.possible.get(i) {
                    Some((f.family.as_str(), Verdict::Possible))
                } else {
                    None
                }
            })
            .collect()
    }
}

/// The alternate alleles of record `i` that units exist for: 1 ..= max(1, ALT count).
fn allele_count(store: &VariantStore, i: usize) -> u32 {
    store.alt_alleles(i).count().max(1) as u32
}

/// A pedigree tied to one store, its calls read into states under one set of gates.
#[derive(Debug)]
pub struct Analysis {
    matched: Matched,
    options: Options,
    contexts: Contexts,
    states: States,
    notices: Vec<Notice>,
    /// Every record's genes, for comp-het: built here, with the states, so that ticking
    /// comp-het the first time costs what ticking it again does (issue 14's 50 ms budget).
    genes: Genes,
}

impl Analysis {
    /// Matches `pedigree` to the store's samples and reads every call's state.
    pub fn new(
        store: &VariantStore,
        pedigree: &Pedigree,
        options: Options,
    ) -> Result<Analysis, InheritanceError> {
        let matched = pedigree.match_samples(store.samples())?;
        let contexts = Contexts::new(store, options.build)
            .map_err(|x_records| InheritanceError::NoBuild { x_records })?;
        let (fields, skipped) = Fields::new(store, &options.gates);
        let states = States::compute(store, &fields, &options.gates);
        let mut notices: Vec<Notice> = matched
            .notices
            .iter()
            .cloned()
            .map(Notice::Pedigree)
            .collect();
        notices.extend(skipped.into_iter().map(Notice::GateSkipped));
        let genes_declared = store.info.get("BCSQ").is_some()
            || crate::annotation::schemas(store).iter().any(|s| {
                ["SYMBOL", "Gene", "gene", "Gene_Name", "Gene_ID"]
                    .iter()
                    .any(|n| s.index_of(n).is_some())
            });
        if !genes_declared {
            notices.push(Notice::NoGeneAnnotation);
        }
        Ok(Analysis {
            matched,
            options,
            contexts,
            states,
            notices,
            genes: Genes::new(store),
        })
    }

    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    pub fn matched(&self) -> &Matched {
        &self.matched
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The build in force (given, or read from the header).
    pub fn build(&self) -> Option<Build> {
        self.contexts.build()
    }

    fn mode_mask(&self, mode: Mode) -> &Bitmap {
        if mode.x_linked() {
            &self.contexts.x_hemizygous
        } else {
            &self.contexts.autosomal
        }
    }

    /// Every record's answer to `mode`.
    pub fn evaluate(&self, store: &VariantStore, mode: Mode) -> ModeResult {
        self.evaluate_in_part(store, mode, 0, &PartEvidence::default())
    }

    /// [`Analysis::evaluate`] for part `part` of a file read in parts, `comp-het` pairing also
    /// with the candidates of the other parts in `others` (see [`PartEvidence`]).
    pub fn evaluate_in_part(
        &self,
        store: &VariantStore,
        mode: Mode,
        part: u32,
        others: &PartEvidence,
    ) -> ModeResult {
        let n = store.len();
        let mut fits = Bitmap::zeros(n);
        let mut possible = Bitmap::zeros(n);
        let mut families = Vec::new();
        for (f, family) in self.matched.pedigree.families().iter().enumerate() {
            let (ff, fp) = match mode {
                Mode::MendelError => {
                    let mut hits = Bitmap::zeros(n);
                    for trio in plan::trios(&self.matched, f) {
                        hits.or_with(&columnar::mendel(
                            store,
                            &self.contexts,
                            &self.states,
                            &self.matched,
                            trio,
                        ));
                    }
                    (hits, Bitmap::zeros(n))
                }
                Mode::CompHet => self.comp_het(store, f, part, others),
                _ => self.simple(store, f, mode),
            };
            fits.or_with(&ff);
            possible.or_with(&fp);
            families.push(FamilyResult {
                family: family.id.clone(),
                fits: ff,
                possible: fp,
            });
        }
        let mut not_fits = fits.clone();
        not_fits.invert();
        possible.and_with(&not_fits);
        ModeResult {
            mode,
            fits,
            possible,
            families,
        }
    }

    /// Units of both blocks folded onto records: fits where some unit fits, possible where
    /// some unit is possible and none fits.
    fn fold(&self, n: usize, per_block: [(&cells::Block, Bitmap, Bitmap); 2]) -> (Bitmap, Bitmap) {
        let mut fits = Bitmap::zeros(n);
        let mut possible = Bitmap::zeros(n);
        for (block, f, p) in per_block {
            if block.records.is_none() {
                fits.or_with(&f);
                possible.or_with(&p);
            } else {
                for u in f.iter_ones() {
                    fits.set(block.record(u), true);
                }
                for u in p.iter_ones() {
                    possible.set(block.record(u), true);
                }
            }
        }
        let mut not_fits = fits.clone();
        not_fits.invert();
        possible.and_with(&not_fits);
        (fits, possible)
    }

    fn simple(&self, store: &VariantStore, family: usize, mode: Mode) -> (Bitmap, Bitmap) {
        let compiled = columnar::compile(&plan::plan(&self.matched, family, mode));
        let mask = self.mode_mask(mode);
        let run = |block: &cells::Block| {
            let o = columnar::evaluate(block, &compiled, &columnar::unit_mask(block, mask));
            let possible = if self.options.lenient {
                let mut p = o.no_fail;
                let mut not = o.all_pass.clone();
                not.invert();
                p.and_with(&not);
                p
            } else {
                Bitmap::zeros(block.len)
            };
            (o.all_pass, possible)
        };
        let (pf, pp) = run(&self.states.primary);
        let (ef, ep) = run(&self.states.extra);
        self.fold(
            store.len(),
            [(&self.states.primary, pf, pp), (&self.states.extra, ef, ep)],
        )
    }

    /// `comp-het` in one family: pairs within the store, and with the candidates other parts
    /// of the file offer (`others`, see [`PartEvidence`]).
    fn comp_het(
        &self,
        store: &VariantStore,
        family: usize,
        part: u32,
        others: &PartEvidence,
    ) -> (Bitmap, Bitmap) {
        let genes = &self.genes;
        let Candidates { keys, list, sites } = self.comp_het_candidates(family);
        let mut best = comphet::best_outcomes(genes, &list, &sites);
        others.improve(genes, family, part, &list, &sites, &mut best);
        let blocks = [&self.states.primary, &self.states.extra];
        let n = store.len();
        let mut f = [Bitmap::zeros(blocks[0].len), Bitmap::zeros(blocks[1].len)];
        let mut p = [Bitmap::zeros(blocks[0].len), Bitmap::zeros(blocks[1].len)];
        for (&(b, u), o) in keys.iter().zip(best) {
            match o {
                PairOutcome::Fits => f[b].set(u, true),
                PairOutcome::Possible => p[b].set(u, true),
                PairOutcome::Missing if self.options.lenient => p[b].set(u, true),
                _ => {}
            }
        }
        let [f0, f1] = f;
        let [p0, p1] = p;
        self.fold(n, [(blocks[0], f0, p0), (blocks[1], f1, p1)])
    }

    /// Record `record`'s answer to `mode`, per family and alternate allele (`mendel-error`:
    /// per family, for the site), walking the predicates row by row.
    pub fn explain(&self, store: &VariantStore, record: usize, mode: Mode) -> Vec<Explanation> {
        self.explain_in_part(store, record, mode, 0, &PartEvidence::default())
    }

    /// [`Analysis::explain`] for record `record` of part `part` of a file read in parts:
    /// `comp-het` also names the partners other parts offer in `others`, by position and by
    /// their index in the whole file.
    pub fn explain_in_part(
        &self,
        store: &VariantStore,
        record: usize,
        mode: Mode,
        part: u32,
        others: &PartEvidence,
    ) -> Vec<Explanation> {
        let (fields, _) = Fields::new(store, &self.options.gates);
        let row = Row {
            store,
            fields: &fields,
            gates: &self.options.gates,
            m: &self.matched,
        };
        let context = self.contexts.of(store, record);
        let mut out = Vec::new();
        for (f, family) in self.matched.pedigree.families().iter().enumerate() {
            let base = |allele, verdict, reasons, notes| Explanation {
                mode,
                family: family.id.clone(),
                allele,
                verdict,
                reasons,
                notes,
                partners: Vec::new(),
                mendel: None,
            };
            if let Some(r) = context_reason(mode, context, self.build()) {
                out.push(base(
                    if mode == Mode::MendelError { 0 } else { 1 },
                    Verdict::No,
                    vec![r],
                    Vec::new(),
                ));
                continue;
            }
            if mode == Mode::MendelError {
                let (verdict, reasons, notes, class) = row.mendel(f, record, context);
                let mut e = base(0, verdict, reasons, notes);
                e.mendel = class;
                out.push(e);
                continue;
            }
            for allele in 1..=allele_count(store, record) {
                let e = if mode == Mode::CompHet {
                    self.explain_comp_het(store, &row, f, record, allele, part, others)
                } else {
                    let preds = plan::plan(&self.matched, f, mode);
                    let (o, reasons, mut notes) = row.preds(&preds, record, allele);
                    let verdict = self.verdict(o);
                    if verdict == Verdict::No {
                        notes.extend(row.mendel_notes(f, record, context).0);
                    }
                    base(
                        allele,
                        verdict,
                        if verdict == Verdict::Fits {
                            Vec::new()
                        } else {
                            reasons
                        },
                        notes,
                    )
                };
                out.push(e);
            }
        }
        out
    }

    fn verdict(&self, o: Outcome) -> Verdict {
        match o {
            Outcome::Pass => Verdict::Fits,
            Outcome::Missing if self.options.lenient => Verdict::Possible,
            _ => Verdict::No,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn explain_comp_het(
        &self,
        store: &VariantStore,
        row: &Row,
        family: usize,
        record: usize,
        allele: u32,
        part: u32,
        others: &PartEvidence,
    ) -> Explanation {
        let mut e = Explanation {
            mode: Mode::CompHet,
            family: self.matched.pedigree.families()[family].id.clone(),
            allele,
            verdict: Verdict::No,
            reasons: Vec::new(),
            notes: Vec::new(),
            partners: Vec::new(),
            mendel: None,
        };
        let preds = plan::plan(&self.matched, family, Mode::CompHet);
        let fam = comphet::Family::new(&self.matched, family);
        let ns = store.samples().len();
        let candidate = |t: usize, a: u32| -> Option<comphet::Site> {
            if !self.contexts.of(store, t).autosomal() {
                return None;
            }
            let (o, _, _) = row.preds(&preds, t, a);
            if self.verdict(o) == Verdict::No {
                return None;
            }
            let excess =
                |s: usize| excess_alt_reads(&row.fields.values(t * ns + s, a), row.gates).is_some();
            Some(fam.site_from_calls(store, t, a, excess, o == Outcome::Missing))
        };
        let (o, reasons, notes) = row.preds(&preds, record, allele);
        e.notes = notes;
        if self.verdict(o) == Verdict::No {
            e.reasons = reasons;
            return e;
        }
        let genes = &self.genes;
        if genes.of(record).is_empty() {
            e.reasons.push(Reason::new(
                ReasonCode::NotInGene,
                None,
                format!(
                    "not in a gene (read from {})",
                    if genes.source.is_empty() {
                        "no gene annotation".to_string()
                    } else {
                        genes.source.join(", ")
                    }
                ),
            ));
            return e;
        }
        let Some(site) = candidate(record, allele) else {
            return e;
        };
        let affected_id = |k: usize| row.id(fam.affected[k].0).to_string();
        if let Some((code, k)) = comphet::site_blocked(&site) {
            let id = affected_id(k);
            let text = match code {
                ReasonCode::BothParentsCarry => {
                    format!("both parents of {id} carry it: the phase is unknown")
                }
                _ => format!("a parent of {id} has too many alternate reads for a de novo"),
            };
            e.reasons.push(Reason::new(code, Some(&id), text));
            return e;
        }
        let mine = genes.of(record);
        let mut best = PairOutcome::Fail;
        let mut why: Vec<Reason> = Vec::new();
        // One candidate partner, judged: its reasons become notes (a doubt that keeps it) or
        // the reasons it does not pair; a partner that keeps it is named.
        let mut visit = |other: &comphet::Site, partner: Partner| {
            let (po, reasons) = comphet::pair(&site, other);
            let verdict = match po {
                PairOutcome::Fits => Some(Verdict::Fits),
                PairOutcome::Possible => Some(Verdict::Possible),
                PairOutcome::Missing if self.options.lenient => Some(Verdict::Possible),
                _ => None,
            };
            let at = format!("{}:{}", partner.chrom, partner.pos);
            for (code, k) in reasons {
                let text = self.pair_reason(row, &fam, code, k, &at);
                let r = Reason::new(code, None, text);
                if verdict.is_some()
                    && matches!(code, ReasonCode::Unphased | ReasonCode::GenotypeMissing)
                {
                    if !e.notes.contains(&r) {
                        e.notes.push(r);
                    }
                } else if verdict.is_none() && !why.contains(&r) {
                    why.push(r);
                }
            }
            if let Some(v) = verdict {
                best = best.min(po);
                e.partners.push(Partner {
                    verdict: v,
                    ..partner
                });
            }
        };
        // Partners in file order: the parts before this one, this store, the parts after.
        let names: Vec<&str> = mine.iter().map(|&g| genes.name(g)).collect();
        let elsewhere = others.partners(family, &names, part, &site);
        let base = others.first_record(part);
        for o in elsewhere.iter().filter(|o| o.part < part) {
            visit(o.site, o.partner.clone());
        }
        for t in 0..store.len() {
            if !genes.of(t).iter().any(|g| mine.contains(g)) {
                continue;
            }
            for b in 1..=allele_count(store, t) {
                if (t, b) == (record, allele) {
                    continue;
                }
                let Some(other) = candidate(t, b) else {
                    continue;
                };
                if comphet::site_blocked(&other).is_some() {
                    continue;
                }
                visit(&other, Partner::at(store, t, b, base));
            }
        }
        for o in elsewhere.iter().filter(|o| o.part > part) {
            visit(o.site, o.partner.clone());
        }
        e.verdict = match best {
            PairOutcome::Fits => Verdict::Fits,
            PairOutcome::Possible => Verdict::Possible,
            PairOutcome::Missing if self.options.lenient => Verdict::Possible,
            _ => Verdict::No,
        };
        if e.verdict == Verdict::No {
            e.reasons.push(Reason::new(
                ReasonCode::NoPartner,
                None,
                format!(
                    "no partner in {}",
                    mine.iter()
                        .map(|&g| genes.name(g))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            e.reasons.extend(why);
        }
        e
    }

    fn pair_reason(
        &self,
        row: &Row,
        fam: &comphet::Family,
        code: ReasonCode,
        k: Option<usize>,
        at: &str,
    ) -> String {
        match (code, k) {
            (ReasonCode::SameParent, Some(k)) => {
                format!(
                    "with {at}: both copies of {} came from the same parent",
                    row.id(fam.affected[k].0)
                )
            }
            (ReasonCode::BothDeNovo, Some(k)) => {
                format!(
                    "with {at}: both are de novo in {} (the phase is unknown)",
                    row.id(fam.affected[k].0)
                )
            }
            (ReasonCode::UnaffectedHasPair, Some(u)) => {
                format!(
                    "with {at}: unaffected {} carries both",
                    row.id(fam.unaffected[u].0)
                )
            }
            (ReasonCode::Unphased, Some(k)) => format!(
                "with {at}: possible, unphased ({} lacks a parent in the file)",
                row.id(fam.affected[k].0)
            ),
            (ReasonCode::GenotypeMissing, _) => format!("with {at}: a genotype is missing"),
            (code, _) => format!("with {at}: {}", code.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_names_round_trip() {
        for m in Mode::ALL {
            assert_eq!(Mode::from_name(m.name()), Some(m));
        }
        assert_eq!(Mode::from_name("autosomal-dominant"), None);
    }
}
