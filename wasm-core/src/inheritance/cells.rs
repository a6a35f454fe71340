//! One sample's call at one alternate allele: its shape (how many copies of the allele), the
//! class a mode reads from it, and the quality gates (CLINICAL.md §2, "Quality gates").
//!
//! Modes are decided per alternate allele (docs/INHERITANCE.md, "Multi-allelic sites"): for
//! allele `a`, a call's shape counts the copies of `a` (`1/2` is one copy of allele 1 and one of
//! allele 2; `2/2` has no copy of allele 1). The class follows from the shape and the ploidy the
//! context expects: on chrX outside the PARs a male is hemizygous, so `1`, `1/1` and `0/1` all
//! read as alternate (`0/1` with the note `male-x-het`).
//!
//! [`States`] packs shape and gate outcome of every cell into a byte ([`state`]), one column
//! per sample, which the columnar evaluation reads through small tables; the row-by-row
//! evaluator reads the same cells from the store directly ([`shape`], [`Fields::values`],
//! [`check_gates`]).

use crate::bitmap::Bitmap;
use crate::store::column::{FLOAT_MISSING, INT_MISSING};
use crate::store::ints::IntSlot;
use crate::store::lists::Rows;
use crate::store::{ColumnData, Ints, VariantStore, genotype};

/// Copies of one alternate allele in a call, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Shape {
    /// `./.`, `.`, a half-missing call (`0/.`), no GT, or a call of ploidy above 2.
    Missing = 0,
    /// Diploid, no copy (`0/0`, and `0/2`, `2/2` for allele 1).
    Zero = 1,
    /// Diploid, one copy (`0/1`, `1/2`).
    One = 2,
    /// Diploid, two copies (`1/1`).
    Two = 3,
    /// Haploid, another allele (`0`).
    HapZero = 4,
    /// Haploid, this allele (`1`).
    HapOne = 5,
}

impl Shape {
    fn from_bits(b: u8) -> Shape {
        match b & 7 {
            1 => Shape::Zero,
            2 => Shape::One,
            3 => Shape::Two,
            4 => Shape::HapZero,
            5 => Shape::HapOne,
            _ => Shape::Missing,
        }
    }
}

/// The shape of a packed genotype ([`genotype`]) at alternate allele `allele` (1-based).
pub fn shape(packed: u32, allele: u32) -> Shape {
    let Some((alleles, ploidy, _)) = genotype::unpack(packed) else {
        return Shape::Missing;
    };
    if ploidy == 1 {
        return match alleles[0] {
            None => Shape::Missing,
            Some(x) if x == allele => Shape::HapOne,
            Some(_) => Shape::HapZero,
        };
    }
    match (alleles[0], alleles[1]) {
        (Some(x), Some(y)) => match u8::from(x == allele) + u8::from(y == allele) {
            0 => Shape::Zero,
            1 => Shape::One,
            _ => Shape::Two,
        },
        _ => Shape::Missing,
    }
}

/// What a mode reads from a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Missing,
    /// No copy of the allele.
    Ref,
    Het,
    /// Two copies, a haploid call of the allele, or a hemizygous male carrying it.
    HomAlt,
}

impl Class {
    pub fn carries(self) -> bool {
        matches!(self, Class::Het | Class::HomAlt)
    }
}

/// The class of a shape; `hemizygous` for a male on chrX outside the PARs. The flag is the
/// `male-x-het` case: a hemizygous diploid call with one copy, counted as alternate.
pub fn class(shape: Shape, hemizygous: bool) -> (Class, bool) {
    match shape {
        Shape::Missing => (Class::Missing, false),
        Shape::Zero | Shape::HapZero => (Class::Ref, false),
        Shape::One if hemizygous => (Class::HomAlt, true),
        Shape::One => (Class::Het, false),
        // A haploid call outside a hemizygous context counts as homozygous: every allele the
        // caller wrote is this one.
        Shape::Two | Shape::HapOne => (Class::HomAlt, false),
    }
}

/// The quality gates (CLINICAL.md §2, after slivar's). `None` turns a gate off;
/// [`Gates::off`] is `--no-gates`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gates {
    /// FORMAT/GQ at least this.
    pub min_gq: Option<f64>,
    /// FORMAT/DP at least this.
    pub min_dp: Option<f64>,
    /// A heterozygous call's allele balance (reads of the allele / all reads, from FORMAT/AD)
    /// within this range, inclusive.
    pub het_ab: Option<(f64, f64)>,
    /// A call without the allele: allele balance at most this.
    pub hom_ref_max_ab: Option<f64>,
    /// A homozygous (or hemizygous) call of the allele: allele balance at least this.
    pub hom_alt_min_ab: Option<f64>,
    /// The parents of a de novo: at most this many reads of the allele (CLINICAL.md: fewer
    /// than 2).
    pub parent_max_alt_reads: Option<i64>,
}

impl Default for Gates {
    /// GQ ≥ 20, DP ≥ 10, het AB 0.2–0.8, hom-ref AB ≤ 0.2, hom-alt AB ≥ 0.8, a de novo's parents
    /// with < 2 alternate reads.
    fn default() -> Self {
        Gates {
            min_gq: Some(20.0),
            min_dp: Some(10.0),
            het_ab: Some((0.2, 0.8)),
            hom_ref_max_ab: Some(0.2),
            hom_alt_min_ab: Some(0.8),
            parent_max_alt_reads: Some(1),
        }
    }
}

impl Gates {
    /// Every gate off (`--no-gates`).
    pub fn off() -> Self {
        Gates {
            min_gq: None,
            min_dp: None,
            het_ab: None,
            hom_ref_max_ab: None,
            hom_alt_min_ab: None,
            parent_max_alt_reads: None,
        }
    }

    fn needs_ad(&self) -> bool {
        self.het_ab.is_some()
            || self.hom_ref_max_ab.is_some()
            || self.hom_alt_min_ab.is_some()
            || self.parent_max_alt_reads.is_some()
    }
}

/// A gate a call fails, with the value that failed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GateFail {
    Gq { value: f64, min: f64 },
    Dp { value: f64, min: f64 },
    AbHet { ab: f64, lo: f64, hi: f64 },
    AbHomRef { ab: f64, max: f64 },
    AbHomAlt { ab: f64, min: f64 },
}

/// The FORMAT values the gates read for one cell and allele.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CellValues {
    pub gq: Option<f64>,
    pub dp: Option<f64>,
    /// FORMAT/AD of this allele.
    pub ad_allele: Option<i64>,
    /// The sum of FORMAT/AD's present values.
    pub ad_total: Option<i64>,
}

impl CellValues {
    /// Reads of the allele over all reads, when AD gives both and some reads.
    pub fn ab(&self) -> Option<f64> {
        match (self.ad_allele, self.ad_total) {
            (Some(a), Some(t)) if t > 0 => Some(a as f64 / t as f64),
            _ => None,
        }
    }
}

/// The gates `values` fail for a call of `shape`, in the order GQ, DP, allele balance. A value
/// the cell lacks (`.`, or no AD) does not fail its gate: it cannot be judged
/// (docs/INHERITANCE.md).
pub fn check_gates(
    shape: Shape,
    values: &CellValues,
    gates: &Gates,
    mut fail: impl FnMut(GateFail),
) {
    if shape == Shape::Missing {
        return;
    }
    if let (Some(min), Some(value)) = (gates.min_gq, values.gq)
        && value < min
    {
        fail(GateFail::Gq { value, min });
    }
    if let (Some(min), Some(value)) = (gates.min_dp, values.dp)
        && value < min
    {
        fail(GateFail::Dp { value, min });
    }
    let Some(ab) = values.ab() else { return };
    match shape {
        Shape::Zero | Shape::HapZero => {
            if let Some(max) = gates.hom_ref_max_ab
                && ab > max
            {
                fail(GateFail::AbHomRef { ab, max });
            }
        }
        Shape::One => {
            if let Some((lo, hi)) = gates.het_ab
                && !(lo..=hi).contains(&ab)
            {
                fail(GateFail::AbHet { ab, lo, hi });
            }
        }
        Shape::Two | Shape::HapOne => {
            if let Some(min) = gates.hom_alt_min_ab
                && ab < min
            {
                fail(GateFail::AbHomAlt { ab, min });
            }
        }
        Shape::Missing => {}
    }
}

/// The reads of the allele when they are more than a de novo's parent may have.
pub fn excess_alt_reads(values: &CellValues, gates: &Gates) -> Option<i64> {
    match (gates.parent_max_alt_reads, values.ad_allele) {
        (Some(max), Some(reads)) if reads > max => Some(reads),
        _ => None,
    }
}

/// A gate that reads a FORMAT field the file lacks, and is skipped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkippedGate {
    /// `GQ`, `DP`, `allele balance`, `parent alternate reads`.
    pub gate: String,
    pub field: String,
}

/// The FORMAT columns the gates read.
pub struct Fields<'s> {
    gq: Option<&'s ColumnData>,
    dp: Option<&'s ColumnData>,
    ad: Option<&'s ColumnData>,
}

/// A numeric column, if the field is one.
fn numeric<'s>(store: &'s VariantStore, key: &str) -> Option<&'s ColumnData> {
    store
        .format
        .get(key)
        .map(|f| &f.data)
        .filter(|d| matches!(d, ColumnData::Integer(_) | ColumnData::Float(_)))
}

fn first_number(data: &ColumnData, cell: usize) -> Option<f64> {
    if cell >= data.len() {
        return None;
    }
    match data {
        ColumnData::Integer(c) => c.first(cell).filter(|&v| v != INT_MISSING).map(f64::from),
        ColumnData::Float(c) => c
            .get(cell)
            .first()
            .filter(|&&b| b != FLOAT_MISSING && !f32::from_bits(b).is_nan())
            .map(|&b| f64::from(f32::from_bits(b))),
        _ => None,
    }
}

impl<'s> Fields<'s> {
    /// The columns of `store`, and the gates `gates` turns on that it must skip.
    pub fn new(store: &'s VariantStore, gates: &Gates) -> (Fields<'s>, Vec<SkippedGate>) {
        let fields = Fields {
            gq: numeric(store, "GQ"),
            dp: numeric(store, "DP"),
            ad: store
                .format
                .get("AD")
                .map(|f| &f.data)
                .filter(|d| matches!(d, ColumnData::Integer(_))),
        };
        let mut skipped = Vec::new();
        let mut skip = |on: bool, present: bool, gate: &str, field: &str| {
            if on && !present {
                skipped.push(SkippedGate {
                    gate: gate.into(),
                    field: field.into(),
                });
            }
        };
        skip(
            gates.min_gq.is_some(),
            fields.gq.is_some(),
            "GQ",
            "FORMAT/GQ",
        );
        skip(
            gates.min_dp.is_some(),
            fields.dp.is_some(),
            "DP",
            "FORMAT/DP",
        );
        let ab = gates.het_ab.is_some()
            || gates.hom_ref_max_ab.is_some()
            || gates.hom_alt_min_ab.is_some();
        skip(ab, fields.ad.is_some(), "allele balance", "FORMAT/AD");
        skip(
            gates.parent_max_alt_reads.is_some(),
            fields.ad.is_some(),
            "parent alternate reads",
            "FORMAT/AD",
        );
        (fields, skipped)
    }

    /// The gates' values of one cell (record × sample) at alternate allele `allele`.
    pub fn values(&self, cell: usize, allele: u32) -> CellValues {
        let mut v = CellValues {
            gq: self.gq.and_then(|d| first_number(d, cell)),
            dp: self.dp.and_then(|d| first_number(d, cell)),
            ..CellValues::default()
        };
        if let Some(ColumnData::Integer(ad)) = self.ad
            && cell < ad.len()
        {
            ad.with(cell, |values| {
                let present = values.iter().filter(|&&x| x != INT_MISSING);
                if !values.is_empty() {
                    v.ad_total = Some(present.map(|&x| i64::from(x)).sum());
                }
                v.ad_allele = values
                    .get(allele as usize)
                    .filter(|&&x| x != INT_MISSING)
                    .map(|&x| i64::from(x));
            });
        }
        v
    }
}

/// A numeric FORMAT column read cell by cell in order (the state pass): each row's first
/// value, without a lookup per cell.
enum FirstValues<'s> {
    I8(Rows<'s, i8>),
    I16(Rows<'s, i16>),
    I32(Rows<'s, i32>),
    Float(Rows<'s, u32>),
    Absent,
}

impl<'s> FirstValues<'s> {
    fn new(data: Option<&'s ColumnData>) -> Self {
        match data {
            Some(ColumnData::Integer(Ints::I8(l))) => FirstValues::I8(l.rows()),
            Some(ColumnData::Integer(Ints::I16(l))) => FirstValues::I16(l.rows()),
            Some(ColumnData::Integer(Ints::I32(l))) => FirstValues::I32(l.rows()),
            Some(ColumnData::Float(l)) => FirstValues::Float(l.rows()),
            _ => FirstValues::Absent,
        }
    }

    #[inline]
    fn next(&mut self) -> Option<f64> {
        fn int<T: IntSlot>(row: Option<&[T]>) -> Option<f64> {
            row.and_then(|r| r.first())
                .map(|v| v.to_i32())
                .filter(|&v| v != INT_MISSING)
                .map(f64::from)
        }
        match self {
            FirstValues::I8(r) => int(r.next()),
            FirstValues::I16(r) => int(r.next()),
            FirstValues::I32(r) => int(r.next()),
            FirstValues::Float(r) => r
                .next()
                .and_then(|row| row.first())
                .filter(|&&b| b != FLOAT_MISSING && !f32::from_bits(b).is_nan())
                .map(|&b| f64::from(f32::from_bits(b))),
            FirstValues::Absent => None,
        }
    }
}

/// FORMAT/AD read cell by cell in order: the reads of allele 1 and of all alleles.
enum AlleleDepths<'s> {
    I8(Rows<'s, i8>),
    I16(Rows<'s, i16>),
    I32(Rows<'s, i32>),
    Absent,
}

impl<'s> AlleleDepths<'s> {
    fn new(data: Option<&'s ColumnData>) -> Self {
        match data {
            Some(ColumnData::Integer(Ints::I8(l))) => AlleleDepths::I8(l.rows()),
            Some(ColumnData::Integer(Ints::I16(l))) => AlleleDepths::I16(l.rows()),
            Some(ColumnData::Integer(Ints::I32(l))) => AlleleDepths::I32(l.rows()),
            _ => AlleleDepths::Absent,
        }
    }

    /// (reads of allele 1, reads of every allele), as [`Fields::values`] gives them.
    #[inline]
    fn next(&mut self) -> (Option<i64>, Option<i64>) {
        fn depths<T: IntSlot>(row: Option<&[T]>) -> (Option<i64>, Option<i64>) {
            let Some(row) = row.filter(|r| !r.is_empty()) else {
                return (None, None);
            };
            let mut total = 0i64;
            for &v in row {
                let v = v.to_i32();
                if v != INT_MISSING {
                    total += i64::from(v);
                }
            }
            let first = row
                .get(1)
                .map(|v| v.to_i32())
                .filter(|&v| v != INT_MISSING)
                .map(i64::from);
            (first, Some(total))
        }
        match self {
            AlleleDepths::I8(r) => depths(r.next()),
            AlleleDepths::I16(r) => depths(r.next()),
            AlleleDepths::I32(r) => depths(r.next()),
            AlleleDepths::Absent => (None, None),
        }
    }
}

/// Calls `f` with every genotype code in order, dispatching on the column's width once.
fn each_code(codes: &crate::store::Widening, mut f: impl FnMut(u32)) {
    use crate::store::Widening;
    match codes {
        Widening::U8(v) => v.iter().for_each(|&c| f(u32::from(c))),
        Widening::U16(v) => v.iter().for_each(|&c| f(u32::from(c))),
        Widening::U32(v) => v.iter().for_each(|&c| f(c)),
        Widening::U64(v) => v.iter().for_each(|&c| f(c as u32)),
    }
}

/// Bit 3 of a state: the call fails a gate.
pub const GATE_FAIL: u8 = 1 << 3;
/// Bit 4 of a state: the call has more reads of the allele than a de novo's parent may.
pub const ALT_READS: u8 = 1 << 4;
/// States are below this.
pub const STATES: usize = 32;

/// A cell's state byte: its [`Shape`] in bits 0–2, [`GATE_FAIL`], [`ALT_READS`].
pub fn state(shape: Shape, values: &CellValues, gates: &Gates) -> u8 {
    let mut s = shape as u8;
    let mut failed = false;
    check_gates(shape, values, gates, |_| failed = true);
    if failed {
        s |= GATE_FAIL;
    }
    if shape != Shape::Missing && excess_alt_reads(values, gates).is_some() {
        s |= ALT_READS;
    }
    s
}

/// The parts of a state byte.
pub fn unpack_state(s: u8) -> (Shape, bool, bool) {
    (Shape::from_bits(s), s & GATE_FAIL != 0, s & ALT_READS != 0)
}

/// Units of evaluation — (record, alternate allele) pairs — with every sample's state.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Per sample, one state per unit.
    pub states: Vec<Vec<u8>>,
    /// The record of each unit; `None` for the primary block, whose unit `i` is record `i`
    /// at allele 1.
    pub records: Option<Vec<u32>>,
    pub len: usize,
}

impl Block {
    pub fn record(&self, unit: usize) -> usize {
        self.records.as_ref().map_or(unit, |r| r[unit] as usize)
    }
}

/// The states of a store under some gates: allele 1 of every record (the primary block), and
/// alleles 2, 3, … of multi-allelic records (the extra block).
#[derive(Debug, Clone)]
pub struct States {
    pub primary: Block,
    pub extra: Block,
    /// Per sample, the records where the call fails a gate at any of the record's alleles (the
    /// site-level gate `mendel-error` reads).
    pub site_gate_fail: Vec<Bitmap>,
}

impl States {
    pub fn compute(store: &VariantStore, fields: &Fields, gates: &Gates) -> States {
        let ns = store.samples().len();
        let n = store.len();
        let values = store.genotype_values();
        let gates_on = gates.min_gq.is_some() || gates.min_dp.is_some() || gates.needs_ad();
        // Allele 1's shape of each distinct genotype, judged once.
        let shapes: Vec<u8> = values.iter().map(|&g| shape(g, 1) as u8).collect();
        let mut primary = vec![vec![0u8; n]; ns];
        let mut gq = FirstValues::new(fields.gq);
        let mut dp = FirstValues::new(fields.dp);
        let mut ad = AlleleDepths::new(fields.ad);
        // One pass over the cells in order (record-major), each FORMAT column read sequentially.
        let (mut i, mut s) = (0usize, 0usize);
        each_code(store.genotype_codes(), |code| {
            let sh = shapes[code as usize];
            primary[s][i] = if gates_on {
                let (ad_allele, ad_total) = ad.next();
                let values = CellValues {
                    gq: gq.next(),
                    dp: dp.next(),
                    ad_allele,
                    ad_total,
                };
                state(Shape::from_bits(sh), &values, gates)
            } else {
                sh
            };
            s += 1;
            if s == ns {
                s = 0;
                i += 1;
            }
        });
        let mut records = Vec::new();
        let mut alleles = Vec::new();
        for i in 0..n {
            if !store.alts(i).contains(&b',') {
                continue;
            }
            let count = store.alt_alleles(i).count() as u32;
            for a in 2..=count {
                records.push(i as u32);
                alleles.push(a);
            }
        }
        let extra_states: Vec<Vec<u8>> = (0..ns)
            .map(|s| {
                records
                    .iter()
                    .zip(&alleles)
                    .map(|(&i, &a)| {
                        let i = i as usize;
                        let sh = shape(store.genotype(i, s), a);
                        state(sh, &fields.values(i * ns + s, a), gates)
                    })
                    .collect()
            })
            .collect();
        let site_gate_fail: Vec<Bitmap> = (0..ns)
            .map(|s| {
                let mut b = Bitmap::from_slice(&primary[s], |x| x & GATE_FAIL != 0);
                for (k, &i) in records.iter().enumerate() {
                    if extra_states[s][k] & GATE_FAIL != 0 {
                        b.set(i as usize, true);
                    }
                }
                b
            })
            .collect();
        let extra_len = records.len();
        States {
            primary: Block {
                states: primary,
                records: None,
                len: n,
            },
            extra: Block {
                states: extra_states,
                records: Some(records),
                len: extra_len,
            },
            site_gate_fail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt(alleles: &[Option<u32>]) -> u32 {
        genotype::pack(alleles, false).unwrap()
    }

    #[test]
    fn shapes_count_copies_of_one_allele() {
        let (r, a, b) = (Some(0), Some(1), Some(2));
        assert_eq!(shape(gt(&[r, r]), 1), Shape::Zero);
        assert_eq!(shape(gt(&[r, a]), 1), Shape::One);
        assert_eq!(shape(gt(&[a, a]), 1), Shape::Two);
        assert_eq!(shape(gt(&[a, b]), 1), Shape::One);
        assert_eq!(shape(gt(&[a, b]), 2), Shape::One);
        assert_eq!(shape(gt(&[b, b]), 1), Shape::Zero);
        assert_eq!(shape(gt(&[a]), 1), Shape::HapOne);
        assert_eq!(shape(gt(&[r]), 1), Shape::HapZero);
        assert_eq!(shape(gt(&[None, None]), 1), Shape::Missing);
        assert_eq!(shape(gt(&[r, None]), 1), Shape::Missing);
        assert_eq!(shape(genotype::ABSENT, 1), Shape::Missing);
        assert_eq!(shape(genotype::OVERFLOW, 1), Shape::Missing);
    }

    #[test]
    fn hemizygous_males_read_het_as_alternate() {
        assert_eq!(class(Shape::One, true), (Class::HomAlt, true));
        assert_eq!(class(Shape::One, false), (Class::Het, false));
        assert_eq!(class(Shape::HapOne, true), (Class::HomAlt, false));
        assert_eq!(class(Shape::Two, true), (Class::HomAlt, false));
        assert_eq!(class(Shape::HapZero, false), (Class::Ref, false));
        assert_eq!(class(Shape::Missing, true), (Class::Missing, false));
    }

    fn fails(shape: Shape, v: CellValues, gates: &Gates) -> Vec<GateFail> {
        let mut out = Vec::new();
        check_gates(shape, &v, gates, |f| out.push(f));
        out
    }

    #[test]
    fn each_gate_fails_on_its_own_value() {
        let g = Gates::default();
        let good = CellValues {
            gq: Some(20.0),
            dp: Some(10.0),
            ad_allele: Some(5),
            ad_total: Some(10),
        };
        assert!(fails(Shape::One, good, &g).is_empty());
        let gq = CellValues {
            gq: Some(5.0),
            ..good
        };
        assert_eq!(
            fails(Shape::One, gq, &g),
            [GateFail::Gq {
                value: 5.0,
                min: 20.0
            }]
        );
        let dp = CellValues {
            dp: Some(9.0),
            ..good
        };
        assert!(matches!(
            fails(Shape::One, dp, &g)[..],
            [GateFail::Dp { .. }]
        ));
        // Het allele balance: 0.2 and 0.8 pass, 0.1 and 0.9 fail.
        for (alt, ok) in [(2, true), (8, true), (1, false), (9, false)] {
            let v = CellValues {
                ad_allele: Some(alt),
                ..good
            };
            assert_eq!(fails(Shape::One, v, &g).is_empty(), ok, "{alt}");
            assert_eq!(
                fails(Shape::One, v, &g)
                    .first()
                    .map(|f| matches!(f, GateFail::AbHet { .. })),
                (!ok).then_some(true)
            );
        }
        let homref = CellValues {
            ad_allele: Some(3),
            ..good
        };
        assert!(matches!(
            fails(Shape::Zero, homref, &g)[..],
            [GateFail::AbHomRef { .. }]
        ));
        assert!(
            fails(
                Shape::HapZero,
                CellValues {
                    ad_allele: Some(2),
                    ..good
                },
                &g
            )
            .is_empty()
        );
        let homalt = CellValues {
            ad_allele: Some(7),
            ..good
        };
        assert!(matches!(
            fails(Shape::Two, homalt, &g)[..],
            [GateFail::AbHomAlt { .. }]
        ));
        assert!(matches!(
            fails(Shape::HapOne, homalt, &g)[..],
            [GateFail::AbHomAlt { .. }]
        ));
        // Missing values cannot fail; a missing call has no gates; off means off.
        assert!(fails(Shape::One, CellValues::default(), &g).is_empty());
        assert!(fails(Shape::Missing, gq, &g).is_empty());
        assert!(fails(Shape::One, gq, &Gates::off()).is_empty());
        // Parents of a de novo: fewer than 2 reads of the allele.
        assert_eq!(
            excess_alt_reads(
                &CellValues {
                    ad_allele: Some(1),
                    ..good
                },
                &g
            ),
            None
        );
        assert_eq!(
            excess_alt_reads(
                &CellValues {
                    ad_allele: Some(6),
                    ..good
                },
                &g
            ),
            Some(6)
        );
        assert_eq!(
            excess_alt_reads(
                &CellValues {
                    ad_allele: Some(6),
                    ..good
                },
                &Gates::off()
            ),
            None
        );
    }

    #[test]
    fn state_bytes_round_trip() {
        let g = Gates::default();
        let bad = CellValues {
            gq: Some(3.0),
            ad_allele: Some(4),
            ad_total: Some(8),
            ..CellValues::default()
        };
        let s = state(Shape::Zero, &bad, &g);
        assert_eq!(unpack_state(s), (Shape::Zero, true, true));
        assert!((s as usize) < STATES);
        assert_eq!(
            unpack_state(state(Shape::Missing, &bad, &g)),
            (Shape::Missing, false, false)
        );
    }
}
