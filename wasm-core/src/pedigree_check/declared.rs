//! What the PED claims, as the pedigree check needs it: from a [`Pedigree`] (the one PED
//! reader, `crate::pedigree`, or samples given roles in the app), each individual's family,
//! parents and sex *as written* ([`Individual::written_sex`]: a parent of unknown sex is not
//! taken as the sex of their role here, since the check compares the PED's sex with the
//! genotypes'), and from those the relation and the expected relatedness of any two of them
//! ([`Declared::relation`]).
//!
//! Expected relatedness is twice the kinship coefficient, computed over the whole pedigree
//! (parent–child and full siblings 0.5, half siblings, grandparents and avuncular pairs 0.25,
//! first cousins 0.125, more in consanguineous families); individuals of different families
//! are unrelated (CLINICAL.md §1, §4). Families are the pedigree's ([`Pedigree::families`]:
//! PED column 1, joined where parent links cross it).

use std::collections::HashMap;

use crate::pedigree::{Individual, Pedigree};

/// Sex as a PED declares it or as the check predicts it: the pedigree's one [`Sex`] type.
pub use crate::pedigree::Sex;

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
    /// Individual id → index, for those with a PED line of their own.
    by_id: HashMap<String, usize>,
    /// Generation depth (founders 0); `None` for individuals on a cycle.
    depth: Vec<Option<u32>>,
}

#[derive(Debug, Clone)]
struct Person {
    /// Index of the family in [`Pedigree::families`].
    family: usize,
    id: String,
    /// As written ([`Individual::written_sex`]).
    sex: Sex,
    father: Option<usize>,
    mother: Option<usize>,
    /// Has a PED line of its own (not only named as someone's parent).
    listed: bool,
}

impl Declared {
    /// What `pedigree` claims. A parent named without a line of their own is a founder of
    /// unknown sex, not a PED member ([`Declared::contains`] is false for them).
    ///
    /// ```
    /// use wasm_core::pedigree::Pedigree;
    /// use wasm_core::pedigree_check::{Declared, DeclaredRelation, Sex};
    /// let ped = Pedigree::parse(b"f kid dad mom 1 2\nf dad 0 0 0 1\nf mom 0 0 2 1\n").unwrap();
    /// let d = Declared::from_pedigree(&ped);
    /// assert_eq!(d.relation("kid", "dad"), (DeclaredRelation::ParentChild, Some(0.5)));
    /// // The father's sex as written (0), not the one his role implies.
    /// assert_eq!(d.sex("dad"), Some(Sex::Unknown));
    /// ```
    pub fn from_pedigree(pedigree: &Pedigree) -> Self {
        let individuals = pedigree.individuals();
        let mut family = vec![0; individuals.len()];
        for (f, fam) in pedigree.families().iter().enumerate() {
            for &m in &fam.members {
                if let Some(slot) = family.get_mut(m) {
                    *slot = f;
                }
            }
        }
        let people: Vec<Person> = individuals
            .iter()
            .zip(family)
            .map(|(i, family): (&Individual, usize)| Person {
                family,
                id: i.id.clone(),
                sex: i.written_sex,
                father: i.father,
                mother: i.mother,
                listed: !i.implied,
            })
            .collect();
        Self::from_people(people)
    }

    fn from_people(people: Vec<Person>) -> Self {
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (k, p) in people.iter().enumerate() {
            if p.listed {
                by_id.entry(p.id.clone()).or_insert(k);
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

    fn ind(family: &str, id: &str, father: &str, mother: &str, sex: &str) -> String {
        format!("{family}\t{id}\t{father}\t{mother}\t{sex}\t1\n")
    }

    /// Reads PED lines through the pedigree's reader.
    fn declared(lines: &[String]) -> Declared {
        Declared::from_pedigree(&Pedigree::parse(lines.concat().as_bytes()).unwrap())
    }

    /// Three generations: grandparents GF×GM → DAD and AUNT; DAD×MOM → KID, SIB;
    /// DAD×OTHER → HALF; AUNT×UNCLE_IN_LAW → COUSIN.
    fn family() -> Declared {
        declared(&[
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
        let d = declared(&[
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
        // The PED reader refuses a cycle (an error naming the line); a pedigree built some
        // other way must still not loop here.
        let person = |id: &str, father: Option<usize>| Person {
            family: 0,
            id: id.into(),
            sex: Sex::Male,
            father,
            mother: None,
            listed: true,
        };
        let d = Declared::from_people(vec![
            person("A", Some(1)),
            person("B", Some(0)),
            person("C", None),
        ]);
        assert!(d.has_cycle());
        assert_eq!(d.relation("A", "B"), (DeclaredRelation::Unknown, None));
        assert_eq!(d.relation("C", "A"), (DeclaredRelation::Unknown, None));
        let ok = family();
        assert!(!ok.has_cycle());
    }

    #[test]
    fn sex_is_the_one_written_and_parent_links_cross_family_ids() {
        // A father of sex 0: the modes take him as male, the check as written.
        let d = declared(&[
            ind("f", "KID", "DAD", "MOM", "2"),
            ind("f", "DAD", "0", "0", "0"),
            ind("f", "MOM", "0", "0", "2"),
        ]);
        assert_eq!(d.sex("DAD"), Some(Sex::Unknown));
        assert_eq!(d.sex("MOM"), Some(Sex::Female));
        // bcftools' test PEDs give each person a family of their own: the parent links join
        // them, so the trio is still parent and child.
        let d = declared(&[
            ind("K", "K", "D", "M", "1"),
            ind("D", "D", "0", "0", "1"),
            ind("M", "M", "0", "0", "2"),
        ]);
        assert_eq!(
            d.relation("K", "D"),
            (DeclaredRelation::ParentChild, Some(0.5))
        );
        assert_eq!(
            d.relation("D", "M"),
            (DeclaredRelation::Unrelated, Some(0.0))
        );
    }
}
