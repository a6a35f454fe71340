//! Lexer: expression text → tokens with byte spans ([`Tok`]), the first step of
//! `lex → parse → compile`.
//!
//! Names are tags (`DP`, `INFO/DP`, `FMT/GQ`, `CSQ/SYMBOL`, `Gene.refGene`) or columns; a `%`
//! before a name is kept on it (`%ILEN` is the built-in even when INFO/ILEN exists, as in
//! bcftools). `%` after a value is modulo, `[` after a name a subscript.

use super::{FilterError, FilterErrorKind, Span};

/// The binary operators, as lexed and as they stay in the syntax tree.
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

/// A token; names keep their `INFO/`, `FMT/` or annotation prefix and `%` sigil.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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

/// A syntax error over `start..end`.
pub(super) fn err(
    message: impl Into<String>,
    start: usize,
    end: usize,
    hint: Option<&str>,
) -> FilterError {
    FilterError::new(
        FilterErrorKind::Syntax,
        message,
        Span { start, end },
        hint.map(str::to_string),
    )
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

/// Splits the text into tokens with spans. `prefixes` are names that take a `/` (INFO, FMT,
/// FORMAT and annotation tags such as CSQ).
pub(super) fn lex(text: &str, prefixes: &[String]) -> Result<Vec<(Tok, Span)>, FilterError> {
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
pub(super) fn text_of(t: &Tok) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s, &["CSQ".to_string()])
            .unwrap()
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn operators_names_and_values() {
        assert_eq!(
            toks("QUAL>=30&&INFO/DP!=5|GT~\"het\""),
            [
                Tok::Name("QUAL".into()),
                Tok::Op(BinOp::Ge),
                Tok::Number(30.0),
                Tok::Op(BinOp::And),
                Tok::Name("INFO/DP".into()),
                Tok::Op(BinOp::Ne),
                Tok::Number(5.0),
                Tok::Op(BinOp::OrVec),
                Tok::Name("GT".into()),
                Tok::Op(BinOp::Match),
                Tok::Str("het".into()),
                Tok::End,
            ]
        );
        // `%` after a value is modulo, before a name a sigil kept on the name.
        assert_eq!(
            toks("DP%2"),
            [
                Tok::Name("DP".into()),
                Tok::Op(BinOp::Mod),
                Tok::Number(2.0),
                Tok::End
            ]
        );
        assert_eq!(toks("%ILEN"), [Tok::Name("%ILEN".into()), Tok::End]);
        // Only known prefixes join with `/`: QUAL/FMT/DP is a division.
        assert_eq!(
            toks("QUAL/FMT/DP"),
            [
                Tok::Name("QUAL".into()),
                Tok::Op(BinOp::Div),
                Tok::Name("FMT/DP".into()),
                Tok::End
            ]
        );
        assert_eq!(
            toks("CSQ/SYMBOL"),
            [Tok::Name("CSQ/SYMBOL".into()), Tok::End]
        );
        // Numbers: exponents, a leading dot; a digit-led word is a name (ANNOVAR columns).
        assert_eq!(
            toks("1e3 .5"),
            [Tok::Number(1000.0), Tok::Number(0.5), Tok::End]
        );
        assert_eq!(
            toks("1000g2015aug_all"),
            [Tok::Name("1000g2015aug_all".into()), Tok::End]
        );
        assert_eq!(toks("'a\\'b'"), [Tok::Str("a'b".into()), Tok::End]);
        assert_eq!(
            toks("ID=@ids.txt"),
            [
                Tok::Name("ID".into()),
                Tok::Op(BinOp::Eq),
                Tok::File("ids.txt".into()),
                Tok::End
            ]
        );
    }

    #[test]
    fn spans_and_subscripts() {
        let t = lex("AD[0:1] > 5", &[]).unwrap();
        assert_eq!(
            t[1],
            (
                Tok::Subscript("0:1".into(), Span { start: 3, end: 6 }),
                Span { start: 2, end: 7 }
            )
        );
        assert_eq!(t[2].1, Span { start: 8, end: 9 });
        assert_eq!(t[4], (Tok::End, Span { start: 11, end: 11 }));
    }

    #[test]
    fn errors_are_syntax_errors_at_the_character() {
        for (text, at) in [
            ("DP>\"x", 3),
            ("AD[0", 2),
            ("[0]", 0),
            ("DP=.", 3),
            ("DP # 1", 3),
            ("@", 0),
            ("%", 0),
        ] {
            let e = lex(text, &[]).unwrap_err();
            assert_eq!(
                (e.kind, e.span.start),
                (FilterErrorKind::Syntax, at),
                "{text}"
            );
        }
    }
}
