//! The row-by-row interpreter: a [`Node`] evaluated on one record, with bcftools' model of
//! values and verdicts (`filter.c`). A value is site-level or per sample; a condition gives a
//! site verdict and, when it looks at samples, a verdict per sample ([`Verdict`]). The logical
//! operators combine them as bcftools' `vector_logic_and` / `vector_logic_or` do:
//!
//! - if a side fails (`&`, `&&`) or both do (`|`, `||`), the site fails and no sample passes;
//! - `&&`: the samples either side selected (each side may be met by different samples);
//! - `&`: with samples on both sides, those that meet both — the site holds only if one does;
//! - `|`: the samples either side selected (a site-level side selects none);
//! - `||`: every sample the expression looks at ([`Node::used_samples`]) when both sides look
//!   at samples or a site-level side holds, else the samples of the side that holds.
//!
//! A sample outside a subscript (`FMT/DP[0]`) never passes. Only `&` between two per-sample
//! sides makes the site verdict depend on the samples; every other operator's site verdict
//! is the AND / OR of its sides', which is what lets the kernels evaluate them as bitmaps.

use crate::binomial;
use crate::store::ColumnData;
use crate::store::genotype;

use super::ir::{Arith, Cmp, Logic, Node, Reduce, Source, StrTest};
use super::predicate::{filter_matches, gt_class, type_matches};
use super::values::{Context, Vals};

/// A value during evaluation.
#[derive(Debug, Clone)]
pub enum Val {
    Num(Vals<f64>),
    Str(Vals<Vec<u8>>),
    Bool(Verdict),
}

/// A boolean result: for the site and, when samples were looked at, per sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub site: bool,
    pub samples: Option<Vec<bool>>,
}

impl Verdict {
    pub(super) fn from_samples(samples: Vec<bool>) -> Self {
        Self {
            site: samples.iter().any(|&b| b),
            samples: Some(samples),
        }
    }
}

impl Context<'_> {
    pub fn eval(&self, node: &Node, rec: usize) -> Val {
        match node {
            Node::Num(v) => Val::Num(Vals::site(vec![*v])),
            Node::Field(src, sel) => match src {
                Source::Chrom | Source::Id | Source::Ref | Source::Alt | Source::Gt => {
                    Val::Str(self.strings(src, sel, rec))
                }
                Source::Info(f) | Source::Format(f)
                    if matches!(self.field_data(src, *f), ColumnData::Text(_)) =>
                {
                    Val::Str(self.strings(src, sel, rec))
                }
                Source::Annotation(c) if !self.annotations[*c].numeric => {
                    Val::Str(self.strings(src, sel, rec))
                }
                _ => Val::Num(self.numbers(src, sel, rec)),
            },
            Node::Neg(a) => Val::Num(map_num(self.num(a, rec), |x| -x)),
            Node::Abs(a) => Val::Num(map_num(self.num(a, rec), f64::abs)),
            Node::Phred(a) => Val::Num(map_num(self.num(a, rec), |x| -10.0 * x.log10())),
            Node::Strlen(a) => match self.eval(a, rec) {
                Val::Str(v) => Val::Num(Vals {
                    data: v
                        .data
                        .iter()
                        .map(|s| {
                            if s.is_empty() || s == b"." {
                                f64::NAN
                            } else {
                                s.len() as f64
                            }
                        })
                        .collect(),
                    offsets: v.offsets,
                }),
                _ => Val::Num(Vals::site(vec![f64::NAN])),
            },
            Node::Arith(op, a, b) => Val::Num(arith(*op, &self.num(a, rec), &self.num(b, rec))),
            Node::Reduce(r, per_sample, a) => {
                let v = self.num(a, rec);
                if *per_sample && v.per_sample() {
                    let n = v.n_samples();
                    let data = (0..n).map(|s| reduce(*r, v.sample(s))).collect();
                    Val::Num(Vals {
                        data,
                        offsets: Some((0..=n).collect()),
                    })
                } else {
                    Val::Num(Vals::site(vec![reduce(*r, &v.data)]))
                }
            }
            Node::Count(a) => match self.eval(a, rec) {
                Val::Bool(b) => Val::Num(Vals::site(vec![match &b.samples {
                    Some(s) => s.iter().filter(|&&x| x).count() as f64,
                    None => f64::from(u8::from(b.site)),
                }])),
                Val::Num(v) => Val::Num(Vals::site(vec![
                    v.data.iter().filter(|x| !x.is_nan()).count() as f64,
                ])),
                Val::Str(v) => Val::Num(Vals::site(vec![
                    v.data
                        .iter()
                        .filter(|s| !s.is_empty() && *s != b".")
                        .count() as f64,
                ])),
            },
            Node::Pass(fraction, a) => {
                let b = self.boolean(a, rec);
                let n = match &b.samples {
                    Some(s) => s.iter().filter(|&&x| x).count(),
                    None if b.site => self.n_samples,
                    None => 0,
                } as f64;
                let v = if *fraction {
                    if self.n_samples == 0 {
                        f64::NAN
                    } else {
                        n / self.n_samples as f64
                    }
                } else {
                    n
                };
                Val::Num(Vals::site(vec![v]))
            }
            Node::Binom(args) => Val::Num(self.binom(args, rec)),
            _ => Val::Bool(self.boolean(node, rec)),
        }
    }

    fn field_data(&self, src: &Source, f: usize) -> &ColumnData {
        match src {
            Source::Info(_) => &self.store.info.field(f).data,
            _ => &self.store.format.field(f).data,
        }
    }

    fn num(&self, node: &Node, rec: usize) -> Vals<f64> {
        match self.eval(node, rec) {
            Val::Num(v) => v,
            Val::Bool(b) => Vals::site(vec![f64::from(u8::from(b.site))]),
            Val::Str(v) => Vals {
                data: v
                    .data
                    .iter()
                    .map(|s| {
                        std::str::from_utf8(s)
                            .ok()
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(f64::NAN)
                    })
                    .collect(),
                offsets: v.offsets,
            },
        }
    }

    fn binom(&self, args: &[Node], rec: usize) -> Vals<f64> {
        // binom(FMT/AD): the two counts are the ones of the sample's two GT alleles.
        if let [one] = args {
            let v = self.num(one, rec);
            if v.per_sample() {
                let n = v.n_samples();
                let mut data = Vec::with_capacity(n);
                for s in 0..n {
                    let counts = v.sample(s);
                    let p = match genotype::unpack(self.store.genotype(rec, s)) {
                        Some(([Some(a), Some(b)], 2, _)) => {
                            match (counts.get(a as usize), counts.get(b as usize)) {
                                // No reads: missing, even for a homozygous genotype.
                                (Some(&x), Some(&y))
                                    if x.is_nan() || y.is_nan() || x + y == 0.0 =>
                                {
                                    f64::NAN
                                }
                                _ if a == b => 1.0,
                                (Some(&x), Some(&y)) => binomial::two_sided(x, y),
                                _ => f64::NAN,
                            }
                        }
                        _ => f64::NAN,
                    };
                    data.push(p);
                }
                return Vals {
                    data,
                    offsets: Some((0..=n).collect()),
                };
            }
            let p = match v.data.as_slice() {
                [x, y, ..] => binomial::two_sided(*x, *y),
                _ => f64::NAN,
            };
            return Vals::site(vec![p]);
        }
        let (a, b) = (self.num(&args[0], rec), self.num(&args[1], rec));
        arith_with(&a, &b, binomial::two_sided)
    }

    /// Evaluates a boolean node.
    pub fn boolean(&self, node: &Node, rec: usize) -> Verdict {
        let v = self.boolean_unrestricted(node, rec);
        match node {
            Node::CmpNum(..) | Node::CmpStr { .. } | Node::IsMissing(..) => {
                restrict(node, v, self.n_samples)
            }
            _ => v,
        }
    }

    fn boolean_unrestricted(&self, node: &Node, rec: usize) -> Verdict {
        match node {
            Node::CmpNum(op, a, b) => {
                let (va, vb) = (self.num(a, rec), self.num(b, rec));
                compare(
                    &va,
                    &vb,
                    |x, y| {
                        if x.is_nan() || y.is_nan() {
                            *op == Cmp::Ne
                        } else {
                            op.test(x, y)
                        }
                    },
                    *op == Cmp::Ne,
                )
            }
            Node::CmpStr { node, test, negate } => {
                let v = match self.eval(node, rec) {
                    Val::Str(v) => v,
                    Val::Num(v) => Vals {
                        data: v
                            .data
                            .iter()
                            .map(|x| crate::store::column::format_g(*x).into_bytes())
                            .collect(),
                        offsets: v.offsets,
                    },
                    Val::Bool(b) => return b,
                };
                let matches = |s: &[u8]| -> bool {
                    match test {
                        StrTest::Eq(t) => s == t.as_slice(),
                        StrTest::Regex(r) => r.is_match(s),
                        StrTest::Set(set) => set.contains(s),
                    }
                };
                // A literal with commas is a list: some element equals some item (bcftools).
                let list: Option<Vec<&[u8]>> = match test {
                    StrTest::Eq(t) if t.contains(&b',') => Some(t.split(|&c| c == b',').collect()),
                    _ => None,
                };
                // ID lists: `ID!="x"` means no identifier is x.
                let id = matches!(node.as_ref(), Node::Field(Source::Id, _));
                // An absent value: `!=` holds, `=` does not.
                let judge = |vals: &[Vec<u8>]| -> bool {
                    if vals.is_empty() {
                        return *negate;
                    }
                    if let Some(items) = &list {
                        return vals
                            .iter()
                            .any(|v| items.contains(&v.as_slice()) != *negate);
                    }
                    if id {
                        return vals.iter().any(|s| matches(s)) != *negate;
                    }
                    vals.iter().any(|s| matches(s) != *negate)
                };
                match v.offsets {
                    Some(_) => Verdict::from_samples(
                        (0..v.n_samples()).map(|s| judge(v.sample(s))).collect(),
                    ),
                    None => Verdict {
                        site: judge(&v.data),
                        samples: None,
                    },
                }
            }
            Node::IsMissing(a, want) => {
                // `TAG="."`: every value missing; with an explicit subscript (`TAG[*]`,
                // `FGI[*:1-2]`), some selected value missing (bcftools ≥ 1.17).
                let any = matches!(a.as_ref(), Node::Field(_, sel) if sel.star || sel.elems.is_some() || sel.by_gt);
                // `!="."` is "some value present" either way.
                let want = *want;
                let judge_num = move |x: &[f64]| {
                    if !want {
                        !x.iter().any(|v| !v.is_nan())
                    } else if any && !x.is_empty() {
                        x.iter().any(|v| v.is_nan())
                    } else {
                        x.iter().all(|v| v.is_nan())
                    }
                };
                let judge_str = move |x: &[Vec<u8>]| {
                    let miss = |v: &Vec<u8>| v.is_empty() || v == b".";
                    if !want {
                        x.iter().all(miss)
                    } else if any && !x.is_empty() {
                        x.iter().any(miss)
                    } else {
                        x.iter().all(miss)
                    }
                };
                let (per, n, f): (bool, usize, Box<dyn Fn(usize) -> bool>) = match self.eval(a, rec)
                {
                    Val::Num(v) => {
                        let per = v.per_sample();
                        let n = v.n_samples();
                        (per, n, Box::new(move |s| judge_num(v.sample(s))))
                    }
                    Val::Str(v) => {
                        let per = v.per_sample();
                        let n = v.n_samples();
                        (per, n, Box::new(move |s| judge_str(v.sample(s))))
                    }
                    Val::Bool(b) => return b,
                };
                if per {
                    Verdict::from_samples((0..n).map(|s| f(s) == want).collect())
                } else {
                    Verdict {
                        site: f(0) == want,
                        samples: None,
                    }
                }
            }
            Node::GtClass(class, negate, sel) => Verdict::from_samples(
                (0..self.n_samples)
                    .map(|s| sel.sample_ok(s) && (gt_class(self.store, rec, s, *class) != *negate))
                    .collect(),
            ),
            Node::Filter {
                ids,
                subset,
                negate,
            } => {
                let have = self.store.filter_ids(rec);
                let pass_id = self.store.filter_names().iter().position(|n| n == "PASS");
                let m = filter_matches(have, ids, *subset, pass_id);
                Verdict {
                    site: m != *negate,
                    samples: None,
                }
            }
            Node::Type { mask, any, negate } => {
                let m = type_matches(self.store, rec, *mask, *any);
                Verdict {
                    site: m != *negate,
                    samples: None,
                }
            }
            Node::Logic(op, a, b) => {
                let (x, y) = (self.boolean(a, rec), self.boolean(b, rec));
                logic(*op, x, y, || {
                    node.used_samples(self.n_samples)
                        .unwrap_or_else(|| vec![true; self.n_samples])
                })
            }
            Node::Not(a) => {
                let x = self.boolean(a, rec);
                Verdict {
                    site: !x.site,
                    samples: None,
                }
            }
            // A value where a condition belongs never holds (bcftools sets no `pass_site` for
            // it); a per-sample one selects no sample.
            Node::Bare(a) => Verdict {
                site: false,
                samples: a.per_sample().then(|| vec![false; self.n_samples]),
            },
            // Compile puts values under `Bare`; a value here would be a compiler bug, and it
            // does not hold either.
            _ => Verdict {
                site: false,
                samples: None,
            },
        }
    }
}

/// A comparison's verdict on the samples it looks at ([`Node::used_samples`]): samples
/// outside a subscript like `FMT/DP[0]` cannot pass (their values read as absent, which `!=`
/// would otherwise accept).
fn restrict(node: &Node, mut v: Verdict, n: usize) -> Verdict {
    if let (Some(samples), Some(used)) = (v.samples.as_mut(), node.used_samples(n)) {
        for (s, u) in samples.iter_mut().zip(used) {
            *s &= u;
        }
        v.site = samples.iter().any(|&b| b);
    }
    v
}

fn map_num(mut v: Vals<f64>, f: impl Fn(f64) -> f64) -> Vals<f64> {
    for x in &mut v.data {
        *x = f(*x);
    }
    v
}

fn arith(op: Arith, a: &Vals<f64>, b: &Vals<f64>) -> Vals<f64> {
    arith_with(a, b, |x, y| match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => x / y,
        // bcftools truncates both sides to integers; a divisor that truncates to 0 (`0.5`)
        // gives a missing value, as `%0` does (bcftools 1.16: `POS%0.5==0` and `!=0` both
        // false), and so does i64::MIN % -1, which overflows.
        Arith::Mod => (x as i64)
            .checked_rem(y as i64)
            .map_or(f64::NAN, |r| r as f64),
    })
}

/// Element-wise with broadcasting: a one-element side applies to every element of the other;
/// per-sample sides pair up sample by sample.
fn arith_with(a: &Vals<f64>, b: &Vals<f64>, f: impl Fn(f64, f64) -> f64) -> Vals<f64> {
    let pair = |x: &[f64], y: &[f64]| -> Vec<f64> {
        if x.len() == 1 {
            y.iter().map(|&v| f(x[0], v)).collect()
        } else if y.len() == 1 {
            x.iter().map(|&v| f(v, y[0])).collect()
        } else {
            x.iter().zip(y).map(|(&p, &q)| f(p, q)).collect()
        }
    };
    match (a.per_sample(), b.per_sample()) {
        (false, false) => Vals::site(pair(&a.data, &b.data)),
        _ => {
            let n = a.n_samples().max(b.n_samples());
            let mut data = Vec::new();
            let mut offsets = vec![0];
            for s in 0..n {
                data.extend(pair(a.sample(s), b.sample(s)));
                offsets.push(data.len());
            }
            Vals {
                data,
                offsets: Some(offsets),
            }
        }
    }
}

fn reduce(r: Reduce, v: &[f64]) -> f64 {
    let vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if r == Reduce::Count {
        return vals.len() as f64;
    }
    if vals.is_empty() {
        return f64::NAN;
    }
    let n = vals.len() as f64;
    match r {
        Reduce::Min => vals.iter().copied().fold(f64::INFINITY, f64::min),
        Reduce::Max => vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Reduce::Sum => vals.iter().sum(),
        Reduce::Avg => vals.iter().sum::<f64>() / n,
        Reduce::Median => {
            let mut s = vals.clone();
            s.sort_by(f64::total_cmp);
            let m = s.len() / 2;
            if s.len() % 2 == 1 {
                s[m]
            } else {
                (s[m - 1] + s[m]) / 2.0
            }
        }
        Reduce::Count => n,
        Reduce::Stdev => {
            let mean = vals.iter().sum::<f64>() / n;
            (vals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
        }
    }
}

/// Compares with bcftools' any-element rule: site-level vs site-level gives a site verdict;
/// a per-sample side gives a verdict per sample. `empty` is the result for absent values.
fn compare(a: &Vals<f64>, b: &Vals<f64>, f: impl Fn(f64, f64) -> bool, empty: bool) -> Verdict {
    let judge = |x: &[f64], y: &[f64]| -> bool {
        if x.is_empty() || y.is_empty() {
            return empty;
        }
        if x.len() == 1 {
            y.iter().any(|&v| f(x[0], v))
        } else if y.len() == 1 {
            x.iter().any(|&v| f(v, y[0]))
        } else {
            x.iter().zip(y).any(|(&p, &q)| f(p, q))
        }
    };
    match (a.per_sample(), b.per_sample()) {
        (false, false) => Verdict {
            site: judge(&a.data, &b.data),
            samples: None,
        },
        _ => {
            let n = a.n_samples().max(b.n_samples());
            Verdict::from_samples((0..n).map(|s| judge(a.sample(s), b.sample(s))).collect())
        }
    }
}

/// Combines two verdicts with bcftools' per-sample rules (module docs). `used` gives the
/// samples the combined expression looks at, which `||` selects when it selects "all".
pub fn logic(op: Logic, x: Verdict, y: Verdict, used: impl FnOnce() -> Vec<bool>) -> Verdict {
    let per = x.samples.is_some() || y.samples.is_some();
    let n = x
        .samples
        .as_ref()
        .or(y.samples.as_ref())
        .map_or(0, Vec::len);
    let none = || per.then(|| vec![false; n]);
    let or_samples = |a: &Option<Vec<bool>>, b: &Option<Vec<bool>>| -> Option<Vec<bool>> {
        match (a, b) {
            (Some(p), Some(q)) => Some(p.iter().zip(q).map(|(&u, &v)| u || v).collect()),
            (Some(p), None) | (None, Some(p)) => Some(p.clone()),
            (None, None) => None,
        }
    };
    match op {
        // `vector_logic_and`: a failing side fails the site.
        Logic::And | Logic::AndVec => {
            if !x.site || !y.site {
                return Verdict {
                    site: false,
                    samples: none(),
                };
            }
            match (&x.samples, &y.samples) {
                // `&`: within one sample.
                (Some(p), Some(q)) if op == Logic::AndVec => {
                    Verdict::from_samples(p.iter().zip(q).map(|(&u, &v)| u && v).collect())
                }
                // `&&` of two per-sample sides, or one side per sample: its samples.
                _ => Verdict {
                    site: true,
                    samples: or_samples(&x.samples, &y.samples),
                },
            }
        }
        // `vector_logic_or`: both sides failing fail the site.
        _ if !x.site && !y.site => Verdict {
            site: false,
            samples: none(),
        },
        // `|`: the samples each side selected; a site-level side selects none.
        Logic::OrVec => Verdict {
            site: true,
            samples: or_samples(&x.samples, &y.samples),
        },
        // `||`: a failing site-level side leaves the other side's samples; otherwise every
        // sample looked at.
        Logic::Or => {
            let samples = if !per {
                None
            } else if x.samples.is_none() && !x.site {
                y.samples
            } else if y.samples.is_none() && !y.site {
                x.samples
            } else {
                Some(used())
            };
            Verdict {
                site: true,
                samples,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(site: bool, samples: Option<&[bool]>) -> Verdict {
        Verdict {
            site,
            samples: samples.map(<[bool]>::to_vec),
        }
    }

    #[test]
    fn logic_matches_bcftools_sample_rules() {
        // Checked with bcftools 1.16 on three samples A B C (GQ>20 → A, DP>5 → B).
        let gq = v(true, Some(&[true, false, false]));
        let dp = v(true, Some(&[false, true, false]));
        let pos = v(true, None);
        let no = v(false, None);
        let all3 = || vec![true; 3];
        assert_eq!(
            logic(Logic::And, gq.clone(), dp.clone(), all3).samples,
            Some(vec![true, true, false])
        );
        assert!(!logic(Logic::AndVec, gq.clone(), dp.clone(), all3).site);
        assert_eq!(
            logic(Logic::Or, gq.clone(), dp.clone(), all3).samples,
            Some(vec![true; 3])
        );
        assert_eq!(
            logic(Logic::OrVec, gq.clone(), dp.clone(), all3).samples,
            Some(vec![true, true, false])
        );
        assert_eq!(
            logic(Logic::Or, gq.clone(), no.clone(), all3).samples,
            Some(vec![true, false, false])
        );
        // FMT/DP>4 || FMT/GQ>40 where only DP holds (in B): bcftools selects every sample.
        let nobody = v(false, Some(&[false; 3]));
        assert_eq!(
            logic(Logic::Or, dp.clone(), nobody, all3).samples,
            Some(vec![true; 3])
        );
        assert_eq!(
            logic(Logic::Or, no.clone(), pos.clone(), all3).samples,
            None
        );
        assert_eq!(
            logic(Logic::OrVec, pos.clone(), v(false, Some(&[false; 3])), all3).samples,
            Some(vec![false; 3])
        );
        assert_eq!(
            logic(Logic::And, gq.clone(), pos, all3).samples,
            Some(vec![true, false, false])
        );
    }

    #[test]
    fn or_selects_every_sample_looked_at() {
        // `FMT/DP[0]>5 || QUAL>30` where QUAL holds: bcftools 1.16 selects sample 0 only, the
        // one sample the expression looks at.
        let dp0 = v(false, Some(&[false; 3]));
        let qual = v(true, None);
        let used = || vec![true, false, false];
        assert_eq!(
            logic(Logic::Or, dp0.clone(), qual.clone(), used).samples,
            Some(vec![true, false, false])
        );
        // With the site-level side failing, the per-sample side's own samples.
        let dp0_b = v(true, Some(&[false, true, false]));
        assert_eq!(
            logic(Logic::Or, v(false, None), dp0_b.clone(), used).samples,
            Some(vec![false, true, false])
        );
        // Both failing: the site fails and no sample passes.
        let r = logic(Logic::Or, dp0, v(false, None), used);
        assert_eq!((r.site, r.samples), (false, Some(vec![false; 3])));
        // `|` with a failing per-sample side and a holding site-level one: the site holds, no
        // sample does (a later `&` with a per-sample side then fails, as in bcftools).
        let r = logic(Logic::OrVec, v(false, Some(&[false; 3])), qual, used);
        assert_eq!((r.site, r.samples), (true, Some(vec![false; 3])));
    }

    #[test]
    fn modulo_truncates_and_a_zero_divisor_is_missing() {
        let rem =
            |x: f64, y: f64| arith(Arith::Mod, &Vals::site(vec![x]), &Vals::site(vec![y])).data[0];
        assert_eq!(rem(7.0, 2.0), 1.0);
        // bcftools 1.16: `POS%2.5==1` keeps POS 7 (2.5 truncates to 2).
        assert_eq!(rem(7.0, 2.5), 1.0);
        // A divisor that truncates to 0, 0 itself, and i64::MIN % -1: missing, never a panic
        // (the fuzz target `filter` found `…%2/0638.76…`, a divisor of 0.003).
        assert!(rem(7.0, 0.5).is_nan());
        assert!(rem(7.0, 0.0).is_nan());
        assert!(rem(-1e300, -1.0).is_nan());
    }
}
