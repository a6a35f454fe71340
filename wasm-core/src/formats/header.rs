//! The VCF header (VCF 4.3 §1.4), read line by line so errors name the line, then turned into the
//! store's field declarations, the contig list and the reference build. BCF files carry the same
//! header text and go through the same reader.

use crate::store::{StoreError, ValueType, VariantStore};

/// Why a header line makes the file unreadable; the reader adds the line number
/// ([`super::IngestError::Header`]).
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum HeaderError {
    #[error("the first line must be ##fileformat=VCFv4.x")]
    NoFileFormat,
    #[error("unknown file format {0:?}")]
    UnknownFileFormat(String),
    #[error("expected a ## meta line or the #CHROM line")]
    NotAMetaLine,
    /// A structured `##INFO=<…>` (`##FORMAT`, `##FILTER`, `##contig`) line whose `<…>` cannot
    /// be read (VCF 4.3 §1.4).
    #[error("##{section}")]
    Structured {
        section: &'static str,
        #[source]
        source: MapError,
    },
    #[error("##{section} without ID")]
    MissingId { section: &'static str },
    #[error("##{section} with an empty ID")]
    EmptyId { section: &'static str },
    #[error("the #CHROM line must be separated by tabs, not spaces")]
    ChromLineSpaces,
    #[error("the #CHROM line must start with {}", FIXED.join(" "))]
    ChromLineColumns,
    #[error("the 9th column of the #CHROM line must be FORMAT, not {0:?}")]
    ChromLineNinth(String),
    #[error("the #CHROM line has an empty sample name (a stray tab?)")]
    EmptySampleName,
    #[error("sample name {0:?} appears twice in the #CHROM line")]
    DuplicateSample(String),
    /// The header ended (the data did) before its `#CHROM` line.
    #[error("the #CHROM header line is missing")]
    MissingChromLine,
    #[error("the header is not valid UTF-8 text")]
    NotUtf8,
    /// The declarations do not fit the store (more FILTER names than it can number).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why the `<k=v,…>` of a structured meta line cannot be read (VCF 4.3 §1.4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("a structured line must be enclosed in < and >")]
    NotEnclosed,
    #[error("empty key")]
    EmptyKey,
    #[error("unterminated quoted value for {key}")]
    Unterminated { key: String },
}

/// A VCF header as read from text (VCF 4.3 §1.4), leniently: what htslib tolerates is a
/// warning, what would make the records unreadable is an error naming the line.
#[derive(Debug, Clone, Default)]
pub struct TextHeader {
    /// `VCFv4.2`, …
    pub file_format: String,
    pub infos: Vec<FieldDef>,
    pub formats: Vec<FieldDef>,
    pub filters: Vec<String>,
    pub contigs: Vec<ContigInfo>,
    pub samples: Vec<String>,
    pub raw: String,
    /// IDs seen per section, so huge headers (100 000+ contigs) stay linear.
    seen: std::collections::HashSet<(u8, String)>,
}

/// An `##INFO` or `##FORMAT` declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub id: String,
    pub number: String,
    pub ty: ValueType,
    pub description: String,
}

/// The fixed columns of the `#CHROM` line (VCF 4.3 §1.5).
const FIXED: [&str; 8] = [
    "#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
];

impl TextHeader {
    /// Takes one header line (without newline). Returns `Ok(true)` after the `#CHROM` line.
    pub fn push_line(
        &mut self,
        line: &str,
        warn: &mut dyn FnMut(&'static str, String),
    ) -> Result<bool, HeaderError> {
        self.raw.push_str(line);
        self.raw.push('\n');
        if self.file_format.is_empty() {
            let v = line
                .strip_prefix("##fileformat=")
                .ok_or(HeaderError::NoFileFormat)?;
            if !v.starts_with("VCFv") {
                return Err(HeaderError::UnknownFileFormat(v.to_string()));
            }
            self.file_format = v.to_string();
            return Ok(false);
        }
        if line.starts_with("#CHROM") {
            self.samples = parse_chrom_line(line)?;
            return Ok(true);
        }
        let Some(meta) = line.strip_prefix("##") else {
            return Err(HeaderError::NotAMetaLine);
        };
        // htslib tolerates trailing white space after a meta line.
        let meta = meta.trim_end();
        let Some((key, value)) = meta.split_once('=') else {
            warn(
                "header-no-equals",
                format!("header line without '=' ignored: {}", clip(line)),
            );
            return Ok(false);
        };
        match key {
            "INFO" | "FORMAT" => {
                let section = if key == "INFO" { "INFO" } else { "FORMAT" };
                let map = structured(section, value)?;
                let def = field_def(section, &map, warn)?;
                let list = if key == "INFO" {
                    &mut self.infos
                } else {
                    &mut self.formats
                };
                if !self.seen.insert((key.as_bytes()[0], def.id.clone())) {
                    warn(
                        "header-duplicate",
                        format!(
                            "##{key} ID={} is declared twice; the first declaration is used",
                            def.id
                        ),
                    );
                } else {
                    list.push(def);
                }
            }
            "FILTER" => {
                let map = structured("FILTER", value)?;
                let id = get(&map, "ID").ok_or(HeaderError::MissingId { section: "FILTER" })?;
                if self.seen.insert((b'L', id.to_string())) {
                    self.filters.push(id.to_string());
                }
            }
            "contig" => {
                let map = structured("contig", value)?;
                let id = get(&map, "ID").ok_or(HeaderError::MissingId { section: "contig" })?;
                let length = match get(&map, "length") {
                    Some(l) => match l.parse::<u64>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            warn(
                                "header-contig-length",
                                format!("##contig ID={id} has an invalid length {l:?}"),
                            );
                            None
                        }
                    },
                    None => None,
                };
                if !self.seen.insert((b'C', id.to_string())) {
                    warn(
                        "header-duplicate",
                        format!(
                            "##contig ID={id} is declared twice; the first declaration is used"
                        ),
                    );
                } else {
                    self.contigs.push(ContigInfo {
                        name: id.to_string(),
                        length,
                    });
                }
            }
            _ => {
                if value.starts_with('<') && parse_map(value).is_err() {
                    warn(
                        "header-structured",
                        format!("malformed ##{key} line ignored"),
                    );
                }
            }
        }
        Ok(false)
    }

    /// An empty store shaped by this header.
    pub fn store(&self) -> Result<VariantStore, StoreError> {
        let mut store = VariantStore::new(self.samples.clone());
        for c in &self.contigs {
            store.contig_id(&c.name);
        }
        store.filter_id("PASS")?;
        for f in &self.filters {
            store.filter_id(f)?;
        }
        for d in &self.infos {
            store.info.declare(&d.id, &d.number, d.ty, &d.description);
        }
        for d in &self.formats {
            store.format.declare(&d.id, &d.number, d.ty, &d.description);
        }
        Ok(store)
    }
}

fn clip(s: &str) -> String {
    if s.len() <= 80 {
        s.to_string()
    } else {
        format!("{}…", &s[..s.floor_char_boundary(80)])
    }
}

/// The `<…>` of a structured line of `section`.
fn structured(section: &'static str, value: &str) -> Result<Vec<(String, String)>, HeaderError> {
    parse_map(value).map_err(|source| HeaderError::Structured { section, source })
}

fn get<'a>(map: &'a [(String, String)], key: &str) -> Option<&'a str> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn field_def(
    section: &'static str,
    map: &[(String, String)],
    warn: &mut dyn FnMut(&'static str, String),
) -> Result<FieldDef, HeaderError> {
    let id = get(map, "ID")
        .ok_or(HeaderError::MissingId { section })?
        .to_string();
    if id.is_empty() {
        return Err(HeaderError::EmptyId { section });
    }
    let number = get(map, "Number").unwrap_or_else(|| {
        warn(
            "header-number",
            format!("##{section} ID={id} has no Number; '.' assumed"),
        );
        "."
    });
    let valid_number = number.parse::<u32>().is_ok()
        || matches!(
            number,
            "A" | "R" | "G" | "." | "LA" | "LR" | "LG" | "P" | "M"
        );
    let number = if valid_number {
        number.to_string()
    } else {
        warn(
            "header-number",
            format!("##{section} ID={id} has an invalid Number={number}; '.' assumed"),
        );
        ".".to_string()
    };
    let ty = match get(map, "Type") {
        Some("Integer") => ValueType::Integer,
        Some("Float") => ValueType::Float,
        Some("Flag") if section == "INFO" => ValueType::Flag,
        Some("Character") => ValueType::Character,
        Some("String") => ValueType::String,
        other => {
            warn(
                "header-type",
                format!(
                    "##{section} ID={id} has Type={}; read as String",
                    other.unwrap_or("(none)")
                ),
            );
            ValueType::String
        }
    };
    let description = get(map, "Description").unwrap_or("").to_string();
    Ok(FieldDef {
        id,
        number,
        ty,
        description,
    })
}

/// Parses `<k=v,k="quoted, \"text\"",…>` (VCF 4.3 §1.4).
fn parse_map(value: &str) -> Result<Vec<(String, String)>, MapError> {
    let inner = value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .ok_or(MapError::NotEnclosed)?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        let mut key = String::new();
        for c in chars.by_ref() {
            if c == '=' {
                break;
            }
            key.push(c);
        }
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err(MapError::EmptyKey);
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    c => val.push(c),
                }
            }
            if !closed {
                return Err(MapError::Unterminated { key });
            }
            // Skip to the next comma.
            for c in chars.by_ref() {
                if c == ',' {
                    break;
                }
            }
            out.push((key, val));
        } else {
            let mut ended = true;
            for c in chars.by_ref() {
                if c == ',' {
                    ended = false;
                    break;
                }
                val.push(c);
            }
            out.push((key, val));
            if ended {
                break;
            }
            continue;
        }
        if chars.peek().is_none() {
            break;
        }
    }
    Ok(out)
}

/// Parses the `#CHROM` line into sample names.
fn parse_chrom_line(line: &str) -> Result<Vec<String>, HeaderError> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() < FIXED.len() || cols[..FIXED.len()] != FIXED {
        if line.contains(' ') && !line.contains('\t') {
            return Err(HeaderError::ChromLineSpaces);
        }
        return Err(HeaderError::ChromLineColumns);
    }
    if cols.len() == FIXED.len() {
        return Ok(Vec::new());
    }
    if cols[FIXED.len()] != "FORMAT" {
        return Err(HeaderError::ChromLineNinth(cols[FIXED.len()].to_string()));
    }
    let samples: Vec<String> = cols[FIXED.len() + 1..]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for s in &samples {
        if s.is_empty() {
            return Err(HeaderError::EmptySampleName);
        }
        if !seen.insert(s) {
            return Err(HeaderError::DuplicateSample(s.clone()));
        }
    }
    Ok(samples)
}

/// A contig from the header.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContigInfo {
    pub name: String,
    pub length: Option<u64>,
}

/// The reference build, if the header says: `##reference=`, `##assembly=`, a contig's
/// `assembly=`, or else the length of chromosome 1.
pub fn reference_build(raw_header: &str, contigs: &[ContigInfo]) -> Option<String> {
    const NAMES: &[(&str, &str)] = &[
        ("grch38", "GRCh38"),
        ("hg38", "GRCh38"),
        ("grch37", "GRCh37"),
        ("hg19", "GRCh37"),
        ("hs37d5", "GRCh37"),
        ("b37", "GRCh37"),
        ("human_g1k_v37", "GRCh37"),
        ("chm13", "T2T-CHM13"),
        ("t2t", "T2T-CHM13"),
        ("hg18", "NCBI36"),
        ("ncbi36", "NCBI36"),
    ];
    for line in raw_header.lines() {
        let lower = line.to_ascii_lowercase();
        let relevant = lower.starts_with("##reference=")
            || lower.starts_with("##assembly=")
            || (lower.starts_with("##contig=") && lower.contains("assembly="));
        if !relevant {
            continue;
        }
        for (needle, build) in NAMES {
            if lower.contains(needle) {
                return Some((*build).to_string());
            }
        }
    }
    // Lengths of chromosome 1 in each assembly.
    let chr1 = contigs
        .iter()
        .find(|c| c.name == "1" || c.name == "chr1")?
        .length?;
    match chr1 {
        249_250_621 => Some("GRCh37".into()),
        248_956_422 => Some("GRCh38".into()),
        248_387_328 => Some("T2T-CHM13".into()),
        247_249_719 => Some("NCBI36".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_build_from_header_lines_or_lengths() {
        assert_eq!(
            reference_build("##reference=file:///ref/hs37d5.fa\n", &[]),
            Some("GRCh37".into())
        );
        assert_eq!(
            reference_build("##contig=<ID=1,assembly=GRCh38>\n", &[]),
            Some("GRCh38".into())
        );
        let c = [ContigInfo {
            name: "chr1".into(),
            length: Some(248_956_422),
        }];
        assert_eq!(reference_build("", &c), Some("GRCh38".into()));
        assert_eq!(reference_build("##source=x\n", &[]), None);
    }

    fn read(lines: &[&str]) -> (Result<TextHeader, HeaderError>, Vec<String>) {
        let mut h = TextHeader::default();
        let mut warnings = Vec::new();
        for l in lines {
            if let Err(e) = h.push_line(l, &mut |_, m| warnings.push(m)) {
                return (Err(e), warnings);
            }
        }
        (Ok(h), warnings)
    }

    #[test]
    fn reads_declarations_with_quotes_and_escapes() {
        let (h, w) = read(&[
            "##fileformat=VCFv4.3",
            r#"##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth, \"total\"">"#,
            "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
            "##contig=<ID=chr1,length=248956422>",
            "##FILTER=<ID=q10,Description=\"Quality below 10\">",
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA1\tNA2",
        ]);
        let h = h.unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(h.infos[0].description, "Depth, \"total\"");
        assert_eq!(h.infos[0].ty, ValueType::Integer);
        assert_eq!(h.contigs[0].length, Some(248_956_422));
        assert_eq!(h.samples, vec!["NA1", "NA2"]);
        assert_eq!(h.filters, vec!["q10"]);
    }

    #[test]
    fn tolerates_what_htslib_tolerates_and_rejects_the_rest() {
        let (h, w) = read(&[
            "##fileformat=VCFv4.2",
            "##INFO=<ID=X,Number=1,Type=Bogus,Description=\"x\">",
            "##INFO=<ID=X,Number=1,Type=Integer,Description=\"again\">",
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        ]);
        assert_eq!(h.unwrap().infos.len(), 1);
        assert_eq!(w.len(), 2);
        let (h, _) = read(&[
            "##fileformat=VCFv4.2",
            "#CHROM POS ID REF ALT QUAL FILTER INFO",
        ]);
        assert_eq!(h.unwrap_err(), HeaderError::ChromLineSpaces);
        let (h, _) = read(&["##fileformat=VCFv4.2", "##INFO=<ID=DP,Description=\"open"]);
        assert_eq!(
            h.unwrap_err(),
            HeaderError::Structured {
                section: "INFO",
                source: MapError::NotEnclosed
            }
        );
        let (h, _) = read(&[
            "##fileformat=VCFv4.2",
            "##FORMAT=<ID=GQ,Description=\"open>",
        ]);
        assert_eq!(
            h.unwrap_err(),
            HeaderError::Structured {
                section: "FORMAT",
                source: MapError::Unterminated {
                    key: "Description".into()
                }
            }
        );
        let (h, _) = read(&["##fileformat=VCFv4.2", "##contig=<length=10>"]);
        assert_eq!(h.unwrap_err(), HeaderError::MissingId { section: "contig" });
        let (h, _) = read(&[
            "##fileformat=VCFv4.2",
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\ta",
        ]);
        assert_eq!(h.unwrap_err(), HeaderError::DuplicateSample("a".into()));
        let (h, _) = read(&["##source=x"]);
        assert_eq!(h.unwrap_err(), HeaderError::NoFileFormat);
        let (h, _) = read(&["##fileformat=VCF v4.2"]);
        assert_eq!(
            h.unwrap_err(),
            HeaderError::UnknownFileFormat("VCF v4.2".into())
        );
    }

    /// The wording people read: a structured line's error names the section before the cause,
    /// as `##INFO: unterminated quoted value for Description`.
    #[test]
    fn messages_name_the_section_then_the_cause() {
        let e = HeaderError::Structured {
            section: "INFO",
            source: MapError::Unterminated {
                key: "Description".into(),
            },
        };
        assert_eq!(e.to_string(), "##INFO");
        let cause = std::error::Error::source(&e).expect("a source").to_string();
        assert_eq!(cause, "unterminated quoted value for Description");
        assert_eq!(
            HeaderError::ChromLineColumns.to_string(),
            "the #CHROM line must start with #CHROM POS ID REF ALT QUAL FILTER INFO"
        );
    }
}
