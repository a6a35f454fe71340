//! `comp-het` across the parts of a file read in parts (the app's pool: one store per worker,
//! in file order): what each part offers the others ([`PartEvidence`]).
//!
//! A gene's heterozygous variants may fall in two parts, so a part cannot pair its candidates
//! alone. Pairing needs only a candidate's [`Site`] (the calls of the members it reads, never
//! the record), so each part reports, per family and gene, the distinct unblocked sites it
//! holds ([`Analysis::part_evidence`]), and beside them its candidates' positions (contig,
//! POS, REF, ALT, its index in the part) so that an explanation can name a partner in another
//! part. The page merges every part's evidence ([`PartEvidence::merge`], which keeps only the
//! genes seen in two parts or more: the others cannot pair across parts) and hands the merged
//! evidence back; each part then selects with it ([`Analysis::select_in_part`]) and explains
//! with it ([`Analysis::explain_in_part`]).
//!
//! Where it sits: between [`super::comphet`]'s candidates and the per-family pairing of
//! [`Analysis::evaluate_in_part`]. A store that is the whole file uses the empty evidence.

use std::collections::HashMap;

use crate::store::VariantStore;

use super::comphet::{Genes, PairOutcome, Site, Sites, pair, site_blocked};
use super::explain::{Partner, Verdict};
use super::{Analysis, Candidates};

/// What the parts of a file offer to comp-het pairs in other parts (see the module doc).
/// Strings and sites are interned: a group names its gene, contig, alleles and sites by number.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartEvidence {
    /// Each part that reported, with its number of records (for indices in the whole file).
    parts: Vec<PartSize>,
    genes: Vec<String>,
    contigs: Vec<String>,
    /// REF and ALT texts.
    alleles: Vec<String>,
    sites: Vec<Site>,
    groups: Vec<Group>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct PartSize {
    part: u32,
    records: u64,
}

/// One part's candidates in one gene of one family: its distinct sites, and per candidate
/// (in the part's file order, one column each) where it is and which site it has.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Group {
    family: u32,
    gene: u32,
    part: u32,
    sites: Vec<u32>,
    /// The candidate's index in its part.
    record: Vec<u64>,
    allele: Vec<u32>,
    contig: Vec<u32>,
    pos: Vec<u64>,
    reference: Vec<u32>,
    alternate: Vec<u32>,
    site: Vec<u32>,
}

/// A candidate of another part, as an explanation walks it.
pub(super) struct Offered<'a> {
    pub part: u32,
    record: u64,
    allele: u32,
    pub site: &'a Site,
    pub partner: Partner,
}

/// Numbers for distinct values, in order of first sight.
struct Interner<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: Clone + Eq + std::hash::Hash> Interner<T> {
    fn new() -> Self {
        Interner {
            values: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn id(&mut self, value: &T) -> u32 {
        if let Some(&k) = self.index.get(value) {
            return k;
        }
        let k = self.values.len() as u32;
        self.index.insert(value.clone(), k);
        self.values.push(value.clone());
        k
    }
}

/// One candidate while a part's evidence is built.
struct Row {
    record: u64,
    allele: u32,
    contig: u32,
    pos: u64,
    reference: u32,
    alternate: u32,
    site: u32,
}

/// A group while it is built: distinct sites, candidates.
type Building = (Vec<u32>, Vec<Row>);

impl PartEvidence {
    /// The evidence of every part in one: the genes of each family seen in two parts or more
    /// (a gene seen in one part cannot pair across parts, so it is left out). Give every
    /// part's evidence in one call: merging merged evidence again would lose genes that only
    /// the later parts share with the earlier ones.
    pub fn merge(parts: Vec<PartEvidence>) -> PartEvidence {
        // Which parts hold each (family, gene name).
        let mut seen: HashMap<(u32, &str), (u32, bool)> = HashMap::new();
        for e in &parts {
            for g in &e.groups {
                let Some(name) = e.genes.get(g.gene as usize) else {
                    continue;
                };
                seen.entry((g.family, name.as_str()))
                    .and_modify(|(first, shared)| *shared |= *first != g.part)
                    .or_insert((g.part, false));
            }
        }
        let mut out = PartEvidence::default();
        let (mut genes, mut contigs, mut alleles, mut sites) = (
            Interner::new(),
            Interner::new(),
            Interner::new(),
            Interner::new(),
        );
        for e in &parts {
            for size in &e.parts {
                if !out.parts.iter().any(|p| p.part == size.part) {
                    out.parts.push(size.clone());
                }
            }
            for g in &e.groups {
                let Some(name) = e.genes.get(g.gene as usize) else {
                    continue;
                };
                if !seen.get(&(g.family, name.as_str())).is_some_and(|s| s.1) {
                    continue;
                }
                let n = g.record.len();
                let columns_agree = [
                    g.allele.len(),
                    g.contig.len(),
                    g.pos.len(),
                    g.reference.len(),
                    g.alternate.len(),
                    g.site.len(),
                ]
                .iter()
                .all(|&l| l == n);
                if !columns_agree {
                    continue;
                }
                // Malformed evidence (an index past its table) drops the candidate, not the
                // page: evidence crosses a worker boundary.
                let remap = |table: &[String], ids: &[u32], interner: &mut Interner<String>| {
                    ids.iter()
                        .map(|&k| table.get(k as usize).map(|v| interner.id(v)))
                        .collect::<Option<Vec<u32>>>()
                };
                let Some(contig) = remap(&e.contigs, &g.contig, &mut contigs) else {
                    continue;
                };
                let Some(reference) = remap(&e.alleles, &g.reference, &mut alleles) else {
                    continue;
                };
                let Some(alternate) = remap(&e.alleles, &g.alternate, &mut alleles) else {
                    continue;
                };
                let mut site_id = |k: &u32| e.sites.get(*k as usize).map(|s| sites.id(s));
                let Some(site) = g.site.iter().map(&mut site_id).collect::<Option<Vec<_>>>() else {
                    continue;
                };
                let Some(distinct) = g.sites.iter().map(&mut site_id).collect::<Option<Vec<_>>>()
                else {
                    continue;
                };
                out.groups.push(Group {
                    family: g.family,
                    gene: genes.id(name),
                    part: g.part,
                    sites: distinct,
                    record: g.record.clone(),
                    allele: g.allele.clone(),
                    contig,
                    pos: g.pos.clone(),
                    reference,
                    alternate,
                    site,
                });
            }
        }
        out.parts.sort_by_key(|p| p.part);
        out.genes = genes.values;
        out.contigs = contigs.values;
        out.alleles = alleles.values;
        out.sites = sites.values;
        out
    }

    /// The index in the whole file of part `part`'s first record: the records of the parts
    /// before it that reported.
    pub(super) fn first_record(&self, part: u32) -> u64 {
        self.parts
            .iter()
            .filter(|p| p.part < part)
            .map(|p| p.records)
            .sum()
    }

    /// The groups of `family` from parts other than `part`.
    fn others(&self, family: usize, part: u32) -> impl Iterator<Item = &Group> {
        self.groups
            .iter()
            .filter(move |g| g.family as usize == family && g.part != part)
    }

    /// Lowers each candidate's best pair outcome (`best`, by the store's own pairs) by its
    /// pairs with the sites other parts offer in its genes. An offered site must have the
    /// shape of this family's (evidence from another pedigree is ignored, not a panic).
    pub(super) fn improve(
        &self,
        genes: &Genes,
        family: usize,
        part: u32,
        candidates: &[(usize, u32)],
        sites: &Sites,
        best: &mut [PairOutcome],
    ) {
        let mut groups = self.others(family, part).peekable();
        if groups.peek().is_none() || sites.sites.is_empty() {
            return;
        }
        let like = &sites.sites[0];
        let fits_shape = |s: &Site| {
            s.origins.len() == like.origins.len()
                && s.carriers.len() == like.carriers.len()
                && s.missing.len() == like.missing.len()
        };
        let ids: HashMap<&str, usize> = genes
            .names()
            .iter()
            .enumerate()
            .map(|(k, n)| (n.as_str(), k))
            .collect();
        // Per gene of this store, the distinct sites other parts offer in it.
        let mut offered: Vec<Vec<u32>> = vec![Vec::new(); genes.names().len()];
        for g in groups {
            let Some(&id) = self
                .genes
                .get(g.gene as usize)
                .and_then(|n| ids.get(n.as_str()))
            else {
                continue;
            };
            for &s in &g.sites {
                if self.sites.get(s as usize).is_some_and(fits_shape) && !offered[id].contains(&s) {
                    offered[id].push(s);
                }
            }
        }
        let blocked: Vec<bool> = sites
            .sites
            .iter()
            .map(|s| site_blocked(s).is_some())
            .collect();
        let mut memo: HashMap<(u32, u32), PairOutcome> = HashMap::new();
        for (c, &(record, site)) in candidates.iter().enumerate() {
            if blocked[site as usize] {
                continue;
            }
            for &g in genes.of(record) {
                for &e in &offered[g as usize] {
                    let o = *memo.entry((site, e)).or_insert_with(|| {
                        pair(&sites.sites[site as usize], &self.sites[e as usize]).0
                    });
                    best[c] = best[c].min(o);
                }
            }
        }
    }

    /// The candidates other parts offer to `family` in any of the genes `names`, in file
    /// order, each once, with a site of the shape `like` has.
    pub(super) fn partners(
        &self,
        family: usize,
        names: &[&str],
        part: u32,
        like: &Site,
    ) -> Vec<Offered<'_>> {
        let mut out: Vec<Offered> = Vec::new();
        for g in self.others(family, part) {
            if !self
                .genes
                .get(g.gene as usize)
                .is_some_and(|n| names.contains(&n.as_str()))
            {
                continue;
            }
            let first = self.first_record(g.part);
            let text = |table: &[String], k: &u32| table.get(*k as usize).cloned();
            for k in 0..g.record.len() {
                let site = g.site.get(k).and_then(|&s| self.sites.get(s as usize));
                let Some(site) = site.filter(|s| {
                    s.origins.len() == like.origins.len()
                        && s.carriers.len() == like.carriers.len()
                        && s.missing.len() == like.missing.len()
                }) else {
                    continue;
                };
                let (Some(chrom), Some(reference), Some(alternate), Some(&pos), Some(&allele)) = (
                    g.contig.get(k).and_then(|c| text(&self.contigs, c)),
                    g.reference.get(k).and_then(|a| text(&self.alleles, a)),
                    g.alternate.get(k).and_then(|a| text(&self.alleles, a)),
                    g.pos.get(k),
                    g.allele.get(k),
                ) else {
                    continue;
                };
                out.push(Offered {
                    part: g.part,
                    record: g.record[k],
                    allele,
                    site,
                    partner: Partner {
                        record: first + g.record[k],
                        chrom,
                        pos,
                        allele,
                        reference,
                        alternate,
                        verdict: Verdict::No,
                    },
                });
            }
        }
        out.sort_by_key(|o| (o.part, o.record, o.allele));
        out.dedup_by_key(|o| (o.part, o.record, o.allele));
        out
    }

    /// How many candidates (one per gene they are in) and distinct sites the evidence holds.
    pub fn size(&self) -> (usize, usize) {
        (
            self.groups.iter().map(|g| g.record.len()).sum(),
            self.sites.len(),
        )
    }
}

impl Analysis {
    /// What part `part` of a file read in parts (this store) offers the other parts'
    /// `comp-het` pairs: per family and gene, its unblocked candidates' sites and positions.
    /// Cheap to serialise: strings and sites are interned.
    pub fn part_evidence(&self, store: &VariantStore, part: u32) -> PartEvidence {
        let genes = &self.genes;
        let mut out = PartEvidence {
            parts: vec![PartSize {
                part,
                records: store.len() as u64,
            }],
            ..PartEvidence::default()
        };
        let (mut gene_ids, mut alleles, mut site_ids) =
            (Interner::new(), Interner::new(), Interner::new());
        let mut contigs: Vec<Option<u32>> = vec![None; store.contigs().len()];
        let extra = self.states.extra.records.as_deref().unwrap_or(&[]);
        for f in 0..self.matched.pedigree.families().len() {
            let Candidates { keys, list, sites } = self.comp_het_candidates(f);
            let mut ids: Vec<Option<u32>> = vec![None; sites.sites.len()];
            // Per gene of the store: its distinct sites and its candidates.
            let mut rows: HashMap<u32, Building> = HashMap::new();
            for (&(b, u), &(record, site)) in keys.iter().zip(&list) {
                let s = &sites.sites[site as usize];
                if site_blocked(s).is_some() {
                    continue;
                }
                let id = *ids[site as usize].get_or_insert_with(|| site_ids.id(s));
                // Extra units are alleles 2, 3, … of their record, in order.
                let allele = if b == 0 {
                    1
                } else {
                    let first = extra.partition_point(|&r| (r as usize) < record);
                    (u - first) as u32 + 2
                };
                let c = store.contig_of(record) as usize;
                let contig = match contigs.get(c) {
                    Some(Some(k)) => *k,
                    _ => {
                        let k = out.contigs.len() as u32;
                        out.contigs.push(store.chrom(record).to_string());
                        if let Some(slot) = contigs.get_mut(c) {
                            *slot = Some(k);
                        }
                        k
                    }
                };
                let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
                let reference = alleles.id(&text(store.reference(record)));
                let alt = store.alt_alleles(record).nth(allele as usize - 1);
                let alternate = alleles.id(&alt.map(text).unwrap_or_default());
                for &g in genes.of(record) {
                    let (distinct, group) = rows.entry(g).or_default();
                    if !distinct.contains(&id) {
                        distinct.push(id);
                    }
                    group.push(Row {
                        record: record as u64,
                        allele,
                        contig,
                        pos: store.pos(record),
                        reference,
                        alternate,
                        site: id,
                    });
                }
            }
            let mut by_gene: Vec<(u32, Building)> = rows.into_iter().collect();
            by_gene.sort_by_key(|(g, _)| *g);
            for (g, (distinct, mut group)) in by_gene {
                group.sort_by_key(|r| (r.record, r.allele));
                out.groups.push(Group {
                    family: f as u32,
                    gene: gene_ids.id(&genes.name(g).to_string()),
                    part,
                    sites: distinct,
                    record: group.iter().map(|r| r.record).collect(),
                    allele: group.iter().map(|r| r.allele).collect(),
                    contig: group.iter().map(|r| r.contig).collect(),
                    pos: group.iter().map(|r| r.pos).collect(),
                    reference: group.iter().map(|r| r.reference).collect(),
                    alternate: group.iter().map(|r| r.alternate).collect(),
                    site: group.iter().map(|r| r.site).collect(),
                });
            }
        }
        out.genes = gene_ids.values;
        out.alleles = alleles.values;
        out.sites = site_ids.values;
        out
    }
}
