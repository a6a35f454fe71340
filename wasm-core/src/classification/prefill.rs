//! Pre-fills: the criteria one record's own data supports, as suggestions a person confirms or
//! changes in the criteria grid. Each [`Prefill`] names the field and the value it read.
//!
//! - **PVS1 candidate** from a loss-of-function consequence of the most severe transcript
//!   (annotation [`Summarizer`]: `transcript_ablation`, `splice_acceptor_variant`,
//!   `splice_donor_variant`, `stop_gained`, `frameshift_variant`, `start_lost`, and the SnpEff /
//!   BCSQ names of the same terms). Always a candidate: the PVS1 decision tree (Abou Tayoun et
//!   al. 2018) needs facts a VCF rarely has — NMD, the exon's place, alternative transcripts,
//!   whether loss of function is the disease mechanism. `start_lost` is offered at moderate,
//!   the tree's usual answer for an initiation codon. The entries of every ALT allele of a
//!   multi-allelic record are read together.
//! - **Population frequency** from the fields [`PrefillParams::population_fields`] names, as
//!   INFO keys and as annotation sub-fields (VEP's `gnomADe_AF`, `gnomADg_AF`, …; the file's
//!   own `INFO/AF` is the cohort, never a population): the highest value read decides. Above
//!   [`PrefillParams::ba1_min_af`] (0.05, Richards et al. 2015) BA1; above
//!   [`PrefillParams::bs1_min_af`] (disease-specific, none by default) BS1; at or below
//!   [`PrefillParams::pm2_max_af`], or absent from every such field the file declares, PM2 at
//!   supporting (SVI PM2 recommendation v1.0, 2020). A file that declares no population field
//!   gives no frequency pre-fill: a missing field is not an absent allele.
//! - **De novo** from the family analysis ([`FamilyEvidence`], built from
//!   [`crate::inheritance`] explanations): PS2 when the caller confirms parentage (the pedigree
//!   check found no parentage warning), else PM6 (Richards et al. 2015; "possible" verdicts
//!   are not pre-filled).

use crate::annotation::{self, Schema, Summarizer};
use crate::inheritance::{Explanation, Mode, Verdict};
use crate::store::{ColumnData, FLOAT_MISSING, VariantStore, format_float};

use super::criteria::{Applied, Criterion, Strength};

/// One field read and the value it held (`.` for a missing value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// `INFO/CSQ:Consequence`, `INFO/gnomAD_AF`, `inheritance:de-novo`, `pedigree-check`.
    pub field: String,
    pub value: String,
}

impl Evidence {
    fn new(field: impl Into<String>, value: impl Into<String>) -> Self {
        Evidence {
            field: field.into(),
            value: value.into(),
        }
    }
}

/// A suggested criterion: always a suggestion, never applied without the person.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prefill {
    pub applied: Applied,
    /// What was read, field by field.
    pub evidence: Vec<Evidence>,
    /// Why the data supports it and what a person must still check.
    pub note: String,
    /// A candidate only (PVS1): the file cannot decide it.
    pub candidate: bool,
}

/// Thresholds and fields for the frequency pre-fills (parameters the app may expose).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PrefillParams {
    /// Population allele-frequency fields, looked up as INFO keys and as annotation sub-fields.
    pub population_fields: Vec<String>,
    /// PM2_Supporting at or below this frequency (absence included).
    pub pm2_max_af: f64,
    /// BA1 above this frequency.
    pub ba1_min_af: f64,
    /// BS1 above this frequency; disease-specific, so none unless the caller sets one.
    pub bs1_min_af: Option<f64>,
}

impl Default for PrefillParams {
    /// gnomAD's fields as VEP and bcftools annotate name them; PM2 at ≤ 0.0001 (1 in 10,000, a
    /// common dominant-disorder threshold of ClinGen VCEPs; recessive disorders want a
    /// disease-specific one); BA1 above 0.05.
    fn default() -> Self {
        PrefillParams {
            population_fields: [
                "gnomAD_AF",
                "gnomADe_AF",
                "gnomADg_AF",
                "gnomad_AF",
                "gnomAD_exomes_AF",
                "gnomAD_genomes_AF",
                "MAX_AF",
            ]
            .map(String::from)
            .to_vec(),
            pm2_max_af: 0.0001,
            ba1_min_af: 0.05,
            bs1_min_af: None,
        }
    }
}

/// A de novo call of the family analysis for this record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeNovoCall {
    pub mode: Mode,
    pub family: String,
    /// The alternate allele (1-based).
    pub allele: u32,
}

/// What the family analysis says about one record.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FamilyEvidence {
    /// `de-novo` / `x-de-novo` explanations that fit.
    pub de_novo: Vec<DeNovoCall>,
    /// The pedigree check found no parentage warning for the families (the caller decides).
    pub parentage_confirmed: bool,
}

impl FamilyEvidence {
    /// From a record's explanations ([`crate::inheritance::Analysis::explain_row`] with the de
    /// novo modes): the fitting de novo ones.
    pub fn from_explanations(explanations: &[Explanation], parentage_confirmed: bool) -> Self {
        FamilyEvidence {
            de_novo: explanations
                .iter()
                .filter(|e| matches!(e.mode, Mode::DeNovo | Mode::XDeNovo))
                .filter(|e| e.verdict == Verdict::Fits)
                .map(|e| DeNovoCall {
                    mode: e.mode,
                    family: e.family.clone(),
                    allele: e.allele,
                })
                .collect(),
            parentage_confirmed,
        }
    }
}

/// The Ensembl loss-of-function terms PVS1 covers, with the strength offered.
const LOSS_OF_FUNCTION: [(&str, Strength); 6] = [
    ("transcript_ablation", Strength::VeryStrong),
    ("splice_acceptor_variant", Strength::VeryStrong),
    ("splice_donor_variant", Strength::VeryStrong),
    ("stop_gained", Strength::VeryStrong),
    ("frameshift_variant", Strength::VeryStrong),
    // PVS1 decision tree, initiation codon: moderate unless more is known.
    ("start_lost", Strength::Moderate),
];

/// The pre-fills record `record` supports, in criterion order. `annotation` is the layout the
/// app reads transcripts through (CSQ, ANN or BCSQ); `None` reads only INFO fields. A record
/// outside the store gives none.
pub fn prefill(
    store: &VariantStore,
    record: usize,
    annotation: Option<&Schema>,
    family: &FamilyEvidence,
    params: &PrefillParams,
) -> Vec<Prefill> {
    if record >= store.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(schema) = annotation {
        out.extend(loss_of_function(store, record, schema));
    }
    out.extend(population(store, record, annotation, params));
    out.extend(de_novo(family));
    out.sort_by_key(|p| p.applied.criterion);
    out
}

fn loss_of_function(store: &VariantStore, record: usize, schema: &Schema) -> Option<Prefill> {
    let summary = Summarizer::new(store, schema).summarize(record)?;
    let consequence = summary.consequence.as_deref()?;
    let term = annotation::ensembl_term(consequence)?;
    let &(_, strength) = LOSS_OF_FUNCTION.iter().find(|(t, _)| *t == term)?;
    let name = schema
        .index_of("Consequence")
        .or_else(|| schema.index_of("Annotation"))
        .and_then(|i| schema.subfields.get(i))
        .map_or("Effect", |s| s.name.as_str());
    let mut evidence = vec![Evidence::new(
        format!("INFO/{}:{}", schema.tag, name),
        consequence,
    )];
    if let Some(impact_field) = ["IMPACT", "Annotation_Impact", "Effect_Impact"]
        .into_iter()
        .find(|n| schema.index_of(n).is_some())
        && let Some(impact) = &summary.impact
    {
        evidence.push(Evidence::new(
            format!("INFO/{}:{}", schema.tag, impact_field),
            impact.as_str(),
        ));
    }
    if let Some(gene) = &summary.gene
        && let Some(field) = gene_field(store, record, schema, gene)
    {
        evidence.push(Evidence::new(
            format!("INFO/{}:{field}", schema.tag),
            gene.as_str(),
        ));
    }
    let applied = Criterion::PVS1.at(strength).ok()?;
    Some(Prefill {
        applied,
        evidence,
        note: format!(
            "candidate: {term} in the most severe transcript; confirm with the PVS1 decision \
             tree (loss of function as the disease mechanism, NMD, exon and transcript \
             relevance), which the file cannot answer"
        ),
        candidate: true,
    })
}

/// The sub-field the summary's gene came from: the first of the Summarizer's gene names
/// (symbol, then id) whose values in this record include it.
fn gene_field<'s>(
    store: &VariantStore,
    record: usize,
    schema: &'s Schema,
    gene: &str,
) -> Option<&'s str> {
    let text = annotation::text_column(store, &schema.tag)?;
    let row = annotation::row(text, record);
    let mut scratch = Vec::new();
    ["SYMBOL", "Gene_Name", "gene", "Gene", "Gene_ID"]
        .into_iter()
        .filter_map(|name| Some((name, schema.index_of(name)?)))
        .find(|&(_, index)| {
            let mut found = false;
            annotation::for_each_value(&row, index, schema.is_legacy_eff(), |raw| {
                scratch.clear();
                annotation::decode_into(raw, &mut scratch);
                found |= scratch == gene.as_bytes();
            });
            found
        })
        .and_then(|(_, index)| schema.subfields.get(index))
        .map(|s| s.name.as_str())
}

/// Frequencies read: every declared field, its values for this record (empty = missing).
fn population(
    store: &VariantStore,
    record: usize,
    annotation: Option<&Schema>,
    params: &PrefillParams,
) -> Option<Prefill> {
    let mut read: Vec<(String, Vec<Number>)> = Vec::new();
    for name in &params.population_fields {
        if let Some(values) = info_values(store, record, name) {
            read.push((format!("INFO/{name}"), values));
        }
        if let Some(schema) = annotation
            && let Some(values) = subfield_values(store, record, schema, name)
        {
            read.push((format!("INFO/{}:{name}", schema.tag), values));
        }
    }
    if read.is_empty() {
        return None;
    }
    let highest = read
        .iter()
        .flat_map(|(_, v)| v.iter().map(|n| n.0))
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    let evidence = read
        .iter()
        .map(|(field, values)| {
            let value = if values.is_empty() {
                ".".to_string()
            } else {
                values
                    .iter()
                    .map(|n| n.1.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            Evidence::new(field.clone(), value)
        })
        .collect();
    let (criterion, strength, note) = match highest {
        None => (
            Criterion::PM2,
            Strength::Supporting,
            "absent from every population frequency field the file declares; applied at \
             supporting (ClinGen SVI PM2 recommendation, 2020)"
                .to_string(),
        ),
        Some(af) if af > params.ba1_min_af => (
            Criterion::BA1,
            Strength::StandAlone,
            format!("highest population frequency {af} > {}", params.ba1_min_af),
        ),
        Some(af) if params.bs1_min_af.is_some_and(|t| af > t) => (
            Criterion::BS1,
            Strength::Strong,
            format!(
                "highest population frequency {af} > {} (the disorder's threshold)",
                params.bs1_min_af.unwrap_or_default()
            ),
        ),
        Some(af) if af <= params.pm2_max_af => (
            Criterion::PM2,
            Strength::Supporting,
            format!(
                "highest population frequency {af} ≤ {}; applied at supporting (ClinGen SVI \
                 PM2 recommendation, 2020)",
                params.pm2_max_af
            ),
        ),
        Some(_) => return None,
    };
    Some(Prefill {
        applied: criterion.at(strength).ok()?,
        evidence,
        note,
        candidate: false,
    })
}

/// A frequency read, and its text as the file writes it (the evidence shows the text).
struct Number(f64, String);

/// A number from text; missing, non-numeric and non-finite values are skipped.
fn parse_number(s: &str) -> Option<Number> {
    let s = s.trim();
    let x = s.parse::<f64>().ok().filter(|x| x.is_finite())?;
    Some(Number(x, s.to_string()))
}

/// The values of INFO field `name` at `record` (`None` when the header does not declare it).
fn info_values(store: &VariantStore, record: usize, name: &str) -> Option<Vec<Number>> {
    let field = store.info.get(name)?;
    let mut out = Vec::new();
    match &field.data {
        ColumnData::Float(lists) if record < lists.len() => {
            out.extend(
                lists
                    .get(record)
                    .iter()
                    .filter(|&&b| b != FLOAT_MISSING && f32::from_bits(b).is_finite())
                    // Compared as the decimal the file wrote: 0.05 as an f32 widens to
                    // 0.0500000007, which would pass BA1's "> 0.05".
                    .filter_map(|&b| parse_number(&format_float(b))),
            );
        }
        ColumnData::Text(text) => {
            let raw = annotation::row(text, record);
            out.extend(
                String::from_utf8_lossy(&raw)
                    .split([',', '&'])
                    .filter_map(parse_number),
            );
        }
        // Integers and flags are not frequencies.
        _ => {}
    }
    Some(out)
}

/// The values of annotation sub-field `name` over the record's entries (`None` when the layout
/// has no such sub-field; VEP joins co-located values with `&`).
fn subfield_values(
    store: &VariantStore,
    record: usize,
    schema: &Schema,
    name: &str,
) -> Option<Vec<Number>> {
    let index = schema.index_of(name)?;
    let text = annotation::text_column(store, &schema.tag)?;
    let row = annotation::row(text, record);
    if annotation::is_missing(&row) {
        // A record the annotator did not reach says nothing about population databases.
        return None;
    }
    let mut out = Vec::new();
    let mut scratch = Vec::new();
    annotation::for_each_value(&row, index, schema.is_legacy_eff(), |raw| {
        scratch.clear();
        annotation::decode_into(raw, &mut scratch);
        out.extend(
            String::from_utf8_lossy(&scratch)
                .split('&')
                .filter_map(parse_number),
        );
    });
    Some(out)
}

fn de_novo(family: &FamilyEvidence) -> Option<Prefill> {
    let evidence: Vec<Evidence> = family
        .de_novo
        .iter()
        .map(|d| {
            Evidence::new(
                format!("inheritance:{}", d.mode.name()),
                format!("fits in family {} (allele {})", d.family, d.allele),
            )
        })
        .collect();
    if evidence.is_empty() {
        return None;
    }
    let mut evidence = evidence;
    let (applied, note) = if family.parentage_confirmed {
        evidence.push(Evidence::new("pedigree-check", "no parentage warning"));
        (
            Criterion::PS2.applied(),
            "de novo with parentage confirmed by the pedigree check; PS2 also asks that the \
             patient has the disease and no family history",
        )
    } else {
        evidence.push(Evidence::new("pedigree-check", "parentage not confirmed"));
        (
            Criterion::PM6.applied(),
            "de novo without confirmed parentage (assumed de novo)",
        )
    };
    Some(Prefill {
        applied,
        evidence,
        note: note.to_string(),
        candidate: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::schemas;
    use crate::store::ValueType;

    const VEP: &str = "Consequence annotations from Ensembl VEP. Format: \
        Allele|Consequence|IMPACT|SYMBOL|Feature|gnomADe_AF|gnomADg_AF";

    /// One record per `(csq, gnomAD_AF)`; `None` leaves the field out of the record.
    fn store(rows: &[(Option<&str>, Option<f32>)]) -> VariantStore {
        let mut s = VariantStore::new(vec![]);
        s.info.declare("CSQ", ".", ValueType::String, VEP);
        s.info
            .declare("gnomAD_AF", "A", ValueType::Float, "gnomAD AF");
        let c = s.contig_id("1");
        let csq = s.info.index_of("CSQ").unwrap();
        let af = s.info.index_of("gnomAD_AF").unwrap();
        for (k, (text, value)) in rows.iter().enumerate() {
            s.begin_record(c, 100 + k as u64, b"", b"A", b"T", FLOAT_MISSING, &[])
                .unwrap();
            if let Some(t) = text {
                s.set_info_text(csq, t.as_bytes()).unwrap();
            }
            if let Some(v) = value {
                s.set_info_floats(af, &[v.to_bits()]).unwrap();
            }
            s.end_record();
        }
        s
    }

    fn run(
        s: &VariantStore,
        i: usize,
        family: &FamilyEvidence,
        params: &PrefillParams,
    ) -> Vec<Prefill> {
        let schema = &schemas(s)[0];
        prefill(s, i, Some(schema), family, params)
    }

    fn field<'a>(p: &'a Prefill, name: &str) -> Option<&'a str> {
        p.evidence
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.value.as_str())
    }

    #[test]
    fn pvs1_candidate_from_the_most_severe_transcript() {
        let s = store(&[
            (
                Some("T|intron_variant|MODIFIER|GENE|ENST1||,T|stop_gained|HIGH|GENE|ENST2||"),
                Some(0.0),
            ),
            (Some("T|start_lost|HIGH|GENE|ENST1||"), Some(0.0)),
            (Some("T|stop_lost|HIGH|GENE|ENST1||"), Some(0.0)),
            (Some("T|missense_variant|MODERATE|GENE|ENST1||"), Some(0.0)),
        ]);
        let none = FamilyEvidence::default();
        let params = PrefillParams::default();
        let got = run(&s, 0, &none, &params);
        let pvs1 = got
            .iter()
            .find(|p| p.applied.criterion == Criterion::PVS1)
            .unwrap();
        assert!(pvs1.candidate);
        assert_eq!(pvs1.applied.strength, Strength::VeryStrong);
        assert_eq!(field(pvs1, "INFO/CSQ:Consequence"), Some("stop_gained"));
        assert_eq!(field(pvs1, "INFO/CSQ:IMPACT"), Some("HIGH"));
        assert_eq!(field(pvs1, "INFO/CSQ:SYMBOL"), Some("GENE"));
        // start_lost: moderate, as the decision tree's initiation-codon branch.
        let got = run(&s, 1, &none, &params);
        assert_eq!(
            got[0].applied,
            Criterion::PVS1.at(Strength::Moderate).unwrap()
        );
        // stop_lost is HIGH impact but not loss of function (PM4's case); missense neither.
        for i in [2, 3] {
            assert!(
                run(&s, i, &none, &params)
                    .iter()
                    .all(|p| p.applied.criterion != Criterion::PVS1)
            );
        }
    }

    /// SnpEff `ANN` and bcftools `BCSQ` name their own sub-fields; BCSQ has no impact field, so
    /// none is named.
    #[test]
    fn pvs1_evidence_names_each_layouts_fields() {
        let layouts = [
            (
                "ANN",
                "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | \
                 Gene_ID | Feature_Type | Feature_ID'",
                "T|frameshift_variant|HIGH|GENE||transcript|NM_1",
                &[
                    ("INFO/ANN:Annotation", "frameshift_variant"),
                    ("INFO/ANN:Annotation_Impact", "HIGH"),
                    ("INFO/ANN:Gene_Name", "GENE"),
                ][..],
            ),
            (
                "BCSQ",
                "Local consequence annotation from BCFtools/csq. Format: \
                 Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change",
                "stop_gained|GENE|ENST1|protein_coding|+|5Q>5*|100C>T",
                &[
                    ("INFO/BCSQ:Consequence", "stop_gained"),
                    ("INFO/BCSQ:gene", "GENE"),
                ][..],
            ),
        ];
        for (tag, description, value, want) in layouts {
            let mut s = VariantStore::new(vec![]);
            s.info.declare(tag, ".", ValueType::String, description);
            let c = s.contig_id("1");
            let f = s.info.index_of(tag).unwrap();
            s.begin_record(c, 1, b"", b"A", b"T", FLOAT_MISSING, &[])
                .unwrap();
            s.set_info_text(f, value.as_bytes()).unwrap();
            s.end_record();
            let got = run(&s, 0, &FamilyEvidence::default(), &PrefillParams::default());
            assert_eq!(got.len(), 1, "{tag}: {got:?}");
            assert_eq!(got[0].applied, Criterion::PVS1.applied());
            let fields: Vec<(&str, &str)> = got[0]
                .evidence
                .iter()
                .map(|e| (e.field.as_str(), e.value.as_str()))
                .collect();
            assert_eq!(fields, want, "{tag}");
        }
    }

    #[test]
    fn frequencies_give_pm2_ba1_bs1_by_their_thresholds() {
        let s = store(&[
            (Some("T|missense_variant|MODERATE|G|E||"), None),
            (
                Some("T|missense_variant|MODERATE|G|E|0.00005|"),
                Some(0.00002),
            ),
            (Some("T|missense_variant|MODERATE|G|E|0.001|"), None),
            (Some("T|missense_variant|MODERATE|G|E|0.01|0.2"), None),
            (Some("T|missense_variant|MODERATE|G|E||"), Some(0.02)),
            (None, None),
        ]);
        let none = FamilyEvidence::default();
        let params = PrefillParams::default();
        let only = |i: usize, params: &PrefillParams| {
            let got = run(&s, i, &none, params);
            assert!(got.len() <= 1, "{got:?}");
            got.into_iter().next()
        };
        // Absent from the INFO field and both sub-fields: PM2_Supporting, each field named.
        let p = only(0, &params).unwrap();
        assert_eq!(p.applied.to_string(), "PM2_Supporting");
        assert_eq!(field(&p, "INFO/gnomAD_AF"), Some("."));
        assert_eq!(field(&p, "INFO/CSQ:gnomADe_AF"), Some("."));
        assert_eq!(field(&p, "INFO/CSQ:gnomADg_AF"), Some("."));
        // Rare (≤ 0.0001 in every field): PM2_Supporting with the values read.
        let p = only(1, &params).unwrap();
        assert_eq!(p.applied.to_string(), "PM2_Supporting");
        assert_eq!(field(&p, "INFO/CSQ:gnomADe_AF"), Some("0.00005"));
        // Between the thresholds: nothing.
        assert_eq!(only(2, &params), None);
        // Exactly 0.05 is not above BA1's threshold (an f32 widened would be).
        let edge = store(&[(None, Some(0.05))]);
        assert!(prefill(&edge, 0, None, &none, &params).is_empty());
        // The highest field decides: 0.2 > 0.05 is BA1.
        let p = only(3, &params).unwrap();
        assert_eq!(p.applied, Criterion::BA1.applied());
        assert_eq!(field(&p, "INFO/CSQ:gnomADg_AF"), Some("0.2"));
        // BS1 only with a threshold: 0.02 > 0.01.
        assert_eq!(only(4, &params), None);
        let bs1 = PrefillParams {
            bs1_min_af: Some(0.01),
            ..PrefillParams::default()
        };
        let p = only(4, &bs1).unwrap();
        assert_eq!(p.applied, Criterion::BS1.applied());
        assert_eq!(field(&p, "INFO/gnomAD_AF"), Some("0.02"));
        // A record without CSQ: only the INFO field is read, and it is missing.
        let p = only(5, &params).unwrap();
        assert_eq!(p.evidence.len(), 1);
        assert_eq!(field(&p, "INFO/gnomAD_AF"), Some("."));
        // The thresholds are parameters.
        let strict = PrefillParams {
            pm2_max_af: 0.0,
            ..PrefillParams::default()
        };
        assert_eq!(only(1, &strict), None);
        assert_eq!(only(0, &strict).unwrap().applied.criterion, Criterion::PM2);
    }

    #[test]
    fn no_population_field_no_frequency_prefill() {
        let mut s = VariantStore::new(vec![]);
        s.info
            .declare("AF", "A", ValueType::Float, "cohort allele frequency");
        let c = s.contig_id("1");
        s.begin_record(c, 1, b"", b"A", b"T", FLOAT_MISSING, &[])
            .unwrap();
        s.end_record();
        let got = prefill(
            &s,
            0,
            None,
            &FamilyEvidence::default(),
            &PrefillParams::default(),
        );
        assert!(got.is_empty(), "{got:?}");
        // A record outside the store: nothing, no panic.
        assert!(
            prefill(
                &s,
                7,
                None,
                &FamilyEvidence::default(),
                &PrefillParams::default()
            )
            .is_empty()
        );
    }

    #[test]
    fn de_novo_gives_ps2_with_parentage_else_pm6() {
        let s = store(&[(Some("T|missense_variant|MODERATE|G|E|0.01|"), None)]);
        let params = PrefillParams::default();
        let call = DeNovoCall {
            mode: Mode::DeNovo,
            family: "quartet".into(),
            allele: 1,
        };
        let mut family = FamilyEvidence {
            de_novo: vec![call],
            parentage_confirmed: true,
        };
        let got = run(&s, 0, &family, &params);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].applied, Criterion::PS2.applied());
        assert_eq!(
            field(&got[0], "inheritance:de-novo"),
            Some("fits in family quartet (allele 1)")
        );
        assert_eq!(
            field(&got[0], "pedigree-check"),
            Some("no parentage warning")
        );
        family.parentage_confirmed = false;
        let got = run(&s, 0, &family, &params);
        assert_eq!(got[0].applied, Criterion::PM6.applied());
        assert_eq!(
            field(&got[0], "pedigree-check"),
            Some("parentage not confirmed")
        );
    }

    #[test]
    fn malformed_frequencies_are_skipped_not_a_panic() {
        let s = store(&[
            (Some("T|stop_gained|HIGH|G|E|abc|NaN,T|x|%|"), None),
            (Some("|||||||||||||"), None),
            (Some(","), None),
        ]);
        for i in 0..s.len() {
            let _ = run(&s, i, &FamilyEvidence::default(), &PrefillParams::default());
        }
        let got = run(&s, 0, &FamilyEvidence::default(), &PrefillParams::default());
        let pm2 = got
            .iter()
            .find(|p| p.applied.criterion == Criterion::PM2)
            .unwrap();
        assert_eq!(field(pm2, "INFO/CSQ:gnomADe_AF"), Some("."));
    }
}
