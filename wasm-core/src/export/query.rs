//! `bcftools query -f` format strings: custom TSV (or any text) export of records.
//!
//! A format is parsed once ([`QueryFormat::parse`]), checked against a store's header
//! ([`QueryFormat::check`]: an unknown tag is an error naming it), then rendered per record
//! ([`QueryFormat::render`]). The language is bcftools' (`bcftools query` manual, "FORMAT"):
//!
//! - literal text, with `\t` and `\n` (any other `\x` is `x`);
//! - `%CHROM %POS %POS0 %END %END0 %ID %REF %ALT %ALT{0} %FIRST_ALT %QUAL %FILTER %TYPE %IS_TS
//!   %INFO` (the whole column), `%INFO/TAG` or `%TAG` (an INFO field), `%TAG{1}` (one value of a
//!   vector, 0-based), `%ILEN` (INFO/ILEN when declared, else the indel length per ALT);
//! - `[...]`: a block repeated for every selected sample, in which `%SAMPLE`, `%GT`, `%TGT`
//!   (alleles as bases), `%TAG` / `%FORMAT/TAG` / `%FMT/TAG` (a FORMAT field, falling back to the
//!   fixed columns and INFO as bcftools does) and `%PBINOM(TAG)` are available.
//!
//! Values print as bcftools prints them: `.` for anything missing, an INFO flag as `1`, floats
//! as C's `%g`. A format with no newline at all gets one at the end (as recent bcftools does). Two deliberate differences: a stray `]` or a nested `[` is an error (bcftools
//! ignores them), and `%INFO` lists INFO fields in header order (bcftools: record order).
//!
//! Which samples a `[...]` block prints when a filter is applied is [`select`]'s business.

use crate::filter::{Mode, RecordResult, Span};
use crate::store::column::ColumnData;
use crate::store::column::format_g;
use crate::store::genotype::{self, ABSENT, OVERFLOW};
use crate::store::{Field, INT_MISSING, ValueType, VariantStore, format_float};
use crate::variant_type as vt;

/// A syntax error in a format, or a tag the store's header does not declare.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct QueryFormatError {
    pub message: String,
    /// Bytes of the format text the error is about.
    pub span: Span,
    pub hint: Option<String>,
}

impl QueryFormatError {
    fn new(message: impl Into<String>, start: usize, end: usize) -> Self {
        Self {
            message: message.into(),
            span: Span { start, end },
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The format with a caret line under the span, then the message and the hint:
    ///
    /// ```text
    /// %CHROM\t%DPX\n
    ///         ^^^^ no INFO field DPX in the header
    /// ```
    pub fn render(&self, format: &str) -> String {
        crate::filter::render_caret(format, self.span, &self.message, self.hint.as_deref())
    }
}

/// A parsed format string.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryFormat {
    text: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text(Vec<u8>),
    Tag(Tag),
    /// `[...]`: repeated per selected sample.
    Samples(Vec<Item>),
}

#[derive(Debug, Clone, PartialEq)]
struct Tag {
    name: Name,
    /// `{n}` after the tag: one value of a vector.
    subscript: Option<usize>,
    span: Span,
}

#[derive(Debug, Clone, PartialEq)]
enum Name {
    /// `%NAME`: a fixed column, INFO field or (in a block) FORMAT field.
    Bare(String),
    /// `%INFO/NAME`.
    Info(String),
    /// `%FORMAT/NAME` or `%FMT/NAME`.
    Format(String),
    /// `%INFO`: the whole INFO column.
    InfoColumn,
    /// `%PBINOM(NAME)`.
    Pbinom(String),
    /// `%smpl_count(NAME)`: values present in the sample's FORMAT field (bcftools ≥ 1.19).
    SmplCount(String),
}

/// What a tag prints, resolved against a store.
enum Value<'a> {
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

impl QueryFormat {
    /// Parses a format string (its syntax only; see [`QueryFormat::check`] for the tags).
    pub fn parse(text: &str) -> Result<QueryFormat, QueryFormatError> {
        let b = text.as_bytes();
        let mut top: Vec<Item> = Vec::new();
        let mut block: Option<(usize, Vec<Item>)> = None;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'[' => {
                    if let Some((start, _)) = block {
                        return Err(QueryFormatError::new(
                            "a `[` inside a `[...]` block",
                            i,
                            i + 1,
                        )
                        .hint(format!(
                            "the block opened at byte {start} is not closed; blocks do not nest"
                        )));
                    }
                    block = Some((i, Vec::new()));
                    i += 1;
                }
                b']' => {
                    let Some((_, items)) = block.take() else {
                        return Err(QueryFormatError::new("a `]` without its `[`", i, i + 1)
                            .hint("`[...]` repeats its content for every sample"));
                    };
                    top.push(Item::Samples(items));
                    i += 1;
                }
                b'%' => {
                    let (tag, next) = parse_tag(text, i, block.is_some())?;
                    let items = block.as_mut().map_or(&mut top, |(_, items)| items);
                    items.push(Item::Tag(tag));
                    i = next;
                }
                _ => {
                    let mut lit = Vec::new();
                    while i < b.len() && !matches!(b[i], b'[' | b']' | b'%') {
                        if b[i] == b'\\' {
                            i += 1;
                            match b.get(i) {
                                Some(b'n') => lit.push(b'\n'),
                                Some(b't') => lit.push(b'\t'),
                                Some(&c) => lit.push(c),
                                None => break,
                            }
                        } else {
                            lit.push(b[i]);
                        }
                        i += 1;
                    }
                    let items = block.as_mut().map_or(&mut top, |(_, items)| items);
                    if let Some(Item::Text(prev)) = items.last_mut() {
                        prev.extend_from_slice(&lit);
                    } else if !lit.is_empty() {
                        items.push(Item::Text(lit));
                    }
                }
            }
        }
        if let Some((start, _)) = block {
            return Err(
                QueryFormatError::new("this `[` is never closed", start, start + 1)
                    .hint("end the per-sample block with `]`"),
            );
        }
        // A format without any newline gets one at the end, so each record is a line: what
        // recent bcftools prints (the expected outputs of its test suite for `-f '%TAG'`).
        let has_newline = |items: &[Item]| {
            items
                .iter()
                .any(|i| matches!(i, Item::Text(t) if t.contains(&b'\n')))
        };
        let newline_in_block = top
            .iter()
            .any(|i| matches!(i, Item::Samples(inner) if has_newline(inner)));
        if !has_newline(&top) && !newline_in_block {
            top.push(Item::Text(b"\n".to_vec()));
        }
        Ok(QueryFormat {
            text: text.to_string(),
            items: top,
        })
    }

    /// The format as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the format has a per-sample `[...]` block.
    pub fn has_sample_block(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Samples(_)))
    }

    /// Checks every tag against the store's header: an unknown tag, a FORMAT field outside
    /// `[...]` or a sample tag outside it is an error naming the tag.
    pub fn check(&self, store: &VariantStore) -> Result<(), QueryFormatError> {
        fn walk(
            items: &[Item],
            store: &VariantStore,
            in_block: bool,
        ) -> Result<(), QueryFormatError> {
            for item in items {
                match item {
                    Item::Text(_) => {}
                    Item::Tag(t) => {
                        resolve(t, store, in_block)?;
                    }
                    Item::Samples(inner) => walk(inner, store, true)?,
                }
            }
            Ok(())
        }
        walk(&self.items, store, false)
    }

    /// Appends record `record` rendered; `[...]` blocks repeat for the samples whose entry in
    /// `samples` is true (all samples when `None`). Tags that do not resolve (see
    /// [`QueryFormat::check`]) print `.`.
    pub fn render(
        &self,
        store: &VariantStore,
        record: usize,
        samples: Option<&[bool]>,
        out: &mut Vec<u8>,
    ) {
        let n = store.samples().len();
        let order: Vec<usize> = match samples {
            Some(mask) => (0..n)
                .filter(|&s| mask.get(s).copied().unwrap_or(false))
                .collect(),
            None => (0..n).collect(),
        };
        self.render_samples(store, record, &order, out);
    }

    /// As [`QueryFormat::render`], with `[...]` blocks repeated for the samples listed in
    /// `order` (indices into the store's samples, in output order, as `bcftools query -s`).
    pub fn render_samples(
        &self,
        store: &VariantStore,
        record: usize,
        order: &[usize],
        out: &mut Vec<u8>,
    ) {
        for item in &self.items {
            match item {
                Item::Text(t) => out.extend_from_slice(t),
                Item::Tag(t) => match resolve(t, store, false) {
                    Ok(v) => write_value(&v, store, record, None, out),
                    Err(_) => out.push(b'.'),
                },
                Item::Samples(inner) => {
                    let resolved: Vec<Option<Value<'_>>> = inner
                        .iter()
                        .map(|i| match i {
                            Item::Tag(t) => resolve(t, store, true).ok(),
                            _ => None,
                        })
                        .collect();
                    for &s in order.iter().filter(|&&s| s < store.samples().len()) {
                        for (item, value) in inner.iter().zip(&resolved) {
                            match (item, value) {
                                (Item::Text(t), _) => out.extend_from_slice(t),
                                (Item::Tag(_), Some(v)) => {
                                    write_value(v, store, record, Some(s), out)
                                }
                                (Item::Tag(_), None) => out.push(b'.'),
                                (Item::Samples(_), _) => {}
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Which samples `bcftools query -i/-e` prints for one record, or `None` when the record is
/// not printed at all.
///
/// bcftools (`vcfquery.c`): with `-i`, a kept record prints the samples the expression matched
/// (all of them when the expression does not look at samples). With `-e` and a per-sample
/// expression, the sample mask is inverted and the record prints when any sample is left —
/// so `-e 'GT="1"'` prints the other samples of a record rather than dropping it.
pub fn select(result: &RecordResult, mode: Mode) -> Option<Vec<bool>> {
    let n = result.samples.len();
    if !result.per_sample {
        return result.keep.then(|| vec![true; n]);
    }
    match mode {
        Mode::Include => result.keep.then(|| result.samples.clone()),
        Mode::Exclude => {
            let mask: Vec<bool> = result.samples.iter().map(|&m| !m).collect();
            mask.iter().any(|&m| m).then_some(mask)
        }
    }
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

fn parse_tag(text: &str, at: usize, in_block: bool) -> Result<(Tag, usize), QueryFormatError> {
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

fn resolve<'a>(
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

fn dot_if_empty(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_empty() {
        out.push(b'.');
    } else {
        out.extend_from_slice(bytes);
    }
}

fn write_value(
    value: &Value<'_>,
    store: &VariantStore,
    i: usize,
    sample: Option<usize>,
    out: &mut Vec<u8>,
) {
    let n_samples = store.samples().len();
    match value {
        Value::Chrom => out.extend_from_slice(store.chrom(i).as_bytes()),
        Value::Pos => out.extend_from_slice(store.pos(i).to_string().as_bytes()),
        Value::Pos0 => out.extend_from_slice(store.pos(i).saturating_sub(1).to_string().as_bytes()),
        Value::End => out.extend_from_slice(end(store, i).to_string().as_bytes()),
        Value::End0 => {
            out.extend_from_slice(end(store, i).saturating_sub(1).to_string().as_bytes());
        }
        Value::Id => dot_if_empty(out, &store.id(i)),
        Value::Ref => out.extend_from_slice(store.reference(i)),
        Value::Alt(None) => dot_if_empty(out, store.alts(i)),
        Value::Alt(Some(k)) => dot_if_empty(out, store.alt_alleles(i).nth(*k).unwrap_or(b"")),
        Value::FirstAlt => dot_if_empty(out, store.alt_alleles(i).next().unwrap_or(b"")),
        Value::Qual => match store.qual(i) {
            Some(q) => out.extend_from_slice(format_float(q.to_bits()).as_bytes()),
            None => out.push(b'.'),
        },
        Value::Filter => out.extend_from_slice(store.filter_text(i).as_bytes()),
        Value::Type => out.extend_from_slice(vt::names(vt::record_type(store, i)).as_bytes()),
        Value::IsTs => out.push(if is_transition(store, i) { b'1' } else { b'0' }),
        Value::Ilen => write_ilen(store, i, out),
        Value::InfoColumn => out.extend_from_slice(store.info_text(i).as_bytes()),
        Value::Info(field, sub) => write_info(field, i, *sub, out),
        Value::Format(field, sub) => match sample {
            Some(s) => write_format(field, i * n_samples + s, *sub, out),
            None => out.push(b'.'),
        },
        Value::Sample => match sample {
            Some(s) => out.extend_from_slice(store.samples()[s].as_bytes()),
            None => out.push(b'.'),
        },
        Value::Gt => match sample {
            Some(s) => out.extend_from_slice(store.genotype_text(i, s).as_bytes()),
            None => out.push(b'.'),
        },
        Value::Tgt => match sample {
            Some(s) => write_tgt(store, i, s, out),
            None => out.push(b'.'),
        },
        Value::SmplCount(field) => match sample {
            Some(s) => {
                let row = i * store.samples().len() + s;
                let n = match &field.data {
                    ColumnData::Integer(c) => {
                        c.with(row, |v| v.iter().filter(|&&v| v != INT_MISSING).count())
                    }
                    ColumnData::Float(c) => c
                        .get(row)
                        .iter()
                        .filter(|&&v| v != crate::store::FLOAT_MISSING)
                        .count(),
                    ColumnData::Flag(c) => usize::from(c.get(row)),
                    ColumnData::Text(c) => c
                        .get(row)
                        .split(|&b| b == b',')
                        .filter(|v| !v.is_empty() && *v != b".")
                        .count(),
                };
                out.extend_from_slice(n.to_string().as_bytes());
            }
            None => out.push(b'.'),
        },
        Value::Pbinom(field) => match sample {
            Some(s) => write_pbinom(store, field, i, s, out),
            None => out.push(b'.'),
        },
    }
}

/// The last reference base: INFO/END when present (htslib's `rlen`), else POS + len(REF) - 1.
fn end(store: &VariantStore, i: usize) -> u64 {
    if let Some(ColumnData::Integer(c)) = store.info.get("END").map(|f| &f.data)
        && let Some(e) = c.first(i)
        && e != INT_MISSING
        && e > 0
    {
        return e as u64;
    }
    store.pos(i) + (store.reference(i).len() as u64).max(1) - 1
}

fn write_number_list<T: Copy>(
    values: &[T],
    sub: Option<usize>,
    lenient_single: bool,
    fmt: impl Fn(T, &mut Vec<u8>),
    out: &mut Vec<u8>,
) {
    match sub {
        // bcftools prints a one-value INFO field whatever the subscript.
        Some(_) if lenient_single && values.len() == 1 => fmt(values[0], out),
        Some(k) => match values.get(k) {
            Some(&v) => fmt(v, out),
            None => out.push(b'.'),
        },
        None => {
            for (k, &v) in values.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                fmt(v, out);
            }
        }
    }
}

fn put_int(v: i32, out: &mut Vec<u8>) {
    if v == INT_MISSING {
        out.push(b'.');
    } else {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

fn put_float(bits: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(format_float(bits).as_bytes());
}

fn write_text(text: &[u8], sub: Option<usize>, out: &mut Vec<u8>) {
    match sub {
        None => dot_if_empty(out, text),
        Some(k) => dot_if_empty(out, text.split(|&b| b == b',').nth(k).unwrap_or(b"")),
    }
}

fn write_info(field: &Field, row: usize, sub: Option<usize>, out: &mut Vec<u8>) {
    if !field.data.is_present(row) {
        out.push(b'.');
        return;
    }
    match &field.data {
        ColumnData::Flag(_) => out.push(b'1'),
        ColumnData::Integer(c) => c.with(row, |v| write_number_list(v, sub, true, put_int, out)),
        ColumnData::Float(c) => write_number_list(c.get(row), sub, true, put_float, out),
        ColumnData::Text(c) => write_text(&c.get(row), sub, out),
    }
}

fn write_format(field: &Field, cell: usize, sub: Option<usize>, out: &mut Vec<u8>) {
    if cell >= field.data.len() || !field.data.is_present(cell) {
        out.push(b'.');
        return;
    }
    match &field.data {
        ColumnData::Flag(_) => out.push(b'1'),
        ColumnData::Integer(c) => c.with(cell, |v| write_number_list(v, sub, false, put_int, out)),
        ColumnData::Float(c) => write_number_list(c.get(cell), sub, false, put_float, out),
        ColumnData::Text(c) => write_text(&c.get(cell), sub, out),
    }
}

/// The alleles of a genotype as indices (`None` = `.`) with the separator before each allele
/// after the first (`true` = phased), from the packed value or the overflow text.
fn genotype_alleles(store: &VariantStore, i: usize, s: usize) -> Option<Vec<(Option<u32>, bool)>> {
    match store.genotype(i, s) {
        ABSENT => None,
        OVERFLOW => {
            let text = store.genotype_text(i, s);
            let mut alleles = Vec::new();
            let mut phased = false;
            for part in text.split_inclusive(['/', '|']) {
                let (allele, sep) = match part.strip_suffix(['/', '|']) {
                    Some(a) => (a, part.ends_with('|')),
                    None => (part, false),
                };
                alleles.push((allele.parse::<u32>().ok(), phased));
                phased = sep;
            }
            Some(alleles)
        }
        packed => {
            let (pair, ploidy, phased) = genotype::unpack(packed)?;
            Some(
                pair[..ploidy]
                    .iter()
                    .enumerate()
                    .map(|(k, &a)| (a, k > 0 && phased))
                    .collect(),
            )
        }
    }
}

fn write_tgt(store: &VariantStore, i: usize, s: usize, out: &mut Vec<u8>) {
    let Some(alleles) = genotype_alleles(store, i, s) else {
        out.push(b'.');
        return;
    };
    for (k, (allele, phased)) in alleles.iter().enumerate() {
        if k > 0 {
            out.push(if *phased { b'|' } else { b'/' });
        }
        let text = match allele {
            Some(0) => Some(store.reference(i)),
            Some(a) => store.alt_alleles(i).nth(*a as usize - 1),
            None => None,
        };
        match text {
            Some(t) => out.extend_from_slice(t),
            None => out.push(b'.'),
        }
    }
}

/// `%PBINOM(AD)`: the phred-scaled two-sided binomial probability (p = 0.5) of the counts of a
/// diploid sample's two alleles; `0` when the counts are equal, `.` when they are both zero or
/// the genotype or counts are missing (bcftools `convert.c`).
fn write_pbinom(store: &VariantStore, field: &Field, i: usize, s: usize, out: &mut Vec<u8>) {
    let cell = i * store.samples().len() + s;
    let counts = match &field.data {
        ColumnData::Integer(c) if cell < c.len() => c.to_vec(cell),
        _ => Vec::new(),
    };
    let n = genotype_alleles(store, i, s).and_then(|alleles| {
        if alleles.len() != 2 {
            return None;
        }
        let count = |a: Option<u32>| -> Option<u64> {
            let v = *counts.get(a? as usize)?;
            (v != INT_MISSING && v >= 0).then_some(v as u64)
        };
        Some((count(alleles[0].0)?, count(alleles[1].0)?))
    });
    match n {
        None => out.push(b'.'),
        Some((a, b)) if a == b => out.push(if a == 0 { b'.' } else { b'0' }),
        Some((a, b)) => {
            let ln_p = crate::binomial::ln_two_sided(a, b);
            let phred = if ln_p >= 0.0 {
                0.0
            } else {
                -10.0 / std::f64::consts::LN_10 * ln_p
            };
            out.extend_from_slice(format_g(phred).as_bytes());
        }
    }
}

/// bcftools' `%IS_TS`: a SNP or MNP whose first REF and ALT bases are a transition.
fn is_transition(store: &VariantStore, i: usize) -> bool {
    if vt::record_type(store, i) & (vt::SNP | vt::MNP) == 0 {
        return false;
    }
    let first_alt = store.alt_alleles(i).next().and_then(|a| a.first().copied());
    match (store.reference(i).first(), first_alt) {
        (Some(&r), Some(a)) => vt::is_transition(r, a),
        _ => false,
    }
}

/// `%ILEN` without an INFO/ILEN field: per ALT, len(ALT) − len(REF) for indels, `.` otherwise.
fn write_ilen(store: &VariantStore, i: usize, out: &mut Vec<u8>) {
    let reference = store.reference(i);
    let mut any = false;
    for (k, alt) in store.alt_alleles(i).enumerate() {
        if k > 0 {
            out.push(b',');
        }
        any = true;
        match vt::indel_length(reference, alt) {
            Some(d) => out.extend_from_slice(d.to_string().as_bytes()),
            None => out.push(b'.'),
        }
    }
    if !any {
        out.push(b'.');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FLOAT_MISSING as FM;

    /// Three samples, four records: SNP/multiallelic, deletion, no-ALT with END, mixed types.
    fn store() -> VariantStore {
        let mut s = VariantStore::new(vec!["A".into(), "B".into(), "C".into()]);
        s.info.declare("DP", "1", ValueType::Integer, "");
        s.info.declare("AF", "A", ValueType::Float, "");
        s.info.declare("FL", "0", ValueType::Flag, "");
        s.info.declare("ST", ".", ValueType::String, "");
        s.info.declare("END", "1", ValueType::Integer, "");
        s.format.declare("GT", "1", ValueType::String, "");
        s.format.declare("AD", "R", ValueType::Integer, "");
        s.format.declare("GQ", "1", ValueType::Float, "");
        s.format.declare("FT", "1", ValueType::String, "");
        let c = s.contig_id("1");
        let pass = s.filter_id("PASS").unwrap();
        let q10 = s.filter_id("q10").unwrap();
        let (dp, af, fl, st, end) = (
            s.info.resolve("DP"),
            s.info.resolve("AF"),
            s.info.resolve("FL"),
            s.info.resolve("ST"),
            s.info.resolve("END"),
        );
        let (ad, gq, ft) = (
            s.format.resolve("AD"),
            s.format.resolve("GQ"),
            s.format.resolve("FT"),
        );

        // 1 10 rs1 A G,T 29.5 PASS DP=5;AF=0.1,0.000012345;FL;ST=x,y
        //   GT:AD:GQ:FT 0/1:1,2,3:3.25:ok 1|2:.:.:. ./.:4,.,5:1e-7:x
        s.begin_record(c, 10, b"rs1", b"A", b"G,T", 29.5f32.to_bits(), &[pass])
            .unwrap();
        s.set_info_integers(dp, &[5]).unwrap();
        s.set_info_floats(af, &[0.1f32.to_bits(), 0.000012345f32.to_bits()])
            .unwrap();
        s.set_info_flag(fl).unwrap();
        s.set_info_text(st, b"x,y").unwrap();
        s.set_genotype(0, &[Some(0), Some(1)], false, String::new);
        s.set_genotype(1, &[Some(1), Some(2)], true, String::new);
        s.set_genotype(2, &[None, None], false, String::new);
        s.set_format_integers(ad, 0, &[1, 2, 3]).unwrap();
        s.set_format_integers(ad, 2, &[4, INT_MISSING, 5]).unwrap();
        s.set_format_floats(gq, 0, &[3.25f32.to_bits()]).unwrap();
        s.set_format_floats(gq, 2, &[1e-7f32.to_bits()]).unwrap();
        s.set_format_text(ft, 0, b"ok").unwrap();
        s.set_format_text(ft, 2, b"x").unwrap();
        s.end_record();

        // 1 20 . AC A . q10 . GT:AD 0 1:3,4 .
        s.begin_record(c, 20, b"", b"AC", b"A", FM, &[q10]).unwrap();
        s.set_genotype(0, &[Some(0)], false, String::new);
        s.set_genotype(1, &[Some(1)], false, String::new);
        s.set_genotype(2, &[None], false, String::new);
        s.set_format_integers(ad, 1, &[3, 4]).unwrap();
        s.end_record();

        // 1 30 . A . 1234567 . AF=.;END=35 GT 0/0 0/0 0/0
        s.begin_record(c, 30, b"", b"A", b"", 1234567f32.to_bits(), &[])
            .unwrap();
        s.set_info_floats(af, &[FM]).unwrap();
        s.set_info_integers(end, &[35]).unwrap();
        for k in 0..3 {
            s.set_genotype(k, &[Some(0), Some(0)], false, String::new);
        }
        s.end_record();

        // 1 40 . ACG TGA,<DEL>,A,ACGT 10 . DP=. GT 0/1 0/3 2/4
        s.begin_record(
            c,
            40,
            b"",
            b"ACG",
            b"TGA,<DEL>,A,ACGT",
            10f32.to_bits(),
            &[],
        )
        .unwrap();
        s.set_info_integers(dp, &[INT_MISSING]).unwrap();
        s.set_genotype(0, &[Some(0), Some(1)], false, String::new);
        s.set_genotype(1, &[Some(0), Some(3)], false, String::new);
        s.set_genotype(2, &[Some(2), Some(4)], false, String::new);
        s.end_record();
        s
    }

    fn render_all(fmt: &str, store: &VariantStore) -> String {
        let f = QueryFormat::parse(fmt).unwrap();
        f.check(store).unwrap();
        let mut out = Vec::new();
        for i in 0..store.len() {
            f.render(store, i, None, &mut out);
        }
        String::from_utf8(out).unwrap()
    }

    // Expected outputs below were produced by bcftools 1.16 `query -f` on the same records.
    #[test]
    fn fixed_columns_and_info_print_as_bcftools() {
        let s = store();
        let got = render_all(
            r"%CHROM\t%POS\t%ID\t%REF\t%ALT\t%ALT{0}\t%ALT{1}\t%QUAL\t%FILTER\t%DP\t%AF\t%AF{1}\t%FL\t%INFO/FL\t%ST\t%TYPE\t%END\t%FIRST_ALT\n",
            &s,
        );
        let want = "1\t10\trs1\tA\tG,T\tG\tT\t29.5\tPASS\t5\t0.1,1.2345e-05\t1.2345e-05\t1\t1\tx,y\tSNP\t10\tG\n\
                    1\t20\t.\tAC\tA\tA\t.\t.\tq10\t.\t.\t.\t.\t.\t.\tINDEL\t21\tA\n\
                    1\t30\t.\tA\t.\t.\t.\t1.23457e+06\t.\t.\t.\t.\t.\t.\t.\tREF\t35\t.\n\
                    1\t40\t.\tACG\tTGA,<DEL>,A,ACGT\tTGA\t<DEL>\t10\t.\t.\t.\t.\t.\t.\t.\tMNP,INDEL,OTHER\t42\tTGA\n";
        assert_eq!(got, want);
    }

    #[test]
    fn sample_blocks_print_format_fields_and_genotypes() {
        let s = store();
        let got = render_all(r"[%SAMPLE:%GT:%AD:%AD{1}:%GQ:%FT:%TGT|]\n", &s);
        let want = "A:0/1:1,2,3:2:3.25:ok:A/G|B:1|2:.:.:.:.:G|T|C:./.:4,.,5:.:1e-07:x:./.|\n\
                    A:0:.:.:.:.:AC|B:1:3,4:4:.:.:A|C:.:.:.:.:.:.|\n\
                    A:0/0:.:.:.:.:A/A|B:0/0:.:.:.:.:A/A|C:0/0:.:.:.:.:A/A|\n\
                    A:0/1:.:.:.:.:ACG/TGA|B:0/3:.:.:.:.:ACG/A|C:2/4:.:.:.:.:<DEL>/ACGT|\n";
        assert_eq!(got, want);
    }

    #[test]
    fn subscripts_follow_bcftools_quirks() {
        let s = store();
        // A one-value INFO field ignores the subscript; FORMAT does not; strings split on `,`.
        let got = render_all(r"%DP{1}|%ST{1}|%INFO/END{2}|%FL{1}\n", &s);
        assert_eq!(got, "5|y|.|1\n.|.|.|.\n.|.|35|.\n.|.|.|.\n");
        let got = render_all(r"[%AD{2}|%FT{1}|%GQ{1}|%GT{1} ]\n", &s);
        assert!(
            got.starts_with("3|.|.|0/1{1} .|.|.|1|2{1} 5|.|.|./.{1} \n"),
            "{got}"
        );
        // A tag in a block that is not a FORMAT field falls back to INFO and the fixed columns.
        assert_eq!(render_all(r"[%DP]\n", &s).lines().next(), Some("555"));
        assert_eq!(
            render_all(r"%CHROM[%CHROM]\n", &s).lines().next(),
            Some("1111")
        );
    }

    #[test]
    fn escapes_and_literals() {
        let s = store();
        let got = render_all(r"a\tb\\c\rd%POS\n", &s);
        assert_eq!(got.lines().next(), Some("a\tb\\crd10"));
        assert_eq!(
            render_all(r"%CHROM:%POS-%POS0 %END0\n", &s).lines().nth(1),
            Some("1:20-19 20")
        );
    }

    #[test]
    fn a_format_without_newline_gets_one() {
        let s = store();
        assert_eq!(render_all("%POS", &s), "10\n20\n30\n40\n");
        assert_eq!(
            render_all(r"%POS[ %SAMPLE]", &s).lines().next(),
            Some("10 A B C")
        );
        // A newline anywhere (here per sample) is left alone.
        assert_eq!(render_all(r"[%SAMPLE\n]", &s).lines().count(), 12);
    }

    #[test]
    fn sample_selection_and_order() {
        let s = store();
        let f = QueryFormat::parse(r"%POS[ %SAMPLE]\n").unwrap();
        let mut out = Vec::new();
        f.render(&s, 0, Some(&[false, true, true]), &mut out);
        f.render_samples(&s, 0, &[2, 0], &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "10 B C\n10 C A\n");
    }

    #[test]
    fn unknown_tags_are_errors_naming_them() {
        let s = store();
        let e = QueryFormat::parse(r"%CHROM\t%XX\n")
            .unwrap()
            .check(&s)
            .unwrap_err();
        assert!(e.message.contains("XX"), "{e}");
        assert_eq!((e.span.start, e.span.end), (8, 11));
        assert_eq!(
            e.render(r"%CHROM\t%XX\n").lines().nth(1),
            Some("        ^^^ no field XX in the header")
        );
        let e = QueryFormat::parse("%GT\n").unwrap().check(&s).unwrap_err();
        assert!(
            e.message.contains("per-sample") && e.hint.as_deref().unwrap().contains("[\\t%GT]"),
            "{e:?}"
        );
        let e = QueryFormat::parse("%AD\n").unwrap().check(&s).unwrap_err();
        assert!(e.message.contains("AD"), "{e}");
        let e = QueryFormat::parse("[%INFO/GQ]")
            .unwrap()
            .check(&s)
            .unwrap_err();
        assert!(e.message.contains("INFO field GQ"), "{e}");
        let e = QueryFormat::parse("[%FMT/XY]")
            .unwrap()
            .check(&s)
            .unwrap_err();
        assert!(e.message.contains("FORMAT field XY"), "{e}");
        assert!(
            QueryFormat::parse("[%FMT/AD %FORMAT/GQ]")
                .unwrap()
                .check(&s)
                .is_ok()
        );
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        for (fmt, at) in [
            ("%\n", 0),
            ("a%%b", 1),
            ("[%SAMPLE", 0),
            ("a]b", 1),
            ("[[%GT]]", 1),
            ("%INFO/\n", 0),
        ] {
            let e = QueryFormat::parse(fmt).unwrap_err();
            assert_eq!(e.span.start, at, "{fmt}: {e}");
        }
    }

    #[test]
    fn pbinom_matches_bcftools() {
        // query.pbinom.1.vcf / query.65.out of bcftools' tests.
        let mut s = VariantStore::new(vec!["A".into()]);
        s.format.declare("AD", "R", ValueType::Integer, "");
        let ad = s.format.resolve("AD");
        let c = s.contig_id("1");
        for counts in [[0, 0, 0], [1, 1, 0], [0, 2, 0], [0, 119, 0], [3, 0, 0]] {
            s.begin_record(c, 1, b"", b"C", b"T,A", FM, &[]).unwrap();
            s.set_genotype(0, &[Some(0), Some(1)], false, String::new);
            s.set_format_integers(ad, 0, &counts).unwrap();
            s.end_record();
        }
        assert_eq!(
            render_all(r"[%PBINOM(AD)]\n", &s),
            ".\n0\n3.0103\n355.215\n6.0206\n"
        );
        assert!(
            QueryFormat::parse("%PBINOM(AD)")
                .unwrap()
                .check(&s)
                .is_err()
        );
    }

    #[test]
    fn query_selection_inverts_per_sample_masks_for_exclude() {
        let r = |keep, per_sample, samples: &[bool]| RecordResult {
            keep,
            per_sample,
            samples: samples.to_vec(),
        };
        // -i 'GT="1"': the matching samples.
        assert_eq!(
            select(&r(true, true, &[true, false]), Mode::Include),
            Some(vec![true, false])
        );
        // -e 'GT="1"': the others, even though the record as a whole matched.
        assert_eq!(
            select(&r(false, true, &[true, false]), Mode::Exclude),
            Some(vec![false, true])
        );
        assert_eq!(select(&r(false, true, &[true, true]), Mode::Exclude), None);
        // Site-level expressions print all samples of kept records.
        assert_eq!(
            select(&r(true, false, &[true, true]), Mode::Exclude),
            Some(vec![true, true])
        );
        assert_eq!(select(&r(false, false, &[true, true]), Mode::Include), None);
    }
}
