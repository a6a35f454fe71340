//! The variant detail: everything one record holds, in the form the app's detail panel shows —
//! every INFO field present with its header declaration (Number, Type, Description), the
//! FORMAT fields with theirs and each sample's values, each sample's genotype, AD, DP, GQ and
//! allele balance, and every transcript of each annotation field (VEP `CSQ`, SnpEff `ANN` /
//! `EFF`, bcftools `BCSQ`) as a table, canonical / MANE transcripts first and the most severe
//! marked.
//!
//! Main types: [`RecordDetail`] (serde: it crosses from the worker to the page), built by
//! [`record_detail`]; [`Declaration`], [`InfoValue`], [`SampleDetail`], [`Transcripts`],
//! [`Transcript`].
//!
//! Where it sits: after ingest, beside [`crate::annotation`] (whose layouts, entry splitting and
//! consequence ranking it reads through) and [`crate::classification::prefill`]; the app's
//! worker calls it for the record a person opens. Values are shown as the file has them (the
//! store's VCF text of each value); only the allele balance is computed.

use crate::annotation::{self, Schema};
use crate::store::{Field, ValueType, VariantStore};

/// A field's header declaration (VCF 4.3 §1.4.2 INFO, §1.4.4 FORMAT).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Declaration {
    pub key: String,
    /// `Number=` as written (`1`, `A`, `R`, `G`, `.`).
    pub number: String,
    /// `Type=`: `Integer`, `Float`, `Flag`, `Character`, `String`.
    pub ty: String,
    pub description: String,
    /// Whether the header declared it (an undeclared field is read as a String).
    pub declared: bool,
}

impl Declaration {
    fn of(field: &Field) -> Self {
        Declaration {
            key: field.key.clone(),
            number: field.number.clone(),
            ty: type_name(field.ty).to_string(),
            description: field.description.clone(),
            declared: field.declared,
        }
    }
}

fn type_name(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Integer => "Integer",
        ValueType::Float => "Float",
        ValueType::Flag => "Flag",
        ValueType::Character => "Character",
        ValueType::String => "String",
    }
}

/// One INFO field of the record and its value as VCF text (empty for a Flag).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InfoValue {
    pub field: Declaration,
    pub value: String,
}

/// One sample's call: the genotype, the usual depth fields and every FORMAT value.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleDetail {
    pub name: String,
    /// `GT` as VCF text (`0/1`, `1|2`, `./.`).
    pub genotype: String,
    pub ad: Option<String>,
    pub dp: Option<String>,
    pub gq: Option<String>,
    /// Per alternate allele (in ALT order), its `AD` share of the sample's total `AD`; `None`
    /// where AD is missing for it or the total is 0. Empty when the sample has no `AD`.
    pub allele_balance: Vec<Option<f64>>,
    /// One value per [`RecordDetail::format`] field (`None`: missing for this sample).
    pub values: Vec<Option<String>>,
}

/// One transcript (annotation entry).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    /// One value per [`Transcripts::columns`], percent-decoded; `""` when missing.
    pub values: Vec<String>,
    /// VEP `CANONICAL=YES`.
    pub canonical: bool,
    /// VEP `MANE_SELECT` / `MANE` (or `MANE_PLUS_CLINICAL`) set.
    pub mane: bool,
    /// Its consequence is the record's most severe ([`annotation::severity`]).
    pub most_severe: bool,
    /// Its place among the field's entries as written (0-based).
    pub entry: u32,
}

/// Every transcript of one annotation field of the record: MANE first, then canonical, then
/// the rest, each group in the order written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transcripts {
    /// The INFO key (`CSQ`, `ANN`, `BCSQ`, …).
    pub tag: String,
    /// The sub-field names, as the header declares them.
    pub columns: Vec<String>,
    pub rows: Vec<Transcript>,
}

/// One record in full, for the variant detail.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordDetail {
    /// Its index in the store's file order.
    pub record: u64,
    pub chrom: String,
    pub pos: u64,
    pub id: String,
    pub reference: String,
    /// The ALT column as written (comma-joined, `.` when none).
    pub alt: String,
    pub qual: Option<f64>,
    pub filter: String,
    /// INFO fields the record has, in the header's order.
    pub info: Vec<InfoValue>,
    /// FORMAT fields (but `GT`) any sample has a value for in this record.
    pub format: Vec<Declaration>,
    pub samples: Vec<SampleDetail>,
    /// One table per annotation field the record carries.
    pub transcripts: Vec<Transcripts>,
}

impl RecordDetail {
    /// The ALT alleles, in order (none for `.`).
    pub fn alts(&self) -> Vec<&str> {
        if self.alt == "." || self.alt.is_empty() {
            Vec::new()
        } else {
            self.alt.split(',').collect()
        }
    }
}

/// Record `record` of `store` in full; `schemas` are the annotation layouts to read
/// transcripts through ([`annotation::schemas`]). `None` when the store has no such record.
pub fn record_detail(
    store: &VariantStore,
    record: usize,
    schemas: &[Schema],
) -> Option<RecordDetail> {
    if record >= store.len() {
        return None;
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let dot = |b: &[u8]| {
        if b.is_empty() {
            ".".to_string()
        } else {
            text(b)
        }
    };
    let info = store
        .info
        .iter()
        .filter_map(|f| {
            f.data.format(record).map(|value| InfoValue {
                field: Declaration::of(f),
                value,
            })
        })
        .collect();
    let n = store.samples().len();
    let cell = |f: &Field, s: usize| f.data.format(record * n + s).filter(|v| v != ".");
    let format: Vec<&Field> = store
        .format
        .iter()
        .filter(|f| f.key != "GT" && (0..n).any(|s| cell(f, s).is_some()))
        .collect();
    let alts = store.alts(record);
    let n_alts = if alts.is_empty() || alts == b"." {
        0
    } else {
        alts.split(|&b| b == b',').count()
    };
    let value_of = |key: &str, s: usize| store.format.get(key).and_then(|f| cell(f, s));
    let samples = store
        .samples()
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let ad = value_of("AD", s);
            SampleDetail {
                name: name.clone(),
                genotype: store.genotype_text(record, s),
                allele_balance: ad
                    .as_deref()
                    .map(|ad| allele_balance(ad, n_alts))
                    .unwrap_or_default(),
                ad,
                dp: value_of("DP", s),
                gq: value_of("GQ", s),
                values: format.iter().map(|f| cell(f, s)).collect(),
            }
        })
        .collect();
    Some(RecordDetail {
        record: record as u64,
        chrom: store.chrom(record).to_string(),
        pos: store.pos(record),
        id: dot(&store.id(record)),
        reference: text(store.reference(record)),
        alt: dot(alts),
        qual: store.qual(record).map(f64::from),
        filter: store.filter_text(record),
        info,
        format: format.into_iter().map(Declaration::of).collect(),
        samples,
        transcripts: schemas
            .iter()
            .filter_map(|schema| transcripts(store, record, schema))
            .collect(),
    })
}

/// Each alternate allele's share of the total depth in `AD` (`Number=R`: the reference's
/// depth, then one per ALT; VCF 4.3 §1.6.2). Missing depths (`.`) count as none; a total of 0
/// gives no balance.
pub fn allele_balance(ad: &str, n_alts: usize) -> Vec<Option<f64>> {
    let depths: Vec<Option<u64>> = ad.split(',').map(|v| v.trim().parse().ok()).collect();
    let total: u64 = depths.iter().flatten().sum();
    (1..=n_alts)
        .map(|k| {
            let depth = depths.get(k).copied().flatten()?;
            (total > 0).then(|| depth as f64 / total as f64)
        })
        .collect()
}

/// The record's entries of one annotation field; `None` when it has none.
fn transcripts(store: &VariantStore, record: usize, schema: &Schema) -> Option<Transcripts> {
    let column = annotation::text_column(store, &schema.tag)?;
    let raw = annotation::row(column, record);
    let legacy = schema.is_legacy_eff();
    let find = |names: &[&str]| names.iter().find_map(|n| schema.index_of(n));
    let consequence = find(&["Consequence", "Annotation", "Effect"]);
    let canonical = find(&["CANONICAL"]);
    let mane = [
        find(&["MANE_SELECT", "MANE"]),
        find(&["MANE_PLUS_CLINICAL"]),
    ];
    let mut rows: Vec<(Transcript, Option<u8>)> = Vec::new();
    for (entry, raw_entry) in annotation::entries(&raw).enumerate() {
        let mut values: Vec<String> = annotation::fields(raw_entry, legacy)
            .map(|v| annotation::value_text(v).unwrap_or_default())
            .collect();
        values.resize(schema.subfields.len().max(values.len()), String::new());
        let at = |i: Option<usize>| i.and_then(|i| values.get(i)).map(String::as_str);
        let rank = at(consequence).and_then(annotation::severity);
        let transcript = Transcript {
            canonical: at(canonical) == Some("YES"),
            mane: mane.iter().any(|&m| at(m).is_some_and(|v| !v.is_empty())),
            most_severe: false,
            entry: u32::try_from(entry).unwrap_or(u32::MAX),
            values,
        };
        rows.push((transcript, rank));
    }
    if rows.is_empty() {
        return None;
    }
    // The record's most severe consequence (Ensembl's order; `annotation::Summarizer` shows the
    // same one in the table): every transcript that carries it is marked.
    if let Some(best) = rows.iter().filter_map(|(_, r)| *r).min() {
        for (t, rank) in &mut rows {
            t.most_severe = *rank == Some(best);
        }
    }
    let mut rows: Vec<Transcript> = rows.into_iter().map(|(t, _)| t).collect();
    rows.sort_by_key(|t| (!t.mane, !t.canonical));
    Some(Transcripts {
        tag: schema.tag.clone(),
        columns: schema.subfields.iter().map(|s| s.name.clone()).collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::schemas;
    use crate::progress::Silent;

    const VCF: &str = "##fileformat=VCFv4.3\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Total depth\">\n\
##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbSNP membership\">\n\
##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n\
##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|CANONICAL|MANE_SELECT\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n\
##contig=<ID=1>\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tMUM\n\
1\t100\trs1\tA\tT\t50\tPASS\tDP=30;DB;AF=0.5;CSQ=T|intron_variant|MODIFIER|GENE1|ENST1||,T|stop_gained|HIGH|GENE1|ENST2||,T|missense_variant|MODERATE|GENE1|ENST3|YES|NM_3.1\tGT:AD:DP:GQ\t0/1:6,4:10:40\t0/0:10,0:10:60\n\
1\t200\t.\tG\tC,T\t.\t.\tDP=12\tGT:AD:DP\t1/2:2,3,5:10\t./.:.:.\n";

    fn store() -> VariantStore {
        crate::read_dataset(VCF.as_bytes(), None, &mut Silent)
            .unwrap()
            .store
    }

    #[test]
    fn info_fields_carry_their_declarations_and_values_as_written() {
        let s = store();
        let d = record_detail(&s, 0, &schemas(&s)).unwrap();
        let keys: Vec<&str> = d.info.iter().map(|v| v.field.key.as_str()).collect();
        assert_eq!(keys, ["DP", "DB", "AF", "CSQ"]);
        let dp = &d.info[0];
        assert_eq!(
            (dp.field.number.as_str(), dp.field.ty.as_str()),
            ("1", "Integer")
        );
        assert_eq!(dp.field.description, "Total depth");
        assert_eq!(dp.value, "30");
        assert_eq!(d.info[1].field.ty, "Flag");
        assert_eq!(d.info[2].value, "0.5");
        let formats: Vec<&str> = d.format.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(formats, ["AD", "DP", "GQ"]);
        assert_eq!(d.format[0].description, "Allelic depths");
        assert_eq!(
            (d.chrom.as_str(), d.pos, d.id.as_str(), d.alt.as_str()),
            ("1", 100, "rs1", "T")
        );
        assert_eq!(d.filter, "PASS");
        // The second record lacks what it lacks: no Flag, no GQ column.
        let d = record_detail(&s, 1, &schemas(&s)).unwrap();
        assert_eq!(d.info.len(), 1);
        assert!(d.format.iter().all(|f| f.key != "GQ"));
        assert!(d.transcripts.is_empty());
        assert_eq!(d.qual, None);
    }

    #[test]
    fn transcripts_put_mane_and_canonical_first_and_mark_the_most_severe() {
        let s = store();
        let d = record_detail(&s, 0, &schemas(&s)).unwrap();
        let [t] = &d.transcripts[..] else {
            panic!("one annotation field: {:?}", d.transcripts)
        };
        assert_eq!(t.tag, "CSQ");
        assert_eq!(t.columns[1], "Consequence");
        let features: Vec<&str> = t.rows.iter().map(|r| r.values[4].as_str()).collect();
        assert_eq!(
            features,
            ["ENST3", "ENST1", "ENST2"],
            "MANE first, then as written"
        );
        assert!(t.rows[0].mane && t.rows[0].canonical);
        let marked: Vec<&str> = t
            .rows
            .iter()
            .filter(|r| r.most_severe)
            .map(|r| r.values[4].as_str())
            .collect();
        assert_eq!(
            marked,
            ["ENST2"],
            "stop_gained outranks missense and intron"
        );
        assert_eq!(t.rows[2].entry, 1);
    }

    #[test]
    fn allele_balance_is_each_alt_depth_over_the_total() {
        let s = store();
        let d = record_detail(&s, 0, &schemas(&s)).unwrap();
        let kid = &d.samples[0];
        assert_eq!(kid.name, "KID");
        assert_eq!(kid.genotype, "0/1");
        assert_eq!(
            (kid.ad.as_deref(), kid.dp.as_deref(), kid.gq.as_deref()),
            (Some("6,4"), Some("10"), Some("40"))
        );
        assert_eq!(kid.allele_balance, [Some(0.4)]);
        assert_eq!(d.samples[1].allele_balance, [Some(0.0)]);
        assert_eq!(kid.values.len(), d.format.len());
    }

    #[test]
    fn multi_allelic_records_give_one_balance_per_alt() {
        let s = store();
        let d = record_detail(&s, 1, &schemas(&s)).unwrap();
        assert_eq!(d.alts(), ["C", "T"]);
        assert_eq!(d.samples[0].genotype, "1/2");
        assert_eq!(d.samples[0].allele_balance, [Some(0.3), Some(0.5)]);
        // A missing AD gives no balance, and the missing values stay missing.
        assert_eq!(d.samples[1].ad, None);
        assert!(d.samples[1].allele_balance.is_empty());
        assert!(d.samples[1].values.iter().all(Option::is_none));
    }

    #[test]
    fn balance_of_odd_depths() {
        assert_eq!(allele_balance("0,0", 1), [None]);
        assert_eq!(allele_balance(".,5", 1), [Some(1.0)]);
        assert_eq!(allele_balance("5", 2), [None, None]);
        assert_eq!(allele_balance("x,y", 1), [None]);
    }

    #[test]
    fn a_record_outside_the_store_has_no_detail() {
        let s = store();
        assert_eq!(record_detail(&s, 2, &schemas(&s)), None);
        assert_eq!(record_detail(&s, usize::MAX, &[]), None);
    }
}
