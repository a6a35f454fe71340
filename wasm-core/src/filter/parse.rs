//! Lexer and parser: expression text → [`Ast`] with spans.
//!
//! Grammar (bcftools `man bcftools`, FILTERING EXPRESSIONS), lowest precedence first:
//!
//! ```text
//! or      := and   (("||" | "|") and)*
//! and     := cmp   (("&&" | "&") cmp)*
//! cmp     := sum   (("=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~") sum)?
//! sum     := prod  (("+" | "-") prod)*
//! prod    := unary (("*" | "/" | "%") unary)*
//! unary   := "-" unary | "!" unary | primary
//! primary := NUMBER | STRING | @FILE | "(" or ")" | NAME "(" args ")" | NAME ["[" subscript "]"]
//! ```
//!
//! Names are tags (`DP`, `INFO/DP`, `FMT/GQ`, `CSQ/SYMBOL`, `Gene.refGene`) or columns; a `%`
//! before a name is accepted and ignored, as bcftools does.

use super::{FilterError, Span};

/// Deeper parenthesis nesting than this is an error, not a stack overflow (a wasm worker has
/// about 1 MiB of stack).
const MAX_DEPTH: usize = 32;
/// Deeper trees than this (long `&&` chains nest one level per clause) are an error too.
const MAX_TREE_DEPTH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    OrVec,
    And,
    AndVec,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    NoMatch,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Or => "||",
            Self::OrVec => "|",
            Self::And => "&&",
            Self::AndVec => "&",
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Match => "~",
            Self::NoMatch => "!~",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
        }
    }

    pub fn is_logic(self) -> bool {
        matches!(self, Self::Or | Self::OrVec | Self::And | Self::AndVec)
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            Self::Eq
                | Self::Ne
                | Self::Lt
                | Self::Le
                | Self::Gt
                | Self::Ge
                | Self::Match
                | Self::NoMatch
        )
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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(f64),
    Str(String),
    File(String),
    Name(String),
    Subscript(String, Span),
    Op(BinOp),
    Not,
    LParen,
    RParen,
    Comma,
    End,
}

fn err(message: impl Into<String>, start: usize, end: usize, hint: Option<&str>) -> FilterError {
    FilterError {
        message: message.into(),
        span: Span { start, end },
        hint: hint.map(str::to_string),
    }
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

/// Splits the text into tokens with spans. `prefixes` are names that take a `/` (INFO, FMT,
/// FORMAT and annotation tags such as CSQ).
fn lex(text: &str, prefixes: &[String]) -> Result<Vec<(Tok, Span)>, FilterError> {
    let b = text.as_bytes();
    let mut out: Vec<(Tok, Span)> = Vec::new();
    let mut i = 0;
    // Whether the previous token ends an operand (then `%` is modulo, `[` a subscript).
    let operand_end = |out: &Vec<(Tok, Span)>| {
        matches!(
            out.last().map(|t| &t.0),
            Some(Tok::Number(_) | Tok::Str(_) | Tok::Name(_) | Tok::RParen | Tok::Subscript(..))
        )
    };
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let two = if i + 1 < b.len() {
            &b[i..i + 2]
        } else {
            &b[i..i + 1]
        };
        let op = match two {
            b"||" => Some((Tok::Op(BinOp::Or), 2)),
            b"&&" => Some((Tok::Op(BinOp::And), 2)),
            b"==" => Some((Tok::Op(BinOp::Eq), 2)),
            b"!=" => Some((Tok::Op(BinOp::Ne), 2)),
            b"<=" => Some((Tok::Op(BinOp::Le), 2)),
            b">=" => Some((Tok::Op(BinOp::Ge), 2)),
            b"!~" => Some((Tok::Op(BinOp::NoMatch), 2)),
            _ => None,
        };
        if let Some((t, n)) = op {
            out.push((t, Span { start, end: i + n }));
            i += n;
            continue;
        }
        let single = match c {
            b'|' => Some(Tok::Op(BinOp::OrVec)),
            b'&' => Some(Tok::Op(BinOp::AndVec)),
            b'=' => Some(Tok::Op(BinOp::Eq)),
            b'<' => Some(Tok::Op(BinOp::Lt)),
            b'>' => Some(Tok::Op(BinOp::Gt)),
            b'~' => Some(Tok::Op(BinOp::Match)),
            b'+' => Some(Tok::Op(BinOp::Add)),
            b'-' => Some(Tok::Op(BinOp::Sub)),
            b'*' => Some(Tok::Op(BinOp::Mul)),
            b'/' => Some(Tok::Op(BinOp::Div)),
            b'!' => Some(Tok::Not),
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b',' => Some(Tok::Comma),
            b'%' if operand_end(&out) => Some(Tok::Op(BinOp::Mod)),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, Span { start, end: i + 1 }));
            i += 1;
            continue;
        }
        match c {
            b'%' => {
                // A `%TAG` sigil, as in query formats.
                i += 1;
                if i >= b.len() || !is_name_start(b[i]) {
                    return Err(err(
                        "`%` must follow a value (modulo) or precede a tag name",
                        start,
                        i,
                        None,
                    ));
                }
            }
            b'"' | b'\'' => {
                let quote = c;
                i += 1;
                let mut s = Vec::new();
                loop {
                    if i >= b.len() {
                        return Err(err(
                            "this string is not closed",
                            start,
                            b.len(),
                            Some("add the closing quote"),
                        ));
                    }
                    if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == quote {
                        s.push(quote);
                        i += 2;
                        continue;
                    }
                    if b[i] == quote {
                        i += 1;
                        break;
                    }
                    s.push(b[i]);
                    i += 1;
                }
                out.push((
                    Tok::Str(String::from_utf8_lossy(&s).into_owned()),
                    Span { start, end: i },
                ));
            }
            b'@' => {
                i += 1;
                while i < b.len() && !b[i].is_ascii_whitespace() && !b"()&|".contains(&b[i]) {
                    i += 1;
                }
                if i == start + 1 {
                    return Err(err("`@` must be followed by a file name", start, i, None));
                }
                out.push((
                    Tok::File(text[start + 1..i].to_string()),
                    Span { start, end: i },
                ));
            }
            b'[' => {
                if !operand_end(&out) {
                    return Err(err(
                        "a subscript `[...]` must follow a tag name",
                        start,
                        start + 1,
                        Some("write TAG[0] or TAG[*]"),
                    ));
                }
                let close = b[i..].iter().position(|&x| x == b']').map(|p| i + p);
                let Some(close) = close else {
                    return Err(err(
                        "this subscript is not closed",
                        start,
                        b.len(),
                        Some("add `]`"),
                    ));
                };
                out.push((
                    Tok::Subscript(
                        text[i + 1..close].to_string(),
                        Span {
                            start: i + 1,
                            end: close,
                        },
                    ),
                    Span {
                        start,
                        end: close + 1,
                    },
                ));
                i = close + 1;
            }
            _ if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    let mut j = i + 1;
                    if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                        j += 1;
                    }
                    if j < b.len() && b[j].is_ascii_digit() {
                        while j < b.len() && b[j].is_ascii_digit() {
                            j += 1;
                        }
                        i = j;
                    }
                }
                if i < b.len() && is_name_start(b[i]) {
                    // `1abc` is a name in some files (ANNOVAR `1000g2015aug_all`).
                    while i < b.len() && is_name_char(b[i]) {
                        i += 1;
                    }
                    out.push((
                        Tok::Name(text[start..i].to_string()),
                        Span { start, end: i },
                    ));
                    continue;
                }
                let v: f64 = text[start..i].parse().map_err(|_| {
                    err(
                        format!("{:?} is not a number", &text[start..i]),
                        start,
                        i,
                        None,
                    )
                })?;
                out.push((Tok::Number(v), Span { start, end: i }));
            }
            _ => {}
        }
        if i < b.len() && is_name_start(b[i]) && (i == start || b[start] == b'%') {
            let name_start = i;
            while i < b.len() && is_name_char(b[i]) {
                i += 1;
            }
            // `INFO/DP`, `FMT/GQ`, `CSQ/SYMBOL`: join a known prefix with the name after `/`.
            let word = &text[name_start..i];
            if i + 1 < b.len()
                && b[i] == b'/'
                && is_name_start(b[i + 1])
                && (matches!(word, "INFO" | "FMT" | "FORMAT") || prefixes.iter().any(|p| p == word))
            {
                i += 1;
                while i < b.len() && is_name_char(b[i]) {
                    i += 1;
                }
            }
            // A `%` sigil stays on the name: `%ILEN` means the built-in even when INFO/ILEN
            // exists (bcftools).
            out.push((
                Tok::Name(text[start..i].to_string()),
                Span { start, end: i },
            ));
            continue;
        }
        if i == start {
            let ch = text[start..].chars().next().unwrap_or('?');
            let hint = if c == b'.' {
                Some("write \".\" in quotes to test for a missing value")
            } else {
                None
            };
            return Err(err(
                format!("unexpected character {ch:?}"),
                start,
                start + ch.len_utf8(),
                hint,
            ));
        }
    }
    out.push((
        Tok::End,
        Span {
            start: b.len(),
            end: b.len(),
        },
    ));
    Ok(out)
}

/// A token as a person would quote it in a message.
fn text_of(t: &Tok) -> String {
    match t {
        Tok::Number(v) => v.to_string(),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::File(f) => format!("@{f}"),
        Tok::Name(n) => n.clone(),
        Tok::Subscript(s, _) => format!("[{s}]"),
        Tok::Op(op) => op.symbol().to_string(),
        Tok::Not => "!".to_string(),
        Tok::LParen => "(".to_string(),
        Tok::RParen => ")".to_string(),
        Tok::Comma => ",".to_string(),
        Tok::End => String::new(),
    }
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
    depth: usize,
}

/// Parses an expression. `prefixes` are annotation tags usable as `TAG/subfield`.
pub fn parse(text: &str, prefixes: &[String]) -> Result<Ast, FilterError> {
    if text.trim().is_empty() {
        return Err(err(
            "the expression is empty",
            0,
            text.len(),
            Some("for example: QUAL>=30 && FILTER=\"PASS\""),
        ));
    }
    let toks = lex(text, prefixes)?;
    let mut p = Parser {
        toks,
        at: 0,
        depth: 0,
    };
    let ast = p.or()?;
    if depth(&ast) > MAX_TREE_DEPTH {
        return Err(err(
            format!("the expression has more than {MAX_TREE_DEPTH} nested parts"),
            0,
            text.len(),
            Some("for long lists of genes or IDs use the gene list or @file"),
        ));
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
            return Err(err(
                format!("the expression nests deeper than {MAX_DEPTH} levels"),
                span.start,
                span.end,
                None,
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Ast, FilterError> {
        let mut l = self.and()?;
        while let (Tok::Op(op @ (BinOp::Or | BinOp::OrVec)), _) = self.peek() {
            let op = *op;
            self.bump();
            let r = self.and()?;
            l = Self::binary(op, l, r);
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Ast, FilterError> {
        let mut l = self.cmp()?;
        while let (Tok::Op(op @ (BinOp::And | BinOp::AndVec)), _) = self.peek() {
            let op = *op;
            self.bump();
            let r = self.cmp()?;
            l = Self::binary(op, l, r);
        }
        Ok(l)
    }

    fn cmp(&mut self) -> Result<Ast, FilterError> {
        let l = self.sum()?;
        if let (Tok::Op(op), _) = self.peek()
            && op.is_comparison()
        {
            let op = *op;
            self.bump();
            let r = self.sum()?;
            if let (Tok::Op(op2), s) = self.peek()
                && op2.is_comparison()
            {
                return Err(err(
                    format!(
                        "comparisons cannot be chained (`{}` after `{}`)",
                        op2.symbol(),
                        op.symbol()
                    ),
                    s.start,
                    s.end,
                    Some("join two comparisons with &&: A>1 && A<5"),
                ));
            }
            return Ok(Self::binary(op, l, r));
        }
        Ok(l)
    }

    fn sum(&mut self) -> Result<Ast, FilterError> {
        let mut l = self.prod()?;
        while let (Tok::Op(op @ (BinOp::Add | BinOp::Sub)), _) = self.peek() {
            let op = *op;
            self.bump();
            let r = self.prod()?;
            l = Self::binary(op, l, r);
        }
        Ok(l)
    }

    fn prod(&mut self) -> Result<Ast, FilterError> {
        let mut l = self.unary()?;
        while let (Tok::Op(op @ (BinOp::Mul | BinOp::Div | BinOp::Mod)), _) = self.peek() {
            let op = *op;
            self.bump();
            let r = self.unary()?;
            l = Self::binary(op, l, r);
        }
        Ok(l)
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
                let inner = self.or()?;
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
                            args.push(self.or()?);
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
        let x = e("QUAL>");
        assert_eq!(x.span.start, 5);
        let x = e("QUAL>30 && (DP>5");
        assert_eq!(x.span, Span { start: 11, end: 12 }, "the unclosed `(`");
        assert!(x.message.contains("never closed"));
        let x = e("DP>\"abc");
        assert_eq!(x.span, Span { start: 3, end: 7 });
        let x = e("DP=.");
        assert_eq!(x.span.start, 3);
        assert!(x.hint.unwrap().contains("\".\""));
        let x = e("1<DP<5");
        assert_eq!(x.span.start, 4);
        assert!(e("   ").message.contains("empty"));
        assert_eq!(e("QUAL>30)").span.start, 7);
        let deep = "(".repeat(500) + "1" + &")".repeat(500);
        assert!(e(&deep).message.contains("nests"));
        let long = vec!["DP>1"; 5000].join(" && ");
        assert!(e(&long).message.contains("nested parts"));
        let ok = vec!["DP>1"; 200].join(" && ");
        assert!(parse(&ok, &[]).is_ok());
    }
}
