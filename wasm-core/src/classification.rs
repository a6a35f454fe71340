//! Variant classification: the ACMG/AMP 2015 criteria with ClinGen SVI strength modifiers,
//! combined by the ClinGen points scheme and, beside it, by the 2015 rules it replaces; the
//! pre-fills a file supports; the shape a case stores (CLINICAL.md §6, "Classification").
//!
//! - [`criteria`]: [`Criterion`] (the 28), [`Strength`], [`Direction`], [`Applied`]
//!   (`PM2_Supporting`), [`StrengthError`] for a move SVI does not allow.
//! - [`points`]: the points scheme (Tavtigian et al. 2020) → [`points::PointsOutcome`].
//! - [`rules`]: Richards et al. 2015 Table 5 → [`rules::RulesOutcome`] naming its [`rules::Rule`].
//! - [`classify`] runs both and says whether they disagree ([`Outcome`]); the points scheme
//!   decides the class ([`Scheme::Points`]), the 2015 rules are shown beside it.
//! - [`prefill`]: suggestions from one record — a PVS1 candidate from a loss-of-function
//!   consequence, PM2_Supporting / BA1 / BS1 from population frequencies, PS2 / PM6 from a de
//!   novo — each a [`Prefill`] naming the field and value it read.
//! - [`case`]: [`Classification`], the versioned serde shape a case keeps.
//!
//! Where it sits: after ingest, reading a record of the [`crate::store::VariantStore`] through
//! [`crate::annotation`] (CSQ/ANN/BCSQ) and the [`crate::inheritance`] explanations; the app's
//! criteria grid calls [`prefill`] for the row a person opens and [`classify`] on every change.
//! Nothing here decides for the person: a pre-fill is a suggestion they confirm or change.

pub mod case;
pub mod criteria;
pub mod points;
pub mod prefill;
pub mod rules;

pub use self::case::{Basis, ChosenCriterion, Classification, VERSION};
pub use self::criteria::{
    Applied, Criterion, Direction, Strength, StrengthError, StrengthErrorKind,
};
pub use self::prefill::{DeNovoCall, Evidence, FamilyEvidence, Prefill, PrefillParams, prefill};

/// The five classes (Richards et al. 2015), serde names as the app's `classification` select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Pathogenic,
    LikelyPathogenic,
    Uncertain,
    LikelyBenign,
    Benign,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Pathogenic,
        Class::LikelyPathogenic,
        Class::Uncertain,
        Class::LikelyBenign,
        Class::Benign,
    ];

    /// The select's value (`likely-pathogenic`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Pathogenic => "pathogenic",
            Class::LikelyPathogenic => "likely-pathogenic",
            Class::Uncertain => "uncertain",
            Class::LikelyBenign => "likely-benign",
            Class::Benign => "benign",
        }
    }

    /// The class of a select value.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Which combining scheme a class comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// ClinGen SVI points (Tavtigian et al. 2020): the one that decides.
    Points,
    /// Richards et al. 2015 Table 5.
    Acmg2015,
}

/// Both schemes' answers for one set of criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The points scheme's class, the one Enclave proposes.
    pub class: Class,
    pub points: points::PointsOutcome,
    pub rules: rules::RulesOutcome,
    /// The two classes differ (e.g. PVS1 + PM2_Supporting: 9 points, likely pathogenic; no
    /// 2015 rule, uncertain).
    pub schemes_disagree: bool,
}

/// Why a set of criteria cannot be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassifyError {
    /// A criterion applied twice (at one strength or two): each counts once.
    #[error("{0} is applied more than once")]
    Duplicate(Criterion),
    /// A strength SVI does not allow (a value that was deserialised, not built by
    /// [`Criterion::at`]).
    #[error("refused strength")]
    Strength(#[from] StrengthError),
}

/// Combines applied criteria by both schemes.
///
/// ```
/// use wasm_core::classification::{Applied, Class, classify};
/// let got = classify(&[Applied::parse("PVS1").unwrap(), Applied::parse("PM2_Supporting").unwrap()])
///     .unwrap();
/// assert_eq!((got.class, got.points.total), (Class::LikelyPathogenic, 9));
/// assert_eq!(got.rules.class, Class::Uncertain);
/// assert!(got.schemes_disagree);
/// ```
pub fn classify(criteria: &[Applied]) -> Result<Outcome, ClassifyError> {
    for (i, a) in criteria.iter().enumerate() {
        a.check()?;
        if criteria[..i].iter().any(|b| b.criterion == a.criterion) {
            return Err(ClassifyError::Duplicate(a.criterion));
        }
    }
    let points = points::score(criteria);
    let rules = rules::combine(criteria);
    Ok(Outcome {
        class: points.class,
        points,
        rules,
        schemes_disagree: points.class != rules.class,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(names: &[&str]) -> Result<Outcome, ClassifyError> {
        let v: Vec<Applied> = names.iter().map(|n| Applied::parse(n).unwrap()).collect();
        classify(&v)
    }

    #[test]
    fn class_names_are_the_selects_values() {
        let names: Vec<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "pathogenic",
                "likely-pathogenic",
                "uncertain",
                "likely-benign",
                "benign"
            ]
        );
        for c in Class::ALL {
            assert_eq!(Class::from_name(c.name()), Some(c));
        }
        assert_eq!(Class::from_name("vus"), None);
    }

    #[test]
    fn the_schemes_agree_and_disagree_where_known() {
        // PVS1 + PM2_Supporting: points LP (9), 2015 no rule.
        let got = of(&["PVS1", "PM2_Supporting"]).unwrap();
        assert_eq!(got.points.class, Class::LikelyPathogenic);
        assert_eq!(got.rules.class, Class::Uncertain);
        assert!(got.schemes_disagree);
        // PVS1 + PM2 at the 2015 moderate: points P (10), 2015 LP (i).
        let got = of(&["PVS1", "PM2"]).unwrap();
        assert_eq!(
            (got.class, got.rules.rule),
            (Class::Pathogenic, rules::Rule::LikelyPathogenicI)
        );
        assert!(got.schemes_disagree);
        // BA1 with strong pathogenic evidence: points stand-alone benign, 2015 conflicting.
        let got = of(&["BA1", "PVS1", "PS1"]).unwrap();
        assert_eq!(
            (got.class, got.rules.class),
            (Class::Benign, Class::Uncertain)
        );
        assert!(got.schemes_disagree);
        // Two strong: 2015 P (ii), but 8 points is likely pathogenic (Tavtigian et al. 2020).
        let got = of(&["PS1", "PS3"]).unwrap();
        assert_eq!(
            (got.class, got.rules.class),
            (Class::LikelyPathogenic, Class::Pathogenic)
        );
        assert!(got.schemes_disagree);
        // PVS1 + PS1: both pathogenic; BS1 + BS2: both benign; nothing: both uncertain.
        for (names, class) in [
            (&["PVS1", "PS1"][..], Class::Pathogenic),
            (&["BS1", "BS2"][..], Class::Benign),
            (&["PS1", "PM1"][..], Class::LikelyPathogenic),
            (&["BS1", "BP4"][..], Class::LikelyBenign),
            (&[][..], Class::Uncertain),
        ] {
            let got = of(names).unwrap();
            assert_eq!((got.class, got.rules.class), (class, class), "{names:?}");
            assert!(!got.schemes_disagree);
        }
    }

    #[test]
    fn duplicates_and_forged_strengths_are_refused() {
        assert_eq!(
            of(&["PM2", "PM2_Supporting"]).unwrap_err(),
            ClassifyError::Duplicate(Criterion::PM2)
        );
        let forged = Applied {
            criterion: Criterion::PM2,
            strength: Strength::VeryStrong,
        };
        assert!(
            matches!(classify(&[forged]), Err(ClassifyError::Strength(e)) if e.kind() == StrengthErrorKind::NotAllowed)
        );
    }
}
