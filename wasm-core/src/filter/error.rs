//! Errors of the expression language: [`FilterError`] (what kind, where, what to do) and the
//! caret rendering shared by every error that points into a line a person typed.
//!
//! The error crosses the page ⇄ worker boundary (`app/src/protocol.rs`) through serde, so the
//! page can draw the caret itself; programs and tests decide by [`FilterErrorKind`], never by
//! the message's wording.

/// A byte range in the expression text, for carets under the offending part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// What is wrong with an expression. The message says it to a person; the kind says it to a
/// program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FilterErrorKind {
    /// Nothing but blanks.
    Empty,
    /// A character, token or bracket where the grammar has no place for it, or one missing.
    Syntax,
    /// Nesting or length past the limits that keep evaluation off the stack's edge.
    TooDeep,
    /// A name that is no column, variable, INFO/FORMAT tag or annotation sub-field of the file.
    UnknownField,
    /// A bare name the header declares both as INFO and as FORMAT tag (`DP`).
    AmbiguousField,
    /// A function name the language does not have.
    UnknownFunction,
    /// A known function called with the wrong number of arguments.
    Arity,
    /// Two sides, an operator or an argument whose types do not fit (`CHROM>5`, `DP~"x"`).
    TypeMismatch,
    /// A constant the column cannot hold (`TYPE="snv"`).
    UnknownValue,
    /// A subscript that is malformed, out of range, or on a field that takes none.
    Subscript,
    /// A `~` pattern that does not compile.
    Regex,
    /// An `@file` (or a sample in it) that cannot be used.
    File,
    /// A value where a condition belongs. `!DB` is an error (bcftools has no `!`); a bare
    /// value (`DB`, `DB && QUAL>30`) compiles to a condition that never holds, with a warning
    /// of this kind (`Filter::warnings`).
    NotACondition,
}

/// A syntax or type error in an expression, with where it is and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{message}")]
pub struct FilterError {
    pub kind: FilterErrorKind,
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

impl FilterError {
    pub(crate) fn new(
        kind: FilterErrorKind,
        message: impl Into<String>,
        span: Span,
        hint: Option<String>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            hint,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_sits_under_the_span_counted_in_characters() {
        let e = FilterError::new(
            FilterErrorKind::Syntax,
            "here",
            Span { start: 9, end: 11 },
            Some("do this".into()),
        );
        // `é` is two bytes but one column.
        assert_eq!(
            e.render("CHROM=\"é\"&&"),
            "CHROM=\"é\"&&\n        ^^ here\nhint: do this"
        );
        // A span past the end still draws one caret at the end.
        let e = FilterError::new(
            FilterErrorKind::Syntax,
            "end",
            Span { start: 99, end: 99 },
            None,
        );
        assert_eq!(e.render("QUAL>"), "QUAL>\n     ^ end");
    }
}
