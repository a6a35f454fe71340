//! `comp-het`'s candidates (CLINICAL.md §2): the units of one family that pass the mode's
//! predicates in an autosomal record of some gene, each with its pairing [`Site`] numbered.
//!
//! A site and a unit's outcome depend only on the states of the few samples a family's
//! predicates and pairing read. When those are at most four (a trio, a duo, a quartet), their
//! states are the index of a table that holds, per combination met, "not a candidate" or the
//! site's number: one pass over the units of the mask, three or four bytes read per unit and no
//! column pass per predicate. Larger families evaluate the predicates column by column
//! ([`columnar::evaluate`]) and number sites through a map of their states.
//!
//! Where it sits: [`Analysis`]'s `comp_het` pairs these ([`super::comphet::best_outcomes`]),
//! and [`Analysis::part_evidence`] offers them to the other parts of a file.

use std::collections::HashMap;

use crate::bitmap::Bitmap;

use super::cells::{self, Block};
use super::comphet::{self, Site, Sites};
use super::{Analysis, Mode, columnar, plan};

/// A family's `comp-het` candidates: (block, unit) of each, (record, site number) for pairing,
/// and the distinct sites.
pub(super) struct Candidates {
    pub keys: Vec<(usize, usize)>,
    pub list: Vec<(usize, u32)>,
    pub sites: Sites,
}

/// Bits of one state in a table index.
const STATE_BITS: usize = 5;
const _: () = assert!(cells::STATES <= 1 << STATE_BITS);
/// At most this many index bits (four samples: a table of 2^20 entries, 4 MiB).
const TABLE_BITS: usize = 20;
/// A table entry for a combination that is not a candidate; `u32::MAX` is one not yet met.
const NOT_CANDIDATE: u32 = u32::MAX - 1;

impl Analysis {
    /// A family's comp-het candidates, read from the state columns.
    pub(super) fn comp_het_candidates(&self, family: usize) -> Candidates {
        let compiled = columnar::compile(&plan::plan(&self.matched, family, Mode::CompHet));
        let fam = comphet::Family::new(&self.matched, family);
        let genes = &self.genes;
        // A candidate outside every gene cannot pair: the mask leaves it out.
        let mut mask = self.contexts.autosomal.clone();
        mask.and_with(&genes.in_gene);
        // Every sample the predicates or the site read.
        let mut involved = fam.samples_read();
        for c in &compiled {
            let samples: Vec<usize> = match c {
                columnar::Compiled::Member { sample, .. } => vec![*sample],
                columnar::Compiled::AnyOf(options) => options.iter().map(|o| o.0).collect(),
                columnar::Compiled::Fixed(_) => Vec::new(),
            };
            for s in samples {
                if !involved.contains(&s) {
                    involved.push(s);
                }
            }
        }
        let blocks = [&self.states.primary, &self.states.extra];
        let mut out = Candidates {
            keys: Vec::new(),
            list: Vec::new(),
            sites: Sites::default(),
        };
        let lenient = self.options.lenient;
        if involved.len() * STATE_BITS <= TABLE_BITS {
            let mut table = vec![u32::MAX; 1 << (involved.len() * STATE_BITS)];
            for (b, block) in blocks.iter().enumerate() {
                let columns: Vec<&[u8]> = involved.iter().map(|&s| &block.states[s][..]).collect();
                let state = |s: usize, u: usize| block.states[s][u];
                let units = columnar::unit_mask(block, &mask);
                for (k, &word) in units.words().iter().enumerate() {
                    let mut rest = word;
                    while rest != 0 {
                        let u = k * 64 + rest.trailing_zeros() as usize;
                        rest &= rest - 1;
                        let key = columns.iter().fold(0usize, |key, column| {
                            key << STATE_BITS | (usize::from(column[u]) & (cells::STATES - 1))
                        });
                        let entry = match table[key] {
                            u32::MAX => {
                                let (all_pass, no_fail) =
                                    columnar::outcome(&compiled, |s| state(s, u));
                                let e = if (lenient && no_fail) || all_pass {
                                    out.sites
                                        .intern(fam.site_from_states(|s| state(s, u), !all_pass))
                                } else {
                                    NOT_CANDIDATE
                                };
                                table[key] = e;
                                e
                            }
                            e => e,
                        };
                        if entry != NOT_CANDIDATE {
                            out.keys.push((b, u));
                            out.list.push((block.record(u), entry));
                        }
                    }
                }
            }
        } else {
            for (b, block) in blocks.iter().enumerate() {
                let o = columnar::evaluate(block, &compiled, &columnar::unit_mask(block, &mask));
                let kept = if lenient { &o.no_fail } else { &o.all_pass };
                by_columns(&fam, block, b, kept, &o.all_pass, &mut out);
            }
        }
        out
    }
}

/// The candidates of one block of a large family: `kept` units, each site numbered through a
/// map of the states of the samples it reads (and the lenient doubt).
fn by_columns(
    fam: &comphet::Family,
    block: &Block,
    b: usize,
    kept: &Bitmap,
    all_pass: &Bitmap,
    out: &mut Candidates,
) {
    let read = fam.samples_read();
    let mut by_states: HashMap<u128, u32> = HashMap::new();
    for u in kept.iter_ones() {
        let unsure = !all_pass.get(u);
        let build = || -> Site { fam.site_from_states(|s| block.states[s][u], unsure) };
        let site = if read.len() <= 15 {
            let key = read.iter().fold(u128::from(unsure), |k, &s| {
                k << 8 | u128::from(block.states[s][u])
            });
            *by_states
                .entry(key)
                .or_insert_with(|| out.sites.intern(build()))
        } else {
            out.sites.intern(build())
        };
        out.keys.push((b, u));
        out.list.push((block.record(u), site));
    }
}
