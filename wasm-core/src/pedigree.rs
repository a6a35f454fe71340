//! Pedigrees: who is related to whom, their sex and whether they are affected (CLINICAL.md §1).
//!
//! A [`Pedigree`] comes from a PED file ([`Pedigree::parse`]; recognised among picked files by
//! its content, [`looks_like_ped`]) or, for a file without one, from samples given roles in the
//! app ([`Pedigree::from_roles`], serde types the page posts to the worker). It holds
//! [`Individual`]s grouped in [`Family`]s, several generations and families per file, parents
//! referred to by index. [`Pedigree::match_samples`] ties it to a VCF's samples: individuals the
//! file lacks are *not sequenced* and samples the PED lacks are *unrelated* (both [`Notice`]s); a
//! PED naming none of the file's samples is an error. [`Pedigree::roles`] names each member's
//! role (proband, father, mother, sibling, …) for table columns.
//!
//! Where it sits: read beside a VCF, before [`crate::inheritance`], which evaluates the
//! inheritance modes family by family. Inconsistent pedigrees are a [`PedigreeError`] naming the
//! PED line (an individual twice, an individual who is their own ancestor, a father of sex 2, a
//! mother of sex 1, fewer than six columns); callers decide on its [`PedigreeErrorKind`].

mod error;
mod parse;
mod roles;

pub use self::error::{PedigreeError, PedigreeErrorKind};
pub use self::parse::looks_like_ped;
pub use self::roles::{DeclaredRole, Role, SampleRole};

/// PED column 5: `1` male, `2` female, anything else unknown (CLINICAL.md §1).
///
/// The one sex type of the engine: the pedigree's, the inheritance modes' and the pedigree
/// check's (declared in the PED and predicted from chrX). Serialised in lower case (`"female"`),
/// as `enclave check --json` prints it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    #[default]
    Unknown,
}

impl Sex {
    /// `1` (or `male`), `2` (or `female`), unknown for anything else.
    pub fn from_code(code: &str) -> Sex {
        match code {
            "1" => Sex::Male,
            "2" => Sex::Female,
            w if w.eq_ignore_ascii_case("male") => Sex::Male,
            w if w.eq_ignore_ascii_case("female") => Sex::Female,
            _ => Sex::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Sex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// PED column 6: `1` unaffected, `2` affected, `0`, `-9` or anything else unknown. An individual
/// of unknown phenotype constrains no mode (CLINICAL.md §1), though a parent's genotype is still
/// read where a mode needs parents (de novo, phasing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Phenotype {
    Unaffected,
    Affected,
    Unknown,
}

impl Phenotype {
    /// `1` (or `unaffected`), `2` (or `affected`), unknown for anything else.
    pub fn from_code(code: &str) -> Phenotype {
        match code {
            "1" => Phenotype::Unaffected,
            "2" => Phenotype::Affected,
            w if w.eq_ignore_ascii_case("unaffected") => Phenotype::Unaffected,
            w if w.eq_ignore_ascii_case("affected") => Phenotype::Affected,
            _ => Phenotype::Unknown,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Phenotype::Unaffected => "unaffected",
            Phenotype::Affected => "affected",
            Phenotype::Unknown => "unknown",
        }
    }
}

/// One person of the pedigree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Individual {
    /// The family id (PED column 1).
    pub family: String,
    /// The individual id (PED column 2), which names the VCF sample.
    pub id: String,
    /// Index of the father in [`Pedigree::individuals`].
    pub father: Option<usize>,
    pub mother: Option<usize>,
    /// The sex the modes use: as written, except that a father or mother of unknown sex is
    /// taken as male or female (the sex of their role).
    pub sex: Sex,
    /// The sex as written in PED column 5 (or given in the app), before any role implies one:
    /// unknown for a parent named only as a parent. The pedigree check compares the sex
    /// predicted from chrX with this one, never with a sex the role implied.
    #[serde(default)]
    pub written_sex: Sex,
    pub phenotype: Phenotype,
    /// The PED line (1-based) that lists the individual, or for a parent named only as a
    /// parent, the line that first names them; `None` when built from roles.
    pub line: Option<u64>,
    /// Named only as someone's parent, not on a line of their own (then not sequenced, as a
    /// rule, and of unknown phenotype).
    pub implied: bool,
}

/// The members of one family, in file order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Family {
    pub id: String,
    /// Indexes into [`Pedigree::individuals`].
    pub members: Vec<usize>,
}

/// Individuals and their families.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Pedigree {
    individuals: Vec<Individual>,
    families: Vec<Family>,
}

/// What a reader should know about a pedigree that is not an error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Notice {
    /// Individuals of the PED that the file has no sample for: drawn hatched, read by no mode.
    NotSequenced { individuals: Vec<String> },
    /// Samples of the file the PED does not name: analysed as unrelated individuals of unknown
    /// phenotype, so no mode reads them.
    Unrelated { samples: Vec<String> },
    /// Parents of an affected member whose phenotype is unknown: `dominant` needs an affected
    /// parent, so it finds nothing through them (CLINICAL.md §1, the demo trio's `trio.ped`).
    ParentsOfUnknownPhenotype {
        family: String,
        parents: Vec<String>,
    },
    /// Individuals named as parents without a line of their own.
    ImpliedParents { individuals: Vec<String> },
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::NotSequenced { individuals } => write!(
                f,
                "not sequenced (in the pedigree, not in the file): {}",
                individuals.join(", ")
            ),
            Notice::Unrelated { samples } => write!(
                f,
                "not in the pedigree, analysed as unrelated individuals: {}",
                samples.join(", ")
            ),
            Notice::ParentsOfUnknownPhenotype { family, parents } => write!(
                f,
                "family {family}: the phenotype of {} is unknown (0 or -9), so they count as \
                 parents only; dominant needs an affected parent and finds nothing through them",
                parents.join(" and ")
            ),
            Notice::ImpliedParents { individuals } => write!(
                f,
                "named as parents without a line of their own: {}",
                individuals.join(", ")
            ),
        }
    }
}

/// A pedigree tied to a VCF's samples.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Matched {
    pub pedigree: Pedigree,
    /// Per individual, the index of its sample in the file (`None`: not sequenced).
    pub samples: Vec<Option<usize>>,
    pub notices: Vec<Notice>,
}

impl Matched {
    /// The file's sample index of individual `i`.
    pub fn sample(&self, i: usize) -> Option<usize> {
        self.samples[i]
    }
}

impl Pedigree {
    /// Reads a PED file (CLINICAL.md §1): tab- or space-separated, extra columns allowed, `#`
    /// comments, CRLF line ends, `0` or `-9` for a parent not given.
    ///
    /// ```
    /// use wasm_core::pedigree::{Pedigree, Phenotype, Sex};
    /// let ped = Pedigree::parse(b"f1 kid dad mom 1 2\nf1 dad 0 0 1 1\nf1 mom 0 0 2 1\n").unwrap();
    /// let kid = &ped.individuals()[0];
    /// assert_eq!((kid.sex, kid.phenotype), (Sex::Male, Phenotype::Affected));
    /// assert_eq!(ped.individuals()[kid.father.unwrap()].id, "dad");
    /// ```
    pub fn parse(text: &[u8]) -> Result<Pedigree, PedigreeError> {
        parse::parse(text)
    }

    /// Builds the one-family pedigree of samples given roles in the app ([`SampleRole`]).
    pub fn from_roles(roles: &[SampleRole]) -> Result<Pedigree, PedigreeError> {
        roles::from_roles(roles)
    }

    pub fn individuals(&self) -> &[Individual] {
        &self.individuals
    }

    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// The index of the individual with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.individuals.iter().position(|i| i.id == id)
    }

    /// The children of individual `i`, in file order.
    pub fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.individuals
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.father == Some(i) || c.mother == Some(i))
            .map(|(k, _)| k)
    }

    /// Ties the pedigree to the file's samples by individual id.
    pub fn match_samples(&self, samples: &[String]) -> Result<Matched, PedigreeError> {
        let index: std::collections::HashMap<&str, usize> = samples
            .iter()
            .enumerate()
            .map(|(k, s)| (s.as_str(), k))
            .collect();
        let found: Vec<Option<usize>> = self
            .individuals
            .iter()
            .map(|i| index.get(i.id.as_str()).copied())
            .collect();
        if !self.individuals.is_empty() && found.iter().all(Option::is_none) {
            let list = |names: Vec<&str>| {
                let mut text = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
                if names.len() > 5 {
                    text.push_str(&format!(" and {} more", names.len() - 5));
                }
                text
            };
            return Err(PedigreeError::NoSampleInFile {
                individuals: list(self.individuals.iter().map(|i| i.id.as_str()).collect()),
                samples: if samples.is_empty() {
                    "no samples".into()
                } else {
                    list(samples.iter().map(String::as_str).collect())
                },
            });
        }
        let mut notices = Vec::new();
        let implied: Vec<String> = self
            .individuals
            .iter()
            .filter(|i| i.implied)
            .map(|i| i.id.clone())
            .collect();
        if !implied.is_empty() {
            notices.push(Notice::ImpliedParents {
                individuals: implied,
            });
        }
        let missing: Vec<String> = self
            .individuals
            .iter()
            .zip(&found)
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| i.id.clone())
            .collect();
        if !missing.is_empty() {
            notices.push(Notice::NotSequenced {
                individuals: missing,
            });
        }
        let named: std::collections::HashSet<usize> = found.iter().flatten().copied().collect();
        let unrelated: Vec<String> = samples
            .iter()
            .enumerate()
            .filter(|(k, _)| !named.contains(k))
            .map(|(_, s)| s.clone())
            .collect();
        if !unrelated.is_empty() {
            notices.push(Notice::Unrelated { samples: unrelated });
        }
        for family in &self.families {
            let mut parents = Vec::new();
            for &m in &family.members {
                let person = &self.individuals[m];
                if person.phenotype != Phenotype::Affected {
                    continue;
                }
                for p in [person.father, person.mother].into_iter().flatten() {
                    let parent = &self.individuals[p];
                    if parent.phenotype == Phenotype::Unknown
                        && found[p].is_some()
                        && !parents.contains(&parent.id)
                    {
                        parents.push(parent.id.clone());
                    }
                }
            }
            if !parents.is_empty() {
                notices.push(Notice::ParentsOfUnknownPhenotype {
                    family: family.id.clone(),
                    parents,
                });
            }
        }
        Ok(Matched {
            pedigree: self.clone(),
            samples: found,
            notices,
        })
    }

    /// Each member's role in family `family` (an index into [`Pedigree::families`]), relative
    /// to its proband ([`Pedigree::proband`]), in member order.
    pub fn roles(&self, family: usize) -> Vec<(usize, Role)> {
        roles::roles(self, family)
    }

    /// The proband of family `family`: the first affected member with a parent in the
    /// pedigree, else the first affected member, else the first member.
    pub fn proband(&self, family: usize) -> Option<usize> {
        roles::proband(self, family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matching_gives_notices_for_unsequenced_and_unrelated() {
        let ped = Pedigree::parse(b"f kid dad mom 1 2\nf dad 0 0 1 0\nf mom 0 0 2 0\n").unwrap();
        let m = ped
            .match_samples(&names(&["kid", "dad", "stranger"]))
            .unwrap();
        assert_eq!(m.samples, vec![Some(0), Some(1), None]);
        assert!(m.notices.contains(&Notice::NotSequenced {
            individuals: names(&["mom"])
        }));
        assert!(m.notices.contains(&Notice::Unrelated {
            samples: names(&["stranger"])
        }));
        // The sequenced father of unknown phenotype is named (the demo trio's case).
        assert!(m.notices.contains(&Notice::ParentsOfUnknownPhenotype {
            family: "f".into(),
            parents: names(&["dad"])
        }));
    }

    #[test]
    fn a_pedigree_naming_no_sample_is_an_error() {
        let ped = Pedigree::parse(b"f a 0 0 1 2\n").unwrap();
        let e = ped.match_samples(&names(&["x", "y"])).unwrap_err();
        assert_eq!(e.kind(), PedigreeErrorKind::NoSampleInFile, "{e}");
    }
}
