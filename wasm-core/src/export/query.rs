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

mod tags;
mod write;

use self::tags::{Value, parse_tag, resolve};
use self::write::write_value;
use crate::filter::{Mode, RecordResult, Span};
use crate::store::VariantStore;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FLOAT_MISSING as FM, INT_MISSING, ValueType};

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

    pub(super) fn render_all(fmt: &str, store: &VariantStore) -> String {
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
