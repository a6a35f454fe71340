//! Each mode of one family as an ordered list of predicates (CLINICAL.md §2): the definitions.
//!
//! A predicate reads one member's call ([`Member`]: the class it wants, and the gates), any of
//! several ([`Pred::AnyOf`]: an affected parent carries it), or is decided by the pedigree
//! alone ([`Pred::Fixed`]). Each ends [`Outcome::Pass`], [`Outcome::Missing`] (a genotype is
//! missing, or a member the mode needs is not sequenced) or [`Outcome::Fail`]; a record fits
//! when every predicate passes, and under `--lenient` it is "possible" when none fails. The
//! order is the order of the reasons: the first failing predicate is the headline.
//!
//! The columnar evaluation compiles these lists into tables over state bytes; the row-by-row
//! evaluator walks them for explanations. `comp-het` uses the list for its per-site candidates
//! and pairs sites in [`super::comphet`]; `mendel-error` reads trios ([`trios`]).

use crate::pedigree::{Matched, Phenotype, Sex};

use super::Mode;
use super::cells::{Class, STATES, class, unpack_state};

/// How a predicate ends for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Pass,
    Missing,
    Fail,
}

/// The class a member must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Het or hom-alt (a hemizygous male: alternate).
    Carries,
    Het,
    HomAlt,
    /// No copy of the allele.
    Ref,
    NotHomAlt,
    /// Any call (a parent read for phasing).
    Called,
}

impl Want {
    pub fn accepts(self, c: Class) -> bool {
        match self {
            Want::Carries => c.carries(),
            Want::Het => c == Class::Het,
            Want::HomAlt => c == Class::HomAlt,
            Want::Ref => c == Class::Ref,
            Want::NotHomAlt => matches!(c, Class::Ref | Class::Het),
            Want::Called => c != Class::Missing,
        }
    }

    /// What the reason says is needed.
    pub fn text(self) -> &'static str {
        match self {
            Want::Carries => "a copy of the allele",
            Want::Het => "het",
            Want::HomAlt => "hom-alt",
            Want::Ref => "no copy of the allele",
            Want::NotHomAlt => "not hom-alt",
            Want::Called => "a call",
        }
    }
}

/// Why a member is read, which names the reason when its class is not the one wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRole {
    Affected,
    Unaffected,
    /// A parent of an affected member that must not carry (de novo).
    ParentRef,
    /// A parent of an affected member that must be het (recessive).
    ParentHet,
    /// A parent that must carry (x-recessive).
    ParentCarrier,
    /// A daughter of an affected father (x-dominant).
    Daughter,
    /// A parent read to phase a compound het.
    Phasing,
}

/// One member's call, as a predicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Index into the pedigree's individuals.
    pub ind: usize,
    /// The file's sample.
    pub sample: usize,
    pub want: Want,
    pub role: MemberRole,
    /// A male on chrX outside the PARs, in a chrX mode.
    pub hemizygous: bool,
    /// The de novo parent gate: fewer reads of the allele than `parent_max_alt_reads`.
    pub alt_reads: bool,
}

impl Member {
    /// The outcome of this predicate for each state byte (index), `0` pass, `1` missing,
    /// `2` fail — the table the columnar evaluation reads.
    pub fn table(&self) -> [u8; STATES] {
        let mut t = [0u8; STATES];
        for (s, slot) in t.iter_mut().enumerate() {
            let (shape, gate_fail, alt) = unpack_state(s as u8);
            let (c, _) = class(shape, self.hemizygous);
            *slot = if c == Class::Missing {
                1
            } else if !self.want.accepts(c) || gate_fail || (self.alt_reads && alt) {
                2
            } else {
                0
            };
        }
        t
    }
}

/// What decides a [`Pred::Fixed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixed {
    /// The family has no affected member in the file.
    NoAffected,
    /// A parent the mode needs is not in the pedigree.
    ParentAbsent { child: usize, father: bool },
    /// A member the mode needs is in the pedigree but not in the file.
    NotSequenced { ind: usize },
    /// No affected member has a parent in the pedigree: whether the variant is inherited
    /// cannot be told.
    NoParents,
    /// No parent of `child` that could pass it on is affected.
    NoAffectedParent { child: usize },
    /// No child with both parents in the file.
    NoTrio,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pred {
    Member(Member),
    /// Passes when one option does: an affected parent of `child` carries the allele.
    AnyOf {
        child: usize,
        options: Vec<Member>,
    },
    Fixed {
        outcome: Outcome,
        why: Fixed,
    },
}

/// Members of a family, by what the modes read: the sequenced affected and unaffected ones.
struct Members<'m> {
    m: &'m Matched,
    affected: Vec<usize>,
    unaffected: Vec<usize>,
}

impl<'m> Members<'m> {
    fn new(m: &'m Matched, family: usize) -> Self {
        let members = &m.pedigree.families()[family].members;
        let with = |p: Phenotype| {
            members
                .iter()
                .copied()
                .filter(|&i| m.pedigree.individuals()[i].phenotype == p && m.sample(i).is_some())
                .collect::<Vec<_>>()
        };
        Members {
            m,
            affected: with(Phenotype::Affected),
            unaffected: with(Phenotype::Unaffected),
        }
    }

    fn sex(&self, i: usize) -> Sex {
        self.m.pedigree.individuals()[i].sex
    }

    fn parents(&self, i: usize) -> [(Option<usize>, bool); 2] {
        let p = &self.m.pedigree.individuals()[i];
        [(p.father, true), (p.mother, false)]
    }

    fn member(&self, ind: usize, want: Want, role: MemberRole, x: bool) -> Pred {
        Pred::Member(Member {
            ind,
            // Only called for sequenced members.
            sample: self.m.sample(ind).unwrap_or(0),
            want,
            role,
            hemizygous: x && self.sex(ind) == Sex::Male,
            alt_reads: false,
        })
    }
}

/// The predicates of `mode` (not `mendel-error`) for family `family`, in order. For `comp-het`
/// they select the candidate sites; pairing is [`super::comphet`]'s.
pub fn plan(m: &Matched, family: usize, mode: Mode) -> Vec<Pred> {
    let f = Members::new(m, family);
    if f.affected.is_empty() {
        return vec![Pred::Fixed {
            outcome: Outcome::Fail,
            why: Fixed::NoAffected,
        }];
    }
    let x = matches!(mode, Mode::XRecessive | Mode::XDominant | Mode::XDeNovo);
    let mut preds = Vec::new();
    // Affected members.
    for &a in &f.affected {
        let want = match mode {
            Mode::DeNovo => Want::Carries,
            Mode::Dominant | Mode::CompHet => Want::Het,
            Mode::Recessive => Want::HomAlt,
            // A female must be hom-alt; a male (hemizygous) or a member of unknown sex carries.
            Mode::XRecessive if f.sex(a) == Sex::Female => Want::HomAlt,
            Mode::XRecessive | Mode::XDominant | Mode::XDeNovo => Want::Carries,
            Mode::MendelError => Want::Called,
        };
        preds.push(f.member(a, want, MemberRole::Affected, x));
    }
    // Parent predicates come after the unaffected ones but replace an unaffected parent's own
    // predicate when they want at least as much.
    let mut parents: Vec<Pred> = Vec::new();
    let push_parent = |parents: &mut Vec<Pred>, p: Pred| {
        if !parents.contains(&p) {
            parents.push(p);
        }
    };
    for &a in &f.affected {
        for (parent, is_father) in f.parents(a) {
            let sequenced = parent.filter(|&p| m.sample(p).is_some());
            match mode {
                Mode::DeNovo | Mode::XDeNovo => match (parent, sequenced) {
                    (None, _) => push_parent(
                        &mut parents,
                        Pred::Fixed {
                            outcome: Outcome::Fail,
                            why: Fixed::ParentAbsent {
                                child: a,
                                father: is_father,
                            },
                        },
                    ),
                    (Some(p), None) => push_parent(
                        &mut parents,
                        Pred::Fixed {
                            outcome: Outcome::Missing,
                            why: Fixed::NotSequenced { ind: p },
                        },
                    ),
                    (Some(p), Some(_)) => {
                        let mut pred = f.member(p, Want::Ref, MemberRole::ParentRef, x);
                        if let Pred::Member(mm) = &mut pred {
                            mm.alt_reads = true;
                        }
                        push_parent(&mut parents, pred);
                    }
                },
                Mode::Recessive => {
                    if let Some(p) = sequenced {
                        push_parent(
                            &mut parents,
                            f.member(p, Want::Het, MemberRole::ParentHet, false),
                        );
                    }
                }
                Mode::XRecessive => {
                    // A son's X comes from his mother; a daughter's from both parents.
                    let needed = !is_father || f.sex(a) == Sex::Female;
                    if let (Some(p), true) = (sequenced, needed) {
                        push_parent(
                            &mut parents,
                            f.member(p, Want::Carries, MemberRole::ParentCarrier, true),
                        );
                    }
                }
                Mode::CompHet => {
                    if let Some(p) = sequenced {
                        push_parent(
                            &mut parents,
                            f.member(p, Want::Called, MemberRole::Phasing, false),
                        );
                    }
                }
                Mode::Dominant | Mode::XDominant | Mode::MendelError => {}
            }
        }
    }
    // Unaffected members.
    for &u in &f.unaffected {
        let male = f.sex(u) == Sex::Male;
        let want = match mode {
            Mode::DeNovo | Mode::Dominant | Mode::XDominant | Mode::XDeNovo => Want::Ref,
            Mode::XRecessive if male => Want::Ref,
            Mode::Recessive | Mode::CompHet | Mode::XRecessive => Want::NotHomAlt,
            Mode::MendelError => Want::Called,
        };
        let covered = parents.iter().any(|p| match p {
            Pred::Member(mm) => {
                mm.ind == u
                    && (mm.want == want || (want == Want::NotHomAlt && mm.want == Want::Het))
            }
            _ => false,
        });
        if !covered {
            preds.push(f.member(u, want, MemberRole::Unaffected, x));
        }
    }
    preds.extend(parents);
    // Inherited from an affected parent (dominant, x-dominant).
    if matches!(mode, Mode::Dominant | Mode::XDominant) {
        let with_parents: Vec<usize> = f
            .affected
            .iter()
            .copied()
            .filter(|&a| f.parents(a).iter().any(|(p, _)| p.is_some()))
            .collect();
        if with_parents.is_empty() {
            preds.push(Pred::Fixed {
                outcome: Outcome::Missing,
                why: Fixed::NoParents,
            });
        }
        for a in with_parents {
            let son = mode == Mode::XDominant && f.sex(a) == Sex::Male;
            let affected_parents: Vec<usize> = f
                .parents(a)
                .iter()
                .filter(|(_, is_father)| !(son && *is_father))
                .filter_map(|&(p, _)| p)
                .filter(|&p| m.pedigree.individuals()[p].phenotype == Phenotype::Affected)
                .collect();
            let options: Vec<Member> = affected_parents
                .iter()
                .filter(|&&p| m.sample(p).is_some())
                .map(|&p| Member {
                    ind: p,
                    sample: m.sample(p).unwrap_or(0),
                    want: Want::Carries,
                    role: MemberRole::Affected,
                    hemizygous: x && f.sex(p) == Sex::Male,
                    alt_reads: false,
                })
                .collect();
            preds.push(if !options.is_empty() {
                Pred::AnyOf { child: a, options }
            } else if let Some(&p) = affected_parents.first() {
                Pred::Fixed {
                    outcome: Outcome::Missing,
                    why: Fixed::NotSequenced { ind: p },
                }
            } else {
                Pred::Fixed {
                    outcome: Outcome::Fail,
                    why: Fixed::NoAffectedParent { child: a },
                }
            });
        }
    }
    // An affected father passes his X to every daughter.
    if mode == Mode::XDominant {
        for &a in &f.affected {
            if f.sex(a) != Sex::Male {
                continue;
            }
            for d in m.pedigree.children(a) {
                if f.sex(d) == Sex::Female && m.sample(d).is_some() {
                    preds.push(f.member(d, Want::Carries, MemberRole::Daughter, true));
                }
            }
        }
    }
    preds
}

/// The trios of a family for `mendel-error`: (child, father, mother) individuals whose three
/// calls are all in the file, in member order.
pub fn trios(m: &Matched, family: usize) -> Vec<(usize, usize, usize)> {
    m.pedigree.families()[family]
        .members
        .iter()
        .filter_map(|&c| {
            let p = &m.pedigree.individuals()[c];
            let (f, mo) = (p.father?, p.mother?);
            (m.sample(c).is_some() && m.sample(f).is_some() && m.sample(mo).is_some())
                .then_some((c, f, mo))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inheritance::cells::{CellValues, Gates, Shape, state};
    use crate::pedigree::Pedigree;

    fn matched(ped: &str, samples: &[&str]) -> Matched {
        let samples: Vec<String> = samples.iter().map(|s| s.to_string()).collect();
        Pedigree::parse(ped.as_bytes())
            .unwrap()
            .match_samples(&samples)
            .unwrap()
    }

    #[test]
    fn de_novo_reads_affected_unaffected_and_both_parents() {
        let m = matched(
            "f kid fa mo 1 2\nf fa 0 0 1 1\nf mo 0 0 2 1\nf sib fa mo 2 1\n",
            &["kid", "fa", "mo", "sib"],
        );
        let preds = plan(&m, 0, Mode::DeNovo);
        let shape: Vec<(usize, Want, MemberRole, bool)> = preds
            .iter()
            .map(|p| match p {
                Pred::Member(mm) => (mm.ind, mm.want, mm.role, mm.alt_reads),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            shape,
            [
                (0, Want::Carries, MemberRole::Affected, false),
                (3, Want::Ref, MemberRole::Unaffected, false),
                (1, Want::Ref, MemberRole::ParentRef, true),
                (2, Want::Ref, MemberRole::ParentRef, true),
            ]
        );
    }

    #[test]
    fn dominant_needs_an_affected_parent_and_x_dominant_a_mother_for_sons() {
        let m = matched(
            "f kid fa mo 1 2\nf fa 0 0 1 2\nf mo 0 0 2 1\n",
            &["kid", "fa", "mo"],
        );
        let any = |mode| {
            plan(&m, 0, mode)
                .into_iter()
                .find(|p| !matches!(p, Pred::Member(_)))
                .unwrap()
        };
        assert!(
            matches!(any(Mode::Dominant), Pred::AnyOf { child: 0, ref options } if options.len() == 1 && options[0].ind == 1)
        );
        assert!(matches!(
            any(Mode::XDominant),
            Pred::Fixed {
                outcome: Outcome::Fail,
                why: Fixed::NoAffectedParent { child: 0 }
            }
        ));
        // Parents of unknown phenotype (the demo trio): no affected parent at all.
        let m = matched(
            "f kid fa mo 1 2\nf fa 0 0 1 0\nf mo 0 0 2 0\n",
            &["kid", "fa", "mo"],
        );
        assert!(plan(&m, 0, Mode::Dominant).contains(&Pred::Fixed {
            outcome: Outcome::Fail,
            why: Fixed::NoAffectedParent { child: 0 }
        }));
        // A singleton: inheritance cannot be told.
        let m = matched("f kid 0 0 1 2\n", &["kid"]);
        assert!(plan(&m, 0, Mode::Dominant).contains(&Pred::Fixed {
            outcome: Outcome::Missing,
            why: Fixed::NoParents
        }));
    }

    #[test]
    fn member_tables_match_classes_and_gates() {
        let g = Gates::default();
        let member = Member {
            ind: 0,
            sample: 0,
            want: Want::Ref,
            role: MemberRole::ParentRef,
            hemizygous: false,
            alt_reads: true,
        };
        let t = member.table();
        let good = CellValues::default();
        assert_eq!(t[state(Shape::Zero, &good, &g) as usize], 0);
        assert_eq!(t[state(Shape::One, &good, &g) as usize], 2);
        assert_eq!(t[state(Shape::Missing, &good, &g) as usize], 1);
        let reads = CellValues {
            ad_allele: Some(3),
            ad_total: Some(30),
            ..good
        };
        assert_eq!(t[state(Shape::Zero, &reads, &g) as usize], 2);
        let male = Member {
            want: Want::Carries,
            hemizygous: true,
            alt_reads: false,
            ..member
        };
        assert_eq!(male.table()[state(Shape::One, &good, &g) as usize], 0);
    }
}
