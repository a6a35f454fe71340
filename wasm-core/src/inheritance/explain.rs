//! Why, and why not: the row-by-row evaluator (CLINICAL.md §2, "Reason codes").
//!
//! For one record it walks a mode's predicates ([`super::plan`]) reading the store's cells
//! directly — the genotype, GQ, DP and AD of each member — and says "fits", or every reason it
//! does not, each naming the sample and the value (`unaffected SIB is 0/1`, `KID GQ 5 < 20`,
//! `MO has 6 alternate reads`). The first reason is the headline. The same walk is the oracle
//! of the property test that holds the columnar evaluation to it.

use crate::pedigree::{Matched, Sex};
use crate::store::VariantStore;

use super::Mode;
use super::cells::{
    Class, Fields, GateFail, Gates, Shape, check_gates, class, excess_alt_reads, shape,
};
use super::mendel::{self, MendelClass};
use super::plan::{Fixed, Member, MemberRole, Outcome, Pred};
use super::ploidy::Context;

/// The stable name of a reason (shown in the app, exported, one test each); serialised as its
/// [`ReasonCode::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    GenotypeMissing,
    GqBelow,
    DpBelow,
    AlleleBalanceHet,
    AlleleBalanceHomRef,
    AlleleBalanceHomAlt,
    ParentAltReads,
    UnaffectedCarries,
    AffectedLacks,
    ParentNotHet,
    ParentCarries,
    DaughterLacks,
    MaleXHet,
    InPar,
    NotOnX,
    NotAutosomal,
    NotInGene,
    NoPartner,
    SameParent,
    BothDeNovo,
    BothParentsCarry,
    UnaffectedHasPair,
    Unphased,
    MendelError,
    MendelConsistent,
    NoAffected,
    ParentAbsent,
    NoParents,
    NoAffectedParent,
    NoTrio,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 30] = [
        ReasonCode::GenotypeMissing,
        ReasonCode::GqBelow,
        ReasonCode::DpBelow,
        ReasonCode::AlleleBalanceHet,
        ReasonCode::AlleleBalanceHomRef,
        ReasonCode::AlleleBalanceHomAlt,
        ReasonCode::ParentAltReads,
        ReasonCode::UnaffectedCarries,
        ReasonCode::AffectedLacks,
        ReasonCode::ParentNotHet,
        ReasonCode::ParentCarries,
        ReasonCode::DaughterLacks,
        ReasonCode::MaleXHet,
        ReasonCode::InPar,
        ReasonCode::NotOnX,
        ReasonCode::NotAutosomal,
        ReasonCode::NotInGene,
        ReasonCode::NoPartner,
        ReasonCode::SameParent,
        ReasonCode::BothDeNovo,
        ReasonCode::BothParentsCarry,
        ReasonCode::UnaffectedHasPair,
        ReasonCode::Unphased,
        ReasonCode::MendelError,
        ReasonCode::MendelConsistent,
        ReasonCode::NoAffected,
        ReasonCode::ParentAbsent,
        ReasonCode::NoParents,
        ReasonCode::NoAffectedParent,
        ReasonCode::NoTrio,
    ];

    /// The stable name (`genotype-missing`, `gq-below`, …).
    pub fn name(self) -> &'static str {
        match self {
            ReasonCode::GenotypeMissing => "genotype-missing",
            ReasonCode::GqBelow => "gq-below",
            ReasonCode::DpBelow => "dp-below",
            ReasonCode::AlleleBalanceHet => "allele-balance-het",
            ReasonCode::AlleleBalanceHomRef => "allele-balance-hom-ref",
            ReasonCode::AlleleBalanceHomAlt => "allele-balance-hom-alt",
            ReasonCode::ParentAltReads => "parent-alt-reads",
            ReasonCode::UnaffectedCarries => "unaffected-carries",
            ReasonCode::AffectedLacks => "affected-lacks",
            ReasonCode::ParentNotHet => "parent-not-het",
            ReasonCode::ParentCarries => "parent-carries",
            ReasonCode::DaughterLacks => "daughter-lacks",
            ReasonCode::MaleXHet => "male-x-het",
            ReasonCode::InPar => "in-par",
            ReasonCode::NotOnX => "not-on-x",
            ReasonCode::NotAutosomal => "not-autosomal",
            ReasonCode::NotInGene => "not-in-gene",
            ReasonCode::NoPartner => "no-partner",
            ReasonCode::SameParent => "same-parent",
            ReasonCode::BothDeNovo => "both-de-novo",
            ReasonCode::BothParentsCarry => "both-parents-carry",
            ReasonCode::UnaffectedHasPair => "unaffected-has-pair",
            ReasonCode::Unphased => "unphased",
            ReasonCode::MendelError => "mendel-error",
            ReasonCode::MendelConsistent => "mendel-consistent",
            ReasonCode::NoAffected => "no-affected",
            ReasonCode::ParentAbsent => "parent-absent",
            ReasonCode::NoParents => "no-parents",
            ReasonCode::NoAffectedParent => "no-affected-parent",
            ReasonCode::NoTrio => "no-trio",
        }
    }
}

/// One reason, with the sample it names and the sentence shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub sample: Option<String>,
    pub text: String,
}

impl Reason {
    pub(crate) fn new(code: ReasonCode, sample: Option<&str>, text: String) -> Reason {
        Reason {
            code,
            sample: sample.map(str::to_string),
            text,
        }
    }
}

/// A mode's verdict on one record in one family.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Fits,
    /// Kept with a doubt: a missing genotype under `--lenient`, or a compound het that cannot
    /// be phased (singleton, duo).
    Possible,
    No,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Fits => "fits",
            Verdict::Possible => "possible",
            Verdict::No => "no",
        }
    }
}

/// A compound-het partner of a record, named by position: it may lie in another part of a
/// file read in parts ([`super::PartEvidence`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Partner {
    /// The partner's index in file order.
    pub record: u64,
    pub chrom: String,
    pub pos: u64,
    /// Its alternate allele (1-based).
    pub allele: u32,
    /// Its REF, and its ALT at `allele` (empty when the record has none).
    pub reference: String,
    pub alternate: String,
    pub verdict: Verdict,
}

impl Partner {
    /// Record `t` of `store` at `allele`, `first` the index in the file of the store's first
    /// record; the verdict is filled in by the caller.
    pub(crate) fn at(store: &VariantStore, t: usize, allele: u32, first: u64) -> Partner {
        Partner {
            record: first + t as u64,
            chrom: store.chrom(t).to_string(),
            pos: store.pos(t),
            allele,
            reference: String::from_utf8_lossy(store.reference(t)).into_owned(),
            alternate: store
                .alt_alleles(t)
                .nth(allele as usize - 1)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .unwrap_or_default(),
            verdict: Verdict::No,
        }
    }
}

/// One mode's answer for one record, family and alternate allele.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explanation {
    pub mode: super::Mode,
    pub family: String,
    /// The alternate allele (1-based); 0 for `mendel-error`, which judges the site.
    pub allele: u32,
    pub verdict: Verdict,
    /// What fails (or, for "possible", what is unknown), in the mode's order: the first is the
    /// headline.
    pub reasons: Vec<Reason>,
    /// Remarks that decide nothing: `male-x-het`, a Mendel error of the family's trio,
    /// `unphased`.
    pub notes: Vec<Reason>,
    /// `comp-het`: the records it pairs with.
    pub partners: Vec<Partner>,
    /// `mendel-error`: the class of the first erroneous trio.
    pub mendel: Option<MendelClass>,
}

/// What the row evaluator reads.
pub struct Row<'a> {
    pub store: &'a VariantStore,
    pub fields: &'a Fields<'a>,
    pub gates: &'a Gates,
    pub m: &'a Matched,
}

/// A number as a person writes it (`5`, `0.25`).
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Row<'_> {
    pub fn id(&self, ind: usize) -> &str {
        &self.m.pedigree.individuals()[ind].id
    }

    fn parent_word(&self, ind: usize) -> &'static str {
        match self.m.pedigree.individuals()[ind].sex {
            Sex::Male => "father",
            Sex::Female => "mother",
            Sex::Unknown => "parent",
        }
    }

    pub fn gt(&self, record: usize, sample: usize) -> String {
        self.store.genotype_text(record, sample)
    }

    /// The gate reasons of one call.
    pub fn gate_reasons(
        &self,
        ind: usize,
        sample: usize,
        record: usize,
        allele: u32,
        out: &mut Vec<Reason>,
    ) {
        let sh = shape(self.store.genotype(record, sample), allele);
        let ns = self.store.samples().len();
        let values = self.fields.values(record * ns + sample, allele);
        let id = self.id(ind);
        check_gates(sh, &values, self.gates, |f| {
            let (code, text) = match f {
                GateFail::Gq { value, min } => (
                    ReasonCode::GqBelow,
                    format!("{id} GQ {} < {}", number(value), number(min)),
                ),
                GateFail::Dp { value, min } => (
                    ReasonCode::DpBelow,
                    format!("{id} DP {} < {}", number(value), number(min)),
                ),
                GateFail::AbHet { ab, lo, hi } => (
                    ReasonCode::AlleleBalanceHet,
                    format!(
                        "{id} allele balance {} outside {}–{} (het)",
                        number(ab),
                        number(lo),
                        number(hi)
                    ),
                ),
                GateFail::AbHomRef { ab, max } => (
                    ReasonCode::AlleleBalanceHomRef,
                    format!(
                        "{id} allele balance {} > {} (hom-ref)",
                        number(ab),
                        number(max)
                    ),
                ),
                GateFail::AbHomAlt { ab, min } => (
                    ReasonCode::AlleleBalanceHomAlt,
                    format!(
                        "{id} allele balance {} < {} (hom-alt)",
                        number(ab),
                        number(min)
                    ),
                ),
            };
            out.push(Reason::new(code, Some(id), text));
        });
    }

    /// One member predicate: its outcome, reasons (pushed) and the `male-x-het` note.
    pub fn member(
        &self,
        mm: &Member,
        record: usize,
        allele: u32,
        reasons: &mut Vec<Reason>,
        notes: &mut Vec<Reason>,
    ) -> Outcome {
        let sh: Shape = shape(self.store.genotype(record, mm.sample), allele);
        let (c, male_x_het) = class(sh, mm.hemizygous);
        let id = self.id(mm.ind);
        let gt = self.gt(record, mm.sample);
        if c == Class::Missing {
            reasons.push(Reason::new(
                ReasonCode::GenotypeMissing,
                Some(id),
                format!("{id} genotype missing ({gt})"),
            ));
            return Outcome::Missing;
        }
        if male_x_het {
            let note = Reason::new(
                ReasonCode::MaleXHet,
                Some(id),
                format!("male {id} is {gt} on chrX outside the PARs: counted as alternate"),
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        let before = reasons.len();
        if !mm.want.accepts(c) {
            let (code, text) = match mm.role {
                MemberRole::Affected => (
                    ReasonCode::AffectedLacks,
                    format!("affected {id} is {gt} (needs {})", mm.want.text()),
                ),
                MemberRole::Unaffected => (
                    ReasonCode::UnaffectedCarries,
                    format!("unaffected {id} is {gt}"),
                ),
                MemberRole::ParentRef => (
                    ReasonCode::ParentCarries,
                    format!("{} {id} is {gt}", self.parent_word(mm.ind)),
                ),
                MemberRole::ParentHet | MemberRole::ParentCarrier => (
                    ReasonCode::ParentNotHet,
                    format!(
                        "{} {id} is {gt} (needs {})",
                        self.parent_word(mm.ind),
                        mm.want.text()
                    ),
                ),
                MemberRole::Daughter => (
                    ReasonCode::DaughterLacks,
                    format!("daughter {id} of an affected father is {gt}"),
                ),
                MemberRole::Phasing => (
                    ReasonCode::GenotypeMissing,
                    format!("{id} genotype missing ({gt})"),
                ),
            };
            reasons.push(Reason::new(code, Some(id), text));
        }
        self.gate_reasons(mm.ind, mm.sample, record, allele, reasons);
        // A parent that carries the allele already fails; its reads are said for a parent
        // whose call has no copy.
        if mm.alt_reads && c == Class::Ref {
            let ns = self.store.samples().len();
            let values = self.fields.values(record * ns + mm.sample, allele);
            if let Some(reads) = excess_alt_reads(&values, self.gates) {
                reasons.push(Reason::new(
                    ReasonCode::ParentAltReads,
                    Some(id),
                    format!("{id} has {reads} alternate reads"),
                ));
            }
        }
        if reasons.len() > before {
            Outcome::Fail
        } else {
            Outcome::Pass
        }
    }

    fn fixed(&self, why: &Fixed) -> Reason {
        match *why {
            Fixed::NoAffected => Reason::new(
                ReasonCode::NoAffected,
                None,
                "the family has no affected member in the file".into(),
            ),
            Fixed::ParentAbsent { child, father } => Reason::new(
                ReasonCode::ParentAbsent,
                Some(self.id(child)),
                format!(
                    "{} has no {} in the pedigree",
                    self.id(child),
                    if father { "father" } else { "mother" }
                ),
            ),
            Fixed::NotSequenced { ind } => Reason::new(
                ReasonCode::GenotypeMissing,
                Some(self.id(ind)),
                format!("{} is not sequenced", self.id(ind)),
            ),
            Fixed::NoParents => Reason::new(
                ReasonCode::NoParents,
                None,
                "no affected member has a parent in the pedigree: inheritance cannot be told"
                    .into(),
            ),
            Fixed::NoAffectedParent { child } => Reason::new(
                ReasonCode::NoAffectedParent,
                Some(self.id(child)),
                format!(
                    "no parent of {} who could pass it on is affected",
                    self.id(child)
                ),
            ),
            Fixed::NoTrio => Reason::new(
                ReasonCode::NoTrio,
                None,
                "the family has no child with both parents in the file".into(),
            ),
        }
    }

    /// Walks `preds` for one unit: the worst outcome, the reasons of every predicate that did
    /// not pass, and notes.
    pub fn preds(
        &self,
        preds: &[Pred],
        record: usize,
        allele: u32,
    ) -> (Outcome, Vec<Reason>, Vec<Reason>) {
        let mut worst = Outcome::Pass;
        let mut reasons = Vec::new();
        let mut notes = Vec::new();
        for p in preds {
            let o = match p {
                Pred::Member(mm) => self.member(mm, record, allele, &mut reasons, &mut notes),
                Pred::Fixed { outcome, why } => {
                    reasons.push(self.fixed(why));
                    *outcome
                }
                Pred::AnyOf { child, options } => {
                    let mut best = Outcome::Fail;
                    let mut scratch = Vec::new();
                    for o in options {
                        best = best.min(self.member(o, record, allele, &mut scratch, &mut notes));
                    }
                    if best != Outcome::Pass {
                        let carriers: Vec<String> = options
                            .iter()
                            .map(|o| format!("{} is {}", self.id(o.ind), self.gt(record, o.sample)))
                            .collect();
                        reasons.push(Reason::new(
                            if best == Outcome::Missing {
                                ReasonCode::GenotypeMissing
                            } else {
                                ReasonCode::NoAffectedParent
                            },
                            Some(self.id(*child)),
                            format!(
                                "no affected parent of {} carries it ({})",
                                self.id(*child),
                                carriers.join(", ")
                            ),
                        ));
                    }
                    best
                }
            };
            worst = worst.max(o);
        }
        (worst, reasons, notes)
    }

    /// The Mendel errors of the family's trios at `record`, as notes, with the first class.
    pub fn mendel_notes(
        &self,
        family: usize,
        record: usize,
        context: Context,
    ) -> (Vec<Reason>, Option<MendelClass>) {
        let mut notes = Vec::new();
        let mut first = None;
        for (c, f, mo) in super::plan::trios(self.m, family) {
            let s = |i| self.m.sample(i).unwrap_or(0);
            let sex = self.m.pedigree.individuals()[c].sex;
            let g = |i| self.store.genotype(record, s(i));
            if let Some(class) = mendel::check(context, sex, g(c), g(f), g(mo)) {
                first.get_or_insert(class);
                notes.push(Reason::new(
                    ReasonCode::MendelError,
                    Some(self.id(c)),
                    format!(
                        "{} {} from {} {} × {} {}: Mendel error, {}",
                        self.id(c),
                        self.gt(record, s(c)),
                        self.id(f),
                        self.gt(record, s(f)),
                        self.id(mo),
                        self.gt(record, s(mo)),
                        class.name()
                    ),
                ));
            }
        }
        (notes, first)
    }

    /// `mendel-error` for one family at one record: fits when some trio is inconsistent and
    /// its three calls pass the gates at every allele of the site.
    pub fn mendel(
        &self,
        family: usize,
        record: usize,
        context: Context,
    ) -> (Verdict, Vec<Reason>, Vec<Reason>, Option<MendelClass>) {
        let trios = super::plan::trios(self.m, family);
        if trios.is_empty() {
            let r = self.fixed(&Fixed::NoTrio);
            return (Verdict::No, vec![r], Vec::new(), None);
        }
        let n_alts = self.store.alt_alleles(record).count().max(1) as u32;
        let mut reasons = Vec::new();
        let mut notes = Vec::new();
        for (c, f, mo) in trios {
            let s = |i| self.m.sample(i).unwrap_or(0);
            let sex = self.m.pedigree.individuals()[c].sex;
            let g = |i| self.store.genotype(record, s(i));
            let gts = format!(
                "{} {} from {} {} × {} {}",
                self.id(c),
                self.gt(record, s(c)),
                self.id(f),
                self.gt(record, s(f)),
                self.id(mo),
                self.gt(record, s(mo))
            );
            match mendel::check(context, sex, g(c), g(f), g(mo)) {
                None => reasons.push(Reason::new(
                    ReasonCode::MendelConsistent,
                    Some(self.id(c)),
                    format!("{gts}: consistent (or not decidable)"),
                )),
                Some(class) => {
                    let mut gates = Vec::new();
                    for i in [c, f, mo] {
                        for a in 1..=n_alts {
                            let mut one = Vec::new();
                            self.gate_reasons(i, s(i), record, a, &mut one);
                            for r in one {
                                if !gates.contains(&r) {
                                    gates.push(r);
                                }
                            }
                        }
                    }
                    let note = Reason::new(
                        ReasonCode::MendelError,
                        Some(self.id(c)),
                        format!("{gts}: Mendel error, {}", class.name()),
                    );
                    if gates.is_empty() {
                        notes.push(note);
                        return (Verdict::Fits, Vec::new(), notes, Some(class));
                    }
                    notes.push(note);
                    reasons.extend(gates);
                }
            }
        }
        (Verdict::No, reasons, notes, None)
    }
}

/// The reason a record's context gives for a mode that does not read it.
pub fn context_reason(mode: Mode, context: Context, build: Option<super::Build>) -> Option<Reason> {
    let x_mode = matches!(mode, Mode::XRecessive | Mode::XDominant | Mode::XDeNovo);
    match (x_mode, context) {
        (_, _) if mode == Mode::MendelError => None,
        (false, c) if c.autosomal() => None,
        (false, Context::XHemizygous) => Some(Reason::new(
            ReasonCode::NotAutosomal,
            None,
            "on chrX outside the pseudo-autosomal regions: see the x- modes".into(),
        )),
        (false, _) => Some(Reason::new(
            ReasonCode::NotAutosomal,
            None,
            "on chrY or the mitochondrion: only mendel-error reads them".into(),
        )),
        (true, Context::XHemizygous) => None,
        (true, Context::XPar) => Some(Reason::new(
            ReasonCode::InPar,
            None,
            format!(
                "in a pseudo-autosomal region of {} (inherited like an autosome)",
                build.map_or("the build", |b| b.name())
            ),
        )),
        (true, _) => Some(Reason::new(ReasonCode::NotOnX, None, "not on chrX".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_are_stable_and_distinct() {
        let names: std::collections::HashSet<&str> =
            ReasonCode::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), ReasonCode::ALL.len());
        assert_eq!(ReasonCode::GenotypeMissing.name(), "genotype-missing");
        assert_eq!(ReasonCode::MaleXHet.name(), "male-x-het");
        assert_eq!(number(5.0), "5");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1.0 / 3.0), "0.333");
    }
}
