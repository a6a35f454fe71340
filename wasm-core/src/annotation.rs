//! VEP `CSQ` and SnpEff `ANN` annotations as structured per-transcript fields.
//!
//! Annotators write one INFO string per record: entries (one per transcript or feature)
//! separated by `,`, sub-fields separated by `|`, the layout declared in the header description.
//! This module reads those layouts ([`schemas`] → [`Schema`]), pulls one sub-field out of every
//! record as a dictionary-encoded [`Column`] (for the filter engine and the gene list), and picks
//! the entry a table row shows ([`summarize`], [`Summarizer`]: the most severe consequence by
//! Ensembl's ranking, [`severity`]).
//!
//! Where it sits: after ingest, reading the raw INFO text the store keeps for String fields
//! ([`crate::store::ColumnData::Text`]); used by [`crate::filter`] (sub-field clauses),
//! [`crate::regions`] (gene lists) and the app's table. Understood layouts: Ensembl VEP (any INFO
//! key), bcftools/csq `BCSQ` (read as [`Style::Vep`]), SnpEff `ANN`, and legacy SnpEff `EFF`
//! (`EFFECT(a|b|…)` entries, read as [`Style::SnpEff`] with `Effect` as sub-field 0).
//! Values are percent-decoded (VEP writes `%2C` for `,`, `%3D` for `=`, …); `""` and `.` are
//! missing.

mod consequence;
mod header;
mod text;

use std::borrow::Cow;

use crate::store::{ColumnData, Ragged, TextColumn, VariantStore};

pub use self::header::infer_type;
pub(crate) use self::text::{
    Interner, decode_into, entries, fields, for_each_value, hash, is_missing, pick,
    text as value_text,
};

/// Which annotator wrote the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Style {
    /// Ensembl VEP: `##INFO=<ID=CSQ,…,Description="… Format: Allele|Consequence|…">`.
    Vep,
    /// SnpEff: `##INFO=<ID=ANN,…,Description="Functional annotations: 'Allele | Annotation | …'">`.
    SnpEff,
}

/// The inferred type of one sub-field (numbers compare as numbers in filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SubfieldType {
    Integer,
    Float,
    String,
}

/// One sub-field of an annotation (`SYMBOL`, `IMPACT`, `gnomAD_AF`, `Annotation_Impact`, …).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Subfield {
    pub name: String,
    pub ty: SubfieldType,
}

/// The layout of one annotation INFO field, read from its header description.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// The INFO key (`CSQ`, `ANN`, `BCSQ`, …).
    pub tag: String,
    pub style: Style,
    pub subfields: Vec<Subfield>,
}

impl Schema {
    /// Index of a sub-field by name (case-sensitive, as split-vep).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.subfields.iter().position(|s| s.name == name)
    }

    /// The first of `names` the schema has.
    fn first_of(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.index_of(n))
    }

    /// Legacy SnpEff `EFF`: entries are `EFFECT(a|b|…)`.
    pub(crate) fn is_legacy_eff(&self) -> bool {
        self.style == Style::SnpEff && self.subfields.first().is_some_and(|f| f.name == "Effect")
    }

    /// Reads a schema from one INFO field's header description (`None` if it declares none).
    ///
    /// ```
    /// use wasm_core::annotation::{Schema, Style};
    /// let s = Schema::from_description("CSQ", "Consequence annotations from Ensembl VEP. \
    ///     Format: Allele|Consequence|IMPACT|SYMBOL").unwrap();
    /// assert_eq!((s.style, s.index_of("SYMBOL")), (Style::Vep, Some(3)));
    /// ```
    pub fn from_description(tag: &str, description: &str) -> Option<Schema> {
        header::parse(tag, description)
    }
}

/// Every annotation field the store's header describes, in header order. Only String fields
/// qualify (the store keeps their raw text).
pub fn schemas(store: &VariantStore) -> Vec<Schema> {
    store
        .info
        .iter()
        .filter(|f| matches!(f.data, ColumnData::Text(_)))
        .filter_map(|f| header::parse(&f.key, &f.description))
        .collect()
}

/// The raw text column of an annotation field, if the store has it as text.
pub(crate) fn text_column<'a>(store: &'a VariantStore, tag: &str) -> Option<&'a TextColumn> {
    match store.info.get(tag).map(|f| &f.data) {
        Some(ColumnData::Text(t)) => Some(t),
        _ => None,
    }
}

/// Row `i` of a text column; empty when the column is shorter than the store.
pub(crate) fn row(text: &TextColumn, i: usize) -> Cow<'_, [u8]> {
    if i < text.len() {
        text.get(i)
    } else {
        Cow::Borrowed(b"")
    }
}

/// One sub-field for every record, dictionary-encoded: per record, one id per transcript
/// (annotation entry). Id 0 is the empty/missing value.
#[derive(Debug, Clone)]
pub struct Column {
    pub values: Ragged<u32>,
    pub dict: Vec<String>,
}

impl Column {
    /// Extracts sub-field `index` of `schema` from every record.
    ///
    /// One pass over the INFO text: entries split on `,`, sub-fields on `|`; values are
    /// percent-decoded and interned (`&`-joined consequences stay one value). A record without
    /// the field has an empty row; an entry with fewer sub-fields than `index` gives id 0. The
    /// only allocations are the dictionary's strings and the rows themselves.
    pub fn extract(store: &VariantStore, schema: &Schema, index: usize) -> Column {
        let mut values = Ragged::default();
        let Some(text) = text_column(store, &schema.tag) else {
            values.push_empty(store.len());
            return Column {
                values,
                dict: vec![String::new()],
            };
        };
        let legacy = schema.is_legacy_eff();
        let mut dict = Interner::new();
        let mut scratch = Vec::new();
        let mut ids = Vec::new();
        let mut reader = text.reader();
        for i in 0..store.len() {
            ids.clear();
            let row = if i < text.len() { reader.get(i) } else { b"" };
            text::for_each_value(row, index, legacy, |raw| {
                ids.push(dict.intern_raw(raw, &mut scratch));
            });
            values.push(&ids);
        }
        Column {
            values,
            dict: dict.into_dict(),
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value ids of record `i`, one per entry.
    pub fn row(&self, i: usize) -> &[u32] {
        self.values.get(i)
    }

    /// The text of a value id (`""` for 0 and for ids outside the dictionary).
    pub fn text(&self, id: u32) -> &str {
        self.dict.get(id as usize).map_or("", String::as_str)
    }
}

/// What the table shows for one record: the most severe consequence and its transcript.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub gene: Option<String>,
    /// Most severe Sequence Ontology consequence term.
    pub consequence: Option<String>,
    pub impact: Option<String>,
    pub hgvs_c: Option<String>,
    pub hgvs_p: Option<String>,
}

/// The summary of record `i` under `schema`, `None` when the record is not annotated.
///
/// See [`Summarizer`], which caches the sub-field positions for many rows.
pub fn summarize(store: &VariantStore, schema: &Schema, i: usize) -> Option<Summary> {
    Summarizer::new(store, schema).summarize(i)
}

/// Summaries of many records under one schema, with the sub-field positions looked up once.
///
/// The chosen entry is the one whose consequence is most severe ([`severity`]); on a tie, an
/// entry VEP marked `PICK=1`, then one marked `CANONICAL=YES`, then the first. From it:
/// - gene: `SYMBOL`, or `Gene` when the symbol is empty (VEP); `gene` (BCSQ); `Gene_Name`, or
///   `Gene_ID` (SnpEff);
/// - consequence: the most severe `&`-joined term only (the first term when none is known);
/// - impact: `IMPACT` / `Annotation_Impact` / `Effect_Impact`; for layouts without one (BCSQ,
///   old VEP) the VEP impact class of the consequence;
/// - HGVS: `HGVSc`/`HGVSp` with their transcript prefix (`ENST…:c.…`) kept, `HGVS.c`/`HGVS.p`
///   (SnpEff), or the `p.`/`c.` parts of legacy EFF `Amino_Acid_Change`.
pub struct Summarizer<'a> {
    text: Option<&'a TextColumn>,
    legacy: bool,
    /// Positions of: consequence, gene, gene fallback, impact, HGVS c., HGVS p., PICK,
    /// CANONICAL, EFF amino-acid change.
    at: [Option<usize>; 9],
}

const CONSEQUENCE: usize = 0;
const GENE: usize = 1;
const GENE_FALLBACK: usize = 2;
const IMPACT: usize = 3;
const HGVS_C: usize = 4;
const HGVS_P: usize = 5;
const PICK: usize = 6;
const CANONICAL: usize = 7;
const EFF_AA: usize = 8;

impl<'a> Summarizer<'a> {
    pub fn new(store: &'a VariantStore, schema: &Schema) -> Self {
        let find = |names: &[&str]| schema.first_of(names);
        Self {
            text: text_column(store, &schema.tag),
            legacy: schema.is_legacy_eff(),
            at: [
                find(&["Consequence", "Annotation", "Effect"]),
                find(&["SYMBOL", "Gene_Name", "gene"]),
                find(&["Gene", "Gene_ID"]),
                find(&["IMPACT", "Annotation_Impact", "Effect_Impact"]),
                find(&["HGVSc", "HGVS.c"]),
                find(&["HGVSp", "HGVS.p"]),
                find(&["PICK"]),
                find(&["CANONICAL"]),
                find(&["Amino_Acid_Change", "Amino_Acid_change"]),
            ],
        }
    }

    /// The summary of record `i`; `None` when it has no entries (or `i` is out of range).
    pub fn summarize(&self, i: usize) -> Option<Summary> {
        let text = row(self.text?, i);
        let text: &[u8] = &text;
        let want = [self.at[CONSEQUENCE], self.at[PICK], self.at[CANONICAL]];
        // (rank, tie preference, entry); unknown consequences rank after every known one.
        let mut best: Option<(u16, u8, &[u8])> = None;
        for entry in entries(text) {
            let [csq, pick, canonical] = text::pick(entry, self.legacy, &want);
            let csq = text::decode(csq);
            let rank = consequence::most_severe_part(&String::from_utf8_lossy(&csq))
                .map_or(u16::MAX, |(_, r)| u16::from(r));
            let tie = if pick == b"1" {
                0
            } else if canonical == b"YES" {
                1
            } else {
                2
            };
            if best.is_none_or(|(r, t, _)| (rank, tie) < (r, t)) {
                best = Some((rank, tie, entry));
            }
        }
        let (_, _, entry) = best?;
        Some(self.summary_of(entry))
    }

    fn summary_of(&self, entry: &[u8]) -> Summary {
        let v = text::pick(entry, self.legacy, &self.at);
        let consequence =
            text::text(v[CONSEQUENCE]).map(|c| match consequence::most_severe_part(&c) {
                Some((term, _)) => term.to_string(),
                None => c.split('&').next().unwrap_or_default().trim().to_string(),
            });
        let impact = if self.at[IMPACT].is_some() {
            text::text(v[IMPACT])
        } else {
            consequence
                .as_deref()
                .and_then(consequence::most_severe_part)
                .map(|(_, r)| consequence::impact_of_rank(r).to_string())
        };
        let mut hgvs_c = text::text(v[HGVS_C]);
        let mut hgvs_p = text::text(v[HGVS_P]);
        if let Some(aa) = text::text(v[EFF_AA]) {
            // SnpEff 3/4 with -hgvs: `p.Thr324Ala/c.970A>G`.
            for part in aa.split('/') {
                if part.starts_with("p.") && hgvs_p.is_none() {
                    hgvs_p = Some(part.to_string());
                } else if part.starts_with("c.") && hgvs_c.is_none() {
                    hgvs_c = Some(part.to_string());
                }
            }
        }
        Summary {
            gene: text::text(v[GENE]).or_else(|| text::text(v[GENE_FALLBACK])),
            consequence: consequence.filter(|c| !c.is_empty()),
            impact,
            hgvs_c,
            hgvs_p,
        }
    }
}

/// Sequence Ontology severity rank of a consequence term (0 = most severe, Ensembl's order);
/// `None` for unknown terms.
///
/// Terms joined with `&` rank as their most severe part. Ranks are positions in Ensembl VEP's
/// "Calculated variant consequences" table (`transcript_ablation` = 0 … `intergenic_variant`
/// = 39, `sequence_variant` = 40); SnpEff's own terms, legacy `EFF` names and bcftools/csq short
/// names share the rank of the closest Ensembl term. Case is ignored.
///
/// ```
/// use wasm_core::annotation::severity;
/// assert!(severity("stop_gained") < severity("missense_variant"));
/// assert_eq!(severity("intron_variant&splice_region_variant"), severity("splice_region_variant"));
/// assert_eq!(severity("disruptive_inframe_deletion"), severity("inframe_deletion"));
/// assert_eq!(severity("no_such_term"), None);
/// ```
pub fn severity(term: &str) -> Option<u8> {
    consequence::most_severe_part(term).map(|(_, r)| r)
}

/// Ensembl's consequence terms, most severe first (the scale [`severity`] ranks on), for
/// pickers that offer them in order.
pub const CONSEQUENCE_TERMS: &[&str] = &consequence::ENSEMBL;

/// VEP's impact classes, most severe first (SnpEff's `Annotation_Impact` uses the same four).
pub const IMPACTS: [&str; 4] = ["HIGH", "MODERATE", "LOW", "MODIFIER"];

/// The most severe part of an `&`-joined consequence (`None` when no part is a known term).
pub fn most_severe(consequence: &str) -> Option<&str> {
    consequence::most_severe_part(consequence).map(|(t, _)| t)
}

/// VEP's IMPACT class (`HIGH`, `MODERATE`, `LOW`, `MODIFIER`) of a consequence, by its most
/// severe known term.
pub fn impact(consequence: &str) -> Option<&'static str> {
    severity(consequence).map(consequence::impact_of_rank)
}

/// The Ensembl term a consequence's most severe part stands for (`NON_SYNONYMOUS_CODING` →
/// `missense_variant`, `conservative_inframe_deletion` → `inframe_deletion`).
pub fn ensembl_term(consequence: &str) -> Option<&'static str> {
    severity(consequence).and_then(consequence::ensembl_term)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FLOAT_MISSING, ValueType};

    const VEP: &str = "Consequence annotations from Ensembl VEP. Format: \
        Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|HGVSc|HGVSp|CANONICAL|PICK";
    const ANN: &str = "Functional annotations: 'Allele | Annotation | Annotation_Impact | \
        Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | \
        HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | \
        ERRORS / WARNINGS / INFO'";

    /// A store with one text field `tag` described by `description`, one record per value
    /// (`None` = field absent).
    fn store(tag: &str, description: &str, values: &[Option<&str>]) -> VariantStore {
        let mut s = VariantStore::new(vec![]);
        s.info.declare(tag, ".", ValueType::String, description);
        s.info.declare("DP", "1", ValueType::Integer, "Depth");
        let c = s.contig_id("1");
        let f = s.info.index_of(tag).unwrap();
        for (k, v) in values.iter().enumerate() {
            s.begin_record(c, 100 + k as u64, b"", b"A", b"T", FLOAT_MISSING, &[])
                .unwrap();
            if let Some(v) = v {
                s.set_info_text(f, v.as_bytes()).unwrap();
            }
            s.end_record();
        }
        s
    }

    #[test]
    fn schemas_lists_annotation_fields_only() {
        let s = store("CSQ", VEP, &[None]);
        let all = schemas(&s);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].tag, "CSQ");
        assert_eq!(all[0].index_of("HGVSp"), Some(7));
        // A Flag or Integer field with a VEP-like description is not readable text.
        let mut s = VariantStore::new(vec![]);
        s.info.declare("CSQ", "1", ValueType::Integer, VEP);
        assert!(schemas(&s).is_empty());
    }

    #[test]
    fn extract_dictionary_encodes_per_entry() {
        let s = store(
            "CSQ",
            VEP,
            &[
                Some(
                    "T|missense_variant|MODERATE|BRCA1|G1,T|intron_variant&NMD_transcript_variant|MODIFIER|BRCA1|G1",
                ),
                None,
                Some("T|intron_variant&NMD_transcript_variant|MODIFIER||G2,T"),
                Some("T|x|y|A%2CB%3DC%7CD"),
            ],
        );
        let schema = &schemas(&s)[0];
        let symbol = Column::extract(&s, schema, 3);
        assert_eq!(symbol.len(), 4);
        assert_eq!(symbol.row(0), [1, 1]);
        assert!(symbol.row(1).is_empty());
        assert_eq!(symbol.row(2), [0, 0]);
        assert_eq!(symbol.text(1), "BRCA1");
        assert_eq!(symbol.text(symbol.row(3)[0]), "A,B=C|D");
        let csq = Column::extract(&s, schema, 1);
        assert_eq!(
            csq.row(0)
                .iter()
                .map(|&id| csq.text(id))
                .collect::<Vec<_>>(),
            ["missense_variant", "intron_variant&NMD_transcript_variant"]
        );
        assert_eq!(csq.row(2), [2, 0]);
        // Beyond the schema and beyond every entry: all missing, never a panic.
        let far = Column::extract(&s, schema, 99);
        assert_eq!(far.row(0), [0, 0]);
        assert_eq!(far.dict, [""]);
    }

    #[test]
    fn extract_from_a_field_the_store_lacks_gives_empty_rows() {
        let s = store("CSQ", VEP, &[Some("T|x")]);
        let mut schema = schemas(&s)[0].clone();
        schema.tag = "NOPE".into();
        let c = Column::extract(&s, &schema, 1);
        assert_eq!(c.len(), 1);
        assert!(c.row(0).is_empty());
    }

    #[test]
    fn summary_picks_the_most_severe_entry_and_term() {
        let s = store(
            "CSQ",
            VEP,
            &[
                Some(
                    "T|upstream_gene_variant|MODIFIER|AAA|G0|ENST0|||YES|,\
                     T|splice_region_variant&missense_variant|MODERATE|BBB|G1|ENST1|ENST1.2:c.5C>T|ENSP1.1:p.Pro2Leu%3D||",
                ),
                None,
                Some("T|intron_variant|MODIFIER||ENSG9|ENST9|||"),
            ],
        );
        let schema = &schemas(&s)[0];
        let got = summarize(&s, schema, 0).unwrap();
        assert_eq!(
            got,
            Summary {
                gene: Some("BBB".into()),
                consequence: Some("missense_variant".into()),
                impact: Some("MODERATE".into()),
                hgvs_c: Some("ENST1.2:c.5C>T".into()),
                hgvs_p: Some("ENSP1.1:p.Pro2Leu=".into()),
            }
        );
        assert_eq!(summarize(&s, schema, 1), None);
        // No SYMBOL: the Ensembl gene id stands in.
        assert_eq!(
            summarize(&s, schema, 2).unwrap().gene.as_deref(),
            Some("ENSG9")
        );
        assert_eq!(summarize(&s, schema, 99), None);
    }

    #[test]
    fn ties_prefer_pick_then_canonical_then_first() {
        let s = store(
            "CSQ",
            VEP,
            &[
                Some("T|intron_variant|MODIFIER|A||||||,T|intron_variant|MODIFIER|B|||||YES|"),
                Some("T|intron_variant|MODIFIER|A|||||YES|,T|intron_variant|MODIFIER|B||||||1"),
                Some("T|intron_variant|MODIFIER|A||||||,T|intron_variant|MODIFIER|B||||||"),
                Some("T|missense_variant|MODERATE|A||||||,T|intron_variant|MODIFIER|B||||||1"),
            ],
        );
        let schema = &schemas(&s)[0];
        let gene = |i| summarize(&s, schema, i).unwrap().gene.unwrap();
        assert_eq!(gene(0), "B");
        assert_eq!(gene(1), "B");
        assert_eq!(gene(2), "A");
        assert_eq!(gene(3), "A");
    }

    #[test]
    fn snpeff_summary_uses_its_names() {
        let s = store(
            "ANN",
            ANN,
            &[Some(
                "CTT|frameshift_variant|HIGH|LOC1|LOC1|transcript|XM_1.1|protein_coding|6/8|c.480dupT|p.Met161fs|1213/1449|481/699|161/232||,\
                 CTT|3_prime_UTR_variant|MODIFIER|BAGE2|BAGE2|transcript|NM_1.2|protein_coding|9/10|c.*1223dupT|||||28408|",
            )],
        );
        let schema = &schemas(&s)[0];
        assert_eq!(schema.style, Style::SnpEff);
        let got = summarize(&s, schema, 0).unwrap();
        assert_eq!(got.gene.as_deref(), Some("LOC1"));
        assert_eq!(got.consequence.as_deref(), Some("frameshift_variant"));
        assert_eq!(got.impact.as_deref(), Some("HIGH"));
        assert_eq!(got.hgvs_c.as_deref(), Some("c.480dupT"));
        assert_eq!(got.hgvs_p.as_deref(), Some("p.Met161fs"));
    }

    #[test]
    fn bcsq_summary_derives_the_impact() {
        let s = store(
            "BCSQ",
            "Local consequence annotation from BCFtools/csq. Format: Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change",
            &[Some(
                "synonymous|OR4F5|ENST1|protein_coding|+|60S|69270A>G,missense|OR4F5|ENST2|protein_coding|+|113F>113C|69428T>G,@69270",
            )],
        );
        let got = summarize(&s, &schemas(&s)[0], 0).unwrap();
        assert_eq!(got.gene.as_deref(), Some("OR4F5"));
        assert_eq!(got.consequence.as_deref(), Some("missense"));
        assert_eq!(got.impact.as_deref(), Some("MODERATE"));
        assert_eq!(got.hgvs_p, None);
    }

    #[test]
    fn legacy_eff_entries() {
        let s = store(
            "EFF",
            "Predicted effects for this variant.Format: 'Effect ( Effect_Impact | Functional_Class | Codon_Change | Amino_Acid_change| Amino_Acid_length | Gene_Name | Gene_BioType | Coding | Transcript | Exon [ | ERRORS | WARNINGS ] )'",
            &[Some(
                "DOWNSTREAM(MODIFIER||||85|FAM138A|protein_coding|CODING|ENST1|),NON_SYNONYMOUS_CODING(MODERATE|MISSENSE|Aca/Gca|p.Thr324Ala/c.970A>G|400|GENE2|protein_coding|CODING|ENST2|5)",
            )],
        );
        let schema = &schemas(&s)[0];
        let got = summarize(&s, schema, 0).unwrap();
        assert_eq!(got.gene.as_deref(), Some("GENE2"));
        assert_eq!(got.consequence.as_deref(), Some("NON_SYNONYMOUS_CODING"));
        assert_eq!(got.impact.as_deref(), Some("MODERATE"));
        assert_eq!(got.hgvs_p.as_deref(), Some("p.Thr324Ala"));
        assert_eq!(got.hgvs_c.as_deref(), Some("c.970A>G"));
        let gene = Column::extract(&s, schema, schema.index_of("Gene_Name").unwrap());
        assert_eq!(
            gene.row(0)
                .iter()
                .map(|&i| gene.text(i))
                .collect::<Vec<_>>(),
            ["FAM138A", "GENE2"]
        );
    }

    #[test]
    fn malformed_values_do_not_panic() {
        let s = store(
            "CSQ",
            VEP,
            &[
                Some(","),
                Some("|||||||||||||||||||||||"),
                Some("%"),
                Some("T|%E2%82|%|\u{00e9}"),
                Some("."),
            ],
        );
        let schema = &schemas(&s)[0];
        for i in 0..s.len() {
            let _ = summarize(&s, schema, i);
            for k in 0..12 {
                let _ = Column::extract(&s, schema, k);
            }
        }
        assert_eq!(summarize(&s, schema, 4), None);
        assert_eq!(summarize(&s, schema, 0), Some(Summary::default()));
        let c = Column::extract(&s, schema, 2);
        assert_eq!(c.text(c.row(3)[0]), "%");
    }

    /// Random annotation text under VEP, SnpEff and EFF layouts: never a panic, and one id per
    /// entry in every column.
    #[test]
    fn random_values_never_panic() {
        let eff =
            "Predicted effects. Format: 'Effect ( Effect_Impact | Amino_Acid_Change | Gene_Name )'";
        let alphabet = b"||,,&%2C.(A)_e\xff";
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut values = Vec::new();
        for _ in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 48) as usize;
            let v: Vec<u8> = (0..len)
                .map(|k| alphabet[((seed >> (k % 61)) as usize + k) % alphabet.len()])
                .collect();
            values.push(String::from_utf8_lossy(&v).into_owned());
        }
        let refs: Vec<Option<&str>> = values.iter().map(|v| Some(v.as_str())).collect();
        for description in [VEP, ANN, eff] {
            let s = store("X", description, &refs);
            let schema = &schemas(&s)[0];
            let summarizer = Summarizer::new(&s, schema);
            let first = Column::extract(&s, schema, 0);
            let counts: Vec<usize> = (0..s.len())
                .map(|i| {
                    let _ = summarizer.summarize(i);
                    first.row(i).len()
                })
                .collect();
            for k in 0..schema.subfields.len() + 2 {
                let c = Column::extract(&s, schema, k);
                for (i, &n) in counts.iter().enumerate() {
                    assert_eq!(c.row(i).len(), n);
                }
            }
        }
    }

    #[test]
    fn helpers_name_terms_and_impacts() {
        assert_eq!(
            most_severe("intron_variant&stop_gained"),
            Some("stop_gained")
        );
        assert_eq!(impact("synonymous_variant"), Some("LOW"));
        assert_eq!(
            ensembl_term("NON_SYNONYMOUS_CODING"),
            Some("missense_variant")
        );
        assert_eq!(ensembl_term("frameshift"), Some("frameshift_variant"));
    }
}
