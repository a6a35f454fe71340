//! The combining rules of Richards et al. 2015 (Genet Med 17:405, Table 5), which the points
//! scheme replaces; kept so a classification can say where the two disagree.
//!
//! Counts are by applied strength (a criterion with a ClinGen modifier counts at its new
//! strength). One decision the table leaves open, made here: a second very strong criterion
//! (PVS1 with PS2_VeryStrong) counts as a strong one, so it completes rule P(i)(a). When both a
//! pathogenic and a benign class are reached the result is uncertain by rule U(ii) (contradictory
//! evidence), BA1 included. [`combine`] gives a [`RulesOutcome`] naming the [`Rule`] that decided.

use super::Class;
use super::criteria::{Applied, Direction, Strength};

/// A row of Table 5, named as the paper numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// P (i)(a): 1 very strong and ≥ 1 strong.
    PathogenicIa,
    /// P (i)(b): 1 very strong and ≥ 2 moderate.
    PathogenicIb,
    /// P (i)(c): 1 very strong, 1 moderate and 1 supporting.
    PathogenicIc,
    /// P (i)(d): 1 very strong and ≥ 2 supporting.
    PathogenicId,
    /// P (ii): ≥ 2 strong.
    PathogenicIi,
    /// P (iii)(a): 1 strong and ≥ 3 moderate.
    PathogenicIiia,
    /// P (iii)(b): 1 strong, 2 moderate and ≥ 2 supporting.
    PathogenicIiib,
    /// P (iii)(c): 1 strong, 1 moderate and ≥ 4 supporting.
    PathogenicIiic,
    /// LP (i): 1 very strong and 1 moderate.
    LikelyPathogenicI,
    /// LP (ii): 1 strong and 1–2 moderate.
    LikelyPathogenicIi,
    /// LP (iii): 1 strong and ≥ 2 supporting.
    LikelyPathogenicIii,
    /// LP (iv): ≥ 3 moderate.
    LikelyPathogenicIv,
    /// LP (v): 2 moderate and ≥ 2 supporting.
    LikelyPathogenicV,
    /// LP (vi): 1 moderate and ≥ 4 supporting.
    LikelyPathogenicVi,
    /// B (i): 1 stand-alone (BA1).
    BenignI,
    /// B (ii): ≥ 2 strong (BS1–BS4).
    BenignIi,
    /// LB (i): 1 strong and 1 supporting.
    LikelyBenignI,
    /// LB (ii): ≥ 2 supporting.
    LikelyBenignIi,
    /// U (i): no rule above is met.
    UncertainNotMet,
    /// U (ii): benign and pathogenic rules are both met (contradictory).
    UncertainConflicting,
}

impl Rule {
    /// The paper's label (`P (i)(a)`, `LP (iv)`, `U (ii)`).
    pub fn label(self) -> &'static str {
        match self {
            Rule::PathogenicIa => "P (i)(a)",
            Rule::PathogenicIb => "P (i)(b)",
            Rule::PathogenicIc => "P (i)(c)",
            Rule::PathogenicId => "P (i)(d)",
            Rule::PathogenicIi => "P (ii)",
            Rule::PathogenicIiia => "P (iii)(a)",
            Rule::PathogenicIiib => "P (iii)(b)",
            Rule::PathogenicIiic => "P (iii)(c)",
            Rule::LikelyPathogenicI => "LP (i)",
            Rule::LikelyPathogenicIi => "LP (ii)",
            Rule::LikelyPathogenicIii => "LP (iii)",
            Rule::LikelyPathogenicIv => "LP (iv)",
            Rule::LikelyPathogenicV => "LP (v)",
            Rule::LikelyPathogenicVi => "LP (vi)",
            Rule::BenignI => "B (i)",
            Rule::BenignIi => "B (ii)",
            Rule::LikelyBenignI => "LB (i)",
            Rule::LikelyBenignIi => "LB (ii)",
            Rule::UncertainNotMet => "U (i)",
            Rule::UncertainConflicting => "U (ii)",
        }
    }
}

/// The 2015 rules' answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RulesOutcome {
    pub class: Class,
    /// The rule that decided (for U (ii): the conflict itself).
    pub rule: Rule,
    /// For U (ii), the pathogenic and the benign rule that were both met.
    pub conflict: Option<(Rule, Rule)>,
}

#[derive(Default)]
struct Counts {
    very_strong: u32,
    strong: u32,
    moderate: u32,
    supporting: u32,
    stand_alone: u32,
}

fn counts(criteria: &[Applied], direction: Direction) -> Counts {
    let mut c = Counts::default();
    for a in criteria.iter().filter(|a| a.direction() == direction) {
        match a.strength {
            Strength::VeryStrong => c.very_strong += 1,
            Strength::Strong => c.strong += 1,
            Strength::Moderate => c.moderate += 1,
            Strength::Supporting => c.supporting += 1,
            Strength::StandAlone => c.stand_alone += 1,
        }
    }
    c
}

/// The first pathogenic or likely pathogenic rule met, in the table's order.
fn pathogenic(c: &Counts) -> Option<(Class, Rule)> {
    // A second very strong fills a strong slot (module docs).
    let vs = c.very_strong.min(1);
    let s = c.strong + c.very_strong.saturating_sub(1);
    let (m, p) = (c.moderate, c.supporting);
    let rule = if vs == 1 && s >= 1 {
        Rule::PathogenicIa
    } else if vs == 1 && m >= 2 {
        Rule::PathogenicIb
    } else if vs == 1 && m == 1 && p >= 1 {
        Rule::PathogenicIc
    } else if vs == 1 && p >= 2 {
        Rule::PathogenicId
    } else if s >= 2 {
        Rule::PathogenicIi
    } else if s == 1 && m >= 3 {
        Rule::PathogenicIiia
    } else if s == 1 && m == 2 && p >= 2 {
        Rule::PathogenicIiib
    } else if s == 1 && m == 1 && p >= 4 {
        Rule::PathogenicIiic
    } else if vs == 1 && m == 1 {
        Rule::LikelyPathogenicI
    } else if s == 1 && (1..=2).contains(&m) {
        Rule::LikelyPathogenicIi
    } else if s == 1 && p >= 2 {
        Rule::LikelyPathogenicIii
    } else if m >= 3 {
        Rule::LikelyPathogenicIv
    } else if m == 2 && p >= 2 {
        Rule::LikelyPathogenicV
    } else if m == 1 && p >= 4 {
        Rule::LikelyPathogenicVi
    } else {
        return None;
    };
    let class = match rule {
        Rule::LikelyPathogenicI
        | Rule::LikelyPathogenicIi
        | Rule::LikelyPathogenicIii
        | Rule::LikelyPathogenicIv
        | Rule::LikelyPathogenicV
        | Rule::LikelyPathogenicVi => Class::LikelyPathogenic,
        _ => Class::Pathogenic,
    };
    Some((class, rule))
}

/// The first benign or likely benign rule met. Benign moderate (a ClinGen modifier the 2015
/// table has no row for) counts as supporting, the strongest level below it the table knows.
fn benign(c: &Counts) -> Option<(Class, Rule)> {
    let s = c.strong;
    let p = c.supporting + c.moderate;
    if c.stand_alone >= 1 {
        Some((Class::Benign, Rule::BenignI))
    } else if s >= 2 {
        Some((Class::Benign, Rule::BenignIi))
    } else if s == 1 && p >= 1 {
        Some((Class::LikelyBenign, Rule::LikelyBenignI))
    } else if p >= 2 {
        Some((Class::LikelyBenign, Rule::LikelyBenignIi))
    } else {
        None
    }
}

/// Combines applied criteria by Table 5 (each criterion counted once; the caller refuses
/// duplicates).
pub fn combine(criteria: &[Applied]) -> RulesOutcome {
    let p = pathogenic(&counts(criteria, Direction::Pathogenic));
    let b = benign(&counts(criteria, Direction::Benign));
    match (p, b) {
        (Some((_, pr)), Some((_, br))) => RulesOutcome {
            class: Class::Uncertain,
            rule: Rule::UncertainConflicting,
            conflict: Some((pr, br)),
        },
        (Some((class, rule)), None) | (None, Some((class, rule))) => RulesOutcome {
            class,
            rule,
            conflict: None,
        },
        (None, None) => RulesOutcome {
            class: Class::Uncertain,
            rule: Rule::UncertainNotMet,
            conflict: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(names: &[&str]) -> RulesOutcome {
        let v: Vec<Applied> = names.iter().map(|n| Applied::parse(n).unwrap()).collect();
        combine(&v)
    }

    /// Every row of Table 5 met exactly, with the class it gives.
    #[test]
    fn every_rule_of_table_5() {
        let cases: &[(&[&str], Class, Rule)] = &[
            (&["PVS1", "PS1"], Class::Pathogenic, Rule::PathogenicIa),
            (
                &["PVS1", "PM1", "PM2"],
                Class::Pathogenic,
                Rule::PathogenicIb,
            ),
            (
                &["PVS1", "PM1", "PP3"],
                Class::Pathogenic,
                Rule::PathogenicIc,
            ),
            (
                &["PVS1", "PP1", "PP3"],
                Class::Pathogenic,
                Rule::PathogenicId,
            ),
            (&["PS1", "PS3"], Class::Pathogenic, Rule::PathogenicIi),
            (
                &["PS1", "PM1", "PM2", "PM5"],
                Class::Pathogenic,
                Rule::PathogenicIiia,
            ),
            (
                &["PS1", "PM1", "PM2", "PP1", "PP3"],
                Class::Pathogenic,
                Rule::PathogenicIiib,
            ),
            (
                &["PS1", "PM1", "PP1", "PP2", "PP3", "PP4"],
                Class::Pathogenic,
                Rule::PathogenicIiic,
            ),
            (
                &["PVS1", "PM2"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicI,
            ),
            (
                &["PS1", "PM1"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicIi,
            ),
            (
                &["PS1", "PM1", "PM2"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicIi,
            ),
            (
                &["PS1", "PP1", "PP3"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicIii,
            ),
            (
                &["PM1", "PM2", "PM5"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicIv,
            ),
            (
                &["PM1", "PM2", "PP1", "PP3"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicV,
            ),
            (
                &["PM1", "PP1", "PP2", "PP3", "PP4"],
                Class::LikelyPathogenic,
                Rule::LikelyPathogenicVi,
            ),
            (&["BA1"], Class::Benign, Rule::BenignI),
            (&["BS1", "BS2"], Class::Benign, Rule::BenignIi),
            (&["BS1", "BP4"], Class::LikelyBenign, Rule::LikelyBenignI),
            (&["BP4", "BP7"], Class::LikelyBenign, Rule::LikelyBenignIi),
            (&[], Class::Uncertain, Rule::UncertainNotMet),
            (
                &["PM1", "PP3", "BP4"],
                Class::Uncertain,
                Rule::UncertainNotMet,
            ),
        ];
        for (names, class, rule) in cases {
            let got = of(names);
            assert_eq!((got.class, got.rule), (*class, *rule), "{names:?}");
        }
    }

    /// One short of each pathogenic rule falls to the next rule down, never to the same one.
    #[test]
    fn one_short_of_a_rule_does_not_meet_it() {
        assert_eq!(of(&["PVS1"]).rule, Rule::UncertainNotMet);
        assert_eq!(of(&["PVS1", "PP3"]).rule, Rule::UncertainNotMet);
        assert_eq!(of(&["PS1"]).rule, Rule::UncertainNotMet);
        assert_eq!(of(&["PS1", "PP3"]).rule, Rule::UncertainNotMet);
        assert_eq!(of(&["PM1", "PM2"]).rule, Rule::UncertainNotMet);
        assert_eq!(of(&["PM1", "PM2", "PP3"]).rule, Rule::UncertainNotMet);
        assert_eq!(
            of(&["PM1", "PP1", "PP2", "PP3"]).rule,
            Rule::UncertainNotMet
        );
        assert_eq!(
            of(&["PS1", "PM1", "PP1", "PP2", "PP3"]).rule,
            Rule::LikelyPathogenicIi
        );
        assert_eq!(of(&["BS1"]).rule, Rule::UncertainNotMet);
        assert_eq!(of(&["BP4"]).rule, Rule::UncertainNotMet);
    }

    #[test]
    fn modified_strengths_count_at_their_new_strength() {
        // PVS1_Strong + PS3 is two strong: P (ii).
        assert_eq!(of(&["PVS1_Strong", "PS3"]).rule, Rule::PathogenicIi);
        // PP1_Strong + PM1 is 1 strong + 1 moderate: LP (ii).
        assert_eq!(of(&["PP1_Strong", "PM1"]).rule, Rule::LikelyPathogenicIi);
        // PVS1 + PM2_Supporting is 1 very strong + 1 supporting: no 2015 rule.
        assert_eq!(of(&["PVS1", "PM2_Supporting"]).rule, Rule::UncertainNotMet);
        // Two very strong: the second fills the strong slot of P (i)(a).
        assert_eq!(of(&["PVS1", "PS2_VeryStrong"]).rule, Rule::PathogenicIa);
        // Benign moderate counts as supporting.
        assert_eq!(of(&["BS1", "BP4_Moderate"]).rule, Rule::LikelyBenignI);
        assert_eq!(of(&["BP4_Moderate"]).rule, Rule::UncertainNotMet);
    }

    #[test]
    fn contradictory_evidence_is_uncertain_and_names_both_rules() {
        let got = of(&["PVS1", "PS1", "BS1", "BS2"]);
        assert_eq!(got.class, Class::Uncertain);
        assert_eq!(got.rule, Rule::UncertainConflicting);
        assert_eq!(got.conflict, Some((Rule::PathogenicIa, Rule::BenignIi)));
        let got = of(&["PM1", "PM2", "PM5", "BA1"]);
        assert_eq!(
            got.conflict,
            Some((Rule::LikelyPathogenicIv, Rule::BenignI))
        );
        // Pathogenic evidence below any rule does not contradict a benign class.
        assert_eq!(of(&["PP3", "BS1", "BS2"]).rule, Rule::BenignIi);
    }

    /// Over random sets of one direction at allowed strengths: adding a criterion never moves
    /// the class away from that direction, and the points scheme never disagrees in direction.
    #[test]
    fn more_evidence_never_weakens_the_class() {
        use crate::classification::criteria::Criterion;
        use crate::classification::points;
        let rank = |c: Class| match c {
            Class::Pathogenic => 2,
            Class::LikelyPathogenic => 1,
            Class::Uncertain => 0,
            Class::LikelyBenign => -1,
            Class::Benign => -2,
        };
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for direction in [Direction::Pathogenic, Direction::Benign] {
            let pool: Vec<Criterion> = Criterion::ALL
                .into_iter()
                .filter(|c| c.direction() == direction)
                .collect();
            for _ in 0..2000 {
                let mut set: Vec<Applied> = Vec::new();
                let mut last = 0;
                for _ in 0..(next() % 8) {
                    let c = pool[(next() % pool.len() as u64) as usize];
                    if set.iter().any(|a| a.criterion == c) {
                        continue;
                    }
                    let allowed = c.allowed_strengths();
                    let s = allowed[(next() % allowed.len() as u64) as usize];
                    set.push(c.at(s).unwrap());
                    let got = combine(&set);
                    let r = rank(got.class);
                    match direction {
                        Direction::Pathogenic => assert!(r >= last && r >= 0, "{set:?}"),
                        Direction::Benign => assert!(r <= last && r <= 0, "{set:?}"),
                    }
                    last = r;
                    let p = rank(points::score(&set).class);
                    assert!(p * r >= 0, "{set:?}: points {p}, rules {r}");
                }
            }
        }
    }
}
