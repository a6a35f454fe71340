//! Parser: tokens → [`Ast`] with spans, by one binding-power (Pratt) loop.
//!
//! Precedence and associativity are bcftools' (`filter.c`, `op_prec` and its shunting-yard
//! loop in `filter_init`), lowest first:
//!
//! ```text
//! level 2   ||  |          right-associative
//! level 3   &&  &          right-associative
//! level 5   = == != < <= > >= ~ !~   not chained (an error, with a hint)
//! level 6   +  -           right-associative
//! level 7   *  /  %        right-associative
//! prefix    -  !           bind tighter than any binary operator
//! primary   NUMBER | STRING | @FILE | "(" expr ")" | NAME "(" args ")" | NAME ["[" subscript "]"]
//! ```
//!
//! bcftools pops an operator off its stack only for a *higher* precedence, so operators of one
//! level group to the right: `A & B && C` is `A & (B && C)` — which decides which samples
//! meet a `&` — and `QUAL-10-20` is `QUAL-(10-20)`. Both are followed here, so an expression
//! selects what bcftools selects.

use super::lex::{Tok, err, lex, text_of};
use super::{FilterError, FilterErrorKind, Span};

pub use super::lex::BinOp;

/// Deeper parenthesis nesting than this is an error, not a stack overflow (a wasm worker has
/// about 1 MiB of stack).
const MAX_DEPTH: usize = 32;
/// Deeper trees than this (long `&&` chains nest one level per clause) are an error too.
const MAX_TREE_DEPTH: usize = 256;

/// How an operator groups with its own level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assoc {
    Right,
    /// Comparisons: `1<DP<5` is an error.
    None,
}

/// bcftools' precedence (`op_prec`) of a binary operator, and its grouping.
fn binding_power(op: BinOp) -> (u8, Assoc) {
    match op {
        BinOp::Or | BinOp::OrVec => (2, Assoc::Right),
        BinOp::And | BinOp::AndVec => (3, Assoc::Right),
        BinOp::Add | BinOp::Sub => (6, Assoc::Right),
        BinOp::Mul | BinOp::Div | BinOp::Mod => (7, Assoc::Right),
        _ => (5, Assoc::None),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum AstKind {
    Number(f64),
    Str(String),
    File(String),
    /// A tag or column, with its raw subscript text (between the brackets).
    Name {
        name: String,
        subscript: Option<(String, Span)>,
    },
    Call {
        name: String,
        args: Vec<Ast>,
    },
    Neg(Box<Ast>),
    Not(Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ast {
    pub kind: AstKind,
    pub span: Span,
}

/// Tree depth, iteratively (the tree may be too deep to recurse over safely).
fn depth(ast: &Ast) -> usize {
    let mut max = 0;
    let mut stack = vec![(ast, 1usize)];
    while let Some((a, d)) = stack.pop() {
        max = max.max(d);
        if d > MAX_TREE_DEPTH {
            break;
        }
        match &a.kind {
            AstKind::Binary(_, l, r) => {
                stack.push((l, d + 1));
                stack.push((r, d + 1));
            }
            AstKind::Neg(x) | AstKind::Not(x) => stack.push((x, d + 1)),
            AstKind::Call { args, .. } => stack.extend(args.iter().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    at: usize,
    /// Open parentheses, calls and prefix operators.
    depth: usize,
    /// Active [`Parser::expr`] calls: right-associative chains recurse once per operator.
    frames: usize,
    /// The whole text, for the span of a too-deep error.
    len: usize,
}

fn too_many_parts(len: usize) -> FilterError {
    FilterError::new(
        FilterErrorKind::TooDeep,
        format!("the expression has more than {MAX_TREE_DEPTH} nested parts"),
        Span { start: 0, end: len },
        Some("for long lists of genes or IDs use the gene list or @file".into()),
    )
}

/// Parses an expression. `prefixes` are annotation tags usable as `TAG/subfield`.
pub fn parse(text: &str, prefixes: &[String]) -> Result<Ast, FilterError> {
    if text.trim().is_empty() {
        return Err(FilterError::new(
            FilterErrorKind::Empty,
            "the expression is empty",
            Span {
                start: 0,
                end: text.len(),
            },
            Some("for example: QUAL>=30 && FILTER=\"PASS\"".into()),
        ));
    }
    let toks = lex(text, prefixes)?;
    let mut p = Parser {
        toks,
        at: 0,
        depth: 0,
        frames: 0,
        len: text.len(),
    };
    let ast = p.expr(0)?;
    if depth(&ast) > MAX_TREE_DEPTH {
        return Err(too_many_parts(text.len()));
    }
    let (t, span) = p.peek();
    if *t != Tok::End {
        let hint = match t {
            Tok::RParen => Some("remove it, or add the matching `(` before"),
            _ => Some("join clauses with && or ||"),
        };
        return Err(err(
            "unexpected text after a complete expression",
            span.start,
            span.end,
            hint,
        ));
    }
    Ok(ast)
}

impl Parser {
    fn peek(&self) -> (&Tok, Span) {
        let (t, s) = &self.toks[self.at];
        (t, *s)
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.at].clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn binary(op: BinOp, l: Ast, r: Ast) -> Ast {
        let span = Span {
            start: l.span.start,
            end: r.span.end,
        };
        Ast {
            kind: AstKind::Binary(op, Box::new(l), Box::new(r)),
            span,
        }
    }

    fn enter(&mut self, span: Span) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::new(
                FilterErrorKind::TooDeep,
                format!("the expression nests deeper than {MAX_DEPTH} levels"),
                span,
                None,
            ));
        }
        Ok(())
    }

    /// The binding-power loop: an operand, then every binary operator of at least `min_bp`
    /// with its right operand. A right-associative operator parses its right side at its own
    /// level (so the next operator of that level joins the right side); a comparison parses
    /// it one level up, and a second comparison after it is an error.
    fn expr(&mut self, min_bp: u8) -> Result<Ast, FilterError> {
        self.frames += 1;
        if self.frames > MAX_TREE_DEPTH {
            return Err(too_many_parts(self.len));
        }
        let mut lhs = self.unary()?;
        let mut compared: Option<BinOp> = None;
        while let (Tok::Op(op), span) = self.peek() {
            let op = *op;
            let (bp, assoc) = binding_power(op);
            if bp < min_bp {
                break;
            }
            if let Some(first) = compared.filter(|_| assoc == Assoc::None) {
                return Err(err(
                    format!(
                        "comparisons cannot be chained (`{}` after `{}`)",
                        op.symbol(),
                        first.symbol()
                    ),
                    span.start,
                    span.end,
                    Some("join two comparisons with &&: A>1 && A<5"),
                ));
            }
            self.bump();
            let rhs = self.expr(match assoc {
                Assoc::Right => bp,
                Assoc::None => bp + 1,
            })?;
            compared = (assoc == Assoc::None).then_some(op);
            lhs = Self::binary(op, lhs, rhs);
        }
        self.frames -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ast, FilterError> {
        let (t, span) = self.peek();
        match t {
            Tok::Op(BinOp::Sub) => {
                self.bump();
                self.enter(span)?;
                let inner = self.unary()?;
                self.depth -= 1;
                // Fold `-5` into a literal so `TAG>=-129` stays a comparison with a constant.
                if let AstKind::Number(v) = inner.kind {
                    return Ok(Ast {
                        kind: AstKind::Number(-v),
                        span: Span {
                            start: span.start,
                            end: inner.span.end,
                        },
                    });
                }
                let end = inner.span.end;
                Ok(Ast {
                    kind: AstKind::Neg(Box::new(inner)),
                    span: Span {
                        start: span.start,
                        end,
                    },
                })
            }
            Tok::Not => {
                self.bump();
                self.enter(span)?;
                let inner = self.unary()?;
                self.depth -= 1;
                let end = inner.span.end;
                Ok(Ast {
                    kind: AstKind::Not(Box::new(inner)),
                    span: Span {
                        start: span.start,
                        end,
                    },
                })
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Ast, FilterError> {
        let (t, span) = self.bump();
        match t {
            Tok::Number(v) => Ok(Ast {
                kind: AstKind::Number(v),
                span,
            }),
            Tok::Str(s) => Ok(Ast {
                kind: AstKind::Str(s),
                span,
            }),
            Tok::File(f) => Ok(Ast {
                kind: AstKind::File(f),
                span,
            }),
            Tok::LParen => {
                self.enter(span)?;
                let inner = self.expr(0)?;
                self.depth -= 1;
                let (t, s) = self.bump();
                if t != Tok::RParen {
                    // Point at the `(` that is never closed: the end of the text says nothing.
                    let found = if t == Tok::End {
                        "the expression ends".to_string()
                    } else {
                        format!("found {:?} at column {}", &text_of(&t), s.start + 1)
                    };
                    return Err(err(
                        format!("this `(` is never closed ({found})"),
                        span.start,
                        span.end,
                        Some("add `)` after the part it groups"),
                    ));
                }
                Ok(Ast {
                    kind: inner.kind,
                    span: Span {
                        start: span.start,
                        end: s.end,
                    },
                })
            }
            Tok::Name(name) => {
                if let (Tok::LParen, _) = self.peek() {
                    self.bump();
                    self.enter(span)?;
                    let mut args = Vec::new();
                    if !matches!(self.peek().0, Tok::RParen) {
                        loop {
                            args.push(self.expr(0)?);
                            match self.peek() {
                                (Tok::Comma, _) => {
                                    self.bump();
                                }
                                _ => break,
                            }
                        }
                    }
                    self.depth -= 1;
                    let (t, s) = self.bump();
                    if t != Tok::RParen {
                        return Err(err(
                            format!("missing `)` after the arguments of {name}()"),
                            s.start,
                            s.end.max(s.start + 1),
                            None,
                        ));
                    }
                    return Ok(Ast {
                        kind: AstKind::Call { name, args },
                        span: Span {
                            start: span.start,
                            end: s.end,
                        },
                    });
                }
                let mut end = span.end;
                let subscript = if let (Tok::Subscript(..), _) = self.peek() {
                    let (t, s) = self.bump();
                    end = s.end;
                    match t {
                        Tok::Subscript(text, inner) => Some((text, inner)),
                        _ => None,
                    }
                } else {
                    None
                };
                Ok(Ast {
                    kind: AstKind::Name { name, subscript },
                    span: Span {
                        start: span.start,
                        end,
                    },
                })
            }
            Tok::End => Err(err(
                "the expression ends where a value was expected",
                span.start,
                span.start + 1,
                Some("complete the comparison, e.g. QUAL>30"),
            )),
            Tok::Op(op) => Err(err(
                format!("expected a value before `{}`", op.symbol()),
                span.start,
                span.end,
                None,
            )),
            Tok::RParen => Err(err(
                "unexpected `)`",
                span.start,
                span.end,
                Some("remove it, or add the matching `(` before"),
            )),
            Tok::Comma => Err(err(
                "unexpected `,` outside a function's arguments",
                span.start,
                span.end,
                None,
            )),
            Tok::Not => Err(err("unexpected `!`", span.start, span.end, None)),
            Tok::Subscript(_, _) => Err(err(
                "a subscript `[...]` must follow a tag name",
                span.start,
                span.end,
                None,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Ast {
        parse(s, &["CSQ".to_string()]).unwrap()
    }

    fn e(s: &str) -> FilterError {
        parse(s, &[]).unwrap_err()
    }

    /// The operator at the root and its two operands' source text.
    fn split(s: &str) -> (BinOp, String, String) {
        let a = p(s);
        let AstKind::Binary(op, l, r) = a.kind else {
            panic!("{s}: not a binary expression")
        };
        let text = |x: &Ast| s[x.span.start..x.span.end].to_string();
        (op, text(&l), text(&r))
    }

    #[test]
    fn precedence_and_spans() {
        let a = p("QUAL>10 && DP<5 || GT=\"het\"");
        let AstKind::Binary(BinOp::Or, l, _) = a.kind else {
            panic!("or at the top")
        };
        assert!(matches!(l.kind, AstKind::Binary(BinOp::And, _, _)));
        assert_eq!(l.span, Span { start: 0, end: 15 });
        let a = p("1+2*3");
        let AstKind::Binary(BinOp::Add, _, r) = a.kind else {
            panic!()
        };
        assert!(matches!(r.kind, AstKind::Binary(BinOp::Mul, _, _)));
        // `%` shares `*`'s level, comparisons bind looser than arithmetic.
        assert_eq!(split("DP%2*3>1").0, BinOp::Gt);
        assert_eq!(split("DP%2*3>1").1, "DP%2*3");
    }

    #[test]
    fn one_level_groups_to_the_right_as_in_bcftools() {
        // bcftools' shunting-yard pops only higher precedence: `&` and `&&` share a level
        // and group to the right, so the `&` below joins GT with the whole `&&`.
        assert_eq!(
            split("FMT/DP<20 & GT=\"AA\" && GT[0]=\"ref\""),
            (
                BinOp::AndVec,
                "FMT/DP<20".into(),
                "GT=\"AA\" && GT[0]=\"ref\"".into()
            )
        );
        assert_eq!(
            split("A>1 && B>1 & C>1"),
            (BinOp::And, "A>1".into(), "B>1 & C>1".into())
        );
        assert_eq!(
            split("A>1 || B>1 | C>1"),
            (BinOp::Or, "A>1".into(), "B>1 | C>1".into())
        );
        assert_eq!(
            split("A>1 | B>1 && C>1"),
            (BinOp::OrVec, "A>1".into(), "B>1 && C>1".into())
        );
        // Arithmetic too: QUAL-10-20 is QUAL-(10-20), QUAL/5/2 is QUAL/(5/2).
        assert_eq!(
            split("QUAL-10-20"),
            (BinOp::Sub, "QUAL".into(), "10-20".into())
        );
        assert_eq!(
            split("QUAL-10+5"),
            (BinOp::Sub, "QUAL".into(), "10+5".into())
        );
        assert_eq!(split("QUAL/5/2"), (BinOp::Div, "QUAL".into(), "5/2".into()));
        // Prefix operators bind tightest: `-QUAL+60` is (-QUAL)+60, `!(A) && B` is (!(A)) && B.
        assert_eq!(split("-QUAL+60"), (BinOp::Add, "-QUAL".into(), "60".into()));
        assert_eq!(
            split("!(DP>1) && GQ>2"),
            (BinOp::And, "!(DP>1)".into(), "GQ>2".into())
        );
    }

    #[test]
    fn names_prefixes_subscripts_and_sigils() {
        let a = p("FMT/AD[0:1]>5");
        let AstKind::Binary(_, l, _) = a.kind else {
            panic!()
        };
        assert_eq!(
            l.kind,
            AstKind::Name {
                name: "FMT/AD".into(),
                subscript: Some(("0:1".into(), Span { start: 7, end: 10 }))
            }
        );
        assert!(matches!(
            p("CSQ/SYMBOL=\"BRCA1\"").kind,
            AstKind::Binary(..)
        ));
        assert!(matches!(p("%ILEN==1").kind, AstKind::Binary(..)));
        // QUAL is not a prefix: this is a division.
        let AstKind::Binary(BinOp::Eq, l, _) = p("QUAL/FMT/AD==55").kind else {
            panic!()
        };
        assert!(matches!(l.kind, AstKind::Binary(BinOp::Div, _, _)));
        let AstKind::Binary(BinOp::Eq, l, _) = p("DP%10==2").kind else {
            panic!()
        };
        assert!(matches!(l.kind, AstKind::Binary(BinOp::Mod, _, _)));
        assert!(matches!(
            p("Gene.refGene==\"X\"").kind,
            AstKind::Binary(BinOp::Eq, _, _)
        ));
        assert!(matches!(
            p("TAG1>=-129").kind,
            AstKind::Binary(BinOp::Ge, _, ref r) if r.kind == AstKind::Number(-129.0)
        ));
        assert!(
            matches!(p("ID=@ids.txt").kind, AstKind::Binary(BinOp::Eq, _, ref r) if r.kind == AstKind::File("ids.txt".into()))
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        use FilterErrorKind::{Empty, Syntax, TooDeep};
        let x = e("QUAL>");
        assert_eq!((x.kind, x.span.start), (Syntax, 5));
        let x = e("QUAL>30 && (DP>5");
        assert_eq!(x.span, Span { start: 11, end: 12 }, "the unclosed `(`");
        assert_eq!(x.kind, Syntax);
        let x = e("DP>\"abc");
        assert_eq!((x.kind, x.span), (Syntax, Span { start: 3, end: 7 }));
        let x = e("DP=.");
        assert_eq!((x.kind, x.span.start), (Syntax, 3));
        assert!(x.hint.unwrap().contains("\".\""));
        let x = e("1<DP<5");
        assert_eq!((x.kind, x.span), (Syntax, Span { start: 4, end: 5 }));
        let x = e("1<DP+2>5 && QUAL>1");
        assert_eq!((x.kind, x.span.start), (Syntax, 6), "the second comparison");
        assert_eq!(e("   ").kind, Empty);
        assert_eq!(e("QUAL>30)").span.start, 7);
        assert_eq!(e("QUAL>30)").kind, Syntax);
        // 33 parentheses: the one past the limit is pointed at.
        let deep = "(".repeat(500) + "1" + &")".repeat(500);
        assert_eq!((e(&deep).kind, e(&deep).span.start), (TooDeep, 32));
        // A long chain nests one level per clause (right-associative): an error over the
        // whole text, not a stack overflow.
        let long = vec!["DP>1"; 5000].join(" && ");
        let x = e(&long);
        assert_eq!(
            (x.kind, x.span),
            (
                TooDeep,
                Span {
                    start: 0,
                    end: long.len()
                }
            )
        );
        let long = vec!["DP"; 5000].join(" + ") + ">1";
        assert_eq!(e(&long).kind, TooDeep);
        let ok = vec!["DP>1"; 200].join(" && ");
        assert!(parse(&ok, &[]).is_ok());
    }
}
