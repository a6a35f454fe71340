//! Column kernels: the common clause shapes evaluated straight over the store's columns, one
//! tight loop per clause, no per-record allocation. Each kernel must give exactly the
//! interpreter's site verdict (the property test in `tests/filter_property.rs` checks it);
//! shapes without a kernel return `None` and go to the interpreter.

use super::eval::{
    Cmp, Context, Logic, Node, Sel, Source, filter_matches, gt_class, packed_gt_class, type_matches,
};
use crate::bitmap::Bitmap;
use crate::store::ints::IntSlot;
use crate::store::lists::Slot;
use crate::store::{ColumnData, FLOAT_MISSING, Ints, Lists};

/// Whether the node looks at samples (its verdict can carry per-sample results).
pub fn per_sample(node: &Node) -> bool {
    match node {
        Node::Field(src, _) => matches!(src, Source::Format(_) | Source::Gt),
        Node::GtClass(..) => true,
        Node::Num(_) | Node::Filter { .. } | Node::Type { .. } => false,
        Node::Neg(a) | Node::Abs(a) | Node::Phred(a) | Node::Strlen(a) => per_sample(a),
        Node::Reduce(_, per, a) => *per && per_sample(a),
        // These reduce over samples to one site value.
        Node::Count(_) | Node::Pass(..) | Node::Not(_) => false,
        Node::Binom(args) => args.iter().any(per_sample),
        Node::Arith(_, a, b) | Node::CmpNum(_, a, b) | Node::Logic(_, a, b) => {
            per_sample(a) || per_sample(b)
        }
        Node::CmpStr { node, .. } | Node::IsMissing(node, _) => per_sample(node),
    }
}

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
            if *op == Logic::AndVec && per_sample(a) && per_sample(b) {
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
                Logic::AndVec => !(per_sample(a) && per_sample(b)),
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

/// [`any_cell`] for an Integer column, dispatched once on its width.
fn any_int_cell(col: &Ints, records: usize, wanted: &[bool], t: &RowTest) -> Bitmap {
    match col {
        Ints::I8(l) => any_cell(l, records, wanted, |v| t.any_int(v)),
        Ints::I16(l) => any_cell(l, records, wanted, |v| t.any_int(v)),
        Ints::I32(l) => any_cell(l, records, wanted, |v| t.any_int(v)),
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
            Some(Bitmap::from_fn(n, |i| match ctx.store.qual(i) {
                Some(q) if !q.is_nan() => test(f64::from(q)),
                _ => ne,
            }))
        }
        Source::Pos => {
            if !scalar_sel {
                return Some(Bitmap::from_fn(n, |_| ne));
            }
            Some(Bitmap::from_fn(n, |i| test(ctx.store.pos(i) as f64)))
        }
        Source::Info(f) => match &ctx.store.info.field(*f).data {
            ColumnData::Integer(col) => Some(any_int_cell(col, n, &[true], &t)),
            ColumnData::Float(col) => Some(any_cell(col, n, &[true], |v| t.any_float(v))),
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
                ColumnData::Float(col) => Some(any_cell(col, n, &wanted, |v| t.any_float(v))),
                _ => None,
            }
        }
        _ => None,
    }
}
