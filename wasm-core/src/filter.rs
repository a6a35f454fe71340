//! Filtering: bcftools' `-i/-e` expression language over the columnar store.
//!
//! Filtering: bcftools' `-i/-e` expression language over the columnar store.
//!
//! In layers, as regex-syntax: `lex` (text → tokens with spans) → `parse` (one binding-power
//! loop → `parse::Ast`, bcftools' precedence and grouping) → `compile` (names resolved
//! against the store's header, types checked → the IR of `ir`, `ir::Node`) → evaluation:
//! `kernel` runs common clause shapes as column scans into a [`Bitmap`], `eval` interprets the
//! rest row by row with bcftools' per-sample semantics (reading values through `values`, and
//! the record tests of `predicate`). The two must agree (a property test checks it). Each
//! top-level clause keeps its own bitmap so the UI can say how many variants each clause
//! removed.
//!
//! Main types: [`Filter`] (a compiled expression), [`Evaluation`] (the pass bitmap and the
//! per-clause counts), [`FilterError`] (a [`FilterErrorKind`], a message, a span into the
//! expression and a hint).

mod compile;
mod error;
mod eval;
mod ir;
mod kernel;
mod lex;
mod parse;
mod predicate;
mod regex;
mod values;

use std::collections::HashMap;

pub(crate) use self::error::render_caret;
pub use self::error::{FilterError, FilterErrorKind, Span};

use self::compile::{Compiler, ExtractedColumns};
use self::ir::{AnnColumn, Logic, Node};
use self::parse::{Ast, AstKind, BinOp};
use self::values::Context;
use crate::bitmap::Bitmap;
use crate::store::VariantStore;

/// Whether matching records are kept (`-i`) or removed (`-e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    #[default]
    Include,
    Exclude,
}

/// Reads the files named by `@file` in an expression (`ID=@ids.txt`). The CLI reads the file
/// system; the browser passes a file the user picked, or nothing.
pub trait FileSource {
    fn read(&self, name: &str) -> Result<String, String>;
}

/// No files: `@file` is an error that says so.
pub struct NoFiles;

impl FileSource for NoFiles {
    fn read(&self, name: &str) -> Result<String, String> {
        Err(format!(
            "no file named {name:?} was given with the expression"
        ))
    }
}

/// One top-level clause: an operand of the `&&`/`&` chain (`-i`) or `||`/`|` chain (`-e`) that
/// decides which records are removed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Clause {
    pub text: String,
    pub span: Span,
}

/// How many records one clause removed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClauseCount {
    pub text: String,
    pub span: Span,
    /// Records this clause alone would remove.
    pub failing: u64,
    /// Records removed by this clause among those the clauses before it kept (sums to the total).
    pub removed: u64,
}

/// The result of a filter over a store.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Records kept (mode already applied).
    pub pass: Bitmap,
    pub clauses: Vec<ClauseCount>,
}

/// Which samples of one record the filter selected, for `query`'s `[…]` blocks and `filter -S`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordResult {
    /// The record is kept (mode applied).
    pub keep: bool,
    /// Whether the expression looks at samples at all; when false, `samples` is all `true`.
    pub per_sample: bool,
    /// Per sample: the expression matched this sample (mode not applied).
    pub samples: Vec<bool>,
}

/// What is kept between filters over one store: clause bitmaps keyed by clause text (so
/// re-applying a filter after editing one clause only evaluates that clause) and annotation
/// sub-fields already extracted (so `CSQ/…` clauses do not re-read every record's CSQ text on
/// each compile). Belongs to one store: clear it when the store changes.
#[derive(Debug, Clone, Default)]
pub struct FilterCache {
    clauses: HashMap<String, Bitmap>,
    columns: ExtractedColumns,
}

impl FilterCache {
    pub fn clear(&mut self) {
        self.clauses.clear();
        self.columns.clear();
    }

    pub fn heap_bytes(&self) -> usize {
        self.clauses.values().map(Bitmap::heap_bytes).sum::<usize>()
            + self.columns.values().map(|(_, b)| b).sum::<usize>()
    }
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Filter {
    expression: String,
    mode: Mode,
    clauses: Vec<Clause>,
    root: Node,
    clause_nodes: Vec<Node>,
    annotations: Vec<AnnColumn>,
    warnings: Vec<FilterError>,
}

/// Flattens a chain of `ops` into its operands (AST and compiled node side by side).
fn chain<'a>(ast: &'a Ast, node: &'a Node, want_and: bool, out: &mut Vec<(&'a Ast, &'a Node)>) {
    if let (AstKind::Binary(op, la, ra), Node::Logic(lop, ln, rn)) = (&ast.kind, node) {
        let is_and = matches!(op, BinOp::And | BinOp::AndVec);
        let is_or = matches!(op, BinOp::Or | BinOp::OrVec);
        let node_and = matches!(lop, Logic::And | Logic::AndVec);
        if (want_and && is_and && node_and) || (!want_and && is_or && !node_and) {
            chain(la, ln, want_and, out);
            chain(ra, rn, want_and, out);
            return;
        }
    }
    out.push((ast, node));
}

impl Filter {
    /// Compiles `expression` against the store's header (fields, samples, annotations).
    pub fn compile(
        expression: &str,
        store: &VariantStore,
        mode: Mode,
        files: &dyn FileSource,
    ) -> Result<Filter, FilterError> {
        Self::compile_cached(expression, store, mode, files, &mut FilterCache::default())
    }

    /// As [`Filter::compile`], reusing annotation sub-fields `cache` already extracted.
    pub fn compile_cached(
        expression: &str,
        store: &VariantStore,
        mode: Mode,
        files: &dyn FileSource,
        cache: &mut FilterCache,
    ) -> Result<Filter, FilterError> {
        let mut c = Compiler::new(store, files, &mut cache.columns);
        let ast = parse::parse(expression, &c.prefixes())?;
        let root = c.condition(&ast)?;
        let mut parts = Vec::new();
        chain(&ast, &root, mode == Mode::Include, &mut parts);
        let clauses = parts
            .iter()
            .map(|(a, _)| Clause {
                text: expression[a.span.start..a.span.end].trim().to_string(),
                span: a.span,
            })
            .collect();
        let clause_nodes = parts.iter().map(|(_, n)| (*n).clone()).collect();
        Ok(Filter {
            expression: expression.to_string(),
            mode,
            clauses,
            root,
            clause_nodes,
            annotations: c.annotations,
            warnings: c.warnings,
        })
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// What compiled but probably does not say what was meant, with a span and a hint: a bare
    /// value where a condition belongs (`-i 'DB'`), which never holds, as in bcftools. Kind
    /// [`FilterErrorKind::NotACondition`].
    pub fn warnings(&self) -> &[FilterError] {
        &self.warnings
    }

    fn context<'a>(&'a self, store: &'a VariantStore) -> Context<'a> {
        Context {
            store,
            annotations: &self.annotations,
            n_samples: store.samples().len(),
        }
    }

    /// Where the expression holds, per record (mode not applied): a column kernel when the
    /// shape has one, else the interpreter.
    fn matches(&self, node: &Node, store: &VariantStore) -> Bitmap {
        let ctx = self.context(store);
        kernel::evaluate(node, &ctx)
            .unwrap_or_else(|| Bitmap::from_fn(store.len(), |i| ctx.boolean(node, i).site))
    }

    /// Evaluates over every record of `store` (the one it was compiled against).
    pub fn evaluate(&self, store: &VariantStore) -> Evaluation {
        self.evaluate_cached(store, &mut FilterCache::default())
    }

    /// As [`Filter::evaluate`], reusing clause results from `cache` and adding new ones.
    pub fn evaluate_cached(&self, store: &VariantStore, cache: &mut FilterCache) -> Evaluation {
        let n = store.len();
        let exclude = self.mode == Mode::Exclude;
        let mut matched = Vec::with_capacity(self.clause_nodes.len());
        for (clause, node) in self.clauses.iter().zip(&self.clause_nodes) {
            let bm = match cache.clauses.get(&clause.text) {
                Some(b) if b.len() == n => b.clone(),
                _ => {
                    let b = self.matches(node, store);
                    cache.clauses.insert(clause.text.clone(), b.clone());
                    b
                }
            };
            matched.push(bm);
        }
        // The whole expression: combine clause bitmaps when the chain's site verdict is the
        // AND (OR) of its clauses' — always, except `&` between two per-sample clauses.
        let decomposable = kernel::site_decomposable(&self.root, self.mode == Mode::Include);
        let mut whole = if decomposable {
            let mut acc = if exclude {
                Bitmap::zeros(n)
            } else {
                Bitmap::ones(n)
            };
            for b in &matched {
                if exclude {
                    acc.or_with(b);
                } else {
                    acc.and_with(b);
                }
            }
            acc
        } else {
            self.matches(&self.root, store)
        };
        if exclude {
            whole.invert();
        }
        let mut kept = Bitmap::ones(n);
        let mut clauses = Vec::with_capacity(matched.len());
        for (clause, mut b) in self.clauses.iter().zip(matched) {
            if exclude {
                b.invert();
            }
            let failing = n as u64 - b.count_ones();
            let before = kept.count_ones();
            kept.and_with(&b);
            clauses.push(ClauseCount {
                text: clause.text.clone(),
                span: clause.span,
                failing,
                removed: before - kept.count_ones(),
            });
        }
        Evaluation {
            pass: whole,
            clauses,
        }
    }

    /// Evaluates one record, with the per-sample results bcftools uses for `query -f '[…]'`
    /// and `filter -S`.
    pub fn evaluate_record(&self, store: &VariantStore, record: usize) -> RecordResult {
        let ctx = self.context(store);
        let v = ctx.boolean(&self.root, record);
        let n = store.samples().len();
        let per_sample = v.samples.is_some();
        let samples = match v.samples {
            Some(s) if v.site => s,
            Some(_) => vec![false; n],
            None => vec![v.site; n],
        };
        RecordResult {
            keep: v.site != (self.mode == Mode::Exclude),
            per_sample,
            samples,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    const VCF: &str = "##fileformat=VCFv4.2\n##contig=<ID=1>\n\
##FILTER=<ID=LowQual,Description=\"low\">\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"depth\">\n\
##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbsnp\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"gt\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"gq\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tmum\tdad\n\
1\t10\trs1\tA\tC\t50\tPASS\tDP=30;DB\tGT:GQ\t0/1:40\t0/0:10\n\
1\t20\t.\tA\tAT\t12\tLowQual\tDP=8\tGT:GQ\t1/1:5\t0/1:60\n\
1\t30\t.\tG\tT\t.\tPASS\t.\tGT:GQ\t./.:.\t0/0:30\n";

    fn store() -> VariantStore {
        crate::read_dataset(VCF.as_bytes(), None, &mut Silent)
            .expect("test VCF reads")
            .store
    }

    fn kept(expr: &str, mode: Mode) -> Vec<u64> {
        let s = store();
        let f = Filter::compile(expr, &s, mode, &NoFiles).expect("compiles");
        f.evaluate(&s).pass.iter_ones().map(|i| s.pos(i)).collect()
    }

    #[test]
    fn a_subscript_past_any_vector_is_an_error_not_a_hang() {
        let s = store();
        // The `filter` fuzz target's input: indices past a vector's end read as one missing
        // value each, and this range would be billions of them per sample and record.
        let expr = "GQ[*:1-3,783448835-7777777774]=5";
        let e = Filter::compile(expr, &s, Mode::Include, &NoFiles).unwrap_err();
        assert_eq!(e.kind, FilterErrorKind::Subscript);
        assert!(expr[e.span.start..e.span.end].contains("7777777774"));
        // The largest index taken still reads as missing past the end, counted per range.
        assert_eq!(
            kept("GQ[*:0-1048575]=\".\"", Mode::Include),
            vec![10, 20, 30]
        );
        assert!(Filter::compile("GQ[*:0-1048576]=1", &s, Mode::Include, &NoFiles).is_err());
    }

    #[test]
    fn selects_like_bcftools() {
        assert_eq!(kept("QUAL>=30", Mode::Include), vec![10]);
        assert_eq!(kept("QUAL>=30", Mode::Exclude), vec![20, 30]);
        assert_eq!(kept("FILTER=\"PASS\" && DP>=10", Mode::Include), vec![10]);
        assert_eq!(
            kept("DP!=30", Mode::Include),
            vec![20, 30],
            "absent passes !="
        );
        assert_eq!(kept("GT=\"het\"", Mode::Include), vec![10, 20]);
        assert_eq!(kept("GT[1]=\"het\"", Mode::Include), vec![20]);
        assert_eq!(kept("GT=\"mis\"", Mode::Include), vec![30]);
        assert_eq!(kept("TYPE=\"indel\"", Mode::Include), vec![20]);
        assert_eq!(kept("DB=1", Mode::Include), vec![10]);
        assert_eq!(kept("QUAL=\".\"", Mode::Include), vec![30]);
        assert_eq!(kept("GQ>20 & GT=\"het\"", Mode::Include), vec![10, 20]);
        assert_eq!(kept("GQ>50 & GT=\"hom\"", Mode::Include), Vec::<u64>::new());
        assert_eq!(kept("!(QUAL>=30)", Mode::Include), vec![20, 30]);
        assert_eq!(kept("ID~\"^rs\"", Mode::Include), vec![10]);
        assert_eq!(kept("N_PASS(GQ>=30)=2", Mode::Include), Vec::<u64>::new());
        assert_eq!(kept("N_PASS(GQ>=30)>=1", Mode::Include), vec![10, 20, 30]);
    }

    #[test]
    fn per_sample_selection_for_query_output() {
        let s = store();
        let f = Filter::compile("GQ>20", &s, Mode::Include, &NoFiles).unwrap();
        let r = f.evaluate_record(&s, 1);
        assert!(r.keep && r.per_sample);
        assert_eq!(r.samples, vec![false, true]);
        let f = Filter::compile("QUAL>20", &s, Mode::Include, &NoFiles).unwrap();
        let r = f.evaluate_record(&s, 0);
        assert!(r.keep && !r.per_sample);
    }

    #[test]
    fn clauses_count_what_they_removed() {
        let s = store();
        let f = Filter::compile(
            "FILTER=\"PASS\" && QUAL>=30 && GQ>=30",
            &s,
            Mode::Include,
            &NoFiles,
        )
        .unwrap();
        let texts: Vec<&str> = f.clauses().iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["FILTER=\"PASS\"", "QUAL>=30", "GQ>=30"]);
        let ev = f.evaluate(&s);
        let removed: Vec<u64> = ev.clauses.iter().map(|c| c.removed).collect();
        let failing: Vec<u64> = ev.clauses.iter().map(|c| c.failing).collect();
        assert_eq!(removed, [1, 1, 0]);
        assert_eq!(failing, [1, 2, 0]);
        assert_eq!(ev.pass.count_ones(), 1);
        // -e: the clauses are the operands of ||, each removing what it matches.
        // Record 30 has neither QUAL nor DP: neither clause matches it, so it stays.
        let f = Filter::compile("QUAL<30 || DP<10", &s, Mode::Exclude, &NoFiles).unwrap();
        let ev = f.evaluate(&s);
        assert_eq!(
            ev.clauses.iter().map(|c| c.removed).collect::<Vec<_>>(),
            [1, 0]
        );
        assert_eq!(
            ev.clauses.iter().map(|c| c.failing).collect::<Vec<_>>(),
            [1, 1]
        );
        assert_eq!(ev.pass.iter_ones().collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn cached_clauses_give_the_same_answer() {
        let s = store();
        let mut cache = FilterCache::default();
        for e in ["QUAL>=10 && DP>5", "QUAL>=10 && DP>10", "QUAL>=10 && DP>5"] {
            let f = Filter::compile(e, &s, Mode::Include, &NoFiles).unwrap();
            assert_eq!(
                f.evaluate_cached(&s, &mut cache).pass,
                f.evaluate(&s).pass,
                "{e}"
            );
        }
        assert!(cache.heap_bytes() > 0);
    }

    #[test]
    fn errors_have_kinds_spans_hints_and_a_caret() {
        use FilterErrorKind::*;
        let s = store();
        let e = |x: &str| Filter::compile(x, &s, Mode::Include, &NoFiles).unwrap_err();
        let err = e("QUAL>30 && DPP>5");
        assert_eq!(
            (err.kind, err.span),
            (UnknownField, Span { start: 11, end: 14 })
        );
        assert_eq!(
            err.render("QUAL>30 && DPP>5").lines().nth(1).unwrap(),
            "           ^^^ no column, INFO or FORMAT field named DPP in this file"
        );
        let err = e("dp>5");
        assert_eq!(err.kind, UnknownField);
        assert!(err.hint.unwrap().contains("DP"), "names the field meant");
        assert_eq!(e("CHROM=1").kind, TypeMismatch);
        assert_eq!(e("DP>\"x\"").kind, TypeMismatch);
        assert_eq!(
            e("QUAL>30 && TYPE").kind,
            TypeMismatch,
            "TYPE alone (bcftools too)"
        );
        assert_eq!(e("FOO(DP)>1").kind, UnknownFunction);
        assert_eq!(e("MAX(DP,GQ)>1").kind, Arity);
        assert_eq!(e("GT[7]=\"het\"").kind, Subscript);
        let err = e("TYPE=\"snv\"");
        assert_eq!(err.kind, UnknownValue);
        assert!(err.hint.unwrap().contains("snp"), "lists the types");
        assert_eq!(e("DP~\"[\"").kind, Regex);
        let err = e("ID=@ids.txt");
        assert_eq!((err.kind, err.span.start), (File, 3));
        // `!` of a bare value: bcftools has no `!`; the hint says how to test the flag.
        let err = e("QUAL>1 && !DB");
        assert_eq!(
            (err.kind, err.span),
            (NotACondition, Span { start: 11, end: 13 })
        );
        assert!(err.hint.unwrap().contains("DB=0"));
        // A wide character before the error keeps the caret under it.
        let x = "CHROM=\"é\" && QUAL>";
        assert_eq!(e(x).kind, Syntax);
        assert_eq!(e(x).render(x).lines().nth(1).unwrap().find('^'), Some(18));
    }

    #[test]
    fn a_bare_value_is_a_condition_that_never_holds() {
        // bcftools 1.16: `-i DB` selects nothing, `-e DB` everything; `QUAL>20 || DB` is
        // `QUAL>20`. Each bare value gets a warning with a hint.
        assert_eq!(kept("DB", Mode::Include), Vec::<u64>::new());
        assert_eq!(kept("INFO/DB", Mode::Exclude), vec![10, 20, 30]);
        assert_eq!(kept("QUAL>20 || DB", Mode::Include), vec![10]);
        assert_eq!(kept("(QUAL>10 | DB)", Mode::Include), vec![10, 20]);
        assert_eq!(kept("DB && QUAL>30", Mode::Include), Vec::<u64>::new());
        assert_eq!(kept("DP || QUAL", Mode::Include), Vec::<u64>::new());
        assert_eq!(kept("\"text\"", Mode::Include), Vec::<u64>::new());
        let s = store();
        let f = Filter::compile("DB || QUAL>30 && GQ", &s, Mode::Include, &NoFiles).unwrap();
        let spans: Vec<(FilterErrorKind, Span)> =
            f.warnings().iter().map(|w| (w.kind, w.span)).collect();
        assert_eq!(
            spans,
            [
                (FilterErrorKind::NotACondition, Span { start: 0, end: 2 }),
                (FilterErrorKind::NotACondition, Span { start: 17, end: 19 })
            ]
        );
        assert!(f.warnings()[0].hint.as_deref().unwrap().contains("DB=1"));
        assert!(
            Filter::compile("DB=1", &s, Mode::Include, &NoFiles)
                .unwrap()
                .warnings()
                .is_empty()
        );
        // A bare per-sample value selects no sample: `GQ>20 & (GQ | QUAL>1)` fails (the `|`
        // keeps GQ's samples, none), `GQ>20 & (GQ || QUAL>1)` does not where QUAL>1 holds
        // (`||` selects every sample). Both as bcftools 1.16.
        assert_eq!(
            kept("GQ>20 & (GQ | QUAL>1)", Mode::Include),
            Vec::<u64>::new()
        );
        assert_eq!(kept("GQ>20 & (GQ || QUAL>1)", Mode::Include), vec![10, 20]);
    }

    #[test]
    fn one_level_groups_to_the_right_as_in_bcftools() {
        // `GQ<20 & GT="het" && GT="hom"` is `GQ<20 & (GT="het" && GT="hom")`: at 10 dad has
        // GQ 10 and is hom-ref, which the `&&` selects; grouped to the left no sample has
        // GQ<20 and is het. Records and samples as bcftools 1.16 prints them.
        let e = "GQ<20 & GT=\"het\" && GT=\"hom\"";
        assert_eq!(kept(e, Mode::Include), vec![10, 20]);
        let left = "(GQ<20 & GT=\"het\") && GT=\"hom\"";
        assert_eq!(kept(left, Mode::Include), Vec::<u64>::new());
        let s = store();
        let f = Filter::compile(e, &s, Mode::Include, &NoFiles).unwrap();
        assert_eq!(f.evaluate_record(&s, 0).samples, vec![false, true]);
        assert_eq!(f.evaluate_record(&s, 1).samples, vec![true, false]);
        // Arithmetic too: 50-10-20 is 50-(10-20).
        assert_eq!(kept("QUAL-10-20==60", Mode::Include), vec![10]);
    }
}
