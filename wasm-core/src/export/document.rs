//! The export of a selection as a document a person downloads: VCF (the file's own header, the
//! lines Enclave adds saying what selected the records, then the records), TSV (the app's table
//! columns) or JSON (the same columns as objects). The app's workers and `enclave export` both
//! write through here, so the two give the same bytes.
//!
//! Main types: [`Format`], [`Selected`] (what selected the records: expression, regions,
//! genes, inheritance modes — the `##enclave_*` lines and the JSON's `selection`), [`Columns`]
//! (the table's columns: key INFO and FORMAT fields, the annotation summarised).
//!
//! Data flow: a store and the records a filter keeps, in file order → [`write_head`] once, then
//! [`write_records`] per part of the file (a pool's shards, in shard order) → [`write_tail`]
//! after [`trim_json_parts`]. A part is written with no knowledge of the others, so a whole
//! genome is exported by every worker at once and joined on the page.

use std::io::{self, Write};

use crate::annotation::{self, Schema, Summarizer};
use crate::store::{VariantStore, format_float};

/// The document's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Vcf,
    Tsv,
    Json,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "vcf" => Some(Self::Vcf),
            "tsv" => Some(Self::Tsv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The file name extension and the MIME type of a download.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Vcf => "vcf",
            Self::Tsv => "tsv",
            Self::Json => "json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Vcf => "text/x-vcf",
            Self::Tsv => "text/tab-separated-values",
            Self::Json => "application/json",
        }
    }
}

/// What selected the exported records, as the person gave it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Selected {
    /// The bcftools-syntax expression, empty for none.
    pub expression: String,
    /// `-e`: the expression removes records instead of keeping them.
    pub exclude: bool,
    /// Region lines (`chr:beg-end`, BED), as typed or read.
    pub regions: String,
    /// Gene symbols or ids, as typed or read.
    pub genes: String,
    /// Inheritance mode names (`de-novo`, …) joined as a union.
    pub modes: Vec<String>,
}

/// The table's columns beyond the fixed ones.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Columns {
    pub info_keys: Vec<String>,
    pub format_keys: Vec<String>,
    /// The annotation field summarised as Gene / Consequence / HGVS.
    pub annotation: Option<Schema>,
    pub samples: Vec<String>,
}

/// Key INFO columns the table shows (`VariantStore::key_info_fields`).
pub const MAX_INFO_COLUMNS: usize = 6;

impl Columns {
    /// The columns the app's table shows for `store`: its key INFO and FORMAT fields and the
    /// annotation field it summarises (CSQ, then ANN, then any other layout).
    pub fn of(store: &VariantStore) -> Self {
        let schemas = annotation::schemas(store);
        let annotation = ["CSQ", "ANN"]
            .iter()
            .find_map(|tag| schemas.iter().find(|s| s.tag == *tag))
            .or_else(|| schemas.first())
            .cloned();
        Columns {
            info_keys: store.key_info_fields(MAX_INFO_COLUMNS),
            format_keys: store.key_format_fields(),
            annotation,
            samples: store.samples().to_vec(),
        }
    }

    /// The header cells, in order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER"]
            .map(String::from)
            .to_vec();
        if self.annotation.is_some() {
            names.extend(["Gene", "Consequence", "HGVS"].map(String::from));
        }
        names.extend(self.info_keys.iter().map(|k| format!("INFO/{k}")));
        for s in &self.samples {
            names.push(format!("{s}:GT"));
            names.extend(self.format_keys.iter().map(|k| format!("{s}:{k}")));
        }
        names
    }

    /// Record `i`'s cells, in [`Columns::names`] order; `None` where the record has no value.
    fn cells(
        &self,
        store: &VariantStore,
        summarizer: Option<&Summarizer>,
        i: usize,
    ) -> Vec<Option<String>> {
        let text = |b: &[u8]| (!b.is_empty()).then(|| String::from_utf8_lossy(b).into_owned());
        let mut cells = vec![
            Some(store.chrom(i).to_string()),
            Some(store.pos(i).to_string()),
            text(&store.id(i)),
            text(store.reference(i)),
            text(store.alts(i)),
            store.qual(i).map(|q| format_float(q.to_bits())),
            Some(store.filter_text(i)).filter(|f| f != "."),
        ];
        if self.annotation.is_some() {
            let summary = summarizer.and_then(|s| s.summarize(i)).unwrap_or_default();
            let hgvs = [summary.hgvs_c, summary.hgvs_p]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            cells.push(summary.gene);
            cells.push(summary.consequence);
            cells.push((!hgvs.is_empty()).then_some(hgvs));
        }
        for k in &self.info_keys {
            // A flag that is set prints as its name's presence, `1` (bcftools query's `%INFO/FLAG`).
            cells.push(
                store
                    .info
                    .get(k)
                    .and_then(|f| f.data.format(i))
                    .map(|v| if v.is_empty() { "1".to_string() } else { v }),
            );
        }
        let n = store.samples().len();
        for s in 0..self.samples.len().min(n) {
            cells.push(Some(store.genotype_text(i, s)));
            for k in &self.format_keys {
                cells.push(store.format.get(k).and_then(|f| f.data.format(i * n + s)));
            }
        }
        cells
    }
}

/// Writes what comes before the records: the VCF header with the `##enclave_*` lines before
/// `#CHROM` (VCF 4.3 §1.4: meta-information lines precede the header line), the TSV's column
/// line, or the JSON's opening with the selection and the column names.
pub fn write_head<W: Write>(
    out: &mut W,
    format: Format,
    header: &str,
    columns: &Columns,
    selected: &Selected,
) -> io::Result<()> {
    match format {
        Format::Vcf => {
            // `##fileformat` stays first (VCF 4.3 §1.4.1): the lines go just before `#CHROM`.
            let chrom = match header.find("\n#CHROM") {
                Some(at) => at + 1,
                None if header.starts_with("#CHROM") => 0,
                None => header.len(),
            };
            let (meta, columns_line) = header.as_bytes().split_at(chrom);
            out.write_all(meta)?;
            for (key, value) in enclave_lines(selected) {
                writeln!(out, "##{key}={value}")?;
            }
            out.write_all(columns_line)?;
            if !header.is_empty() && !header.ends_with('\n') {
                out.write_all(b"\n")?;
            }
        }
        Format::Tsv => {
            writeln!(out, "{}", columns.names().join("\t"))?;
        }
        Format::Json => {
            let selection = serde_json::to_string(selected).map_err(io::Error::other)?;
            let names = serde_json::to_string(&columns.names()).map_err(io::Error::other)?;
            writeln!(
                out,
                "{{\"enclave_export\":1,\"selection\":{selection},\"columns\":{names},\"records\":["
            )?;
        }
    }
    Ok(())
}

/// The `##enclave_*` lines: what selected the records, one thing a line, only what was given.
/// Line ends inside a value become spaces (a VCF line holds no newline).
pub fn enclave_lines(selected: &Selected) -> Vec<(&'static str, String)> {
    let flat = |text: &str| {
        text.split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut lines = vec![(
        "enclave_export",
        "records kept by the selection below, in file order".to_string(),
    )];
    if !selected.expression.trim().is_empty() {
        let key = if selected.exclude {
            "enclave_filter_exclude"
        } else {
            "enclave_filter"
        };
        lines.push((key, selected.expression.replace(['\n', '\r'], " ")));
    }
    if !flat(&selected.regions).is_empty() {
        lines.push(("enclave_regions", flat(&selected.regions)));
    }
    if !flat(&selected.genes).is_empty() {
        lines.push(("enclave_genes", flat(&selected.genes)));
    }
    if !selected.modes.is_empty() {
        lines.push(("enclave_inheritance", selected.modes.join(",")));
    }
    lines
}

/// Writes the records `rows` (in file order) of one store, one part of the document. A JSON
/// record ends in `,\n`; [`trim_json_parts`] removes the last one's comma.
pub fn write_records<W: Write>(
    out: &mut W,
    format: Format,
    store: &VariantStore,
    columns: &Columns,
    rows: impl Iterator<Item = usize>,
) -> io::Result<u64> {
    let summarizer = columns
        .annotation
        .as_ref()
        .map(|schema| Summarizer::new(store, schema));
    let mut n = 0u64;
    for i in rows {
        n += 1;
        match format {
            Format::Vcf => {
                super::write_vcf_record(out, store, i)?;
                out.write_all(b"\n")?;
            }
            Format::Tsv => {
                let cells = columns.cells(store, summarizer.as_ref(), i);
                for (k, cell) in cells.iter().enumerate() {
                    if k > 0 {
                        out.write_all(b"\t")?;
                    }
                    out.write_all(cell.as_deref().unwrap_or(".").as_bytes())?;
                }
                out.write_all(b"\n")?;
            }
            Format::Json => {
                let cells = columns.cells(store, summarizer.as_ref(), i);
                let json = serde_json::to_string(&cells).map_err(io::Error::other)?;
                out.write_all(json.as_bytes())?;
                out.write_all(b",\n")?;
            }
        }
    }
    Ok(n)
}

/// Removes the comma after the last JSON record of the parts written by [`write_records`]
/// (parts in document order; empty parts are skipped).
pub fn trim_json_parts(parts: &mut [Vec<u8>]) {
    if let Some(last) = parts.iter_mut().rev().find(|p| !p.is_empty())
        && last.ends_with(b",\n")
    {
        let n = last.len();
        last.truncate(n - 2);
        last.push(b'\n');
    }
}

/// Writes what comes after the records (the JSON's closing).
pub fn write_tail<W: Write>(out: &mut W, format: Format) -> io::Result<()> {
    if format == Format::Json {
        out.write_all(b"]}\n")?;
    }
    Ok(())
}

/// The whole document of one store: head, the records `rows`, tail.
pub fn write_document<W: Write>(
    out: &mut W,
    format: Format,
    header: &str,
    store: &VariantStore,
    columns: &Columns,
    selected: &Selected,
    rows: impl Iterator<Item = usize>,
) -> io::Result<u64> {
    write_head(out, format, header, columns, selected)?;
    let mut part = Vec::new();
    let n = write_records(&mut part, format, store, columns, rows)?;
    let mut parts = [part];
    if format == Format::Json {
        trim_json_parts(&mut parts);
    }
    out.write_all(&parts[0])?;
    write_tail(out, format)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::read_dataset;
    use crate::progress::Silent;

    const VCF: &str = "##fileformat=VCFv4.2\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbSNP\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
##contig=<ID=1>\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tkid\n\
1\t10\trs5\tA\tG\t50\tPASS\tDP=7;DB\tGT:DP\t0/1:7\n\
1\t20\t.\tC\t.\t.\t.\t.\tGT\t./.\n";

    fn dataset() -> crate::Dataset {
        read_dataset(VCF.as_bytes(), Some(VCF.len() as u64), &mut Silent).unwrap()
    }

    fn document(format: Format, selected: &Selected) -> String {
        let ds = dataset();
        let columns = Columns::of(&ds.store);
        let mut out = Vec::new();
        let n = write_document(
            &mut out,
            format,
            &ds.header,
            &ds.store,
            &columns,
            selected,
            0..2,
        )
        .unwrap();
        assert_eq!(n, 2);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_vcf_is_the_header_the_selection_lines_and_the_records() {
        let selected = Selected {
            expression: "QUAL>30\n&& DP>1".into(),
            exclude: false,
            regions: "1:1-100\n\n1:200-300\n".into(),
            genes: String::new(),
            modes: vec!["de-novo".into(), "comp-het".into()],
        };
        let text = document(Format::Vcf, &selected);
        let (head, records) = text.split_at(text.find("#CHROM").unwrap());
        assert!(
            head.starts_with("##fileformat=VCFv4.2\n##INFO=<ID=DP"),
            "{head}"
        );
        assert!(
            head.ends_with(
                "##enclave_filter=QUAL>30 && DP>1\n##enclave_regions=1:1-100,1:200-300\n\
             ##enclave_inheritance=de-novo,comp-het\n"
            ),
            "{head}"
        );
        assert!(!head.contains("enclave_genes"));
        let lines: Vec<&str> = records.lines().collect();
        assert_eq!(
            lines[0],
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tkid"
        );
        assert_eq!(lines[1], VCF.lines().nth(7).unwrap());
        assert_eq!(lines.len(), 3);
        let exclude = Selected {
            expression: "DP>1".into(),
            exclude: true,
            ..Selected::default()
        };
        assert!(document(Format::Vcf, &exclude).contains("\n##enclave_filter_exclude=DP>1\n"));
    }

    #[test]
    fn tsv_and_json_hold_the_table_columns_with_missing_values_told_apart() {
        let tsv = document(Format::Tsv, &Selected::default());
        assert_eq!(
            tsv,
            "CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO/DP\tINFO/DB\tkid:GT\tkid:DP\n\
             1\t10\trs5\tA\tG\t50\tPASS\t7\t1\t0/1\t7\n\
             1\t20\t.\tC\t.\t.\t.\t.\t.\t./.\t.\n"
        );
        let json = document(Format::Json, &Selected::default());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["columns"][7], "INFO/DP");
        assert_eq!(value["records"].as_array().unwrap().len(), 2);
        assert_eq!(value["records"][0][1], "10");
        assert_eq!(value["records"][1][5], serde_json::Value::Null);
        assert_eq!(value["selection"]["exclude"], false);
    }

    #[test]
    fn json_parts_join_into_one_document_whichever_are_empty() {
        let ds = dataset();
        let columns = Columns::of(&ds.store);
        for split in [[0..0, 0..2], [0..1, 1..2], [0..2, 2..2]] {
            let mut parts: Vec<Vec<u8>> = split
                .iter()
                .map(|r| {
                    let mut p = Vec::new();
                    write_records(&mut p, Format::Json, &ds.store, &columns, r.clone()).unwrap();
                    p
                })
                .collect();
            trim_json_parts(&mut parts);
            let mut out = Vec::new();
            write_head(&mut out, Format::Json, "", &columns, &Selected::default()).unwrap();
            parts.iter().for_each(|p| out.extend_from_slice(p));
            write_tail(&mut out, Format::Json).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                document(Format::Json, &Selected::default())
            );
        }
    }
}
