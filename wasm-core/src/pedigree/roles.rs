//! Roles: each member's relation to the family's proband (for the table's columns), and the
//! pedigree the app builds from samples given roles when a file comes without a PED.

use super::{Family, Individual, Pedigree, PedigreeError, Phenotype, Sex};

/// A member's relation to the proband of its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Proband,
    Father,
    Mother,
    /// Shares a parent with the proband.
    Sibling,
    Child,
    /// A parent of the proband's father or mother.
    Grandparent,
    Other,
}

impl Role {
    /// The column heading (`proband`, `father`, …).
    pub fn name(self) -> &'static str {
        match self {
            Role::Proband => "proband",
            Role::Father => "father",
            Role::Mother => "mother",
            Role::Sibling => "sibling",
            Role::Child => "child",
            Role::Grandparent => "grandparent",
            Role::Other => "other",
        }
    }
}

pub(super) fn proband(ped: &Pedigree, family: usize) -> Option<usize> {
    let members = &ped.families.get(family)?.members;
    let affected = |&&m: &&usize| ped.individuals[m].phenotype == Phenotype::Affected;
    members
        .iter()
        .filter(affected)
        .find(|&&m| ped.individuals[m].father.is_some() || ped.individuals[m].mother.is_some())
        .or_else(|| members.iter().find(affected))
        .or_else(|| members.first())
        .copied()
}

pub(super) fn roles(ped: &Pedigree, family: usize) -> Vec<(usize, Role)> {
    let Some(p) = proband(ped, family) else {
        return Vec::new();
    };
    let person = |k: usize| &ped.individuals[k];
    let parents = |k: usize| [person(k).father, person(k).mother];
    ped.families[family]
        .members
        .iter()
        .map(|&m| {
            let role = if m == p {
                Role::Proband
            } else if person(p).father == Some(m) {
                Role::Father
            } else if person(p).mother == Some(m) {
                Role::Mother
            } else if parents(m).contains(&Some(p)) {
                Role::Child
            } else if parents(m)
                .iter()
                .flatten()
                .any(|x| parents(p).contains(&Some(*x)))
            {
                Role::Sibling
            } else if parents(p)
                .iter()
                .flatten()
                .any(|&x| parents(x).contains(&Some(m)))
            {
                Role::Grandparent
            } else {
                Role::Other
            };
            (m, role)
        })
        .collect()
}

/// The role a person gives a sample in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DeclaredRole {
    Proband,
    Mother,
    Father,
    /// A child of the same father and mother as the proband.
    Sibling,
    /// In the family, related otherwise (no parents recorded).
    Other,
}

/// One sample with its role, sex and phenotype, as the app posts them to the worker when a
/// file comes without a PED.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SampleRole {
    pub sample: String,
    pub role: DeclaredRole,
    pub sex: Sex,
    pub phenotype: Phenotype,
}

pub(super) fn from_roles(roles: &[SampleRole]) -> Result<Pedigree, PedigreeError> {
    let name = |r: DeclaredRole| format!("{r:?}").to_ascii_lowercase();
    for (k, r) in roles.iter().enumerate() {
        if let Some(other) = roles[..k].iter().find(|o| o.sample == r.sample) {
            return Err(PedigreeError::SampleTwice {
                sample: other.sample.clone(),
            });
        }
        if matches!(
            r.role,
            DeclaredRole::Proband | DeclaredRole::Mother | DeclaredRole::Father
        ) && let Some(other) = roles[..k].iter().find(|o| o.role == r.role)
        {
            return Err(PedigreeError::RoleTwice {
                role: name(r.role),
                first: other.sample.clone(),
                second: r.sample.clone(),
            });
        }
        let wrong = match r.role {
            DeclaredRole::Father => r.sex == Sex::Female,
            DeclaredRole::Mother => r.sex == Sex::Male,
            _ => false,
        };
        if wrong {
            return Err(PedigreeError::RoleSex {
                sample: r.sample.clone(),
                role: name(r.role),
                sex: r.sex.name().into(),
            });
        }
    }
    let find = |role| roles.iter().position(|r| r.role == role);
    let (father, mother) = (find(DeclaredRole::Father), find(DeclaredRole::Mother));
    let individuals: Vec<Individual> = roles
        .iter()
        .map(|r| {
            let child = matches!(r.role, DeclaredRole::Proband | DeclaredRole::Sibling);
            Individual {
                family: "family".into(),
                id: r.sample.clone(),
                father: if child { father } else { None },
                mother: if child { mother } else { None },
                sex: match r.role {
                    DeclaredRole::Father => Sex::Male,
                    DeclaredRole::Mother => Sex::Female,
                    _ => r.sex,
                },
                written_sex: r.sex,
                phenotype: r.phenotype,
                line: None,
                implied: false,
            }
        })
        .collect();
    if individuals.is_empty() {
        return Err(PedigreeError::Empty);
    }
    Ok(Pedigree {
        families: vec![Family {
            id: "family".into(),
            members: (0..individuals.len()).collect(),
        }],
        individuals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pedigree::PedigreeErrorKind;

    #[test]
    fn roles_relative_to_the_proband() {
        let ped = Pedigree::parse(
            b"f gpa 0 0 1 1\nf gma 0 0 2 1\nf mom gpa gma 2 1\nf dad 0 0 1 1\n\
              f kid dad mom 1 2\nf sib dad mom 2 1\nf half 0 mom 2 1\nf son kid 0 1 1\nf aunt gpa gma 2 1\n",
        )
        .unwrap();
        let roles: Vec<(&str, Role)> = ped
            .roles(0)
            .into_iter()
            .map(|(m, r)| (ped.individuals()[m].id.as_str(), r))
            .collect();
        assert_eq!(
            roles,
            [
                ("gpa", Role::Grandparent),
                ("gma", Role::Grandparent),
                ("mom", Role::Mother),
                ("dad", Role::Father),
                ("kid", Role::Proband),
                ("sib", Role::Sibling),
                ("half", Role::Sibling),
                ("son", Role::Child),
                ("aunt", Role::Other),
            ]
        );
    }

    #[test]
    fn a_family_from_roles() {
        let r = |sample: &str, role, sex, phenotype| SampleRole {
            sample: sample.into(),
            role,
            sex,
            phenotype,
        };
        let roles = [
            r(
                "HG002",
                DeclaredRole::Proband,
                Sex::Male,
                Phenotype::Affected,
            ),
            r(
                "HG003",
                DeclaredRole::Father,
                Sex::Unknown,
                Phenotype::Unaffected,
            ),
            r(
                "HG004",
                DeclaredRole::Mother,
                Sex::Female,
                Phenotype::Unaffected,
            ),
            r(
                "SIB",
                DeclaredRole::Sibling,
                Sex::Female,
                Phenotype::Unaffected,
            ),
        ];
        let ped = Pedigree::from_roles(&roles).unwrap();
        let kid = &ped.individuals()[0];
        assert_eq!((kid.father, kid.mother), (Some(1), Some(2)));
        assert_eq!(ped.individuals()[1].sex, Sex::Male);
        assert_eq!(ped.individuals()[3].father, Some(1));
        assert_eq!(ped.proband(0), Some(0));

        let mut two = roles.to_vec();
        two[3].role = DeclaredRole::Father;
        assert_eq!(
            Pedigree::from_roles(&two).map_err(|e| e.kind()),
            Err(PedigreeErrorKind::RoleTwice)
        );
        let mut female_father = roles.to_vec();
        female_father[1].sex = Sex::Female;
        assert_eq!(
            Pedigree::from_roles(&female_father).map_err(|e| e.kind()),
            Err(PedigreeErrorKind::RoleSex)
        );
        let mut twice = roles.to_vec();
        twice[3].sample = "HG002".into();
        assert_eq!(
            Pedigree::from_roles(&twice).map_err(|e| e.kind()),
            Err(PedigreeErrorKind::SampleTwice)
        );
    }
}
