//! The compiled expression ([`Node`]) and its row-by-row interpreter.
//!
//! Values follow bcftools' model: a value is site-level (a vector of numbers or strings) or
//! per-sample (a vector per sample); a comparison yields a site verdict and, when it looked at
//! samples, a verdict per sample. Missing numbers are NaN. The per-sample rules of the logical
//! operators were checked against bcftools 1.16 (see the unit tests and the conformance table):
//!
//! - `&`  same sample must satisfy both sides; `&&` each side may be met by different samples,
//!   the selected samples are the union;
//! - `|`  union of the samples each side selected (a site-level side selects none);
//!   `||` selects every sample when both sides look at samples or a site-level side holds,
//!   else the samples of the side that holds.

use std::collections::HashSet;

use crate::annotation;
use crate::store::genotype::{self, Allele};
use crate::store::{ColumnData, FLOAT_MISSING, INT_MISSING, VariantStore};
use crate::variant_type as vt;

use super::regex::Regex;

/// Which samples and which vector elements a subscript selects.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sel {
    /// `None`: every sample.
    pub samples: Option<Vec<usize>>,
    /// `None`: every element. Ranges are inclusive; `usize::MAX` as end means open.
    pub elems: Option<Vec<(usize, usize)>>,
    /// `[*]` written out: `TAG[*]="."` then means "some element is missing".
    pub star: bool,
    /// `[GT]` / `[s:GT]`: the elements of the sample's genotype alleles.
    pub by_gt: bool,
}

impl Sel {
    fn elem_ok(&self, k: usize) -> bool {
        self.elems
            .as_ref()
            .is_none_or(|r| r.iter().any(|&(a, b)| k >= a && k <= b))
    }

    /// Explicit indices past the end of a present vector read as missing (`FGI[*:5]` on three
    /// values is missing, as bcftools ≥ 1.17).
    fn padding(&self, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        self.elems.as_ref().map_or(0, |r| {
            r.iter()
                .filter(|&&(_, b)| b != usize::MAX)
                .flat_map(|&(a, b)| a..=b)
                .filter(|&k| k >= len)
                .count()
        })
    }

    fn sample_ok(&self, s: usize) -> bool {
        self.samples.as_ref().is_none_or(|v| v.contains(&s))
    }
}

/// Where values come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Qual,
    Pos,
    Chrom,
    Id,
    Ref,
    Alt,
    NAlt,
    NSamples,
    NMissing,
    FMissing,
    ILen,
    /// Allele counts from genotypes (when INFO has no such tag).
    Ac,
    An,
    Af,
    Mac,
    Maf,
    Info(usize),
    Format(usize),
    Gt,
    /// Index into the filter's annotation columns.
    Annotation(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub fn test(self, a: f64, b: f64) -> bool {
        match self {
            Self::Eq => a == b,
            Self::Ne => a != b,
            Self::Lt => a < b,
            Self::Le => a <= b,
            Self::Gt => a > b,
            Self::Ge => a >= b,
        }
    }

    /// The comparison with its operands swapped (`5<DP` is `DP>5`).
    pub fn flip(self) -> Self {
        match self {
            Self::Lt => Self::Gt,
            Self::Le => Self::Ge,
            Self::Gt => Self::Lt,
            Self::Ge => Self::Le,
            o => o,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logic {
    And,
    AndVec,
    Or,
    OrVec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduce {
    Min,
    Max,
    Avg,
    Median,
    Sum,
    Stdev,
    /// Values present (only per sample: `SMPL_COUNT`; plain `COUNT` is [`Node::Count`]).
    Count,
}

/// Genotype classes for `GT="het"` and friends (bcftools' names, case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GtClass {
    Hom,
    Het,
    Hap,
    Mis,
    Ref,
    Alt,
    /// Two-letter and one-letter codes: `RR RA AR AA Aa aA R A`.
    RR,
    RA,
    AA,
    AaDiff,
    HapRef,
    HapAlt,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrTest {
    Eq(Vec<u8>),
    Regex(Regex),
    Set(HashSet<Vec<u8>>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Num(f64),
    Field(Source, Sel),
    Neg(Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Reduce(Reduce, bool, Box<Node>),
    Abs(Box<Node>),
    Phred(Box<Node>),
    Strlen(Box<Node>),
    Count(Box<Node>),
    /// `N_PASS` (false) / `F_PASS` (true) of a boolean.
    Pass(bool, Box<Node>),
    Binom(Vec<Node>),
    /// Numeric comparison.
    CmpNum(Cmp, Box<Node>, Box<Node>),
    /// String test on a string-valued node; `negate` for `!=` / `!~` (any element not passing).
    CmpStr {
        node: Box<Node>,
        test: StrTest,
        negate: bool,
    },
    /// `X="."` (all missing) or `X!="."`.
    IsMissing(Box<Node>, bool),
    GtClass(GtClass, bool, Sel),
    /// `FILTER="A;B"` (set equality) or `FILTER~"A"` (subset); negate for `!=` / `!~`.
    Filter {
        ids: Vec<Option<u16>>,
        subset: bool,
        negate: bool,
    },
    /// `TYPE="snp"` (every ALT) or `TYPE~"snp"` (some ALT).
    Type {
        mask: u8,
        any: bool,
        negate: bool,
    },
    Logic(Logic, Box<Node>, Box<Node>),
    Not(Box<Node>),
}

/// A value during evaluation.
#[derive(Debug, Clone)]
pub enum Val {
    Num(Vals<f64>),
    Str(Vals<Vec<u8>>),
    Bool(Verdict),
}

/// Values, site-level (`offsets == None`) or per sample (`offsets` has `n_samples + 1` entries).
#[derive(Debug, Clone, Default)]
pub struct Vals<T> {
    pub data: Vec<T>,
    pub offsets: Option<Vec<usize>>,
}

impl<T> Vals<T> {
    fn site(data: Vec<T>) -> Self {
        Self {
            data,
            offsets: None,
        }
    }

    fn per_sample(&self) -> bool {
        self.offsets.is_some()
    }

    fn sample(&self, s: usize) -> &[T] {
        match &self.offsets {
            Some(o) => &self.data[o[s]..o[s + 1]],
            None => &self.data,
        }
    }

    fn n_samples(&self) -> usize {
        self.offsets.as_ref().map_or(0, |o| o.len() - 1)
    }
}

/// A boolean result: for the site and, when samples were looked at, per sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub site: bool,
    pub samples: Option<Vec<bool>>,
}

impl Verdict {
    fn from_samples(samples: Vec<bool>) -> Self {
        Self {
            site: samples.iter().any(|&b| b),
            samples: Some(samples),
        }
    }
}

/// An annotation sub-field extracted for a filter, and whether it compares as a number.
#[derive(Debug, Clone)]
pub struct AnnColumn {
    pub column: std::sync::Arc<annotation::Column>,
    pub numeric: bool,
}

/// Everything the interpreter needs besides the node.
pub struct Context<'a> {
    pub store: &'a VariantStore,
    pub annotations: &'a [AnnColumn],
    pub n_samples: usize,
}

impl Context<'_> {
    fn text_elems(text: &[u8]) -> Vec<Vec<u8>> {
        if text.is_empty() {
            return Vec::new();
        }
        text.split(|&c| c == b',').map(<[u8]>::to_vec).collect()
    }

    fn alleles(&self, rec: usize) -> impl Iterator<Item = Allele> + '_ {
        let ns = self.n_samples;
        (0..ns).flat_map(move |s| {
            let g = self.store.genotype(rec, s);
            let mut out: Vec<Allele> = Vec::new();
            match genotype::unpack(g) {
                Some((a, ploidy, _)) => out.extend_from_slice(&a[..ploidy]),
                None if g == genotype::OVERFLOW => {
                    for part in self.store.genotype_text(rec, s).split(['/', '|']) {
                        out.push(part.parse().ok());
                    }
                }
                None => {}
            }
            out
        })
    }

    fn allele_counts(&self, rec: usize) -> (Vec<f64>, f64) {
        let n_alt = self.store.alt_alleles(rec).count();
        let mut ac = vec![0.0; n_alt];
        let mut an = 0.0;
        for a in self.alleles(rec).flatten() {
            an += 1.0;
            if a > 0 && (a as usize) <= n_alt {
                ac[a as usize - 1] += 1.0;
            }
        }
        (ac, an)
    }

    fn missing_samples(&self, rec: usize) -> f64 {
        (0..self.n_samples)
            .filter(|&s| {
                let g = self.store.genotype(rec, s);
                // bcftools counts an unphased missing allele (`./.`, `0/.`, `.`) but not a
                // phased one (`1|.`: htslib stores it as a different value); no GT is not missing.
                match genotype::unpack(g) {
                    Some((a, ploidy, phased)) => {
                        a[0].is_none() || (ploidy == 2 && a[1].is_none() && !phased)
                    }
                    None => false,
                }
            })
            .count() as f64
    }

    /// Element indices a `[GT]` subscript selects in sample `s`: the distinct called alleles
    /// (Number=R) or ALT alleles (Number=A).
    fn gt_indices(&self, rec: usize, s: usize, number: &str) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some((a, ploidy, _)) = genotype::unpack(self.store.genotype(rec, s)) {
            for x in a[..ploidy].iter().flatten() {
                let k = if number == "A" {
                    match (*x as usize).checked_sub(1) {
                        Some(k) => k,
                        None => continue,
                    }
                } else {
                    *x as usize
                };
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
        out
    }

    /// Numeric values of a source.
    pub fn numbers(&self, src: &Source, sel: &Sel, rec: usize) -> Vals<f64> {
        let st = self.store;
        let pick = |v: Vec<f64>| -> Vals<f64> {
            let pad = sel.padding(v.len());
            let mut out: Vec<f64> = v
                .into_iter()
                .enumerate()
                .filter(|(k, _)| sel.elem_ok(*k))
                .map(|(_, x)| x)
                .collect();
            out.extend(std::iter::repeat_n(f64::NAN, pad));
            Vals::site(out)
        };
        match src {
            Source::Qual => pick(vec![st.qual(rec).map_or(f64::NAN, f64::from)]),
            Source::Pos => pick(vec![st.pos(rec) as f64]),
            Source::NAlt => pick(vec![st.alt_alleles(rec).count() as f64]),
            Source::NSamples => pick(vec![self.n_samples as f64]),
            Source::NMissing => pick(vec![self.missing_samples(rec)]),
            Source::FMissing => pick(vec![if self.n_samples == 0 {
                f64::NAN
            } else {
                self.missing_samples(rec) / self.n_samples as f64
            }]),
            Source::ILen => {
                let r = st.reference(rec);
                pick(
                    st.alt_alleles(rec)
                        .map(|a| vt::indel_length(r, a).map_or(f64::NAN, |d| d as f64))
                        .collect(),
                )
            }
            Source::Ac | Source::An | Source::Af | Source::Mac | Source::Maf => {
                let (ac, an) = self.allele_counts(rec);
                let v = match src {
                    Source::Ac => ac,
                    Source::An => vec![an],
                    Source::Af => ac.iter().map(|c| c / an).collect(),
                    Source::Mac => ac.iter().map(|&c| c.min(an - c)).collect(),
                    _ => ac.iter().map(|&c| c.min(an - c) / an).collect(),
                };
                pick(v)
            }
            Source::Info(f) => {
                let field = &st.info.field(*f).data;
                pick(column_numbers(field, rec))
            }
            Source::Format(f) => {
                let fld = st.format.field(*f);
                let field = &fld.data;
                let mut data = Vec::new();
                let mut offsets = Vec::with_capacity(self.n_samples + 1);
                offsets.push(0);
                for s in 0..self.n_samples {
                    if sel.sample_ok(s) {
                        let row = rec * self.n_samples + s;
                        let vals = column_numbers(field, row);
                        if sel.by_gt {
                            for k in self.gt_indices(rec, s, &fld.number) {
                                data.push(vals.get(k).copied().unwrap_or(f64::NAN));
                            }
                        } else {
                            let pad = sel.padding(vals.len());
                            data.extend(
                                vals.into_iter()
                                    .enumerate()
                                    .filter(|(k, _)| sel.elem_ok(*k))
                                    .map(|(_, x)| x),
                            );
                            data.extend(std::iter::repeat_n(f64::NAN, pad));
                        }
                    }
                    offsets.push(data.len());
                }
                Vals {
                    data,
                    offsets: Some(offsets),
                }
            }
            Source::Annotation(c) => {
                let col = &self.annotations[*c].column;
                pick(
                    col.values
                        .get(rec)
                        .iter()
                        .map(|&id| {
                            if id == 0 {
                                f64::NAN
                            } else {
                                col.dict[id as usize].parse().unwrap_or(f64::NAN)
                            }
                        })
                        .collect(),
                )
            }
            // String sources never reach here (compile checks types).
            _ => Vals::default(),
        }
    }

    /// String values of a source (vectors split on `,`; `FILTER` and `ID` on `;`).
    pub fn strings(&self, src: &Source, sel: &Sel, rec: usize) -> Vals<Vec<u8>> {
        let st = self.store;
        let pick = |v: Vec<Vec<u8>>| -> Vals<Vec<u8>> {
            let pad = sel.padding(v.len());
            let mut out: Vec<Vec<u8>> = v
                .into_iter()
                .enumerate()
                .filter(|(k, _)| sel.elem_ok(*k))
                .map(|(_, x)| x)
                .collect();
            out.extend(std::iter::repeat_n(Vec::new(), pad));
            Vals::site(out)
        };
        match src {
            Source::Chrom => pick(vec![st.chrom(rec).as_bytes().to_vec()]),
            Source::Id => {
                let id = st.id(rec);
                if id.is_empty() {
                    pick(Vec::new())
                } else {
                    pick(id.split(|&c| c == b';').map(<[u8]>::to_vec).collect())
                }
            }
            Source::Ref => pick(vec![st.reference(rec).to_vec()]),
            Source::Alt => pick(st.alt_alleles(rec).map(<[u8]>::to_vec).collect()),
            Source::Info(f) => {
                let field = &st.info.field(*f).data;
                match field {
                    ColumnData::Text(c) => pick(Self::text_elems(&c.get(rec))),
                    _ => Vals::default(),
                }
            }
            Source::Format(_) | Source::Gt => {
                let field = match src {
                    Source::Format(f) => Some(&st.format.field(*f).data),
                    _ => None,
                };
                let mut data = Vec::new();
                let mut offsets = vec![0];
                for s in 0..self.n_samples {
                    if sel.sample_ok(s) {
                        let row = rec * self.n_samples + s;
                        match field {
                            Some(ColumnData::Text(c)) if sel.by_gt => {
                                let vals = Self::text_elems(&c.get(row));
                                let number = match src {
                                    Source::Format(f) => st.format.field(*f).number.as_str(),
                                    _ => "R",
                                };
                                for k in self.gt_indices(rec, s, number) {
                                    data.push(vals.get(k).cloned().unwrap_or_default());
                                }
                            }
                            Some(ColumnData::Text(c)) => {
                                let vals = Self::text_elems(&c.get(row));
                                let pad = sel.padding(vals.len());
                                data.extend(
                                    vals.into_iter()
                                        .enumerate()
                                        .filter(|(k, _)| sel.elem_ok(*k))
                                        .map(|(_, x)| x),
                                );
                                data.extend(std::iter::repeat_n(Vec::new(), pad));
                            }
                            Some(_) => {}
                            None => {
                                if st.genotype(rec, s) != genotype::ABSENT {
                                    data.push(st.genotype_text(rec, s).into_bytes());
                                }
                            }
                        }
                    }
                    offsets.push(data.len());
                }
                Vals {
                    data,
                    offsets: Some(offsets),
                }
            }
            Source::Annotation(c) => {
                let col = &self.annotations[*c].column;
                pick(
                    col.values
                        .get(rec)
                        .iter()
                        .map(|&id| {
                            if id == 0 {
                                Vec::new()
                            } else {
                                col.dict[id as usize].as_bytes().to_vec()
                            }
                        })
                        .collect(),
                )
            }
            _ => Vals::default(),
        }
    }

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
                                (Some(&x), Some(&y)) => binom_test(x, y),
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
                [x, y, ..] => binom_test(*x, *y),
                _ => f64::NAN,
            };
            return Vals::site(vec![p]);
        }
        let (a, b) = (self.num(&args[0], rec), self.num(&args[1], rec));
        arith_with(&a, &b, binom_test)
    }

    /// Evaluates a boolean node.
    pub fn boolean(&self, node: &Node, rec: usize) -> Verdict {
        let v = self.boolean_unrestricted(node, rec);
        match node {
            Node::CmpNum(..) | Node::CmpStr { .. } | Node::IsMissing(..) => restrict(node, v),
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
                logic(*op, x, y, self.n_samples)
            }
            Node::Not(a) => {
                let x = self.boolean(a, rec);
                Verdict {
                    site: !x.site,
                    samples: None,
                }
            }
            other => {
                // A number used as a condition (`FLAG` alone is rejected at compile time).
                let v = self.num(other, rec);
                Verdict {
                    site: v.data.iter().any(|x| !x.is_nan() && *x != 0.0),
                    samples: None,
                }
            }
        }
    }
}

/// Samples a subscript like `FMT/DP[0]` singles out: the others cannot pass.
fn restrict(node: &Node, mut v: Verdict) -> Verdict {
    fn find(node: &Node) -> Option<&Vec<usize>> {
        match node {
            Node::Field(Source::Format(_) | Source::Gt, sel) => sel.samples.as_ref(),
            Node::Neg(a) | Node::Abs(a) | Node::Phred(a) | Node::Strlen(a) => find(a),
            Node::Reduce(_, true, a) => find(a),
            Node::Arith(_, a, b) | Node::CmpNum(_, a, b) => find(a).or_else(|| find(b)),
            Node::CmpStr { node, .. } | Node::IsMissing(node, _) => find(node),
            _ => None,
        }
    }
    if let (Some(samples), Some(list)) = (v.samples.as_mut(), find(node)) {
        for (k, s) in samples.iter_mut().enumerate() {
            if !list.contains(&k) {
                *s = false;
            }
        }
        v.site = samples.iter().any(|&b| b);
    }
    v
}

/// Numbers of one row of a column (flags read as 1/0).
pub fn column_numbers(data: &ColumnData, row: usize) -> Vec<f64> {
    match data {
        ColumnData::Integer(c) => c.with(row, |values| {
            values
                .iter()
                .map(|&v| {
                    if v == INT_MISSING {
                        f64::NAN
                    } else {
                        f64::from(v)
                    }
                })
                .collect()
        }),
        ColumnData::Float(c) => c
            .get(row)
            .iter()
            .map(|&b| {
                if b == FLOAT_MISSING {
                    f64::NAN
                } else {
                    f64::from(f32::from_bits(b))
                }
            })
            .collect(),
        ColumnData::Flag(c) => vec![f64::from(u8::from(c.get(row)))],
        ColumnData::Text(_) => Vec::new(),
    }
}

/// `FILTER="A;B"` (the same set) or `FILTER~"A"` (contains), without allocating: it runs once
/// per record. `ids == []` is `FILTER="."`; PASS may be stored explicitly.
pub fn filter_matches(
    have: &[u16],
    ids: &[Option<u16>],
    subset: bool,
    pass_id: Option<usize>,
) -> bool {
    let is_pass = |f: u16| pass_id.is_some_and(|p| usize::from(f) == p);
    if ids.is_empty() {
        return have.is_empty();
    }
    let passed = !have.is_empty() && have.iter().all(|&f| is_pass(f));
    let has = |f: u16| have.contains(&f);
    if subset {
        return ids.iter().all(|i| match *i {
            Some(f) if is_pass(f) => passed,
            Some(f) => has(f),
            None => false,
        });
    }
    if ids.iter().any(|i| i.is_some_and(is_pass)) {
        return ids.len() == 1 && passed;
    }
    if ids.iter().any(Option::is_none) {
        return false;
    }
    let have_real = have.iter().filter(|&&f| !is_pass(f)).count();
    ids.len() == have_real && ids.iter().flatten().all(|&f| has(f))
}

/// `TYPE` bit for "ref" in a filter's mask: htslib's REF is no bit at all, which an OR of
/// several names (`TYPE="ref,snp"`) could not carry.
pub const TYPE_REF: u8 = 128;

/// `TYPE="snp"` (the record's classes are exactly these) or `TYPE~"snp"` (it has one of them);
/// classes from [`vt::record_type`].
pub fn type_matches(store: &VariantStore, rec: usize, mask: u8, any: bool) -> bool {
    let t = match vt::record_type(store, rec) {
        vt::REF => TYPE_REF,
        t => t,
    };
    if any { t & mask != 0 } else { t == mask }
}

pub fn gt_class(store: &VariantStore, rec: usize, s: usize, class: GtClass) -> bool {
    let g = store.genotype(rec, s);
    packed_gt_class(g, class).unwrap_or_else(|| overflow_gt_class(store, rec, s, class))
}

/// [`gt_class`] of a packed genotype; `None` for [`genotype::OVERFLOW`], whose alleles are in
/// the cell's text.
pub fn packed_gt_class(g: u32, class: GtClass) -> Option<bool> {
    if g == genotype::OVERFLOW {
        return None;
    }
    Some(classify(g, class, None))
}

fn overflow_gt_class(store: &VariantStore, rec: usize, s: usize, class: GtClass) -> bool {
    classify(genotype::OVERFLOW, class, Some((store, rec, s)))
}

/// The class test on a packed genotype, or on the overflow text of the cell `cell`.
fn classify(g: u32, class: GtClass, cell: Option<(&VariantStore, usize, usize)>) -> bool {
    let mut buf = [0u32; 2];
    let (called, ploidy, missing): (&[u32], usize, bool);
    let owned: Vec<u32>;
    match (genotype::unpack(g), cell) {
        (Some((a, p, _)), _) => {
            missing = a[..p].iter().any(Option::is_none);
            for (k, x) in a[..p].iter().enumerate() {
                buf[k] = x.unwrap_or(0);
            }
            called = &buf[..p];
            ploidy = p;
        }
        (None, Some((store, rec, s))) if g == genotype::OVERFLOW => {
            let a: Vec<Allele> = store
                .genotype_text(rec, s)
                .split(['/', '|'])
                .map(|x| x.parse().ok())
                .collect();
            missing = a.iter().any(Option::is_none);
            ploidy = a.len();
            owned = a.into_iter().flatten().collect();
            called = &owned;
        }
        (None, _) => return class == GtClass::Mis,
    }
    match class {
        GtClass::Mis => missing,
        _ if missing || called.is_empty() => false,
        GtClass::Hap => ploidy == 1,
        GtClass::HapRef => ploidy == 1 && called[0] == 0,
        GtClass::HapAlt => ploidy == 1 && called[0] != 0,
        GtClass::Hom => ploidy > 1 && called.iter().all(|&a| a == called[0]),
        GtClass::Het => ploidy > 1 && called.iter().any(|&a| a != called[0]),
        GtClass::Ref => called.iter().all(|&a| a == 0),
        GtClass::Alt => called.iter().any(|&a| a != 0),
        GtClass::RR => ploidy == 2 && called.iter().all(|&a| a == 0),
        GtClass::RA => ploidy == 2 && (called[0] == 0) != (called[1] == 0),
        GtClass::AA => ploidy == 2 && called[0] != 0 && called[0] == called[1],
        GtClass::AaDiff => {
            ploidy == 2 && called[0] != 0 && called[1] != 0 && called[0] != called[1]
        }
    }
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
        Arith::Mod => {
            if y == 0.0 {
                f64::NAN
            } else {
                (x as i64 % y as i64) as f64
            }
        }
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

/// Combines two verdicts with bcftools' per-sample rules (module docs).
pub fn logic(op: Logic, x: Verdict, y: Verdict, n: usize) -> Verdict {
    let all = || Some(vec![true; n]);
    let none = || Some(vec![false; n]);
    let or_samples = |a: &Option<Vec<bool>>, b: &Option<Vec<bool>>| -> Option<Vec<bool>> {
        match (a, b) {
            (Some(p), Some(q)) => Some(p.iter().zip(q).map(|(&u, &v)| u || v).collect()),
            (Some(p), None) | (None, Some(p)) => Some(p.clone()),
            (None, None) => None,
        }
    };
    match op {
        Logic::And | Logic::AndVec => {
            if !x.site || !y.site {
                let per = x.samples.is_some() || y.samples.is_some();
                return Verdict {
                    site: false,
                    samples: if per { none() } else { None },
                };
            }
            match (&x.samples, &y.samples) {
                (Some(p), Some(q)) => {
                    if op == Logic::AndVec {
                        Verdict::from_samples(p.iter().zip(q).map(|(&u, &v)| u && v).collect())
                    } else {
                        Verdict {
                            site: true,
                            samples: or_samples(&x.samples, &y.samples),
                        }
                    }
                }
                _ => Verdict {
                    site: true,
                    samples: or_samples(&x.samples, &y.samples),
                },
            }
        }
        Logic::OrVec => {
            let site = x.site || y.site;
            let per = x.samples.is_some() || y.samples.is_some();
            let samples = if per {
                let a = if x.samples.is_some() {
                    x.samples.clone()
                } else {
                    none()
                };
                let b = if y.samples.is_some() {
                    y.samples.clone()
                } else {
                    none()
                };
                or_samples(&a, &b)
            } else {
                None
            };
            Verdict { site, samples }
        }
        Logic::Or => {
            let per = x.samples.is_some() || y.samples.is_some();
            let site = x.site || y.site;
            let both = x.samples.is_some() && y.samples.is_some();
            let samples = if !per {
                None
            } else if !site {
                none()
            } else if both || (x.site && y.site) {
                all()
            } else if x.site {
                x.samples.clone().or_else(all)
            } else if y.site {
                y.samples.clone().or_else(all)
            } else {
                none()
            };
            Verdict { site, samples }
        }
    }
}

/// Two-sided binomial test with p = 0.5 (bcftools `binom`): the probability of a split at
/// least as uneven as `a:b`. Missing when `a + b == 0`.
pub fn binom_test(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    let n = (a + b).round() as u64;
    if n == 0 {
        return f64::NAN;
    }
    let k = a.min(b).round() as u64;
    // P(X <= k) for X ~ Bin(n, 1/2), doubled and capped at 1; computed in log space.
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut cdf = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        cdf += (ln_c + ln_half_n).exp();
    }
    (2.0 * cdf).min(1.0)
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
        assert_eq!(
            logic(Logic::And, gq.clone(), dp.clone(), 3).samples,
            Some(vec![true, true, false])
        );
        assert!(!logic(Logic::AndVec, gq.clone(), dp.clone(), 3).site);
        assert_eq!(
            logic(Logic::Or, gq.clone(), dp.clone(), 3).samples,
            Some(vec![true; 3])
        );
        assert_eq!(
            logic(Logic::OrVec, gq.clone(), dp.clone(), 3).samples,
            Some(vec![true, true, false])
        );
        assert_eq!(
            logic(Logic::Or, gq.clone(), no.clone(), 3).samples,
            Some(vec![true, false, false])
        );
        // FMT/DP>4 || FMT/GQ>40 where only DP holds (in B): bcftools selects every sample.
        let nobody = v(false, Some(&[false; 3]));
        assert_eq!(
            logic(Logic::Or, dp.clone(), nobody, 3).samples,
            Some(vec![true; 3])
        );
        assert_eq!(logic(Logic::Or, no.clone(), pos.clone(), 3).samples, None);
        assert_eq!(
            logic(Logic::OrVec, pos.clone(), v(false, Some(&[false; 3])), 3).samples,
            Some(vec![false; 3])
        );
        assert_eq!(
            logic(Logic::And, gq.clone(), pos, 3).samples,
            Some(vec![true, false, false])
        );
    }

    #[test]
    fn binomial_test() {
        assert!((binom_test(5.0, 5.0) - 1.0).abs() < 1e-12);
        // P(X<=0 or X>=10 | n=10) = 2/1024
        assert!((binom_test(0.0, 10.0) - 2.0 / 1024.0).abs() < 1e-12);
        assert!(binom_test(0.0, 0.0).is_nan());
    }
}
