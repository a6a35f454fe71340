//! The compiled form of an expression ([`Node`] and its parts), between `compile` (which
//! builds it from the syntax tree, names resolved against the header and types checked) and
//! the two evaluators: `kernel` (column scans into bitmaps) and `eval` (row by row, with
//! bcftools' per-sample rules). Like regex-syntax's HIR: no spans, no names, only what
//! evaluation needs.
//!
//! Besides the types, the static facts both evaluators rely on: whether a node's result is
//! per sample ([`Node::per_sample`], bcftools' `nsamples`) and which samples it looks at
//! ([`Node::used_samples`], bcftools' `usmpl`).

use std::collections::HashSet;

use crate::annotation;

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
    pub(super) fn elem_ok(&self, k: usize) -> bool {
        self.elems
            .as_ref()
            .is_none_or(|r| r.iter().any(|&(a, b)| k >= a && k <= b))
    }

    /// Explicit indices past the end of a present vector read as missing (`FGI[*:5]` on three
    /// values is missing, as bcftools ≥ 1.17).
    pub(super) fn padding(&self, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        // Counted per range, not per index: the indices of `a..=b` at or past `len`.
        self.elems.as_ref().map_or(0, |r| {
            r.iter()
                .filter(|&&(_, b)| b != usize::MAX)
                .map(|&(a, b)| (b + 1).saturating_sub(a.max(len)))
                .sum()
        })
    }

    pub(super) fn sample_ok(&self, s: usize) -> bool {
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

/// A string test: exact text, a pattern, or a set read from an `@file`.
#[derive(Debug, Clone, PartialEq)]
pub enum StrTest {
    Eq(Vec<u8>),
    Regex(Regex),
    Set(HashSet<Vec<u8>>),
}

/// A compiled expression: values (numbers, fields, arithmetic, functions) and conditions
/// (comparisons, genotype classes, FILTER, TYPE, logic). Types are checked: a condition's
/// operands are conditions, an arithmetic operand is a number.
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
    /// A value where a condition belongs (`-i 'DB'`, `DB && QUAL>30`, `FMT/DP || GQ>20`).
    /// bcftools (`filter_test`) never sets a value token's `pass_site`, so it never holds; a
    /// per-sample value still takes part in the per-sample rules, with no sample passing.
    Bare(Box<Node>),
}

impl Node {
    /// Whether the node's value or verdict is per sample (bcftools: the token has
    /// `nsamples`). The interpreter's verdict carries samples exactly when this holds.
    pub fn per_sample(&self) -> bool {
        match self {
            Node::Field(src, _) => matches!(src, Source::Format(_) | Source::Gt),
            Node::GtClass(..) => true,
            Node::Num(_) | Node::Filter { .. } | Node::Type { .. } => false,
            Node::Neg(a) | Node::Abs(a) | Node::Phred(a) | Node::Strlen(a) | Node::Bare(a) => {
                a.per_sample()
            }
            Node::Reduce(_, per, a) => *per && a.per_sample(),
            // These reduce over samples to one site value.
            Node::Count(_) | Node::Pass(..) | Node::Not(_) => false,
            Node::Binom(args) => args.iter().any(Node::per_sample),
            Node::Arith(_, a, b) | Node::CmpNum(_, a, b) | Node::Logic(_, a, b) => {
                a.per_sample() || b.per_sample()
            }
            Node::CmpStr { node, .. } | Node::IsMissing(node, _) => node.per_sample(),
        }
    }

    /// The samples a per-sample node looks at, of `n` (bcftools' `usmpl`): a subscript's
    /// samples (`FMT/DP[0]`, `GT[@file]`), else all; an operator's are its operands' together
    /// (`tok_init_samples`), except that a comparison of two per-sample sides looks only at
    /// the samples both do (`CMP_VECTORS`). `None` for a site-level node. A sample outside
    /// this set never passes, and `||` selecting "every sample" selects these.
    pub fn used_samples(&self, n: usize) -> Option<Vec<bool>> {
        if !self.per_sample() {
            return None;
        }
        let union = |a: Option<Vec<bool>>, b: Option<Vec<bool>>| match (a, b) {
            (Some(x), Some(y)) => Some(x.iter().zip(&y).map(|(&p, &q)| p || q).collect()),
            (x, y) => x.or(y),
        };
        match self {
            Node::Field(_, sel) | Node::GtClass(_, _, sel) => {
                Some((0..n).map(|s| sel.sample_ok(s)).collect())
            }
            Node::CmpNum(_, a, b) => match (a.used_samples(n), b.used_samples(n)) {
                (Some(x), Some(y)) => Some(x.iter().zip(&y).map(|(&p, &q)| p && q).collect()),
                (x, y) => x.or(y),
            },
            Node::Arith(_, a, b) | Node::Logic(_, a, b) => {
                union(a.used_samples(n), b.used_samples(n))
            }
            Node::Binom(args) => args.iter().map(|a| a.used_samples(n)).fold(None, union),
            Node::Neg(a)
            | Node::Abs(a)
            | Node::Phred(a)
            | Node::Strlen(a)
            | Node::Bare(a)
            | Node::Reduce(_, _, a)
            | Node::CmpStr { node: a, .. }
            | Node::IsMissing(a, _) => a.used_samples(n),
            // Site-level (checked above).
            Node::Num(_)
            | Node::Count(_)
            | Node::Pass(..)
            | Node::Not(_)
            | Node::Filter { .. }
            | Node::Type { .. } => None,
        }
    }
}

/// An annotation sub-field extracted for a filter, and whether it compares as a number.
#[derive(Debug, Clone)]
pub struct AnnColumn {
    pub column: std::sync::Arc<annotation::Column>,
    pub numeric: bool,
}

/// `TYPE` bit for "ref" in a filter's mask: htslib's REF is no bit at all, which an OR of
/// several names (`TYPE="ref,snp"`) could not carry.
pub const TYPE_REF: u8 = 128;

#[cfg(test)]
mod tests {
    use super::*;

    fn field(src: Source, samples: Option<Vec<usize>>) -> Node {
        Node::Field(
            src,
            Sel {
                samples,
                ..Sel::default()
            },
        )
    }

    fn cmp(a: Node) -> Node {
        Node::CmpNum(Cmp::Gt, Box::new(a), Box::new(Node::Num(1.0)))
    }

    #[test]
    fn per_sample_nodes_and_the_samples_they_use() {
        let dp0 = cmp(field(Source::Format(0), Some(vec![0])));
        let gq = cmp(field(Source::Format(1), None));
        let qual = cmp(field(Source::Qual, None));
        assert!(dp0.per_sample() && gq.per_sample() && !qual.per_sample());
        assert_eq!(dp0.used_samples(3), Some(vec![true, false, false]));
        assert_eq!(gq.used_samples(3), Some(vec![true; 3]));
        assert_eq!(qual.used_samples(3), None);
        // `FMT/DP[0]>1 || QUAL>1`: only sample 0 can be selected.
        let or = Node::Logic(Logic::Or, Box::new(dp0.clone()), Box::new(qual.clone()));
        assert_eq!(or.used_samples(3), Some(vec![true, false, false]));
        // Operators join their operands' samples; a comparison of two per-sample sides keeps
        // the samples both look at.
        let gt2 = Node::GtClass(
            GtClass::Het,
            false,
            Sel {
                samples: Some(vec![2]),
                ..Sel::default()
            },
        );
        let and = Node::Logic(Logic::AndVec, Box::new(dp0.clone()), Box::new(gt2));
        assert_eq!(and.used_samples(3), Some(vec![true, false, true]));
        let both = Node::CmpNum(
            Cmp::Gt,
            Box::new(field(Source::Format(0), Some(vec![0, 1]))),
            Box::new(field(Source::Format(1), Some(vec![1, 2]))),
        );
        assert_eq!(both.used_samples(3), Some(vec![false, true, false]));
        // A reduction over samples, `N_PASS` and `!` are site-level; a bare value keeps its
        // value's samples.
        let max = Node::Reduce(Reduce::Max, false, Box::new(field(Source::Format(0), None)));
        assert!(!max.per_sample());
        assert!(!Node::Pass(false, Box::new(gq.clone())).per_sample());
        assert!(!Node::Not(Box::new(gq)).per_sample());
        let bare = Node::Bare(Box::new(field(Source::Format(0), Some(vec![1]))));
        assert_eq!(bare.used_samples(2), Some(vec![false, true]));
        assert!(!Node::Bare(Box::new(field(Source::Info(0), None))).per_sample());
    }
}
