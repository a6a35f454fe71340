//! Column kernels: the common clause shapes evaluated straight over the store's columns, one
//! tight loop per clause, no per-record allocation. Each kernel must give exactly the
//! interpreter's site verdict (the property test in `tests/filter_property.rs` checks it);
//! shapes without a kernel return `None` and go to the interpreter.

use super::ir::{Cmp, Logic, Node, Sel, Source};
use super::predicate::{filter_matches, gt_class, packed_gt_class, type_matches};
use super::values::Context;
use crate::bitmap::Bitmap;
use crate::store::column::INT_MISSING;
use crate::store::ints::IntSlot;
use crate::store::lists::Slot;
use crate::store::{ColumnData, FLOAT_MISSING, Ints, Lists};

/// Whether the site verdict of `root`'s top-level chain (AND chain for include, OR chain for
/// exclude) is the AND (OR) of its clauses' verdicts.
pub fn site_decomposable(root: &Node, include: bool) -> bool {
    match root {
        Node::Logic(op, a, b) => {
            let and = matches!(op, Logic::And | Logic::AndVec);
            if and != include {
                // Not part of the chain: the node is one clause.
                return true;
            }
            if *op == Logic::AndVec && a.per_sample() && b.per_sample() {
                return false;
            }
            site_decomposable(a, include) && site_decomposable(b, include)
        }
        _ => true,
    }
}

/// The site verdict for every record, when `node` has a kernel.
pub fn evaluate(node: &Node, ctx: &Context) -> Option<Bitmap> {
    let n = ctx.store.len();
    match node {
        Node::Logic(op, a, b) => {
            let decomposable = match op {
                Logic::And | Logic::Or | Logic::OrVec => true,
                Logic::AndVec => !(a.per_sample() && b.per_sample()),
            };
            if !decomposable {
                return None;
            }
            let mut x = evaluate(a, ctx)?;
            let y = evaluate(b, ctx)?;
            if matches!(op, Logic::And | Logic::AndVec) {
                x.and_with(&y);
            } else {
                x.or_with(&y);
            }
            Some(x)
        }
        Node::Not(a) => {
            let mut x = evaluate(a, ctx)?;
            x.invert();
            Some(x)
        }
        // A bare value never holds (bcftools).
        Node::Bare(_) => Some(Bitmap::zeros(n)),
        Node::Filter {
            ids,
            subset,
            negate,
        } => {
            let pass_id = ctx.store.filter_names().iter().position(|x| x == "PASS");
            Some(Bitmap::from_fn(n, |i| {
                filter_matches(ctx.store.filter_ids(i), ids, *subset, pass_id) != *negate
            }))
        }
        Node::Type { mask, any, negate } => Some(Bitmap::from_fn(n, |i| {
            type_matches(ctx.store, i, *mask, *any) != *negate
        })),
        Node::GtClass(class, negate, sel) => {
            let ns = ctx.n_samples;
            let samples: Vec<usize> = (0..ns)
                .filter(|&s| sel.samples.as_ref().is_none_or(|v| v.contains(&s)))
                .collect();
            // Each distinct genotype is judged once: 0 / 1 the verdict, 2 for overflow cells,
            // judged from their text.
            let verdicts: Vec<u8> = ctx
                .store
                .genotype_values()
                .iter()
                .map(|&g| packed_gt_class(g, *class).map_or(2, |v| u8::from(v != *negate)))
                .collect();
            if !verdicts.contains(&2) {
                // No overflow cell: every cell's verdict in one pass over the codes.
                let cells = ctx
                    .store
                    .genotype_codes()
                    .bitmap(|c| verdicts[c as usize] == 1);
                if ns == 1 && samples == [0] {
                    return Some(cells);
                }
                return Some(Bitmap::from_fn(n, |i| {
                    samples.iter().any(|&s| cells.get(i * ns + s))
                }));
            }
            Some(Bitmap::from_fn(n, |i| {
                samples.iter().any(
                    |&s| match verdicts[ctx.store.genotype_code(i, s) as usize] {
                        2 => gt_class(ctx.store, i, s, *class) != *negate,
                        v => v == 1,
                    },
                )
            }))
        }
        Node::CmpNum(op, a, b) => {
            let (field, c, op) = match (a.as_ref(), b.as_ref()) {
                (Node::Field(src, sel), Node::Num(c)) => ((src, sel), *c, *op),
                (Node::Num(c), Node::Field(src, sel)) => ((src, sel), *c, op.flip()),
                _ => return None,
            };
            compare_column(field.0, field.1, op, c, ctx)
        }
        _ => None,
    }
}

/// One `FIELD op c` test over the values of a row, with bcftools' any-element rule.
struct RowTest<'a> {
    op: Cmp,
    c: f64,
    ne: bool,
    elems: Option<&'a [(usize, usize)]>,
}

impl RowTest<'_> {
    fn elem_ok(&self, k: usize) -> bool {
        self.elems
            .is_none_or(|r| r.iter().any(|&(a, b)| k >= a && k <= b))
    }

    /// Integers in any of the store's widths (missing is the type's [`IntSlot::MISSING`]).
    #[inline(always)]
    fn any_int<T: IntSlot>(&self, vals: &[T]) -> bool {
        let mut seen = false;
        for (k, &v) in vals.iter().enumerate() {
            if !self.elem_ok(k) {
                continue;
            }
            seen = true;
            if v == T::MISSING {
                if self.ne {
                    return true;
                }
            } else if self.op.test(f64::from(v.to_i32()), self.c) {
                return true;
            }
        }
        !seen && self.ne
    }

    #[inline(always)]
    fn any_float(&self, vals: &[u32]) -> bool {
        let mut seen = false;
        for (k, &b) in vals.iter().enumerate() {
            if !self.elem_ok(k) {
                continue;
            }
            seen = true;
            let v = f32::from_bits(b);
            if b == FLOAT_MISSING || v.is_nan() {
                if self.ne {
                    return true;
                }
            } else if self.op.test(f64::from(v), self.c) {
                return true;
            }
        }
        !seen && self.ne
    }
}

/// The bitmap of `records` records of `wanted.len()` rows each (1 for INFO, the samples for
/// FORMAT): a record passes when one of its rows that `wanted` selects passes `pass`. One pass
/// over the rows in order.
fn any_cell<T: Slot>(
    lists: &Lists<T>,
    records: usize,
    wanted: &[bool],
    pass: impl Fn(&[T]) -> bool,
) -> Bitmap {
    let mut rows = lists.rows();
    if let [true] = wanted {
        return Bitmap::from_fn(records, |_| pass(rows.next().unwrap_or(&[])));
    }
    Bitmap::from_fn(records, |_| {
        let mut hit = false;
        for &want in wanted {
            let row = rows.next().unwrap_or(&[]);
            hit = hit || (want && pass(row));
        }
        hit
    })
}

/// [`any_cell`] for an Integer column, dispatched once on its width; a one-value-per-row
/// column of one row per record (INFO, or FORMAT of one sample) tested without element
/// selection is scanned as a slice ([`Lists::scan_scalar`]) with an integer range test.
fn any_int_cell(col: &Ints, records: usize, wanted: &[bool], t: &RowTest) -> Bitmap {
    let scalar = wanted == [true] && t.elems.is_none();
    let range = IntRange::new(t.op, t.c);
    let fast = match col {
        Ints::I8(l) if scalar => {
            let r = range.within(i8::MIN.into(), i8::MAX.into());
            l.scan_scalar(|v| r.test(i32::from(v)), |v| t.any_int(v))
        }
        Ints::I16(l) if scalar => {
            let r = range.within(i16::MIN.into(), i16::MAX.into());
            l.scan_scalar(|v| r.test(i32::from(v)), |v| t.any_int(v))
        }
        Ints::I32(l) if scalar => l.scan_scalar(|v| range.test(v), |v| t.any_int(v)),
        _ => None,
    };
    fast.unwrap_or_else(|| match col {
        Ints::I8(l) => any_cell(l, records, wanted, |v| t.any_int(v)),
        Ints::I16(l) => any_cell(l, records, wanted, |v| t.any_int(v)),
        Ints::I32(l) => any_cell(l, records, wanted, |v| t.any_int(v)),
    })
}

/// [`any_cell`] for a Float column, with [`any_int_cell`]'s slice scan where it applies.
fn any_float_cell(col: &Lists<u32>, records: usize, wanted: &[bool], t: &RowTest) -> Bitmap {
    let fast = if wanted == [true] && t.elems.is_none() {
        // Missing and the layout's mark are NaNs: they fail every comparison but `!=`, as a
        // missing value must; marked rows are judged again from their exception.
        let x = FloatTest::new(t.op, t.c);
        col.scan_scalar(|b| x.test(f64::from(f32::from_bits(b))), |v| t.any_float(v))
    } else {
        None
    };
    fast.unwrap_or_else(|| any_cell(col, records, wanted, |v| t.any_float(v)))
}

/// `v op c` for a number `v`, without a branch on the operator: the three outcomes of comparing
/// (below, equal, above) and the fourth (unordered: either side NaN), each mapped to the
/// operator's verdict. One loop serves every operator, exactly as [`Cmp::test`].
#[derive(Debug, Clone, Copy)]
struct FloatTest {
    c: f64,
    below: bool,
    equal: bool,
    above: bool,
    unordered: bool,
}

impl FloatTest {
    fn new(op: Cmp, c: f64) -> Self {
        let (below, equal, above, unordered) = match op {
            Cmp::Eq => (false, true, false, false),
            Cmp::Ne => (true, false, true, true),
            Cmp::Lt => (true, false, false, false),
            Cmp::Le => (true, true, false, false),
            Cmp::Gt => (false, false, true, false),
            Cmp::Ge => (false, true, true, false),
        };
        Self {
            c,
            below,
            equal,
            above,
            unordered,
        }
    }

    #[inline(always)]
    fn test(self, v: f64) -> bool {
        let (l, e, g) = (v < self.c, v == self.c, v > self.c);
        (l & self.below) | (e & self.equal) | (g & self.above) | (!(l | e | g) & self.unordered)
    }
}

/// `v op c` for integer `v`, as the inclusive range of stored values that pass (for `!=`:
/// that fail), so a scan tests each value with one subtraction and one unsigned comparison.
/// Exactly [`Cmp::test`] on `f64::from(v)`, for every `i32` but the missing value, which
/// passes only `!=`.
#[derive(Debug, Clone, Copy)]
struct IntRange {
    lo: i32,
    /// `hi - lo` as unsigned (wrapping): `v` is inside when `v - lo <= span`.
    span: u32,
    empty: bool,
    negate: bool,
}

impl IntRange {
    fn new(op: Cmp, c: f64) -> Self {
        const ALL: (f64, f64) = (f64::NEG_INFINITY, f64::INFINITY);
        let (lo, hi) = if c.is_nan() {
            (1.0, 0.0)
        } else {
            match op {
                Cmp::Gt => (c.floor() + 1.0, ALL.1),
                Cmp::Ge => (c.ceil(), ALL.1),
                Cmp::Lt => (ALL.0, c.ceil() - 1.0),
                Cmp::Le => (ALL.0, c.floor()),
                Cmp::Eq | Cmp::Ne if c.fract() == 0.0 => (c, c),
                Cmp::Eq | Cmp::Ne => (1.0, 0.0),
            }
        };
        // Stored values: every i32 above the missing value.
        let lo = lo.max(f64::from(INT_MISSING) + 1.0);
        let hi = hi.min(f64::from(i32::MAX));
        let empty = lo > hi;
        let (lo, hi) = if empty {
            (0, 0)
        } else {
            (lo as i32, hi as i32)
        };
        Self {
            lo,
            span: hi.wrapping_sub(lo) as u32,
            empty,
            negate: op == Cmp::Ne,
        }
    }

    /// The range over the raw values of a narrow column of type `min..=max`, whose missing
    /// value is `min` (below every stored value, [`IntSlot`]), so raw values need no conversion.
    fn within(self, min: i32, max: i32) -> Self {
        if self.empty {
            return self;
        }
        let lo = self.lo.max(min + 1);
        let hi = self.lo.wrapping_add(self.span as i32).min(max);
        Self {
            lo,
            span: hi.wrapping_sub(lo) as u32,
            empty: lo > hi,
            negate: self.negate,
        }
    }

    #[inline(always)]
    fn test(self, v: i32) -> bool {
        let inside = !self.empty && v.wrapping_sub(self.lo) as u32 <= self.span;
        inside != self.negate
    }
}

/// `FIELD op c` with bcftools' any-element rule; a missing or absent value passes only `!=`.
fn compare_column(src: &Source, sel: &Sel, op: Cmp, c: f64, ctx: &Context) -> Option<Bitmap> {
    if sel.by_gt {
        return None;
    }
    let n = ctx.store.len();
    let ne = op == Cmp::Ne;
    let test = |v: f64| op.test(v, c);
    let t = RowTest {
        op,
        c,
        ne,
        elems: sel.elems.as_deref(),
    };
    let scalar_sel = sel
        .elems
        .as_ref()
        .is_none_or(|r| r.iter().any(|&(a, _)| a == 0));
    match src {
        Source::Qual => {
            if !scalar_sel {
                return Some(Bitmap::from_fn(n, |_| ne));
            }
            // Missing is a NaN, which fails every comparison but `!=`, as a missing QUAL must.
            let qual = ctx.store.qual_bits();
            let x = FloatTest::new(op, c);
            Some(Bitmap::from_slice(qual, |b| {
                x.test(f64::from(f32::from_bits(b)))
            }))
        }
        Source::Pos => {
            if !scalar_sel {
                return Some(Bitmap::from_fn(n, |_| ne));
            }
            let pos = ctx.store.positions();
            let x = FloatTest::new(op, c);
            Some(pos.bitmap(|p| x.test(p as f64)))
        }
        Source::Info(f) => match &ctx.store.info.field(*f).data {
            ColumnData::Integer(col) => Some(any_int_cell(col, n, &[true], &t)),
            ColumnData::Float(col) => Some(any_float_cell(col, n, &[true], &t)),
            ColumnData::Flag(col) => {
                if !scalar_sel {
                    return Some(Bitmap::from_fn(n, |_| ne));
                }
                Some(Bitmap::from_fn(n, |i| {
                    test(f64::from(u8::from(col.get(i))))
                }))
            }
            ColumnData::Text(_) => None,
        },
        Source::Format(f) => {
            let wanted: Vec<bool> = (0..ctx.n_samples)
                .map(|s| sel.samples.as_ref().is_none_or(|v| v.contains(&s)))
                .collect();
            match &ctx.store.format.field(*f).data {
                ColumnData::Integer(col) => Some(any_int_cell(col, n, &wanted, &t)),
                ColumnData::Float(col) => Some(any_float_cell(col, n, &wanted, &t)),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPS: [Cmp; 6] = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge];
    const CONSTANTS: [f64; 22] = [
        0.0,
        -0.0,
        0.5,
        -0.5,
        10.0,
        10.5,
        -127.0,
        -128.0,
        127.0,
        127.5,
        128.0,
        -32767.0,
        -32768.0,
        32767.0,
        32768.0,
        2147483647.0,
        -2147483647.0,
        -2147483648.0,
        1e12,
        -1e12,
        f64::INFINITY,
        f64::NAN,
    ];

    /// What the row test does with one stored value: missing passes only `!=`.
    fn reference(op: Cmp, c: f64, v: i32) -> bool {
        if v == INT_MISSING {
            op == Cmp::Ne
        } else {
            op.test(f64::from(v), c)
        }
    }

    #[test]
    fn float_tests_equal_the_comparison() {
        let values = [
            0.0,
            -0.0,
            0.5,
            10.0,
            10.5,
            -1e12,
            1e12,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::from(f32::from_bits(FLOAT_MISSING)),
        ];
        for op in OPS {
            for c in CONSTANTS.into_iter().chain(values) {
                let x = FloatTest::new(op, c);
                for v in values.into_iter().chain(CONSTANTS) {
                    assert_eq!(x.test(v), op.test(v, c), "{op:?} {c} on {v}");
                }
            }
        }
    }

    /// Every raw value `min..=max` of a narrow column (`min` is missing), tested through
    /// `r.within(min, max)`, against the comparison of the value it stands for.
    fn narrow_values_agree(r: IntRange, op: Cmp, c: f64, min: i32, max: i32) {
        let narrow = r.within(min, max);
        for raw in min..=max {
            let v = if raw == min { INT_MISSING } else { raw };
            assert_eq!(
                narrow.test(raw),
                reference(op, c, v),
                "{op:?} {c} on {raw} in {min}..={max}"
            );
        }
    }

    #[test]
    fn integer_ranges_equal_the_comparison() {
        let mut values: Vec<i32> = (-300..300).collect();
        values.extend([
            INT_MISSING,
            i32::MIN + 1,
            i32::MIN + 2,
            i32::MAX,
            i32::MAX - 1,
            -32769,
            -32768,
            -32767,
            32767,
            32768,
        ]);
        for op in OPS {
            for c in CONSTANTS.into_iter().chain([f64::NEG_INFINITY]) {
                let r = IntRange::new(op, c);
                for &v in &values {
                    assert_eq!(r.test(v), reference(op, c, v), "{op:?} {c} on {v}");
                }
                // Narrow columns: raw values, whose minimum is missing.
                narrow_values_agree(r, op, c, i8::MIN.into(), i8::MAX.into());
                narrow_values_agree(r, op, c, i16::MIN.into(), i16::MAX.into());
            }
        }
    }
}
