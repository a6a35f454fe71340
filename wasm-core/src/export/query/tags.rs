//! One `%` tag of a format: parsed from the text (`parse_tag`: `%NAME`, `%INFO/NAME`,
//! `%FMT/NAME`, `%NAME{n}`, `%PBINOM(NAME)`, `%smpl_count(NAME)`) and resolved against a store's
//! header to what it prints (`Value`: a fixed column, an INFO or FORMAT field, a sample tag), or
//! to an error naming it.

use super::{Name, QueryFormatError, Tag};
use crate::filter::Span;
use crate::store::{Field, ValueType, VariantStore};

/// What a tag prints, resolved against a store.
pub(super) enum Value<'a> {
    Chrom,
    Pos,
    Pos0,
    End,
    End0,
    Id,
    Ref,
    Alt(Option<usize>),
    FirstAlt,
    Qual,
    Filter,
    Type,
    IsTs,
    Ilen,
    InfoColumn,
    Info(&'a Field, Option<usize>),
    Format(&'a Field, Option<usize>),
    Sample,
    Gt,
    Tgt,
    Pbinom(&'a Field),
    SmplCount(&'a Field),
}

/// Fixed-column names bcftools knows; they take no `{n}` subscript (except ALT).
const FIXED: &[&str] = &[
    "CHROM",
    "POS",
    "POS0",
    "END",
    "END0",
    "ID",
    "REF",
    "FIRST_ALT",
    "QUAL",
    "TYPE",
    "FILTER",
    "IS_TS",
];

/// bcftools' tag-name characters.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// The FORMAT field named in `%FUNC(FMT/NAME)`, whose `(` is at `open`; and the index after `)`.
fn format_field_argument(
    text: &str,
    at: usize,
    open: usize,
    func: &str,
) -> Result<(String, usize), QueryFormatError> {
    let arg_start = open + 1;
    let Some(close) = text[arg_start..].find(')') else {
        return Err(
            QueryFormatError::new(format!("`%{func}(` is never closed"), at, open + 1)
                .hint(format!("write %{func}(AD)")),
        );
    };
    let arg = text[arg_start..arg_start + close].trim();
    let arg = arg
        .strip_prefix("FORMAT/")
        .or_else(|| arg.strip_prefix("FMT/"))
        .unwrap_or(arg);
    Ok((arg.to_string(), arg_start + close + 1))
}

pub(super) fn parse_tag(
    text: &str,
    at: usize,
    in_block: bool,
) -> Result<(Tag, usize), QueryFormatError> {
    let b = text.as_bytes();
    let name_end = |from: usize| {
        let mut q = from;
        while q < b.len() && is_name_byte(b[q]) {
            q += 1;
        }
        q
    };
    let start = at + 1;
    let end = name_end(start);
    if end == start {
        return Err(
            QueryFormatError::new("expected a tag name after `%`", at, at + 1)
                .hint("for example %CHROM, %POS, %INFO/DP, or [%SAMPLE %GT] for samples"),
        );
    }
    let word = &text[start..end];
    let mut q = end;
    let name = match word {
        "INFO" | "FORMAT" | "FMT" if b.get(q) == Some(&b'/') => {
            let sub_start = q + 1;
            let sub_end = name_end(sub_start);
            if sub_end == sub_start {
                return Err(QueryFormatError::new(
                    format!("expected a tag name after `%{word}/`"),
                    at,
                    sub_start,
                ));
            }
            q = sub_end;
            let key = text[sub_start..sub_end].to_string();
            if word == "INFO" {
                Name::Info(key)
            } else {
                Name::Format(key)
            }
        }
        "INFO" => Name::InfoColumn,
        w if w.eq_ignore_ascii_case("smpl_count") && b.get(q) == Some(&b'(') => {
            let (arg, end) = format_field_argument(text, at, q, "smpl_count")?;
            q = end;
            Name::SmplCount(arg)
        }
        "PBINOM" if b.get(q) == Some(&b'(') => {
            let (arg, end) = format_field_argument(text, at, q, "PBINOM")?;
            q = end;
            Name::Pbinom(arg)
        }
        _ => Name::Bare(word.to_string()),
    };
    let takes_subscript = match &name {
        Name::Bare(w) => {
            let sample_tag = in_block && matches!(w.as_str(), "SAMPLE" | "GT" | "TGT");
            !(FIXED.contains(&w.as_str()) || sample_tag)
        }
        Name::Info(_) | Name::Format(_) => true,
        Name::InfoColumn | Name::Pbinom(_) | Name::SmplCount(_) => false,
    };
    let mut subscript = None;
    if takes_subscript && b.get(q) == Some(&b'{') {
        let mut r = q + 1;
        while r < b.len() && b[r].is_ascii_digit() {
            r += 1;
        }
        if b.get(r) == Some(&b'}') {
            // `{}` is index 0, as bcftools' atoi reads it.
            let digits = &text[q + 1..r];
            subscript = Some(digits.parse::<usize>().unwrap_or(if digits.is_empty() {
                0
            } else {
                usize::MAX
            }));
            q = r + 1;
        }
    }
    Ok((
        Tag {
            name,
            subscript,
            span: Span { start: at, end: q },
        },
        q,
    ))
}

fn fixed_value(word: &str, subscript: Option<usize>) -> Option<Value<'static>> {
    Some(match word {
        "CHROM" => Value::Chrom,
        "POS" => Value::Pos,
        "POS0" => Value::Pos0,
        "END" => Value::End,
        "END0" => Value::End0,
        "ID" => Value::Id,
        "REF" => Value::Ref,
        "ALT" => Value::Alt(subscript),
        "FIRST_ALT" => Value::FirstAlt,
        "QUAL" => Value::Qual,
        "FILTER" => Value::Filter,
        "TYPE" => Value::Type,
        "IS_TS" => Value::IsTs,
        _ => return None,
    })
}

pub(super) fn resolve<'a>(
    tag: &Tag,
    store: &'a VariantStore,
    in_block: bool,
) -> Result<Value<'a>, QueryFormatError> {
    let Span { start, end } = tag.span;
    let err = |msg: String| QueryFormatError::new(msg, start, end);
    let sample_hint =
        |name: &str| format!("put sample fields inside a block, e.g. \"[\\t%{name}]\"");
    match &tag.name {
        Name::InfoColumn => {
            if in_block {
                Err(
                    err("%INFO (the whole column) cannot be inside `[...]`".into())
                        .hint("use %INFO/TAG for one field"),
                )
            } else {
                Ok(Value::InfoColumn)
            }
        }
        Name::Info(key) => store
            .info
            .get(key)
            .map(|f| Value::Info(f, tag.subscript))
            .ok_or_else(|| err(format!("no INFO field {key} in the header"))),
        Name::Format(key) => {
            if !in_block {
                return Err(
                    err(format!("FORMAT/{key} is a per-sample field")).hint(sample_hint(key))
                );
            }
            if key == "GT" {
                return Ok(Value::Gt);
            }
            store
                .format
                .get(key)
                .map(|f| Value::Format(f, tag.subscript))
                .ok_or_else(|| err(format!("no FORMAT field {key} in the header")))
        }
        Name::SmplCount(key) => {
            if !in_block {
                return Err(err("%smpl_count() is per sample".into()));
            }
            store
                .format
                .get(key)
                .map(Value::SmplCount)
                .ok_or_else(|| err(format!("no FORMAT field {key} in the header")))
        }
        Name::Pbinom(key) => {
            if !in_block {
                return Err(err("%PBINOM() is per sample".into()).hint(sample_hint("PBINOM(AD)")));
            }
            match store.format.get(key) {
                Some(f) if f.ty == ValueType::Integer => Ok(Value::Pbinom(f)),
                Some(_) => Err(err(format!(
                    "%PBINOM needs an Integer FORMAT field; {key} is not"
                ))),
                None => Err(err(format!("no FORMAT field {key} in the header"))),
            }
        }
        Name::Bare(word) => {
            if in_block {
                match word.as_str() {
                    "SAMPLE" => return Ok(Value::Sample),
                    "GT" => return Ok(Value::Gt),
                    "TGT" => return Ok(Value::Tgt),
                    _ => {}
                }
                if let Some(f) = store.format.get(word) {
                    return Ok(Value::Format(f, tag.subscript));
                }
            }
            if let Some(v) = fixed_value(word, tag.subscript) {
                return Ok(v);
            }
            if let Some(f) = store.info.get(word) {
                return Ok(Value::Info(f, tag.subscript));
            }
            if word == "ILEN" {
                return Ok(Value::Ilen);
            }
            let sample_tag = matches!(word.as_str(), "SAMPLE" | "GT" | "TGT");
            if !in_block && (sample_tag || store.format.get(word).is_some()) {
                return Err(err(format!("%{word} is a per-sample field")).hint(sample_hint(word)));
            }
            Err(err(format!("no field {word} in the header")).hint(
                "tags are the fixed columns (CHROM, POS, ID, REF, ALT, QUAL, FILTER, TYPE, …) \
                 and the INFO/FORMAT fields the header declares",
            ))
        }
    }
}
