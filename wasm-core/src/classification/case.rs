//! The classification a case stores for one variant: the criteria chosen with their strengths,
//! which came from a pre-fill and whether the person changed them, free-text evidence, and the
//! class with the scheme that gave it. Versioned (`version: 1`); a case file of another version
//! is refused when read, never guessed at.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::criteria::{Applied, Criterion, Strength, StrengthError};
use super::prefill::Prefill;
use super::{Class, ClassifyError, Outcome, Scheme, classify};

/// The shape's version.
pub const VERSION: u32 = 1;

/// The `version` field: serialises as 1 and refuses any other number when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Version1;

impl Serialize for Version1 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(VERSION)
    }
}

impl<'de> Deserialize<'de> for Version1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        if v == VERSION {
            Ok(Version1)
        } else {
            Err(serde::de::Error::custom(format_args!(
                "classification version {v} is not {VERSION}"
            )))
        }
    }
}

/// One criterion of the grid as the person left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenCriterion {
    pub criterion: Criterion,
    /// The strength applied now.
    pub strength: Strength,
    /// Applied (ticked). A pre-fill the person unticked stays, with `met: false`.
    pub met: bool,
    /// The suggestion it started from, with its evidence; `None` when the person chose it.
    pub prefill: Option<Prefill>,
    /// The person's note for this criterion.
    #[serde(default)]
    pub evidence: String,
}

impl ChosenCriterion {
    /// A criterion the person ticks.
    pub fn chosen(applied: Applied) -> Self {
        ChosenCriterion {
            criterion: applied.criterion,
            strength: applied.strength,
            met: true,
            prefill: None,
            evidence: String::new(),
        }
    }

    /// A pre-fill, ticked as suggested.
    pub fn from_prefill(p: Prefill) -> Self {
        ChosenCriterion {
            criterion: p.applied.criterion,
            strength: p.applied.strength,
            met: true,
            prefill: Some(p),
            evidence: String::new(),
        }
    }

    pub fn is_prefilled(&self) -> bool {
        self.prefill.is_some()
    }

    /// A pre-fill the person unticked or moved to another strength.
    pub fn is_changed(&self) -> bool {
        self.prefill
            .as_ref()
            .is_some_and(|p| !self.met || p.applied.strength != self.strength)
    }

    /// The criterion at its strength, checked against ClinGen SVI's moves.
    pub fn applied(&self) -> Result<Applied, StrengthError> {
        self.criterion.at(self.strength)
    }
}

/// Where the class came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum Basis {
    /// Combined from the criteria by a scheme.
    Criteria { scheme: Scheme },
    /// Set directly in the select, whatever the criteria say.
    Direct,
}

/// One variant's classification, as a case keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub version: Version1,
    pub criteria: Vec<ChosenCriterion>,
    /// Free-text evidence for the whole variant.
    #[serde(default)]
    pub evidence: String,
    /// `None` until the person classifies.
    pub class: Option<Class>,
    pub basis: Basis,
}

impl Classification {
    /// A grid with the pre-fills ticked and nothing decided yet.
    pub fn from_prefills(prefills: Vec<Prefill>) -> Self {
        Classification {
            version: Version1,
            criteria: prefills
                .into_iter()
                .map(ChosenCriterion::from_prefill)
                .collect(),
            evidence: String::new(),
            class: None,
            basis: Basis::Criteria {
                scheme: Scheme::Points,
            },
        }
    }

    /// The criteria that are ticked.
    pub fn applied(&self) -> Result<Vec<Applied>, StrengthError> {
        self.criteria
            .iter()
            .filter(|c| c.met)
            .map(ChosenCriterion::applied)
            .collect()
    }

    /// Both schemes over the ticked criteria.
    pub fn outcome(&self) -> Result<Outcome, ClassifyError> {
        classify(&self.applied()?)
    }

    /// Sets the class from the points scheme (the basis becomes [`Scheme::Points`]).
    pub fn combine(&mut self) -> Result<Outcome, ClassifyError> {
        let outcome = self.outcome()?;
        self.class = Some(outcome.class);
        self.basis = Basis::Criteria {
            scheme: Scheme::Points,
        };
        Ok(outcome)
    }

    /// Sets the class directly.
    pub fn set_class(&mut self, class: Class) {
        self.class = Some(class);
        self.basis = Basis::Direct;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification::prefill::Evidence;

    fn pm2_prefill() -> Prefill {
        Prefill {
            applied: Criterion::PM2.at(Strength::Supporting).unwrap(),
            evidence: vec![Evidence {
                field: "INFO/gnomAD_AF".into(),
                value: ".".into(),
            }],
            note: "absent".into(),
            candidate: false,
        }
    }

    #[test]
    fn prefills_start_ticked_and_changes_are_seen() {
        let mut c = Classification::from_prefills(vec![pm2_prefill()]);
        c.criteria
            .push(ChosenCriterion::chosen(Criterion::PVS1.applied()));
        assert!(c.criteria[0].is_prefilled() && !c.criteria[0].is_changed());
        assert!(!c.criteria[1].is_prefilled() && !c.criteria[1].is_changed());
        let got = c.combine().unwrap();
        assert_eq!(got.points.total, 9);
        assert_eq!(c.class, Some(Class::LikelyPathogenic));
        // The person moves PM2 back to moderate: changed, and the class follows.
        c.criteria[0].strength = Strength::Moderate;
        assert!(c.criteria[0].is_changed());
        assert_eq!(c.combine().unwrap().class, Class::Pathogenic);
        // Unticked: changed, and no longer counted.
        c.criteria[0].met = false;
        assert!(c.criteria[0].is_changed());
        assert_eq!(c.combine().unwrap().points.total, 8);
        c.set_class(Class::Uncertain);
        assert_eq!((c.class, c.basis), (Some(Class::Uncertain), Basis::Direct));
    }
}
