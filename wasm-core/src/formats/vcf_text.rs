//! VCF text (VCF 4.x §1.6): a line reader with limits and positions, and a record parser that
//! writes typed values straight into the columnar store (no per-record objects).

use std::io::BufRead;

use crate::store::{FLOAT_MISSING, INT_MISSING, StoreError, ValueType, VariantStore, genotype};

/// The longest line accepted; longer ones are an error, not an out-of-memory crash.
pub const MAX_LINE_BYTES: usize = 256 << 20;

/// Why one line could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("line is longer than {} MiB", MAX_LINE_BYTES >> 20)]
    TooLong,
}

/// Reads lines, tracking the 1-based line number and the byte offset of the line's start.
pub struct LineReader<R> {
    inner: R,
    pub buf: Vec<u8>,
    /// 1-based number of the line in `buf`.
    pub line: u64,
    /// Offset of the start of the line in `buf`, in the uncompressed text.
    pub line_offset: u64,
    /// Whether the line in `buf` ended with a newline (false only for a last line).
    pub had_newline: bool,
    next_offset: u64,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self::starting_at(inner, 0)
    }

    /// A reader whose first byte is at uncompressed offset `offset` (a shard that starts
    /// mid-file); line numbers still count from 1.
    pub fn starting_at(inner: R, offset: u64) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            line: 0,
            line_offset: offset,
            had_newline: true,
            next_offset: offset,
        }
    }

    /// Reads the next line into `buf` without its `\n` / `\r\n`. Returns false at the end.
    pub fn next_line(&mut self) -> Result<bool, LineError> {
        self.buf.clear();
        self.line_offset = self.next_offset;
        let mut read_any = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;
            let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            if self.buf.len() + chunk.len() > MAX_LINE_BYTES {
                return Err(LineError::TooLong);
            }
            self.buf.extend_from_slice(chunk);
            let n = chunk.len();
            self.inner.consume(n);
            self.next_offset += n as u64;
            if done {
                break;
            }
        }
        if !read_any {
            return Ok(false);
        }
        self.line += 1;
        self.had_newline = self.buf.last() == Some(&b'\n');
        if self.had_newline {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(true)
    }
}

/// Why a record line is invalid; ingest adds the line, record and offset
/// ([`super::IngestError::Record`]).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("expected at least 8 tab-separated columns, found {0}")]
    TooFewColumns(usize),
    #[error("the record has {found} sample columns but the header names {expected} samples")]
    SampleCount { found: usize, expected: usize },
    #[error("empty {0} column")]
    EmptyColumn(&'static str),
    #[error("POS {0:?} is not a non-negative integer")]
    Position(String),
    #[error("REF {0:?} is not a sequence of bases (A, C, G, T, N or IUPAC codes)")]
    Reference(String),
    #[error("ALT has an empty allele in {0:?}")]
    EmptyAllele(String),
    #[error("QUAL {0:?} is not a number")]
    Quality(String),
    #[error("{section}/{key}: {value:?} is not {what}")]
    Value {
        section: &'static str,
        key: String,
        value: String,
        what: &'static str,
    },
    #[error("FORMAT/GT {gt:?} names allele {allele} but the record has {n_alt} ALT allele(s)")]
    AlleleOutOfRange {
        gt: String,
        allele: u32,
        n_alt: usize,
    },
    #[error("FORMAT/GT {0:?} is not a genotype")]
    Genotype(String),
    #[error("sample {sample} has {found} values but FORMAT has {expected} keys")]
    TooManySampleValues {
        sample: String,
        found: usize,
        expected: usize,
    },
    #[error("header line found among the records")]
    HeaderAfterRecords,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn parse_int(b: &[u8]) -> Option<i32> {
    // What `i32::from_str` accepts (an optional sign, then ASCII digits), without validating
    // UTF-8 first: this runs for every number of every record.
    let (negative, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        // Empty, or long enough to need the careful path (leading zeros, overflow).
        return std::str::from_utf8(b).ok()?.parse().ok();
    }
    let v = i64::try_from(decimal(digits)?).ok()?;
    i32::try_from(if negative { -v } else { v }).ok()
}

/// Parses POS as `u64::from_str` does, without validating UTF-8 first.
fn parse_pos(b: &[u8]) -> Option<u64> {
    let digits = b.strip_prefix(b"+").unwrap_or(b);
    if digits.is_empty() || digits.len() > 19 {
        return std::str::from_utf8(b).ok()?.parse().ok();
    }
    decimal(digits)
}

/// The value of at most 19 ASCII digits (which always fits a `u64`); `None` at any other byte.
fn decimal(digits: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for &d in digits {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// Parses a VCF float (`1.5`, `1e-3`, `nan`, `inf`); `None` when invalid.
fn parse_float(b: &[u8]) -> Option<f32> {
    let s = std::str::from_utf8(b).ok()?;
    s.parse::<f32>()
        .ok()
        .or_else(|| match s.to_ascii_lowercase().as_str() {
            "nan" => Some(f32::NAN),
            "inf" | "+inf" | "infinity" => Some(f32::INFINITY),
            "-inf" | "-infinity" => Some(f32::NEG_INFINITY),
            _ => None,
        })
}

fn is_base(b: u8) -> bool {
    // VCF 4.3 §1.6.1: REF bases, with IUPAC ambiguity codes tolerated as real files carry them.
    matches!(
        b.to_ascii_uppercase(),
        b'A' | b'C'
            | b'G'
            | b'T'
            | b'N'
            | b'R'
            | b'Y'
            | b'S'
            | b'W'
            | b'K'
            | b'M'
            | b'B'
            | b'D'
            | b'H'
            | b'V'
    )
}

/// Reusable buffers so parsing a record allocates nothing in steady state, and what the
/// previous record resolved: consecutive records almost always name the same contig, INFO keys
/// in the same order and the same FORMAT, so those are compared instead of hashed again. Every
/// remembered id is checked against the store's own name for it before use, so one scratch
/// serves several stores (streaming mode parses into a batch store and the kept one).
#[derive(Default)]
pub struct Scratch {
    ints: Vec<i32>,
    floats: Vec<u32>,
    filters: Vec<u16>,
    format_fields: Vec<usize>,
    alleles: Vec<genotype::Allele>,
    /// The previous record's CHROM and its contig id.
    contig: Option<(Vec<u8>, u32)>,
    /// The INFO field of each position in the previous record's INFO column.
    info_fields: Vec<usize>,
    /// The FORMAT column `format_fields` was resolved from.
    format: Vec<u8>,
}

impl Scratch {
    /// The contig id of `chrom`, registered on first sight.
    fn contig(&mut self, chrom: &[u8], store: &mut VariantStore) -> u32 {
        if let Some((name, id)) = &self.contig
            && name.as_slice() == chrom
            && store
                .contigs()
                .get(*id as usize)
                .is_some_and(|c| c.as_bytes() == chrom)
        {
            return *id;
        }
        let id = store.contig_id(&String::from_utf8_lossy(chrom));
        self.contig = Some((chrom.to_vec(), id));
        id
    }

    /// The INFO field of `key`, the `k`-th key of the record's INFO column.
    fn info_field(
        &mut self,
        k: usize,
        key: &[u8],
        store: &mut VariantStore,
    ) -> Result<usize, ParseError> {
        if let Some(&f) = self.info_fields.get(k)
            && f < store.info.len()
            && store.info.key(f).as_bytes() == key
        {
            return Ok(f);
        }
        let key = std::str::from_utf8(key).map_err(|_| ParseError::Value {
            section: "INFO",
            key: text(key),
            value: String::new(),
            what: "a valid key",
        })?;
        let f = store.info.resolve(key);
        if k < self.info_fields.len() {
            self.info_fields[k] = f;
        } else {
            self.info_fields.push(f);
        }
        Ok(f)
    }
}

/// Parses one record line into the store.
pub fn parse_record(
    line: &[u8],
    store: &mut VariantStore,
    scratch: &mut Scratch,
    warn: &mut super::warnings::Warnings,
) -> Result<(), ParseError> {
    if line.starts_with(b"#") {
        return Err(ParseError::HeaderAfterRecords);
    }
    let mut cols = line.split(|&b| b == b'\t');
    let mut fixed: [&[u8]; 8] = [b""; 8];
    for (k, slot) in fixed.iter_mut().enumerate() {
        // Not `ok_or`: that builds (and drops) an error value for every column.
        let Some(column) = cols.next() else {
            return Err(ParseError::TooFewColumns(k));
        };
        *slot = column;
    }
    for (k, name) in ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
        .into_iter()
        .enumerate()
    {
        if fixed[k].is_empty() {
            if matches!(k, 0 | 1 | 3 | 4) {
                return Err(ParseError::EmptyColumn(name));
            }
            warn.add("empty-column", format!("empty {name} column read as '.'"));
            fixed[k] = b".";
        }
    }
    let [chrom, pos, id, reference, alt, qual, filter, info] = fixed;

    let pos_v = parse_pos(pos).ok_or_else(|| ParseError::Position(text(pos)))?;
    if !reference.iter().all(|&b| is_base(b)) {
        warn.add(
            "ref-bases",
            ParseError::Reference(text(reference)).to_string(),
        );
    }
    let alts: &[u8] = if alt == b"." { b"" } else { alt };
    if !alts.is_empty() && alts.split(|&b| b == b',').any(|a| a.is_empty()) {
        return Err(ParseError::EmptyAllele(text(alt)));
    }
    let n_alt = if alts.is_empty() {
        0
    } else {
        alts.iter().filter(|&&b| b == b',').count() + 1
    };
    let qual_bits = if qual == b"." {
        FLOAT_MISSING
    } else {
        parse_float(qual)
            .ok_or_else(|| ParseError::Quality(text(qual)))?
            .to_bits()
    };
    scratch.filters.clear();
    if filter != b"." {
        for name in filter.split(|&b| b == b';') {
            let name = std::str::from_utf8(name).map_err(|_| ParseError::EmptyColumn("FILTER"))?;
            let id = store.filter_id(name)?;
            if !scratch.filters.contains(&id) {
                scratch.filters.push(id);
            }
        }
    }
    let contig = scratch.contig(chrom, store);
    let id_v: &[u8] = if id == b"." { b"" } else { id };
    store.begin_record(
        contig,
        pos_v,
        id_v,
        reference,
        alts,
        qual_bits,
        &scratch.filters,
    )?;

    if info != b"." {
        for (k, entry) in info
            .split(|&b| b == b';')
            // tolerate `;;` and a trailing `;`
            .filter(|e| !e.is_empty())
            .enumerate()
        {
            let (key, value) = match entry.iter().position(|&b| b == b'=') {
                Some(i) => (&entry[..i], Some(&entry[i + 1..])),
                None => (entry, None),
            };
            let field = scratch.info_field(k, key, store)?;
            // For messages only (the key was checked to be UTF-8 when first resolved).
            let name = || String::from_utf8_lossy(key);
            let stored = match (store.info.type_of(field), value) {
                (ValueType::Flag, _) => store.set_info_flag(field),
                (_, None) => {
                    warn.add("info-no-value", format!("INFO/{} has no value (only Flag fields may stand alone); read as missing", name()));
                    continue;
                }
                (ValueType::Integer, Some(v)) => {
                    if let Err(bad) = parse_ints(v, &mut scratch.ints) {
                        warn.add(
                            "bad-number",
                            bad_value("INFO", &name(), bad, "an Integer").to_string()
                                + "; read as missing",
                        );
                    }
                    store.set_info_integers(field, &scratch.ints)
                }
                (ValueType::Float, Some(v)) => {
                    if let Err(bad) = parse_floats(v, &mut scratch.floats) {
                        warn.add(
                            "bad-number",
                            bad_value("INFO", &name(), bad, "a Float").to_string()
                                + "; read as missing",
                        );
                    }
                    store.set_info_floats(field, &scratch.floats)
                }
                (ValueType::Character | ValueType::String, Some(v)) => {
                    store.set_info_text(field, v)
                }
            };
            match stored {
                Err(StoreError::DuplicateField { .. }) => {
                    warn.add(
                        "duplicate-info",
                        format!(
                            "INFO/{} appears twice in one record; the first value is used",
                            name()
                        ),
                    );
                }
                r => r?,
            }
        }
    }

    let n_samples = store.samples().len();
    let format = cols.next();
    let mut found = 0;
    if let Some(format) = format {
        let same = scratch.format.as_slice() == format
            && !scratch.format_fields.is_empty()
            && format
                .split(|&b| b == b':')
                .zip(&scratch.format_fields)
                .all(|(key, &f)| f < store.format.len() && store.format.key(f).as_bytes() == key);
        if !same {
            scratch.format_fields.clear();
            for key in format.split(|&b| b == b':') {
                scratch
                    .format_fields
                    .push(store.format.resolve(&String::from_utf8_lossy(key)));
            }
            scratch.format.clear();
            scratch.format.extend_from_slice(format);
        }
        let gt_field = store.format.index_of("GT");
        for (s, sample) in (&mut cols).enumerate() {
            found = s + 1;
            if s >= n_samples {
                continue; // counted, reported below
            }
            parse_sample(sample, s, n_alt, gt_field, store, scratch, warn)?;
        }
    }
    if found == 0 && n_samples > 0 {
        warn.add("no-sample-columns", format!("a record has no FORMAT or sample columns although the header names {n_samples} samples; its genotypes are missing"));
    } else if found > n_samples {
        warn.add(
            "extra-sample-columns",
            format!(
                "{}; the extra columns are ignored",
                ParseError::SampleCount {
                    found,
                    expected: n_samples
                }
            ),
        );
    } else if found != n_samples {
        return Err(ParseError::SampleCount {
            found,
            expected: n_samples,
        });
    }
    store.end_record();
    Ok(())
}

fn bad_value(section: &'static str, key: &str, bad: &[u8], what: &'static str) -> ParseError {
    ParseError::Value {
        section,
        key: key.to_string(),
        value: text(bad),
        what,
    }
}

/// Parses `1,.,3` into ints with [`INT_MISSING`]; returns the bad token on error.
/// Parses `1,.,3` into ints with [`INT_MISSING`]. A token that is not an integer (or does not
/// fit 32 bits, BCF 2.2 §6.3.3) becomes missing, and the first such token is returned.
fn parse_ints<'a>(v: &'a [u8], out: &mut Vec<i32>) -> Result<(), &'a [u8]> {
    out.clear();
    let mut bad = None;
    for tok in v.split(|&b| b == b',') {
        let tok = tok.trim_ascii();
        if tok == b"." || tok.is_empty() {
            out.push(INT_MISSING);
        } else {
            // Values at or below i32::MIN + 7 are reserved by BCF.
            match parse_int(tok).filter(|&n| n > INT_MISSING + 7) {
                Some(n) => out.push(n),
                None => {
                    out.push(INT_MISSING);
                    bad.get_or_insert(tok);
                }
            }
        }
    }
    bad.map_or(Ok(()), Err)
}

/// Like [`parse_ints`] for floats, with [`FLOAT_MISSING`].
fn parse_floats<'a>(v: &'a [u8], out: &mut Vec<u32>) -> Result<(), &'a [u8]> {
    out.clear();
    let mut bad = None;
    for tok in v.split(|&b| b == b',') {
        let tok = tok.trim_ascii();
        if tok == b"." || tok.is_empty() {
            out.push(FLOAT_MISSING);
        } else {
            match parse_float(tok) {
                Some(x) => out.push(x.to_bits()),
                None => {
                    out.push(FLOAT_MISSING);
                    bad.get_or_insert(tok);
                }
            }
        }
    }
    bad.map_or(Ok(()), Err)
}

fn parse_sample(
    sample: &[u8],
    s: usize,
    n_alt: usize,
    gt_field: Option<usize>,
    store: &mut VariantStore,
    scratch: &mut Scratch,
    warn: &mut super::warnings::Warnings,
) -> Result<(), ParseError> {
    let n_keys = scratch.format_fields.len();
    for (k, value) in sample.split(|&b| b == b':').enumerate() {
        if k >= n_keys {
            return Err(ParseError::TooManySampleValues {
                sample: store.samples()[s].clone(),
                found: sample.split(|&b| b == b':').count(),
                expected: n_keys,
            });
        }
        let field = scratch.format_fields[k];
        if Some(field) == gt_field {
            match parse_genotype(value, n_alt, &mut scratch.alleles) {
                Err(e @ ParseError::AlleleOutOfRange { .. }) => {
                    warn.add("gt-allele-range", e.to_string());
                }
                r => r?,
            }
            let phased = value.contains(&b'|');
            store.set_genotype(s, &scratch.alleles, phased, || {
                String::from_utf8_lossy(value).into_owned()
            });
            continue;
        }
        if value == b"." || value.is_empty() {
            continue; // missing: the cell stays absent
        }
        match store.format.type_of(field) {
            ValueType::Integer => {
                if let Err(bad) = parse_ints(value, &mut scratch.ints) {
                    let e = bad_value("FORMAT", store.format.key(field), bad, "an Integer");
                    warn.add("bad-number", e.to_string() + "; read as missing");
                }
                store.set_format_integers(field, s, &scratch.ints)?;
            }
            ValueType::Float => {
                if let Err(bad) = parse_floats(value, &mut scratch.floats) {
                    let e = bad_value("FORMAT", store.format.key(field), bad, "a Float");
                    warn.add("bad-number", e.to_string() + "; read as missing");
                }
                store.set_format_floats(field, s, &scratch.floats)?;
            }
            ValueType::Flag | ValueType::Character | ValueType::String => {
                store.set_format_text(field, s, value)?
            }
        }
    }
    Ok(())
}

/// Parses GT text (VCF 4.3 §1.6.2; 4.4 leading phase prefix tolerated) into alleles.
pub fn parse_genotype(
    v: &[u8],
    n_alt: usize,
    out: &mut Vec<genotype::Allele>,
) -> Result<(), ParseError> {
    out.clear();
    let body = match v.first() {
        Some(b'|' | b'/') => &v[1..],
        _ => v,
    };
    if body.is_empty() {
        return Err(ParseError::Genotype(text(v)));
    }
    for tok in body.split(|&b| b == b'/' || b == b'|') {
        if tok == b"." {
            out.push(None);
            continue;
        }
        if tok.is_empty() || !tok.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::Genotype(text(v)));
        }
        let a: u32 = std::str::from_utf8(tok)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ParseError::Genotype(text(v)))?;
        if a as usize > n_alt {
            return Err(ParseError::AlleleOutOfRange {
                gt: text(v),
                allele: a,
                n_alt,
            });
        }
        out.push(Some(a));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> VariantStore {
        let mut s = VariantStore::new(vec!["NA1".into(), "NA2".into()]);
        s.info.declare("DP", "1", ValueType::Integer, "");
        s.info.declare("AF", "A", ValueType::Float, "");
        s.info.declare("DB", "0", ValueType::Flag, "");
        s.format.declare("GT", "1", ValueType::String, "");
        s.format.declare("GQ", "1", ValueType::Integer, "");
        s
    }

    #[test]
    fn integers_parse_as_the_standard_library_parses_them() {
        let cases = [
            "0",
            "7",
            "-7",
            "+7",
            "-0",
            "+",
            "-",
            "",
            "--1",
            "+-1",
            "1-",
            "12a",
            " 1",
            "1 ",
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "0000000000000000001",
            "000000000000000002147483647",
            "99999999999999999999",
            "-99999999999999999",
            "999999999999999999",
            "1.5",
            "1e3",
            "٣",
            "0x10",
        ];
        for case in cases {
            assert_eq!(
                parse_int(case.as_bytes()),
                case.parse::<i32>().ok(),
                "{case:?}"
            );
        }
        assert_eq!(parse_int(&[b'1', 0xff]), None);
        for case in [
            "1",
            "+1",
            "-1",
            "",
            "+",
            "18446744073709551615",
            "18446744073709551616",
            "9999999999999999999",
            "00000000000000000000001",
            "1a",
            "10000000000",
        ] {
            assert_eq!(
                parse_pos(case.as_bytes()),
                case.parse::<u64>().ok(),
                "{case:?}"
            );
        }
    }

    #[test]
    fn parses_a_full_record() {
        let mut s = store();
        let mut sc = Scratch::default();
        let mut w = crate::formats::warnings::Warnings::default();
        parse_record(
            b"1\t100\trs1\tA\tG,T\t29.5\tPASS\tDP=10;AF=0.5,.;DB\tGT:GQ\t0/1:30\t1|2",
            &mut s,
            &mut sc,
            &mut w,
        )
        .unwrap();
        assert_eq!(w.total(), 0);
        let r = s.row(0, &["DP".into(), "AF".into(), "DB".into()], &["GQ".into()]);
        assert_eq!(
            (r.chrom.as_str(), r.pos, r.alt.as_str(), r.qual),
            ("1", 100, "G,T", Some(29.5))
        );
        assert_eq!(
            r.info,
            vec![Some("10".into()), Some("0.5,.".into()), Some("✓".into())]
        );
        assert_eq!(r.samples[0].gt, "0/1");
        assert_eq!(r.samples[1].gt, "1|2");
        assert_eq!(r.samples[0].values, vec![Some("30".into())]);
        assert_eq!(r.samples[1].values, vec![None]);
        assert_eq!(s.info_text(0), "DP=10;AF=0.5,.;DB");
    }

    #[test]
    fn rejects_what_is_wrong_and_says_what() {
        let mut sc = Scratch::default();
        let cases: &[(&[u8], &str)] = &[
            (b"1\t100\t.\tA", "at least 8"),
            (b"1\tx\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/1", "POS"),
            (b"1\t5\t.\tA\tG\tbad\t.\t.\tGT\t0/1\t0/1", "QUAL"),
            (b"1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/x\t0/1", "GT"),
            (
                b"1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/1",
                "1 sample columns but the header names 2",
            ),
            (b"1\t5\t.\tA\tG\t.\t.\t.\tGT:GQ\t0/1:3:4\t0/1", "3 values"),
            (b"1\t5\t.\t\tG\t.\t.\t.\tGT\t0/1\t0/1", "REF"),
        ];
        for (line, needle) in cases {
            let mut s = store();
            let mut w = crate::formats::warnings::Warnings::default();
            let e = parse_record(line, &mut s, &mut sc, &mut w)
                .unwrap_err()
                .to_string();
            assert!(e.contains(needle), "{e:?} should mention {needle:?}");
        }
    }

    #[test]
    fn tolerates_what_bcftools_reads_with_a_warning() {
        let mut sc = Scratch::default();
        let cases: &[(&[u8], &str)] = &[
            (b"1\t5\t.\tA\tG\t.\t.\tDP=x\tGT\t0/1\t0/1", "INFO/DP"),
            (
                b"1\t5\t.\tA\tG\t.\t.\tDP=5000000000\tGT\t0/1\t0/1",
                "INFO/DP",
            ),
            (b"1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/3\t0/1", "allele 3"),
            (b"1\t5\t.\tA\tG\t.\t.\tDP=1;DP=2\tGT\t0/1\t0/1", "twice"),
            (b"1\t5\t.\tA\tG\t.\t.\tDP\tGT\t0/1\t0/1", "no value"),
            (b"1\t5\t.\tA\tG\t.\t.\t.", "no FORMAT"),
            (b"1\t5\t.\t*\tG\t.\t.\t.\tGT\t0/1\t0/1", "REF"),
        ];
        for (line, needle) in cases {
            let mut s = store();
            let mut w = crate::formats::warnings::Warnings::default();
            parse_record(line, &mut s, &mut sc, &mut w).unwrap();
            let text = w.render().join("\n");
            assert!(text.contains(needle), "{text:?} should mention {needle:?}");
            assert_eq!(s.len(), 1);
        }
    }

    #[test]
    fn genotypes() {
        let mut out = Vec::new();
        parse_genotype(b"./.", 1, &mut out).unwrap();
        assert_eq!(out, vec![None, None]);
        parse_genotype(b"|0|1", 1, &mut out).unwrap();
        assert_eq!(out, vec![Some(0), Some(1)]);
        assert!(parse_genotype(b"0/x", 1, &mut out).is_err());
        assert!(parse_genotype(b"", 1, &mut out).is_err());
    }

    #[test]
    fn lines_track_numbers_offsets_and_limits() {
        let data = b"ab\r\ncd\nlast";
        let mut r = LineReader::new(&data[..]);
        assert!(r.next_line().unwrap());
        assert_eq!(
            (r.buf.as_slice(), r.line, r.line_offset),
            (&b"ab"[..], 1, 0)
        );
        assert!(r.next_line().unwrap());
        assert_eq!((r.buf.as_slice(), r.line_offset), (&b"cd"[..], 4));
        assert!(r.next_line().unwrap());
        assert_eq!(r.buf.as_slice(), b"last");
        assert!(!r.next_line().unwrap());
    }
}
