//! The filter builder's view of an expression: its top-level `&&` pieces, each either a clause
//! the builder has a control for, or text the builder keeps as typed ("custom", ANDed in).
//!
//! The expression text is the one source of truth. [`split`] reads it into [`Piece`]s (a pure
//! string scan; the engine in the worker remains the judge of what the text means); a control
//! change replaces, adds or drops one piece with [`set`], and [`join`] writes the text back, so
//! typed clauses the builder cannot represent are never lost and keep their order.

/// One top-level operand of the expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The text as written (trimmed).
    pub text: String,
    /// The clause, when the builder can show it; `None` for custom text.
    pub clause: Option<Clause>,
}

/// A clause the builder has a control for. Numbers are kept as typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `FILTER="PASS"`
    FilterPass,
    /// `QUAL>=x`
    Qual(String),
    /// `INFO/DP>=x` or `FMT/DP>=x`
    Depth(DepthSource, String),
    /// `FMT/GQ>=x`
    GenotypeQuality(String),
    /// `GT[k]="het"` …
    Genotype(usize, Genotype),
    /// `(F<=x || F=".")`: a population frequency at most `x`, or absent.
    Frequency {
        field: String,
        strict: bool,
        value: String,
    },
    /// `F="HIGH"` or `(F="HIGH" || F="MODERATE")` with `F` = `CSQ/IMPACT` or `ANN/Annotation_Impact`.
    Impact { field: String, levels: Vec<String> },
    /// `F~"missense_variant"` with `F` = `CSQ/Consequence` or `ANN/Annotation`.
    Consequence { field: String, term: String },
    /// ClinVar pathogenic or likely pathogenic ([`clinvar_text`]).
    ClinVar { field: String },
}

/// Which depth the depth clause reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepthSource {
    Info,
    Format,
}

impl DepthSource {
    pub fn field(self) -> &'static str {
        match self {
            Self::Info => "INFO/DP",
            Self::Format => "FMT/DP",
        }
    }
}

/// A genotype class, as bcftools names it in `GT="…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Genotype {
    Het,
    HomAlt,
    Ref,
    Alt,
    Missing,
}

impl Genotype {
    pub const ALL: [Genotype; 5] = [
        Genotype::Het,
        Genotype::HomAlt,
        Genotype::Ref,
        Genotype::Alt,
        Genotype::Missing,
    ];

    /// bcftools' keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Het => "het",
            Self::HomAlt => "AA",
            Self::Ref => "ref",
            Self::Alt => "alt",
            Self::Missing => "mis",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Het => "het",
            Self::HomAlt => "hom alt",
            Self::Ref => "ref",
            Self::Alt => "alt (any)",
            Self::Missing => "missing",
        }
    }

    pub fn from_keyword(k: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.keyword() == k)
    }
}

/// What a clause occupies in the builder: at most one piece per slot is the builder's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    FilterPass,
    Qual,
    Depth,
    GenotypeQuality,
    Genotype(usize),
    Frequency(String),
    Impact,
    Consequence,
    ClinVar,
}

impl Clause {
    pub fn slot(&self) -> Slot {
        match self {
            Self::FilterPass => Slot::FilterPass,
            Self::Qual(_) => Slot::Qual,
            Self::Depth(..) => Slot::Depth,
            Self::GenotypeQuality(_) => Slot::GenotypeQuality,
            Self::Genotype(k, _) => Slot::Genotype(*k),
            Self::Frequency { field, .. } => Slot::Frequency(field.clone()),
            Self::Impact { .. } => Slot::Impact,
            Self::Consequence { .. } => Slot::Consequence,
            Self::ClinVar { .. } => Slot::ClinVar,
        }
    }

    /// The clause as expression text.
    pub fn text(&self) -> String {
        match self {
            Self::FilterPass => r#"FILTER="PASS""#.to_string(),
            Self::Qual(v) => format!("QUAL>={v}"),
            Self::Depth(source, v) => format!("{}>={v}", source.field()),
            Self::GenotypeQuality(v) => format!("FMT/GQ>={v}"),
            Self::Genotype(k, g) => format!(r#"GT[{k}]="{}""#, g.keyword()),
            Self::Frequency {
                field,
                strict,
                value,
            } => {
                let op = if *strict { "<" } else { "<=" };
                format!(r#"({field}{op}{value} || {field}=".")"#)
            }
            Self::Impact { field, levels } => {
                let parts: Vec<String> =
                    levels.iter().map(|l| format!(r#"{field}="{l}""#)).collect();
                if parts.len() == 1 {
                    parts[0].clone()
                } else {
                    format!("({})", parts.join(" || "))
                }
            }
            Self::Consequence { field, term } => format!(r#"{field}~"{term}""#),
            Self::ClinVar { field } => clinvar_text(field),
        }
    }
}

/// The ClinVar "pathogenic or likely pathogenic" clause for a field: ClinVar's own `CLNSIG`
/// (`Pathogenic`, `Likely_pathogenic`, `Pathogenic/Likely_pathogenic`, …) or VEP's `CLIN_SIG`
/// (lower case, `&`-joined). The patterns leave out "conflicting interpretations of
/// pathogenicity".
pub fn clinvar_text(field: &str) -> String {
    if field.ends_with("CLIN_SIG") {
        format!(r#"{field}~"(^|&)(likely_)?pathogenic(&|$)""#)
    } else {
        format!(r#"{field}~"^(Likely_p|P)athogenic""#)
    }
}

/// Population allele-frequency fields by name: `AF`, `MAX_AF`, `gnomAD*_AF`, `ExAC*_AF`, `1000G*`
/// (any case).
pub fn is_frequency_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "af"
        || lower == "max_af"
        || (lower.starts_with("gnomad") && lower.ends_with("_af"))
        || (lower.starts_with("exac") && lower.ends_with("_af"))
        || lower.starts_with("1000g")
}

/// Reads an expression into pieces. An expression that is not a plain `&&` chain at the top
/// (it has `||`, `|` or `&` outside parentheses and quotes, or does not balance) is one custom
/// piece.
pub fn split(expression: &str) -> Vec<Piece> {
    let texts = match top_level_and(expression) {
        Some(texts) => texts,
        None => vec![expression.trim()],
    };
    let mut taken: Vec<Slot> = Vec::new();
    texts
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|text| {
            let clause = recognise(text).filter(|c| {
                let slot = c.slot();
                let free = !taken.contains(&slot);
                if free {
                    taken.push(slot);
                }
                free
            });
            Piece {
                text: text.to_string(),
                clause,
            }
        })
        .collect()
}

/// The expression the pieces make.
pub fn join(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" && ")
}

/// Puts `clause` in `slot`: replaces the builder's piece there, appends it, or (for `None`)
/// drops it.
pub fn set(pieces: &mut Vec<Piece>, slot: &Slot, clause: Option<Clause>) {
    let at = pieces
        .iter()
        .position(|p| p.clause.as_ref().is_some_and(|c| c.slot() == *slot));
    match (at, clause) {
        (Some(k), Some(clause)) => {
            pieces[k] = Piece {
                text: clause.text(),
                clause: Some(clause),
            }
        }
        (None, Some(clause)) => pieces.push(Piece {
            text: clause.text(),
            clause: Some(clause),
        }),
        (Some(k), None) => {
            pieces.remove(k);
        }
        (None, None) => {}
    }
}

/// The builder's clause in `slot`, if any.
pub fn find<'a>(pieces: &'a [Piece], slot: &Slot) -> Option<&'a Clause> {
    pieces
        .iter()
        .filter_map(|p| p.clause.as_ref())
        .find(|c| c.slot() == *slot)
}

/// A number as the builder accepts it: a finite decimal, kept as typed.
pub fn number(text: &str) -> Option<String> {
    let t = text.trim();
    let plain = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    (plain && t.parse::<f64>().is_ok_and(f64::is_finite)).then(|| t.to_string())
}

/// Splits at top-level `&&`; `None` when the top level has another operator or does not balance.
fn top_level_and(expression: &str) -> Option<Vec<&str>> {
    let bytes = expression.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote = None::<u8>;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            b'&' if depth == 0 => {
                if bytes.get(i + 1) != Some(&b'&') {
                    return None;
                }
                parts.push(expression[start..i].trim());
                i += 2;
                start = i;
                continue;
            }
            b'|' if depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    if depth != 0 || quote.is_some() {
        return None;
    }
    parts.push(expression[start..].trim());
    Some(parts)
}

/// Splits at `||` outside parentheses and quotes (the inside of one parenthesised piece).
fn top_level_or(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote = None::<u8>;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' => quote = Some(b),
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'|' if depth == 0 => {
                if bytes.get(i + 1) != Some(&b'|') {
                    return None;
                }
                parts.push(text[start..i].trim());
                i += 2;
                start = i;
                continue;
            }
            b'&' if depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    parts.push(text[start..].trim());
    Some(parts)
}

/// The text without whitespace outside quotes, and with `==` as `=`.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote = None::<char>;
    for c in text.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {}
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out.replace("==", "=")
}

/// `"text"` or `'text'` → `text`.
fn unquote(text: &str) -> Option<&str> {
    let t = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))?;
    (!t.contains(['"', '\''])).then_some(t)
}

/// `FIELD>=number` → the number, for one of `fields`.
fn at_least<'a>(text: &'a str, fields: &[&str]) -> Option<&'a str> {
    fields.iter().find_map(|f| {
        text.strip_prefix(f)
            .and_then(|rest| rest.strip_prefix(">="))
            .filter(|v| number(v).is_some())
    })
}

/// The sub-field or INFO key a field path names: `CSQ/IMPACT` → `IMPACT`, `INFO/AF` → `AF`.
fn leaf(field: &str) -> &str {
    field.rsplit('/').next().unwrap_or(field)
}

/// Whether `text` is a plain field path (`AF`, `INFO/gnomAD_AF`, `CSQ/MAX_AF`).
fn is_field(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'.' | b'-'))
        && !text.starts_with('/')
        && !text.ends_with('/')
}

fn is_impact_field(field: &str) -> bool {
    matches!(leaf(field), "IMPACT" | "Annotation_Impact") && field.contains('/')
}

/// The clause a piece is, if the builder has a control for it.
fn recognise(text: &str) -> Option<Clause> {
    let t = normalise(text);
    if t == r#"FILTER="PASS""# || t == "FILTER='PASS'" {
        return Some(Clause::FilterPass);
    }
    if let Some(v) = at_least(&t, &["QUAL"]) {
        return Some(Clause::Qual(v.to_string()));
    }
    if let Some(v) = at_least(&t, &["INFO/DP", "DP"]) {
        return Some(Clause::Depth(DepthSource::Info, v.to_string()));
    }
    if let Some(v) = at_least(&t, &["FMT/DP", "FORMAT/DP"]) {
        return Some(Clause::Depth(DepthSource::Format, v.to_string()));
    }
    if let Some(v) = at_least(&t, &["FMT/GQ", "FORMAT/GQ"]) {
        return Some(Clause::GenotypeQuality(v.to_string()));
    }
    if let Some(rest) = t
        .strip_prefix("GT[")
        .or_else(|| t.strip_prefix("FMT/GT["))
        .or_else(|| t.strip_prefix("FORMAT/GT["))
    {
        let (k, value) = rest.split_once("]=")?;
        let k: usize = k.parse().ok()?;
        let g = Genotype::from_keyword(unquote(value)?)?;
        return Some(Clause::Genotype(k, g));
    }
    if let Some((field, term)) = t.split_once('~')
        && matches!(leaf(field), "Consequence" | "Annotation")
        && field.contains('/')
        && is_field(field)
    {
        let term = unquote(term)?;
        return term
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            .then(|| Clause::Consequence {
                field: field.to_string(),
                term: term.to_string(),
            });
    }
    if let Some((field, _)) = t.split_once('~')
        && matches!(leaf(field), "CLNSIG" | "CLIN_SIG")
        && normalise(&clinvar_text(field)) == t
    {
        return Some(Clause::ClinVar {
            field: field.to_string(),
        });
    }
    if let Some(clause) = impact(&t) {
        return Some(clause);
    }
    let inner = t.strip_prefix('(')?.strip_suffix(')')?;
    let parts = top_level_or(inner)?;
    if let Some(clause) = impact_parts(&parts) {
        return Some(clause);
    }
    // (F<=x || F=".")
    let [limit, missing] = parts.as_slice() else {
        return None;
    };
    let (field, strict, value) = if let Some((f, v)) = limit.split_once("<=") {
        (f, false, v)
    } else {
        let (f, v) = limit.split_once('<')?;
        (f, true, v)
    };
    let absent = missing.strip_prefix(field)?.strip_prefix('=')?;
    (is_field(field)
        && is_frequency_name(leaf(field))
        && unquote(absent) == Some(".")
        && number(value).is_some())
    .then(|| Clause::Frequency {
        field: field.to_string(),
        strict,
        value: value.to_string(),
    })
}

/// `F="HIGH"` with an impact field.
fn impact(t: &str) -> Option<Clause> {
    impact_parts(&[t])
}

/// `F="A"`, `F="B"`, … with one impact field.
fn impact_parts(parts: &[&str]) -> Option<Clause> {
    let mut field = None::<&str>;
    let mut levels = Vec::new();
    for part in parts {
        let (f, v) = part.split_once('=')?;
        if !is_impact_field(f) || field.is_some_and(|g| g != f) {
            return None;
        }
        field = Some(f);
        let level = unquote(v)?;
        if !IMPACTS.contains(&level) || levels.iter().any(|l| l == level) {
            return None;
        }
        levels.push(level.to_string());
    }
    Some(Clause::Impact {
        field: field?.to_string(),
        levels,
    })
}

/// Impact levels and consequence terms, most severe first: the engine's scale, so the builder
/// offers exactly what the annotation code ranks.
pub use wasm_core::annotation::{CONSEQUENCE_TERMS as CONSEQUENCES, IMPACTS};

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn clauses(expression: &str) -> Vec<Option<Clause>> {
        split(expression).into_iter().map(|p| p.clause).collect()
    }

    #[wasm_bindgen_test]
    fn builder_clauses_read_back() {
        let all = [
            Clause::FilterPass,
            Clause::Qual("30".into()),
            Clause::Depth(DepthSource::Format, "10".into()),
            Clause::GenotypeQuality("20".into()),
            Clause::Genotype(1, Genotype::HomAlt),
            Clause::Frequency {
                field: "CSQ/gnomAD_AF".into(),
                strict: false,
                value: "0.01".into(),
            },
            Clause::Impact {
                field: "ANN/Annotation_Impact".into(),
                levels: vec!["HIGH".into(), "MODERATE".into()],
            },
            Clause::Consequence {
                field: "CSQ/Consequence".into(),
                term: "missense_variant".into(),
            },
            Clause::ClinVar {
                field: "CSQ/CLIN_SIG".into(),
            },
        ];
        let mut pieces = Vec::new();
        for c in &all {
            set(&mut pieces, &c.slot(), Some(c.clone()));
        }
        let text = join(&pieces);
        let back: Vec<Clause> = split(&text).into_iter().filter_map(|p| p.clause).collect();
        assert_eq!(back, all, "{text}");
        let clinvar = Clause::ClinVar {
            field: "INFO/CLNSIG".into(),
        };
        assert_eq!(clauses(&clinvar.text()), [Some(clinvar)]);
    }

    #[wasm_bindgen_test]
    fn typed_text_is_kept() {
        let text = r#"QUAL >= 30 && INFO/MQ>50 && (AF <0.01 || AF = ".") && GT[0]=="het""#;
        let pieces = split(text);
        assert_eq!(
            pieces.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(),
            [
                "QUAL >= 30",
                "INFO/MQ>50",
                r#"(AF <0.01 || AF = ".")"#,
                r#"GT[0]=="het""#
            ]
        );
        assert_eq!(
            clauses(text),
            [
                Some(Clause::Qual("30".into())),
                None,
                Some(Clause::Frequency {
                    field: "AF".into(),
                    strict: true,
                    value: "0.01".into()
                }),
                Some(Clause::Genotype(0, Genotype::Het)),
            ]
        );
        // Changing one control rewrites that piece only; the custom one stays where it was.
        let mut pieces = pieces;
        set(&mut pieces, &Slot::Qual, Some(Clause::Qual("50".into())));
        set(&mut pieces, &Slot::Genotype(0), None);
        set(
            &mut pieces,
            &Slot::GenotypeQuality,
            Some(Clause::GenotypeQuality("20".into())),
        );
        assert_eq!(
            join(&pieces),
            r#"QUAL>=50 && INFO/MQ>50 && (AF <0.01 || AF = ".") && FMT/GQ>=20"#
        );
    }

    #[wasm_bindgen_test]
    fn other_shapes_are_custom() {
        // A top-level `||` or `&` makes the whole expression one custom piece.
        assert_eq!(clauses("QUAL>=30 || DP>=10"), [None]);
        assert_eq!(clauses("FMT/DP>=10 & FMT/GQ>=20"), [None]);
        assert_eq!(split("QUAL>=30 || DP>=10")[0].text, "QUAL>=30 || DP>=10");
        // Operators inside quotes and parentheses do not split.
        assert_eq!(
            clauses(r#"INFO/X~"a&&b|c" && (DP>1 || DP<0)"#),
            [None, None]
        );
        // Unbalanced text is kept whole.
        assert_eq!(split("QUAL>30 && (DP>").len(), 1);
        // A second clause for one slot is custom.
        assert_eq!(
            clauses("QUAL>=30 && QUAL>=50"),
            [Some(Clause::Qual("30".into())), None]
        );
        assert_eq!(clauses("QUAL>=abc"), [None]);
        assert_eq!(clauses("GT[0]=\"hom\""), [None]);
        assert!(split("   ").is_empty());
    }

    #[wasm_bindgen_test]
    fn frequency_names() {
        for name in [
            "AF",
            "MAX_AF",
            "gnomAD_AF",
            "gnomADe_NFE_AF",
            "gnomad_genomes_af",
            "ExAC_AF",
            "1000Gp3_AF",
        ] {
            assert!(is_frequency_name(name), "{name}");
        }
        for name in ["DP", "MLEAF", "AF_raw", "gnomAD_AC"] {
            assert!(!is_frequency_name(name), "{name}");
        }
        assert_eq!(number(" 0.5 "), Some("0.5".into()));
        assert_eq!(number("1e-3"), Some("1e-3".into()));
        assert_eq!(number("x"), None);
        assert_eq!(number(""), None);
    }
}
