//! Compound heterozygotes (CLINICAL.md §2, `comp-het`): two het variants of one gene in each
//! affected member, on different copies of the gene.
//!
//! Candidate sites come from the mode's predicates ([`super::plan`]: affected het, unaffected
//! not hom-alt, parents called). Each candidate gets, per affected member, an [`Origin`] read
//! from its parents' calls — phasing by transmission: from the father only, from the mother
//! only, de novo (both parents without it, with few alternate reads), from both (unphaseable),
//! or for a duo / singleton only what one parent / no parent says. Two candidates of a gene
//! pair when, for every affected member, one came from each parent (or one inherited and one de
//! novo), and no unaffected member carries both ([`pair`]). A duo or singleton pair is
//! "possible". Genes come from the annotations that name them ([`Genes`], `super::genes`).

use std::collections::HashMap;

use crate::pedigree::{Matched, Phenotype};
use crate::store::VariantStore;

pub use super::genes::Genes;

use super::cells::{Class, Shape, class, shape, unpack_state};
use super::explain::ReasonCode;

/// Where an affected member's copy of the allele came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Father,
    Mother,
    /// Neither parent carries it.
    DeNovo,
    /// Neither parent carries it, but a parent has more alternate reads than a de novo's
    /// parent may.
    DeNovoRejected,
    /// Both parents carry it: the phase cannot be told.
    Both,
    /// Duo: the one parent in the file carries it / does not.
    FromPresent,
    NotFromPresent,
    /// No parent in the file.
    Unphased,
    /// A parent's call is missing.
    Unknown,
}

/// The origin from the parents' classes (`None`: no such parent in the file) and whether a
/// parent has too many alternate reads.
pub fn origin(father: Option<Class>, mother: Option<Class>, excess_reads: bool) -> Origin {
    match (father, mother) {
        (Some(f), Some(m)) => {
            if f == Class::Missing || m == Class::Missing {
                return Origin::Unknown;
            }
            match (f.carries(), m.carries()) {
                (true, false) => Origin::Father,
                (false, true) => Origin::Mother,
                (true, true) => Origin::Both,
                (false, false) if excess_reads => Origin::DeNovoRejected,
                (false, false) => Origin::DeNovo,
            }
        }
        (Some(p), None) | (None, Some(p)) => match p {
            Class::Missing => Origin::Unknown,
            c if c.carries() => Origin::FromPresent,
            _ => Origin::NotFromPresent,
        },
        (None, None) => Origin::Unphased,
    }
}

/// How a pair ends: best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum PairOutcome {
    Fits = 0,
    Possible = 1,
    Missing = 2,
    Fail = 3,
}

/// One candidate site as pairing sees it; it depends on calls only, never on the record, so
/// parts of one file compare theirs ([`super::PartEvidence`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Site {
    /// Per affected member ([`Family::affected`]).
    pub origins: Vec<Origin>,
    /// Per unaffected member ([`Family::unaffected`]), one bit each: carries it.
    pub carriers: Vec<u64>,
    /// … has a missing call.
    pub missing: Vec<u64>,
    /// Some candidate predicate of the site was missing (lenient).
    pub unsure: bool,
}

/// The members pairing reads.
#[derive(Debug, Clone)]
pub struct Family {
    /// (individual, sample, father's sample, mother's sample) of each affected member in the
    /// file.
    pub affected: Vec<(usize, usize, Option<usize>, Option<usize>)>,
    /// (individual, sample) of each unaffected member in the file.
    pub unaffected: Vec<(usize, usize)>,
}

impl Family {
    pub fn new(m: &Matched, family: usize) -> Family {
        let members = &m.pedigree.families()[family].members;
        let people = m.pedigree.individuals();
        let mut affected = Vec::new();
        let mut unaffected = Vec::new();
        for &i in members {
            let Some(s) = m.sample(i) else { continue };
            match people[i].phenotype {
                Phenotype::Affected => affected.push((
                    i,
                    s,
                    people[i].father.and_then(|p| m.sample(p)),
                    people[i].mother.and_then(|p| m.sample(p)),
                )),
                Phenotype::Unaffected => unaffected.push((i, s)),
                Phenotype::Unknown => {}
            }
        }
        Family {
            affected,
            unaffected,
        }
    }

    /// The samples a site reads: the affected members' parents and the unaffected members.
    pub fn samples_read(&self) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let parents = self
            .affected
            .iter()
            .flat_map(|&(_, _, f, m)| [f, m])
            .flatten();
        for s in parents.chain(self.unaffected.iter().map(|&(_, s)| s)) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// The site from each member's state byte at one unit (`state(sample)`).
    pub fn site_from_states(&self, state: impl Fn(usize) -> u8, unsure: bool) -> Site {
        let read = |s: usize| {
            let (sh, _, alt) = unpack_state(state(s));
            (class(sh, false).0, alt)
        };
        self.site(read, unsure)
    }

    /// The site from the store's calls at (record, allele), reading parents' reads through
    /// `excess(sample)`.
    pub fn site_from_calls(
        &self,
        store: &VariantStore,
        record: usize,
        allele: u32,
        excess: impl Fn(usize) -> bool,
        unsure: bool,
    ) -> Site {
        self.site(
            |s| {
                let sh: Shape = shape(store.genotype(record, s), allele);
                (class(sh, false).0, sh != Shape::Missing && excess(s))
            },
            unsure,
        )
    }

    fn site(&self, read: impl Fn(usize) -> (Class, bool), unsure: bool) -> Site {
        let origins = self
            .affected
            .iter()
            .map(|&(_, _, f, m)| {
                let (fc, fx) = f.map_or((None, false), |s| {
                    let (c, x) = read(s);
                    (Some(c), x)
                });
                let (mc, mx) = m.map_or((None, false), |s| {
                    let (c, x) = read(s);
                    (Some(c), x)
                });
                origin(fc, mc, fx || mx)
            })
            .collect();
        let words = self.unaffected.len().div_ceil(64);
        let mut carriers = vec![0u64; words];
        let mut missing = vec![0u64; words];
        for (k, &(_, s)) in self.unaffected.iter().enumerate() {
            match read(s).0 {
                Class::Missing => missing[k / 64] |= 1 << (k % 64),
                c if c.carries() => carriers[k / 64] |= 1 << (k % 64),
                _ => {}
            }
        }
        Site {
            origins,
            carriers,
            missing,
            unsure,
        }
    }
}

/// One affected member's verdict on a pair of origins, with the reason when it fails.
fn compatible(a: Origin, b: Origin) -> (PairOutcome, Option<ReasonCode>) {
    use Origin::*;
    match (a, b) {
        (Both, _) | (_, Both) => (PairOutcome::Fail, Some(ReasonCode::BothParentsCarry)),
        (DeNovoRejected, _) | (_, DeNovoRejected) => {
            (PairOutcome::Fail, Some(ReasonCode::ParentAltReads))
        }
        (Unknown, _) | (_, Unknown) => (PairOutcome::Missing, Some(ReasonCode::GenotypeMissing)),
        (Father, Mother) | (Mother, Father) => (PairOutcome::Fits, None),
        (Father | Mother, DeNovo) | (DeNovo, Father | Mother) => (PairOutcome::Fits, None),
        (DeNovo, DeNovo) => (PairOutcome::Fail, Some(ReasonCode::BothDeNovo)),
        (FromPresent, NotFromPresent) | (NotFromPresent, FromPresent) => {
            (PairOutcome::Possible, Some(ReasonCode::Unphased))
        }
        (Unphased, Unphased) => (PairOutcome::Possible, Some(ReasonCode::Unphased)),
        _ => (PairOutcome::Fail, Some(ReasonCode::SameParent)),
    }
}

/// The verdict on two candidate sites of one gene, and the failing (or doubting) reasons with
/// the index of the affected / unaffected member they concern.
pub fn pair(a: &Site, b: &Site) -> (PairOutcome, Vec<(ReasonCode, Option<usize>)>) {
    let mut outcome = PairOutcome::Fits;
    let mut why = Vec::new();
    for (k, (&x, &y)) in a.origins.iter().zip(&b.origins).enumerate() {
        let (o, r) = compatible(x, y);
        outcome = outcome.max(o);
        if let Some(r) = r {
            why.push((r, Some(k)));
        }
    }
    let mut both = None;
    let mut unsure = a.unsure || b.unsure;
    for w in 0..a.carriers.len() {
        let c = a.carriers[w] & b.carriers[w];
        if c != 0 && both.is_none() {
            both = Some(w * 64 + c.trailing_zeros() as usize);
        }
        unsure |= (a.carriers[w] | a.missing[w]) & (b.carriers[w] | b.missing[w]) != 0;
    }
    if let Some(u) = both {
        outcome = PairOutcome::Fail;
        why.push((ReasonCode::UnaffectedHasPair, Some(u)));
    } else if unsure {
        outcome = outcome.max(PairOutcome::Missing);
        why.push((ReasonCode::GenotypeMissing, None));
    }
    (outcome, why)
}

/// Whether a site can pair at all, and if not why (both parents carry it, or a parent of a
/// de novo has too many reads).
pub fn site_blocked(site: &Site) -> Option<(ReasonCode, usize)> {
    site.origins.iter().enumerate().find_map(|(k, o)| match o {
        Origin::Both => Some((ReasonCode::BothParentsCarry, k)),
        Origin::DeNovoRejected => Some((ReasonCode::ParentAltReads, k)),
        _ => None,
    })
}

/// Distinct sites, numbered: the candidates of a family share few of them (a site depends on a
/// handful of calls), so each is built, and each pair of them judged, once.
#[derive(Debug, Default)]
pub struct Sites {
    pub sites: Vec<Site>,
    index: HashMap<Site, u32>,
}

impl Sites {
    /// The number of `site`, added on first sight.
    pub fn intern(&mut self, site: Site) -> u32 {
        if let Some(&k) = self.index.get(&site) {
            return k;
        }
        let k = self.sites.len() as u32;
        self.index.insert(site.clone(), k);
        self.sites.push(site);
        k
    }
}

/// The best pair outcome of each candidate, given as (record, site number): candidates sharing
/// a gene pair, a candidate never with itself. Candidates are bucketed by gene, each gene's
/// distinct sites counted, and each pair of distinct sites judged once for the whole family.
pub fn best_outcomes(
    genes: &Genes,
    candidates: &[(usize, u32)],
    sites: &Sites,
) -> Vec<PairOutcome> {
    if sites.sites.len() <= 64 {
        best_outcomes_few(genes, candidates, sites)
    } else {
        best_outcomes_many(genes, candidates, sites)
    }
}

/// [`best_outcomes`] when the family has at most 64 distinct sites (a trio has a handful):
/// each gene's sites are a word, with a second word for the sites held twice (a site pairs
/// with itself only then), and genes with the same two words share one answer per site.
fn best_outcomes_few(
    genes: &Genes,
    candidates: &[(usize, u32)],
    sites: &Sites,
) -> Vec<PairOutcome> {
    let n_sites = sites.sites.len();
    let blocked = sites
        .sites
        .iter()
        .enumerate()
        .filter(|(_, s)| site_blocked(s).is_some())
        .fold(0u64, |w, (k, _)| w | 1 << k);
    let n_genes = genes.names().len();
    let mut seen = vec![0u64; n_genes];
    let mut twice = vec![0u64; n_genes];
    for &(record, site) in candidates {
        let bit = 1u64 << site;
        if blocked & bit != 0 {
            continue;
        }
        for &g in genes.of(record) {
            let s = &mut seen[g as usize];
            twice[g as usize] |= *s & bit;
            *s |= bit;
        }
    }
    // Pair outcomes of two sites, judged once.
    let mut pairs = vec![u8::MAX; n_sites * n_sites];
    let mut judge = |a: usize, b: usize| -> PairOutcome {
        let slot = &mut pairs[a.min(b) * n_sites + a.max(b)];
        if *slot == u8::MAX {
            *slot = pair(&sites.sites[a.min(b)], &sites.sites[a.max(b)]).0 as u8;
        }
        match *slot {
            0 => PairOutcome::Fits,
            1 => PairOutcome::Possible,
            2 => PairOutcome::Missing,
            _ => PairOutcome::Fail,
        }
    };
    let ones = |w: u64| {
        let mut rest = w;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let k = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                k
            })
        })
    };
    // Per distinct (sites, sites twice): each site's best partner outcome.
    let mut answers: Vec<[PairOutcome; 64]> = Vec::new();
    let mut answer_of: HashMap<(u64, u64), u32> = HashMap::new();
    let mut gene_answer = vec![u32::MAX; n_genes];
    for g in 0..n_genes {
        let (s, t) = (seen[g], twice[g]);
        if s.count_ones() < 2 && t == 0 {
            continue; // no site, or one site held once: nothing pairs
        }
        gene_answer[g] = *answer_of.entry((s, t)).or_insert_with(|| {
            let mut best = [PairOutcome::Fail; 64];
            for x in ones(s) {
                for y in ones(s) {
                    if x == y && t & (1 << x) == 0 {
                        continue;
                    }
                    best[x] = best[x].min(judge(x, y));
                }
            }
            answers.push(best);
            answers.len() as u32 - 1
        });
    }
    candidates
        .iter()
        .map(|&(record, site)| {
            if blocked & (1 << site) != 0 {
                return PairOutcome::Fail;
            }
            genes
                .of(record)
                .iter()
                .filter_map(|&g| answers.get(gene_answer[g as usize] as usize))
                .map(|a| a[site as usize])
                .min()
                .unwrap_or(PairOutcome::Fail)
        })
        .collect()
}

/// [`best_outcomes`] for many distinct sites (large families): candidates bucketed by gene,
/// each gene's distinct sites counted, each pair of distinct sites judged once.
fn best_outcomes_many(
    genes: &Genes,
    candidates: &[(usize, u32)],
    sites: &Sites,
) -> Vec<PairOutcome> {
    let n_sites = sites.sites.len();
    let blocked: Vec<bool> = sites
        .sites
        .iter()
        .map(|s| site_blocked(s).is_some())
        .collect();
    // Pair outcomes, memoised (a dense table while the sites are few).
    let dense = n_sites <= 1024;
    let mut table = vec![u8::MAX; if dense { n_sites * n_sites } else { 0 }];
    let mut memo: HashMap<(u32, u32), PairOutcome> = HashMap::new();
    let mut judge = |a: u32, b: u32| -> PairOutcome {
        let (lo, hi) = (a.min(b), a.max(b));
        if dense {
            let slot = &mut table[lo as usize * n_sites + hi as usize];
            if *slot == u8::MAX {
                *slot = pair(&sites.sites[lo as usize], &sites.sites[hi as usize]).0 as u8;
            }
            match *slot {
                0 => PairOutcome::Fits,
                1 => PairOutcome::Possible,
                2 => PairOutcome::Missing,
                _ => PairOutcome::Fail,
            }
        } else {
            *memo
                .entry((lo, hi))
                .or_insert_with(|| pair(&sites.sites[lo as usize], &sites.sites[hi as usize]).0)
        }
    };
    // Candidates by gene, in one flat list (counts, then offsets).
    let n_genes = genes.names().len();
    let mut count = vec![0u32; n_genes + 1];
    for &(record, site) in candidates {
        if !blocked[site as usize] {
            for &g in genes.of(record) {
                count[g as usize + 1] += 1;
            }
        }
    }
    for g in 0..n_genes {
        count[g + 1] += count[g];
    }
    let mut fill = count.clone();
    let mut by_gene = vec![0u32; count[n_genes] as usize];
    for (c, &(record, site)) in candidates.iter().enumerate() {
        if !blocked[site as usize] {
            for &g in genes.of(record) {
                by_gene[fill[g as usize] as usize] = c as u32;
                fill[g as usize] += 1;
            }
        }
    }
    let mut best = vec![PairOutcome::Fail; candidates.len()];
    // Per gene: its distinct sites with how many candidates hold each, then the best partner
    // outcome of each distinct site.
    let mut distinct: Vec<(u32, u32, PairOutcome)> = Vec::new();
    for g in 0..n_genes {
        let members = &by_gene[count[g] as usize..count[g + 1] as usize];
        if members.len() < 2 {
            continue;
        }
        distinct.clear();
        for &c in members {
            let site = candidates[c as usize].1;
            match distinct.iter_mut().find(|(s, _, _)| *s == site) {
                Some(d) => d.1 += 1,
                None => distinct.push((site, 1, PairOutcome::Fail)),
            }
        }
        for x in 0..distinct.len() {
            for y in x..distinct.len() {
                if x == y && distinct[x].1 < 2 {
                    continue;
                }
                let o = judge(distinct[x].0, distinct[y].0);
                distinct[x].2 = distinct[x].2.min(o);
                distinct[y].2 = distinct[y].2.min(o);
            }
        }
        for &c in members {
            let site = candidates[c as usize].1;
            if let Some(&(_, _, o)) = distinct.iter().find(|(s, _, _)| *s == site) {
                best[c as usize] = best[c as usize].min(o);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use Origin::*;

    fn site(origins: &[Origin], carriers: u64) -> Site {
        Site {
            origins: origins.to_vec(),
            carriers: vec![carriers],
            missing: vec![0],
            unsure: false,
        }
    }

    #[test]
    fn origins_from_parents() {
        let (r, h, m) = (Some(Class::Ref), Some(Class::Het), Some(Class::Missing));
        assert_eq!(origin(h, r, false), Father);
        assert_eq!(origin(r, h, false), Mother);
        assert_eq!(origin(r, r, false), DeNovo);
        assert_eq!(origin(r, r, true), DeNovoRejected);
        assert_eq!(origin(h, h, false), Both);
        assert_eq!(origin(h, None, false), FromPresent);
        assert_eq!(origin(None, r, false), NotFromPresent);
        assert_eq!(origin(None, None, false), Unphased);
        assert_eq!(origin(m, r, false), Unknown);
    }

    #[test]
    fn pairs_by_transmission() {
        let ok = |a, b| pair(&site(&[a], 0), &site(&[b], 0)).0;
        assert_eq!(ok(Father, Mother), PairOutcome::Fits);
        assert_eq!(ok(Mother, DeNovo), PairOutcome::Fits);
        assert_eq!(ok(Father, Father), PairOutcome::Fail);
        assert_eq!(ok(DeNovo, DeNovo), PairOutcome::Fail);
        assert_eq!(ok(FromPresent, NotFromPresent), PairOutcome::Possible);
        assert_eq!(ok(FromPresent, FromPresent), PairOutcome::Fail);
        assert_eq!(ok(Unphased, Unphased), PairOutcome::Possible);
        assert_eq!(ok(Unknown, Mother), PairOutcome::Missing);
        assert_eq!(ok(Both, Mother), PairOutcome::Fail);
        // An unaffected sibling with both sites.
        let (o, why) = pair(&site(&[Father], 1), &site(&[Mother], 1));
        assert_eq!(o, PairOutcome::Fail);
        assert!(why.contains(&(ReasonCode::UnaffectedHasPair, Some(0))));
        assert_eq!(
            pair(&site(&[Father], 1), &site(&[Mother], 2)).0,
            PairOutcome::Fits
        );
    }
}
