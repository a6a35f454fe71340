//! The columnar evaluation: a mode's predicates over every unit at once (CLINICAL.md §2,
//! "Speed").
//!
//! Each member predicate becomes a 32-entry table from state byte ([`super::cells::state`]) to
//! outcome; a pass over the member's state column turns it into two words per 64 units
//! (passes, fails) with no branch per unit ([`word`]), and the predicates of a family combine
//! word by word: a unit fits when every predicate passed, and is kept under `--lenient` when
//! none failed. Predicates on one sample share one table, so each column is read once, and runs
//! of 64 units outside the mode's mask (the autosomes for the chrX modes) are not read. No
//! record is interpreted one by one; `comp-het`'s candidates of a small family are found through
//! one table over its members' states ([`outcome`], `super::candidates`) and paired site by
//! site, and `mendel-error` judges each distinct triple of genotype codes once.

use std::collections::HashMap;

use crate::bitmap::{Bitmap, word};
use crate::pedigree::Matched;
use crate::store::VariantStore;
use crate::store::widening::Widening;

use super::cells::{Block, STATES, States};
use super::mendel;
use super::plan::{Outcome, Pred};
use super::ploidy::{Context, Contexts};

/// A predicate ready for the column pass.
pub enum Compiled {
    /// The member's sample and its table as [`bits`].
    Member {
        sample: usize,
        table: [u8; STATES],
    },
    AnyOf(Vec<(usize, [u8; STATES])>),
    Fixed(Outcome),
}

/// The predicates as column passes. Predicates on one sample merge into one table (pass where
/// every one passes, fail where any fails): [`evaluate`] only ANDs passes and ORs fails, so
/// the order does not matter, and each sample's column is read once.
pub fn compile(preds: &[Pred]) -> Vec<Compiled> {
    let mut out: Vec<Compiled> = Vec::with_capacity(preds.len());
    for p in preds {
        match p {
            Pred::Member(m) => {
                let t = bits(&m.table());
                let same = out.iter_mut().find_map(|c| match c {
                    Compiled::Member { sample, table } if *sample == m.sample => Some(table),
                    _ => None,
                });
                match same {
                    Some(table) => {
                        for (a, b) in table.iter_mut().zip(t) {
                            *a = (*a & b & 1) | ((*a | b) & 2);
                        }
                    }
                    None => out.push(Compiled::Member {
                        sample: m.sample,
                        table: t,
                    }),
                }
            }
            Pred::AnyOf { options, .. } => out.push(Compiled::AnyOf(
                options
                    .iter()
                    .map(|o| (o.sample, bits(&o.table())))
                    .collect(),
            )),
            Pred::Fixed { outcome, .. } => out.push(Compiled::Fixed(*outcome)),
        }
    }
    out
}

/// Passes and fails of one member over one run of up to 64 units, in one pass: each state's
/// table entry has bit 0 for pass and bit 1 for fail ([`bits`]); a full run is read in groups
/// of eight with constant shifts, as [`word`] does.
#[inline]
fn member_words(chunk: &[u8], table: &[u8; STATES]) -> (u64, u64) {
    let bit = |s: u8| u64::from(table[usize::from(s) & (STATES - 1)]);
    match <&[u8; 64]>::try_from(chunk) {
        Ok(full) => {
            let (mut pass, mut fail) = (0u64, 0u64);
            for (g, eight) in full.chunks_exact(8).enumerate() {
                let (mut p, mut f) = (0u64, 0u64);
                for (j, &s) in eight.iter().enumerate() {
                    let v = bit(s);
                    p |= (v & 1) << j;
                    f |= (v >> 1) << j;
                }
                pass |= p << (8 * g);
                fail |= f << (8 * g);
            }
            (pass, fail)
        }
        Err(_) => {
            let pass = word(chunk, |s| bit(s) & 1 == 1);
            let fail = word(chunk, |s| bit(s) & 2 == 2);
            (pass, fail)
        }
    }
}

/// A member table (0 pass, 1 missing, 2 fail) as bits: 1 pass, 0 missing, 2 fail.
fn bits(table: &[u8; STATES]) -> [u8; STATES] {
    table.map(|o| match o {
        0 => 1,
        2 => 2,
        _ => 0,
    })
}

/// Every unit of a block: where all predicates pass, and where none fails.
pub struct Outcomes {
    pub all_pass: Bitmap,
    pub no_fail: Bitmap,
}

pub fn evaluate(block: &Block, compiled: &[Compiled], mask: &Bitmap) -> Outcomes {
    let n = block.len;
    let words = n.div_ceil(64);
    let mut pass = vec![u64::MAX; words];
    let mut fail = vec![0u64; words];
    // Runs of 64 units the mask leaves out are never read (most of the genome for the chrX
    // modes, the records outside genes for comp-het): their outcome is masked away below.
    let live: Vec<usize> = mask
        .words()
        .iter()
        .enumerate()
        .filter(|&(_, &w)| w != 0)
        .map(|(k, _)| k)
        .collect();
    let run = |k: usize| (k * 64, ((k + 1) * 64).min(n));
    for c in compiled {
        match c {
            Compiled::Fixed(Outcome::Pass) => {}
            Compiled::Fixed(Outcome::Missing) => pass.fill(0),
            Compiled::Fixed(Outcome::Fail) => {
                pass.fill(0);
                fail.fill(u64::MAX);
            }
            Compiled::Member { sample, table } => {
                let column = &block.states[*sample];
                for &k in &live {
                    let (lo, hi) = run(k);
                    let (p, f) = member_words(&column[lo..hi], table);
                    pass[k] &= p;
                    fail[k] |= f;
                }
            }
            Compiled::AnyOf(options) => {
                for &k in &live {
                    let (lo, hi) = run(k);
                    let (mut any_pass, mut all_fail) = (0u64, u64::MAX);
                    for (sample, table) in options {
                        let (p, f) = member_words(&block.states[*sample][lo..hi], table);
                        any_pass |= p;
                        all_fail &= f;
                    }
                    pass[k] &= any_pass;
                    fail[k] |= all_fail;
                }
            }
        }
    }
    let mut all_pass = Bitmap::from_words(pass, n);
    let mut no_fail = Bitmap::from_words(fail, n);
    no_fail.invert();
    all_pass.and_with(mask);
    no_fail.and_with(mask);
    Outcomes { all_pass, no_fail }
}

/// One unit's outcome from its members' states (`state(sample)`), as [`evaluate`] decides it
/// for every unit: (every predicate passes, none fails).
pub fn outcome(compiled: &[Compiled], state: impl Fn(usize) -> u8) -> (bool, bool) {
    let bit = |table: &[u8; STATES], s: usize| table[usize::from(state(s)) & (STATES - 1)];
    let (mut pass, mut fail) = (true, false);
    for c in compiled {
        match c {
            Compiled::Fixed(Outcome::Pass) => {}
            Compiled::Fixed(Outcome::Missing) => pass = false,
            Compiled::Fixed(Outcome::Fail) => {
                pass = false;
                fail = true;
            }
            Compiled::Member { sample, table } => {
                let v = bit(table, *sample);
                pass &= v & 1 == 1;
                fail |= v & 2 == 2;
            }
            Compiled::AnyOf(options) => {
                let (mut any_pass, mut all_fail) = (false, true);
                for (sample, table) in options {
                    let v = bit(table, *sample);
                    any_pass |= v & 1 == 1;
                    all_fail &= v & 2 == 2;
                }
                pass &= any_pass;
                fail |= all_fail;
            }
        }
    }
    (pass, !fail)
}

/// A mask over the store's records, moved onto a block's units.
pub fn unit_mask(block: &Block, records: &Bitmap) -> Bitmap {
    match &block.records {
        None => records.clone(),
        Some(r) => Bitmap::from_fn(block.len, |u| records.get(r[u] as usize)),
    }
}

/// `mendel-error` for one trio over every record: inconsistent calls whose three samples pass
/// the site gates. Each distinct (child, father, mother) triple of genotype codes is judged
/// once per context; the genotype code column is read word by word of 64 records, at its own
/// width (no per-record dispatch on it).
pub fn mendel(
    store: &VariantStore,
    contexts: &Contexts,
    states: &States,
    m: &Matched,
    trio: (usize, usize, usize),
) -> Bitmap {
    let (c, f, mo) = trio;
    let sample = |i: usize| m.sample(i).unwrap_or(0);
    let (sc, sf, sm) = (sample(c), sample(f), sample(mo));
    let sex = m.pedigree.individuals()[c].sex;
    let values = store.genotype_values();
    let masks = [
        (Context::Autosome, &contexts.autosomal),
        (Context::XHemizygous, &contexts.x_hemizygous),
        (Context::Y, &contexts.y),
        (Context::Mito, &contexts.mito),
    ];
    let judge = |context: Context, kc: u64, kf: u64, km: u64| {
        let v = |k: u64| values[k as usize];
        mendel::check(context, sex, v(kc), v(kf), v(km)).is_some()
    };
    let trio = Trio {
        samples: store.samples().len(),
        cells: [sc, sf, sm],
        n_codes: values.len(),
    };
    let words = match store.genotype_codes() {
        Widening::U8(codes) => trio.errors(codes, &masks, judge),
        Widening::U16(codes) => trio.errors(codes, &masks, judge),
        Widening::U32(codes) => trio.errors(codes, &masks, judge),
        Widening::U64(codes) => trio.errors(codes, &masks, judge),
    };
    let mut out = Bitmap::from_words(words, store.len());
    for s in [sc, sf, sm] {
        let mut pass = states.site_gate_fail[s].clone();
        pass.invert();
        out.and_with(&pass);
    }
    out
}

/// One trio's samples in the store's genotype code column.
struct Trio {
    samples: usize,
    /// Child, father, mother.
    cells: [usize; 3],
    /// How many distinct genotype codes the store has.
    n_codes: usize,
}

/// Verdicts of triples of genotype codes already judged, per context.
enum Memo {
    /// `n_codes`³ slots: 0 not judged, 1 consistent, 2 a Mendel error.
    Table(Vec<u8>),
    Map(HashMap<(u64, u64, u64), bool>),
}

impl Trio {
    /// The words of the records whose trio genotypes are a Mendel error in their context.
    fn errors<T: Copy + Into<u64>>(
        &self,
        codes: &[T],
        masks: &[(Context, &Bitmap); 4],
        judge: impl Fn(Context, u64, u64, u64) -> bool,
    ) -> Vec<u64> {
        let n = self.n_codes;
        // A table while it stays small (64³ bytes), else a map.
        let mut memos: Vec<Memo> = masks
            .iter()
            .map(|(_, mask)| {
                if mask.count_ones() > 0 && n <= 64 {
                    Memo::Table(vec![0u8; n * n * n])
                } else {
                    Memo::Map(HashMap::new())
                }
            })
            .collect();
        let [sc, sf, sm] = self.cells;
        let ns = self.samples;
        let n_words = masks[0].1.words().len();
        let mut out = vec![0u64; n_words];
        for ((context, mask), memo) in masks.iter().zip(&mut memos) {
            for (k, (&mask_word, out_word)) in mask.words().iter().zip(&mut out).enumerate() {
                let mut rest = mask_word;
                while rest != 0 {
                    let j = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    let cell = (k * 64 + j) * ns;
                    let (kc, kf, km) = (
                        codes[cell + sc].into(),
                        codes[cell + sf].into(),
                        codes[cell + sm].into(),
                    );
                    let error = match memo {
                        Memo::Table(table) => {
                            let slot =
                                &mut table[((kc as usize * n) + kf as usize) * n + km as usize];
                            if *slot == 0 {
                                *slot = 1 + u8::from(judge(*context, kc, kf, km));
                            }
                            *slot == 2
                        }
                        Memo::Map(map) => *map
                            .entry((kc, kf, km))
                            .or_insert_with(|| judge(*context, kc, kf, km)),
                    };
                    *out_word |= u64::from(error) << j;
                }
            }
        }
        out
    }
}
