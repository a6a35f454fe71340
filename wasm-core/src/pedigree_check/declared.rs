//! What the PED claims, as the pedigree check needs it: each individual's family, parents and
//! sex ([`DeclaredIndividual`]), and from those the relation and the expected relatedness of
//! any two of them ([`Declared::relation`]).
//!
//! This is the check's own small input, so that it does not depend on how the PED was read:
//! the app and the CLI fill it from the pedigree (`crate::pedigree`) or from a table the user
//! built. Expected relatedness is twice the kinship coefficient, computed over the whole
//! pedigree (parent–child and full siblings 0.5, half siblings, grandparents and avuncular
//! pairs 0.25, first cousins 0.125, more in consanguineous families); individuals of different
//! families are unrelated (CLINICAL.md §1, §4).

use std::collections::HashMap;

/// Sex as a PED declares it (column 5: `1` male, `2` female, anything else unknown) or as the
/// check predicts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    /// PED column 5 (CLINICAL.md §1).
    pub fn from_ped(code: &str) -> Sex {
        match code.trim() {
            "1" => Sex::Male,
            "2" => Sex::Female,
            _ => Sex::Unknown,
        }
    }
}

impl std::fmt::Display for Sex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Unknown => "unknown",
        })
    }
}

/// One PED line, as the check reads it. Parents are individual ids of the same family (`None`
/// for `0`); a parent named but without a line of its own is taken as a founder.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeclaredIndividual {
    pub family: String,
    pub id: String,
    pub father: Option<String>,
    pub mother: Option<String>,
    pub sex: Sex,
}

/// The relation of two individuals according to the PED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeclaredRelation {
    ParentChild,
    FullSiblings,
    HalfSiblings,
    GrandparentGrandchild,
    /// Aunt or uncle and niece or nephew.
    Avuncular,
    FirstCousins,
    /// Related some other way (kinship above zero).
    OtherRelatives,
    /// Different families, or no common ancestor in the PED (spouses, founders).
    Unrelated,
    /// At least one of the two is not in the PED: analysed as unrelated (CLINICAL.md §1).
    NotInPedigree,
    /// The PED's links cannot be followed (a cycle): no expectation.
    Unknown,
}

impl DeclaredRelation {
    pub fn label(self) -> &'static str {
        match self {
            Self::ParentChild => "parent-child",
            Self::FullSiblings => "full siblings",
            Self::HalfSiblings => "half siblings",
            Self::GrandparentGrandchild => "grandparent-grandchild",
            Self::Avuncular => "aunt/uncle-niece/nephew",
            Self::FirstCousins => "first cousins",
            Self::OtherRelatives => "relatives",
            Self::Unrelated => "unrelated",
            Self::NotInPedigree => "not in the PED",
            Self::Unknown => "unknown",
        }
    }
}

/// A pedigree ready for the check: individuals by id, with parents resolved to indices.
#[derive(Debug, Clone)]
pub struct Declared {
    people: Vec<Person>,
    /// Individual id → index; an id that appears in two families keeps its first line (the
    /// PED reader reports such a file as an error).
    by_id: HashMap<String, usize>,
    /// Generation depth (founders 0); `None` for individuals on a cycle.
    depth: Vec<Option<u32>>,
}

#[derive(Debug, Clone)]
struct Person {
    family: String,
    id: String,
    sex: Sex,
    father: Option<usize>,
    mother: Option<usize>,
    /// Has a PED line of its own (not only named as someone's parent).
    listed: bool,
}

impl Declared {
    pub fn new(individuals: &[DeclaredIndividual]) -> Self {
        let mut people: Vec<Person> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        // Parents are looked up within the family: (family, id) → index.
        let mut by_family: HashMap<(String, String), usize> = HashMap::new();
        for ind in individuals {
            let key = (ind.family.clone(), ind.id.clone());
            if by_family.contains_key(&key) {
                continue;
            }
            by_family.insert(key, people.len());
            by_id.entry(ind.id.clone()).or_insert(people.len());
            people.push(Person {
                family: ind.family.clone(),
                id: ind.id.clone(),
                sex: ind.sex,
                father: None,
                mother: None,
                listed: true,
            });
        }
        for ind in individuals {
            let Some(&me) = by_family.get(&(ind.family.clone(), ind.id.clone())) else {
                continue;
            };
            let mut link = |parent: &Option<String>| -> Option<usize> {
                let name = parent.as_ref()?;
                let key = (ind.family.clone(), name.clone());
                Some(*by_family.entry(key).or_insert_with(|| {
                    people.push(Person {
                        family: ind.family.clone(),
                        id: name.clone(),
                        sex: Sex::Unknown,
                        father: None,
                        mother: None,
                        listed: false,
                    });
                    people.len() - 1
                }))
            };
            let (father, mother) = (link(&ind.father), link(&ind.mother));
            if people[me].father.is_none() && people[me].mother.is_none() {
                people[me].father = father.filter(|&f| f != me);
                people[me].mother = mother.filter(|&m| m != me);
            }
        }
        let depth = depths(&people);
        Self {
            people,
            by_id,
            depth,
        }
    }

    /// Whether `id` has a line in the PED.
    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The ids with a PED line, in PED order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.people
            .iter()
            .filter(|p| p.listed)
            .map(|p| p.id.as_str())
    }

    /// The declared sex of `id` (`None` when it is not in the PED).
    pub fn sex(&self, id: &str) -> Option<Sex> {
        self.by_id.get(id).map(|&i| self.people[i].sex)
    }

    /// Whether the PED's parent links loop (someone is their own ancestor).
    pub fn has_cycle(&self) -> bool {
        self.depth.iter().any(Option::is_none)
    }

    /// The relation of `a` and `b` and the relatedness it implies (twice the kinship
    /// coefficient); `None` as relatedness when there is no expectation (not in the PED, or
    /// a cycle in the PED).
    pub fn relation(&self, a: &str, b: &str) -> (DeclaredRelation, Option<f64>) {
        let (Some(&x), Some(&y)) = (self.by_id.get(a), self.by_id.get(b)) else {
            return (DeclaredRelation::NotInPedigree, None);
        };
        if self.people[x].family != self.people[y].family {
            return (DeclaredRelation::Unrelated, Some(0.0));
        }
        if self.depth[x].is_none() || self.depth[y].is_none() {
            return (DeclaredRelation::Unknown, None);
        }
        let mut memo = HashMap::new();
        let r = 2.0 * self.kinship(x, y, &mut memo);
        (self.classify(x, y, r), Some(r))
    }

    fn parents(&self, i: usize) -> [Option<usize>; 2] {
        [self.people[i].father, self.people[i].mother]
    }

    /// The kinship coefficient φ(a, b): the probability that an allele drawn at random from
    /// each is identical by descent. φ(a, a) = (1 + F_a) / 2 with F_a = φ(father, mother);
    /// otherwise recurse on the parents of the one further from the founders (who cannot be
    /// the other's ancestor): φ(a, b) = (φ(father_a, b) + φ(mother_a, b)) / 2, an unknown
    /// parent contributing 0.
    fn kinship(&self, a: usize, b: usize, memo: &mut HashMap<(usize, usize), f64>) -> f64 {
        let key = (a.min(b), a.max(b));
        if let Some(&v) = memo.get(&key) {
            return v;
        }
        let v = if a == b {
            let inbreeding = match self.parents(a) {
                [Some(f), Some(m)] => self.kinship(f, m, memo),
                _ => 0.0,
            };
            (1.0 + inbreeding) / 2.0
        } else {
            let (young, old) = if self.depth[a] >= self.depth[b] {
                (a, b)
            } else {
                (b, a)
            };
            // A fold from +0.0 (an empty float sum is −0.0, which would print as such).
            self.parents(young)
                .iter()
                .flatten()
                .fold(0.0, |sum, &p| sum + self.kinship(p, old, memo))
                / 2.0
        };
        memo.insert(key, v);
        v
    }

    fn classify(&self, a: usize, b: usize, relatedness: f64) -> DeclaredRelation {
        let [fa, ma] = self.parents(a);
        let [fb, mb] = self.parents(b);
        let parents_a = self.parents(a);
        let parents_b = self.parents(b);
        if parents_a.contains(&Some(b)) || parents_b.contains(&Some(a)) {
            return DeclaredRelation::ParentChild;
        }
        let same = |x: Option<usize>, y: Option<usize>| x.is_some() && x == y;
        if same(fa, fb) && same(ma, mb) {
            return DeclaredRelation::FullSiblings;
        }
        if same(fa, fb) || same(ma, mb) {
            return DeclaredRelation::HalfSiblings;
        }
        let grandparents = |i: usize| -> Vec<usize> {
            self.parents(i)
                .iter()
                .flatten()
                .flat_map(|&p| self.parents(p).into_iter().flatten())
                .collect()
        };
        if grandparents(a).contains(&b) || grandparents(b).contains(&a) {
            return DeclaredRelation::GrandparentGrandchild;
        }
        // Avuncular: one is a full sibling of the other's parent.
        let full_sibs = |x: usize, y: usize| {
            let ([fx, mx], [fy, my]) = (self.parents(x), self.parents(y));
            x != y && same(fx, fy) && same(mx, my)
        };
        let parent_sib = |child: usize, other: usize| {
            self.parents(child)
                .iter()
                .flatten()
                .any(|&p| full_sibs(p, other))
        };
        if parent_sib(a, b) || parent_sib(b, a) {
            return DeclaredRelation::Avuncular;
        }
        let cousins = parents_a
            .iter()
            .flatten()
            .any(|&p| parents_b.iter().flatten().any(|&q| full_sibs(p, q)));
        if cousins {
            return DeclaredRelation::FirstCousins;
        }
        if relatedness > 0.0 {
            DeclaredRelation::OtherRelatives
        } else {
            DeclaredRelation::Unrelated
        }
    }
}

/// Generation depth of each person (founders 0, else one more than the deeper parent);
/// `None` for everyone on or below a parent cycle.
fn depths(people: &[Person]) -> Vec<Option<u32>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done(Option<u32>),
    }
    let mut state = vec![State::New; people.len()];
    for start in 0..people.len() {
        // Iterative depth-first walk up the parent links (no recursion: a deep pedigree
        // must not overflow the stack).
        let mut stack = vec![start];
        while let Some(&i) = stack.last() {
            match state[i] {
                State::Done(_) => {
                    stack.pop();
                }
                State::New => {
                    state[i] = State::Open;
                    for p in [people[i].father, people[i].mother].into_iter().flatten() {
                        match state[p] {
                            State::New => stack.push(p),
                            // A parent still open is on the current path: a cycle.
                            State::Open => state[i] = State::Done(None),
                            State::Done(_) => {}
                        }
                    }
                }
                State::Open => {
                    stack.pop();
                    let mut depth = Some(0);
                    for p in [people[i].father, people[i].mother].into_iter().flatten() {
                        depth = match (depth, state[p]) {
                            (Some(d), State::Done(Some(pd))) => Some(d.max(pd + 1)),
                            _ => None,
                        };
                    }
                    state[i] = State::Done(depth);
                }
            }
        }
    }
    state
        .into_iter()
        .map(|s| match s {
            State::Done(d) => d,
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(family: &str, id: &str, father: &str, mother: &str, sex: &str) -> DeclaredIndividual {
        let parent = |p: &str| (p != "0").then(|| p.to_string());
        DeclaredIndividual {
            family: family.into(),
            id: id.into(),
            father: parent(father),
            mother: parent(mother),
            sex: Sex::from_ped(sex),
        }
    }

    /// Three generations: grandparents GF×GM → DAD and AUNT; DAD×MOM → KID, SIB;
    /// DAD×OTHER → HALF; AUNT×UNCLE_IN_LAW → COUSIN.
    fn family() -> Declared {
        Declared::new(&[
            ind("f", "GF", "0", "0", "1"),
            ind("f", "GM", "0", "0", "2"),
            ind("f", "DAD", "GF", "GM", "1"),
            ind("f", "AUNT", "GF", "GM", "2"),
            ind("f", "MOM", "0", "0", "2"),
            ind("f", "KID", "DAD", "MOM", "2"),
            ind("f", "SIB", "DAD", "MOM", "1"),
            ind("f", "HALF", "DAD", "OTHER", "1"),
            ind("f", "UIL", "0", "0", "1"),
            ind("f", "COUSIN", "UIL", "AUNT", "2"),
            ind("g", "STRANGER", "0", "0", "0"),
        ])
    }

    #[test]
    fn relations_and_expected_relatedness() {
        let d = family();
        for (a, b, relation, expected) in [
            ("KID", "DAD", DeclaredRelation::ParentChild, 0.5),
            ("MOM", "KID", DeclaredRelation::ParentChild, 0.5),
            ("KID", "SIB", DeclaredRelation::FullSiblings, 0.5),
            ("KID", "HALF", DeclaredRelation::HalfSiblings, 0.25),
            ("KID", "GF", DeclaredRelation::GrandparentGrandchild, 0.25),
            ("AUNT", "KID", DeclaredRelation::Avuncular, 0.25),
            ("KID", "COUSIN", DeclaredRelation::FirstCousins, 0.125),
            ("DAD", "MOM", DeclaredRelation::Unrelated, 0.0),
            ("GF", "GM", DeclaredRelation::Unrelated, 0.0),
            ("KID", "STRANGER", DeclaredRelation::Unrelated, 0.0),
            ("MOM", "COUSIN", DeclaredRelation::Unrelated, 0.0),
        ] {
            let (r, e) = d.relation(a, b);
            assert_eq!(r, relation, "{a}-{b}");
            assert_eq!(e, Some(expected), "{a}-{b}");
            assert_eq!(d.relation(b, a), (r, e), "symmetric {a}-{b}");
        }
        assert_eq!(
            d.relation("KID", "NOBODY"),
            (DeclaredRelation::NotInPedigree, None)
        );
        // A parent named without a line of its own is a founder, not a PED member.
        assert!(!d.contains("OTHER"));
        assert_eq!(d.sex("KID"), Some(Sex::Female));
        assert_eq!(d.sex("STRANGER"), Some(Sex::Unknown));
        assert_eq!(d.ids().count(), 11);
    }

    #[test]
    fn consanguinity_raises_expected_relatedness() {
        // Double first cousins' child: parents are first cousins (φ = 1/16), so F = 1/16 and
        // parent–child relatedness is 2 × (1/4 + 1/32) = 0.5625.
        let d = Declared::new(&[
            ind("f", "A", "0", "0", "1"),
            ind("f", "B", "0", "0", "2"),
            ind("f", "S1", "A", "B", "1"),
            ind("f", "S2", "A", "B", "2"),
            ind("f", "P1", "0", "0", "2"),
            ind("f", "P2", "0", "0", "1"),
            ind("f", "C1", "S1", "P1", "1"),
            ind("f", "C2", "P2", "S2", "2"),
            ind("f", "KID", "C1", "C2", "1"),
        ]);
        assert_eq!(d.relation("C1", "C2").1, Some(0.125));
        assert_eq!(d.relation("KID", "C1").1, Some(0.5625));
    }

    #[test]
    fn a_cycle_gives_no_expectation_and_no_endless_loop() {
        let d = Declared::new(&[
            ind("f", "A", "B", "0", "1"),
            ind("f", "B", "A", "0", "1"),
            ind("f", "C", "0", "0", "2"),
        ]);
        assert!(d.has_cycle());
        assert_eq!(d.relation("A", "B"), (DeclaredRelation::Unknown, None));
        assert_eq!(d.relation("C", "A"), (DeclaredRelation::Unknown, None));
        let ok = family();
        assert!(!ok.has_cycle());
    }
}
