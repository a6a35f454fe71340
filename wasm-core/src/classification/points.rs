//! The ClinGen SVI points scheme (Tavtigian et al. 2020, "Fitting a naturally scaled point
//! system to the ACMG/AMP variant classification guidelines", Hum Mutat 41:1734).
//!
//! Each applied criterion counts by its strength — supporting 1, moderate 2, strong 4, very
//! strong 8 — positive when pathogenic, negative when benign; the total decides the class:
//! ≥ 10 pathogenic, 6 to 9 likely pathogenic, 0 to 5 uncertain, −1 to −6 likely benign, ≤ −7
//! benign. BA1 stays stand-alone benign, outside the sum (Tavtigian et al. 2020, Table 2).
//! [`score`] gives a [`PointsOutcome`] that names what decided it.

use super::Class;
use super::criteria::{Applied, Criterion, Direction, Strength};

/// The points of one applied criterion (BA1, stand-alone, counts 0 and decides on its own).
pub fn points(a: Applied) -> i32 {
    let magnitude = match a.strength {
        Strength::Supporting => 1,
        Strength::Moderate => 2,
        Strength::Strong => 4,
        Strength::VeryStrong => 8,
        Strength::StandAlone => 0,
    };
    match a.direction() {
        Direction::Pathogenic => magnitude,
        Direction::Benign => -magnitude,
    }
}

/// What decided a points classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "by")]
pub enum PointsDecision {
    /// The total fell in the class's band (Tavtigian et al. 2020 Table 2).
    Total,
    /// BA1 is stand-alone benign whatever the total.
    StandAlone { criterion: Criterion },
}

/// The points scheme's answer: the class, the total and what decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PointsOutcome {
    pub class: Class,
    /// Sum of the criteria's points (BA1 excluded).
    pub total: i32,
    pub decided_by: PointsDecision,
}

/// The class of a points total (Tavtigian et al. 2020 Table 2).
///
/// ```
/// use wasm_core::classification::{Class, points::class_of_total};
/// assert_eq!(class_of_total(9), Class::LikelyPathogenic);
/// assert_eq!(class_of_total(-7), Class::Benign);
/// ```
pub fn class_of_total(total: i32) -> Class {
    match total {
        10.. => Class::Pathogenic,
        6..=9 => Class::LikelyPathogenic,
        0..=5 => Class::Uncertain,
        -6..=-1 => Class::LikelyBenign,
        _ => Class::Benign,
    }
}

/// Scores a set of applied criteria (each counted once; the caller refuses duplicates).
pub fn score(criteria: &[Applied]) -> PointsOutcome {
    let total = criteria.iter().map(|&a| points(a)).sum();
    match criteria.iter().find(|a| a.strength == Strength::StandAlone) {
        Some(a) => PointsOutcome {
            class: Class::Benign,
            total,
            decided_by: PointsDecision::StandAlone {
                criterion: a.criterion,
            },
        },
        None => PointsOutcome {
            class: class_of_total(total),
            total,
            decided_by: PointsDecision::Total,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classification::criteria::Criterion::*;

    fn of(names: &[&str]) -> PointsOutcome {
        let v: Vec<Applied> = names.iter().map(|n| Applied::parse(n).unwrap()).collect();
        score(&v)
    }

    #[test]
    fn strengths_are_worth_one_two_four_eight_and_benign_is_negative() {
        assert_eq!(points(PP3.applied()), 1);
        assert_eq!(points(PM1.applied()), 2);
        assert_eq!(points(PS3.applied()), 4);
        assert_eq!(points(PVS1.applied()), 8);
        assert_eq!(points(BP4.applied()), -1);
        assert_eq!(points(BP4.at(Strength::Moderate).unwrap()), -2);
        assert_eq!(points(BS1.applied()), -4);
        assert_eq!(points(PM2.at(Strength::Supporting).unwrap()), 1);
        assert_eq!(points(PVS1.at(Strength::Strong).unwrap()), 4);
    }

    /// Every band at both of its edges.
    #[test]
    fn each_band_at_its_edges() {
        let cases: [(&[&str], i32, Class); 10] = [
            (&["PVS1", "PM1"], 10, Class::Pathogenic),
            (&["PVS1", "PS1", "PM1", "PP1"], 15, Class::Pathogenic),
            (&["PVS1", "PP3"], 9, Class::LikelyPathogenic),
            (&["PS1", "PM1"], 6, Class::LikelyPathogenic),
            (&["PS1", "PP3"], 5, Class::Uncertain),
            (&[], 0, Class::Uncertain),
            (&["PS1", "BS1"], 0, Class::Uncertain),
            (&["BP4"], -1, Class::LikelyBenign),
            (&["BS1", "BP4", "BP7"], -6, Class::LikelyBenign),
            (&["BS1", "BS2"], -8, Class::Benign),
        ];
        for (names, total, class) in cases {
            let got = of(names);
            assert_eq!((got.total, got.class), (total, class), "{names:?}");
            assert_eq!(got.decided_by, PointsDecision::Total);
        }
        assert_eq!(of(&["BS1", "BP4", "BP7", "BP1"]).class, Class::Benign); // −7
        for (t, c) in [
            (10, Class::Pathogenic),
            (9, Class::LikelyPathogenic),
            (6, Class::LikelyPathogenic),
            (5, Class::Uncertain),
            (0, Class::Uncertain),
            (-1, Class::LikelyBenign),
            (-6, Class::LikelyBenign),
            (-7, Class::Benign),
            (i32::MIN, Class::Benign),
            (i32::MAX, Class::Pathogenic),
        ] {
            assert_eq!(class_of_total(t), c, "{t}");
        }
    }

    #[test]
    fn ba1_is_stand_alone_benign_whatever_the_total() {
        let got = of(&["BA1", "PVS1", "PS1"]);
        assert_eq!(got.class, Class::Benign);
        assert_eq!(got.total, 12);
        assert_eq!(
            got.decided_by,
            PointsDecision::StandAlone { criterion: BA1 }
        );
    }

    #[test]
    fn pvs1_with_pm2_supporting_is_likely_pathogenic() {
        // SVI's PM2 recommendation (2020): PVS1 + PM2_Supporting reaches likely pathogenic.
        let got = of(&["PVS1", "PM2_Supporting"]);
        assert_eq!((got.total, got.class), (9, Class::LikelyPathogenic));
    }
}
