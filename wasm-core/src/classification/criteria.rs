//! The 28 ACMG/AMP 2015 criteria, their default strengths and the strength modifiers ClinGen's
//! Sequence Variant Interpretation working group (SVI) allows.
//!
//! [`Criterion`] names a criterion (`PVS1` … `BP7`, Richards et al. 2015 Tables 3 and 4) with
//! its [`Direction`] and default [`Strength`]; [`Applied`] is a criterion at the strength a
//! person (or a pre-fill) applies it, written as ClinGen writes it (`PM2_Supporting`,
//! `PVS1_Strong`, `PP1_Strong`). [`Criterion::at`] refuses the moves SVI does not allow with a
//! [`StrengthError`]. The combining schemes ([`super::points`], [`super::rules`]) read only
//! applied strengths.

use std::fmt;

/// Pathogenic or benign evidence (Richards et al. 2015, Tables 3 and 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Pathogenic,
    Benign,
}

/// Evidence strength, weakest first. `StandAlone` is BA1's alone (Richards et al. 2015 Table 4).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    Supporting,
    Moderate,
    Strong,
    VeryStrong,
    StandAlone,
}

impl Strength {
    /// ClinGen's suffix (`PM2_Supporting`, `PS2_VeryStrong`).
    pub fn suffix(self) -> &'static str {
        match self {
            Strength::Supporting => "Supporting",
            Strength::Moderate => "Moderate",
            Strength::Strong => "Strong",
            Strength::VeryStrong => "VeryStrong",
            Strength::StandAlone => "StandAlone",
        }
    }

    fn from_suffix(s: &str) -> Option<Strength> {
        [
            Strength::Supporting,
            Strength::Moderate,
            Strength::Strong,
            Strength::VeryStrong,
            Strength::StandAlone,
        ]
        .into_iter()
        .find(|k| {
            k.suffix().eq_ignore_ascii_case(s)
                || (s.eq_ignore_ascii_case("Very Strong") && *k == Strength::VeryStrong)
        })
    }
}

macro_rules! criteria {
    ($($name:ident: $dir:ident $strength:ident $text:literal,)*) => {
        /// One ACMG/AMP 2015 criterion (Richards et al. 2015, Tables 3 and 4). Serde and
        /// [`fmt::Display`] use the paper's codes (`PVS1`, `PM2`, `BA1`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum Criterion { $($name,)* }

        impl Criterion {
            /// All 28, in the paper's order (pathogenic very strong … benign supporting).
            pub const ALL: [Criterion; 28] = [$(Criterion::$name,)*];

            /// The code (`PVS1`).
            pub fn code(self) -> &'static str {
                match self { $(Criterion::$name => stringify!($name),)* }
            }

            /// Pathogenic or benign.
            pub fn direction(self) -> Direction {
                match self { $(Criterion::$name => Direction::$dir,)* }
            }

            /// The strength the 2015 paper gives it.
            pub fn default_strength(self) -> Strength {
                match self { $(Criterion::$name => Strength::$strength,)* }
            }

            /// The paper's one-line statement of the criterion.
            pub fn description(self) -> &'static str {
                match self { $(Criterion::$name => $text,)* }
            }
        }
    };
}

criteria! {
    PVS1: Pathogenic VeryStrong "null variant in a gene where loss of function is a known mechanism of disease",
    PS1: Pathogenic Strong "same amino acid change as an established pathogenic variant",
    PS2: Pathogenic Strong "de novo, maternity and paternity confirmed, in a patient with the disease and no family history",
    PS3: Pathogenic Strong "well-established functional studies show a damaging effect",
    PS4: Pathogenic Strong "prevalence in affected individuals significantly increased over controls",
    PM1: Pathogenic Moderate "in a mutational hot spot or well-established functional domain without benign variation",
    PM2: Pathogenic Moderate "absent from controls (or at extremely low frequency if recessive) in population databases",
    PM3: Pathogenic Moderate "for recessive disorders, detected in trans with a pathogenic variant",
    PM4: Pathogenic Moderate "protein length change from in-frame indels in a non-repeat region or stop-loss",
    PM5: Pathogenic Moderate "novel missense change at a residue where a different pathogenic missense change is known",
    PM6: Pathogenic Moderate "assumed de novo, without confirmation of paternity and maternity",
    PP1: Pathogenic Supporting "cosegregation with disease in multiple affected family members",
    PP2: Pathogenic Supporting "missense in a gene with a low rate of benign missense variation where missense is a common mechanism",
    PP3: Pathogenic Supporting "multiple lines of computational evidence support a deleterious effect",
    PP4: Pathogenic Supporting "patient's phenotype or family history highly specific for a disease with a single genetic aetiology",
    PP5: Pathogenic Supporting "reputable source reports the variant as pathogenic",
    BA1: Benign StandAlone "allele frequency above 5 % in population databases",
    BS1: Benign Strong "allele frequency greater than expected for the disorder",
    BS2: Benign Strong "observed in a healthy adult with full penetrance expected at an early age",
    BS3: Benign Strong "well-established functional studies show no damaging effect",
    BS4: Benign Strong "lack of segregation in affected members of a family",
    BP1: Benign Supporting "missense in a gene where primarily truncating variants cause disease",
    BP2: Benign Supporting "observed in trans with a pathogenic variant for a dominant disorder, or in cis with a pathogenic variant",
    BP3: Benign Supporting "in-frame indel in a repetitive region without known function",
    BP4: Benign Supporting "multiple lines of computational evidence suggest no impact",
    BP5: Benign Supporting "found in a case with an alternate molecular basis for disease",
    BP6: Benign Supporting "reputable source reports the variant as benign",
    BP7: Benign Supporting "synonymous with no predicted splice impact",
}

use Strength::{Moderate, StandAlone, Strong, Supporting, VeryStrong};

impl Criterion {
    /// The strengths ClinGen SVI allows this criterion at, weakest first (its default among
    /// them).
    ///
    /// - No criterion crosses direction, and only BA1 is stand-alone; BA1 is never modified
    ///   (SVI BA1 recommendation, Ghosh et al. 2018).
    /// - PVS1 at every pathogenic strength: the PVS1 decision tree (Abou Tayoun et al. 2018).
    /// - Very strong otherwise only where SVI defines it: PS2/PM6 (SVI de novo recommendation,
    ///   v1.1, points for de novo occurrences) and PM3 (SVI PM3 recommendation, v1.0).
    /// - PM2 at supporting (SVI PM2 recommendation v1.0, 2020) or its 2015 moderate; absence
    ///   from a database is never strong evidence.
    /// - PP5 and BP6 only at supporting: SVI advises against them (Biesecker & Harrison 2018),
    ///   never a stronger use.
    /// - Other pathogenic criteria from supporting to strong (Tavtigian et al. 2018: any
    ///   criterion may move by expert judgement, e.g. PP1_Strong, PS3_Moderate, PP3_Strong after
    ///   Pejaver et al. 2022); benign ones from supporting to strong (BP4_Moderate,
    ///   BS3_Supporting); benign has no very strong level.
    pub fn allowed_strengths(self) -> &'static [Strength] {
        use Criterion::*;
        match self {
            PVS1 => &[Supporting, Moderate, Strong, VeryStrong],
            PS2 | PM6 | PM3 => &[Supporting, Moderate, Strong, VeryStrong],
            PM2 => &[Supporting, Moderate],
            PP5 | BP6 => &[Supporting],
            BA1 => &[StandAlone],
            _ => &[Supporting, Moderate, Strong],
        }
    }

    /// This criterion at its default strength.
    pub fn applied(self) -> Applied {
        Applied {
            criterion: self,
            strength: self.default_strength(),
        }
    }

    /// This criterion at `strength`, if ClinGen SVI allows the move ([`Criterion::allowed_strengths`]).
    ///
    /// ```
    /// use wasm_core::classification::{Criterion, Strength};
    /// let pm2 = Criterion::PM2.at(Strength::Supporting).unwrap();
    /// assert_eq!(pm2.to_string(), "PM2_Supporting");
    /// assert!(Criterion::BA1.at(Strength::Strong).is_err());
    /// ```
    pub fn at(self, strength: Strength) -> Result<Applied, StrengthError> {
        if self.allowed_strengths().contains(&strength) {
            return Ok(Applied {
                criterion: self,
                strength,
            });
        }
        let kind = if self == Criterion::BA1 {
            StrengthErrorKind::NotModifiable
        } else if strength == StandAlone {
            StrengthErrorKind::StandAloneIsBa1Only
        } else if self.direction() == Direction::Benign && strength == VeryStrong {
            StrengthErrorKind::NoBenignVeryStrong
        } else {
            StrengthErrorKind::NotAllowed
        };
        Err(StrengthError::Refused {
            criterion: self,
            strength,
            kind,
        })
    }
}

/// Lowercase words, as a sentence uses them (`very strong`).
impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strength::Supporting => "supporting",
            Strength::Moderate => "moderate",
            Strength::Strong => "strong",
            Strength::VeryStrong => "very strong",
            Strength::StandAlone => "stand-alone",
        })
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Criterion {
    type Err = StrengthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Criterion::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| StrengthError::UnknownName(s.trim().to_string()))
    }
}

/// A criterion applied at a strength: `PVS1`, `PM2_Supporting`, `PP1_Strong`. Build it with
/// [`Criterion::at`] (or [`Applied::parse`]) so the move is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Applied {
    pub criterion: Criterion,
    pub strength: Strength,
}

impl Applied {
    /// Pathogenic or benign (the criterion's).
    pub fn direction(self) -> Direction {
        self.criterion.direction()
    }

    /// Whether it is applied at a strength other than the paper's.
    pub fn is_modified(self) -> bool {
        self.strength != self.criterion.default_strength()
    }

    /// Parses ClinGen's notation: `PVS1`, `PM2_Supporting`, `PS2_VeryStrong` (also
    /// `PS2_Very Strong`, `pm2_supporting`), checking the move.
    ///
    /// ```
    /// use wasm_core::classification::{Applied, Criterion, Strength};
    /// let a = Applied::parse("PP1_Strong").unwrap();
    /// assert_eq!((a.criterion, a.strength), (Criterion::PP1, Strength::Strong));
    /// ```
    pub fn parse(s: &str) -> Result<Applied, StrengthError> {
        let s = s.trim();
        let (code, suffix) = match s.split_once('_') {
            Some((c, x)) => (c, Some(x)),
            None => (s, None),
        };
        let criterion: Criterion = code.parse()?;
        let strength = match suffix {
            None => criterion.default_strength(),
            Some(x) => {
                Strength::from_suffix(x).ok_or_else(|| StrengthError::UnknownName(s.to_string()))?
            }
        };
        criterion.at(strength)
    }

    /// Whether ClinGen SVI allows it (a deserialised value was not checked by [`Criterion::at`]).
    pub fn check(self) -> Result<Applied, StrengthError> {
        self.criterion.at(self.strength)
    }
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_modified() {
            write!(f, "{}_{}", self.criterion, self.strength.suffix())
        } else {
            write!(f, "{}", self.criterion)
        }
    }
}

/// Why a criterion cannot be applied at a strength (or a name is not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrengthErrorKind {
    /// Not a criterion code or a strength suffix.
    UnknownName,
    /// BA1 is stand-alone and never modified (SVI, Ghosh et al. 2018).
    NotModifiable,
    /// Only BA1 is stand-alone.
    StandAloneIsBa1Only,
    /// Benign evidence has no very strong level (Richards et al. 2015 Table 4).
    NoBenignVeryStrong,
    /// A move SVI does not define for this criterion (e.g. PM2_Strong, PS1_VeryStrong, PP5_Moderate).
    NotAllowed,
}

/// A refused strength modifier or an unknown name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrengthError {
    /// Not `PVS1` … `BP7`, optionally with `_Supporting` … `_VeryStrong`.
    #[error("not a criterion: {0:?}")]
    UnknownName(String),
    /// A move ClinGen SVI does not allow ([`Criterion::allowed_strengths`]).
    #[error("{criterion} cannot be applied at {strength}")]
    Refused {
        criterion: Criterion,
        strength: Strength,
        kind: StrengthErrorKind,
    },
}

impl StrengthError {
    pub fn kind(&self) -> StrengthErrorKind {
        match self {
            StrengthError::UnknownName(_) => StrengthErrorKind::UnknownName,
            StrengthError::Refused { kind, .. } => *kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_eight_criteria_with_the_papers_directions_and_strengths() {
        let count = |d: Direction, s: Strength| {
            Criterion::ALL
                .iter()
                .filter(|c| c.direction() == d && c.default_strength() == s)
                .count()
        };
        // Richards et al. 2015: 1 PVS, 4 PS, 6 PM, 5 PP; 1 BA, 4 BS, 7 BP.
        assert_eq!(count(Direction::Pathogenic, VeryStrong), 1);
        assert_eq!(count(Direction::Pathogenic, Strong), 4);
        assert_eq!(count(Direction::Pathogenic, Moderate), 6);
        assert_eq!(count(Direction::Pathogenic, Supporting), 5);
        assert_eq!(count(Direction::Benign, StandAlone), 1);
        assert_eq!(count(Direction::Benign, Strong), 4);
        assert_eq!(count(Direction::Benign, Supporting), 7);
        for c in Criterion::ALL {
            assert!(c.allowed_strengths().contains(&c.default_strength()), "{c}");
            assert_eq!(c.code().parse::<Criterion>().unwrap(), c);
            assert_eq!(Applied::parse(c.code()).unwrap(), c.applied());
        }
    }

    #[test]
    fn modifiers_svi_allows() {
        for name in [
            "PM2_Supporting",
            "PVS1_Strong",
            "PVS1_Moderate",
            "PVS1_Supporting",
            "PP1_Strong",
            "PP1_Moderate",
            "PS2_VeryStrong",
            "PM6_VeryStrong",
            "PM3_VeryStrong",
            "PS3_Moderate",
            "PP3_Strong",
            "BP4_Moderate",
            "BS3_Supporting",
        ] {
            let a = Applied::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(a.is_modified());
            assert_eq!(a.to_string(), name);
        }
        assert_eq!(
            Applied::parse("ps2_very strong").unwrap(),
            Criterion::PS2.at(VeryStrong).unwrap()
        );
        // The default strength prints without a suffix.
        assert_eq!(Criterion::PM2.at(Moderate).unwrap().to_string(), "PM2");
    }

    #[test]
    fn modifiers_svi_refuses_by_kind() {
        let kind = |s: &str| Applied::parse(s).unwrap_err().kind();
        assert_eq!(kind("BA1_Strong"), StrengthErrorKind::NotModifiable);
        assert_eq!(kind("BA1_Supporting"), StrengthErrorKind::NotModifiable);
        assert_eq!(
            kind("BS1_StandAlone"),
            StrengthErrorKind::StandAloneIsBa1Only
        );
        assert_eq!(
            kind("PVS1_StandAlone"),
            StrengthErrorKind::StandAloneIsBa1Only
        );
        assert_eq!(
            kind("BS1_VeryStrong"),
            StrengthErrorKind::NoBenignVeryStrong
        );
        assert_eq!(kind("PM2_Strong"), StrengthErrorKind::NotAllowed);
        assert_eq!(kind("PM2_VeryStrong"), StrengthErrorKind::NotAllowed);
        assert_eq!(kind("PS1_VeryStrong"), StrengthErrorKind::NotAllowed);
        assert_eq!(kind("PP1_VeryStrong"), StrengthErrorKind::NotAllowed);
        assert_eq!(kind("PP5_Moderate"), StrengthErrorKind::NotAllowed);
        assert_eq!(kind("BP6_Strong"), StrengthErrorKind::NotAllowed);
        assert_eq!(kind("PX9"), StrengthErrorKind::UnknownName);
        assert_eq!(kind("PM2_Huge"), StrengthErrorKind::UnknownName);
        assert_eq!(kind(""), StrengthErrorKind::UnknownName);
        // A deserialised value is checked on request.
        let forged = Applied {
            criterion: Criterion::BA1,
            strength: Supporting,
        };
        assert_eq!(
            forged.check().unwrap_err().kind(),
            StrengthErrorKind::NotModifiable
        );
    }
}
