//! Filtering: bcftools' `-i/-e` expression language over the columnar store.
//!
//! `expression text → lexer → parser (AST with spans) → compile (names resolved against the
//! store's header, types checked) → evaluate → Bitmap`. Common clause shapes run as column
//! kernels; everything else runs through a row-by-row interpreter with bcftools' per-sample
//! semantics. The two must agree (a property test checks it). Each top-level clause keeps its
//! own bitmap so the UI can say how many variants each clause removed.
//!
//! Main types: [`Filter`] (a compiled expression), [`Evaluation`] (the pass bitmap and the
//! per-clause counts), [`FilterError`] (a message, a span into the expression and a hint).

mod compile;
mod eval;
mod kernel;
mod parse;
mod regex;

use std::collections::HashMap;

use self::compile::{Compiler, ExtractedColumns};
use self::eval::{AnnColumn, Context, Logic, Node};
use self::parse::{Ast, AstKind, BinOp};
use crate::bitmap::Bitmap;
use crate::store::VariantStore;

/// A byte range in the expression text, for carets under the offending part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A syntax or type error in an expression, with where it is and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{message}")]
pub struct FilterError {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

impl FilterError {
    /// The expression with a caret line under the span, then the message and the hint:
    ///
    /// ```text
    /// QUAL>30 && DP>
    ///               ^ expected a value after `>`
    /// ```
    pub fn render(&self, expr: &str) -> String {
        render_caret(expr, self.span, &self.message, self.hint.as_deref())
    }
}

/// `text`, a caret line under `span` (counted in characters, so wide characters before it keep
/// it in place) with the message, and the hint on its own line. Shared by every error that
/// points into a line a person typed (filter expressions, query formats).
pub(crate) fn render_caret(text: &str, span: Span, message: &str, hint: Option<&str>) -> String {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    let col = text.get(..start).map_or(start, |p| p.chars().count());
    let width = text.get(start..end).map_or(1, |p| p.chars().count()).max(1);
    let mut out = format!("{text}\n{}{} {message}", " ".repeat(col), "^".repeat(width));
    if let Some(h) = hint {
        out.push_str("\nhint: ");
        out.push_str(h);
    }
    out
}

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
    fn errors_have_spans_hints_and_a_caret() {
        let s = store();
        let e = |x: &str| Filter::compile(x, &s, Mode::Include, &NoFiles).unwrap_err();
        let err = e("QUAL>30 && DPP>5");
        assert_eq!(err.span, Span { start: 11, end: 14 });
        assert!(err.message.contains("DPP"), "{}", err.message);
        assert_eq!(
            err.render("QUAL>30 && DPP>5").lines().nth(1).unwrap(),
            "           ^^^ no column, INFO or FORMAT field named DPP in this file"
        );
        assert!(e("dp>5").hint.unwrap().contains("DP"));
        assert!(e("DB").hint.unwrap().contains("DB=1"));
        assert!(e("CHROM=1").message.contains("text"));
        assert!(e("DP>\"x\"").message.contains("number"));
        assert!(e("FOO(DP)>1").message.contains("unknown function"));
        assert!(e("GT[7]=\"het\"").message.contains("out of range"));
        assert!(e("TYPE=\"snv\"").hint.unwrap().contains("snp"));
        assert!(e("DP~\"[\"").message.contains("regular expression"));
        assert_eq!(e("ID=@ids.txt").span.start, 3);
        // A wide character before the error keeps the caret under it.
        let x = "CHROM=\"é\" && QUAL>";
        assert_eq!(e(x).render(x).lines().nth(1).unwrap().find('^'), Some(18));
    }
}
