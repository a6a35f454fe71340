//! Matching a gene list against a file's annotations in one pass over the INFO text.
//!
//! Sources, all used when present: every annotation field ([`crate::annotation::schemas`]) through
//! its gene and feature sub-fields (`SYMBOL`, `Gene`, `Feature` for VEP; `gene`, `transcript` for
//! BCSQ; `Gene_Name`, `Gene_ID`, `Feature_ID` for SnpEff ANN; `Gene_Name`, `Transcript`,
//! `Transcript_ID` for EFF), and the INFO fields `GENE` and `GENEINFO` (ClinVar's
//! `SYMBOL:ID|SYMBOL2:ID`). Listed names are upper-cased into a small dictionary; each value is
//! upper-cased into a reused buffer and looked up, so the pass allocates nothing per record.

use crate::annotation::{self, Interner, entries, fields};
use crate::bitmap::Bitmap;
use crate::store::{TextReader, VariantStore};

/// Sub-fields that name a gene or one of its transcripts.
const GENE_SUBFIELDS: &[&str] = &[
    "SYMBOL",
    "Gene",
    "Feature",
    "gene",
    "transcript",
    "Gene_Name",
    "Gene_ID",
    "Feature_ID",
    "Transcript",
    "Transcript_ID",
];

/// INFO fields that hold gene symbols directly.
const GENE_INFO_KEYS: &[&str] = &["GENE", "GENEINFO"];

enum Source<'a> {
    Annotation {
        text: TextReader<'a>,
        legacy: bool,
        /// Sorted sub-field positions.
        at: Vec<usize>,
    },
    /// `SYMBOL`, `SYMBOL:ID`, lists joined by `|`, `,` or `&`.
    Info(TextReader<'a>),
}

/// The sources a store offers, with a label for each (`CSQ/SYMBOL`, `GENEINFO`).
fn sources(store: &VariantStore) -> (Vec<Source<'_>>, Vec<String>) {
    let mut out = Vec::new();
    let mut labels = Vec::new();
    for schema in annotation::schemas(store) {
        let Some(text) = annotation::text_column(store, &schema.tag) else {
            continue;
        };
        let mut at: Vec<usize> = GENE_SUBFIELDS
            .iter()
            .filter_map(|n| schema.index_of(n))
            .collect();
        if at.is_empty() {
            continue;
        }
        at.sort_unstable();
        at.dedup();
        labels.extend(
            at.iter()
                .map(|&k| format!("{}/{}", schema.tag, schema.subfields[k].name)),
        );
        out.push(Source::Annotation {
            text: text.reader(),
            legacy: schema.is_legacy_eff(),
            at,
        });
    }
    for key in GENE_INFO_KEYS {
        if let Some(text) = annotation::text_column(store, key) {
            out.push(Source::Info(text.reader()));
            labels.push(key.to_string());
        }
    }
    (out, labels)
}

/// Record mask and per-gene record counts for upper-cased `genes` (already distinct).
pub(crate) fn scan(store: &VariantStore, genes: &[String]) -> (Bitmap, Vec<u64>, Vec<String>) {
    let mut dict = Interner::new();
    // Lengths of the listed names (bit k = some name has k bytes; bit 127 = 127 or more), so
    // most values (transcript ids against a symbol list) are rejected without a lookup.
    let mut lengths = 0u128;
    for g in genes {
        dict.intern(&g.to_ascii_uppercase());
        lengths |= 1 << g.len().min(127);
    }
    let (mut sources, labels) = sources(store);
    let mut mask = Bitmap::zeros(store.len());
    // Index 0 unused (the dictionary's empty string); ids are 1 + the gene's position.
    let mut counts = vec![0u64; dict.len()];
    let mut last_record = vec![usize::MAX; dict.len()];
    let mut scratch = Vec::new();
    for i in 0..store.len() {
        let mut hit = |raw: &[u8], scratch: &mut Vec<u8>| {
            if annotation::is_missing(raw)
                || (lengths >> raw.len().min(127) & 1 == 0 && !raw.contains(&b'%'))
            {
                return false;
            }
            scratch.clear();
            annotation::decode_into(raw, scratch);
            scratch.make_ascii_uppercase();
            let Ok(key) = std::str::from_utf8(scratch) else {
                return false;
            };
            match dict.get(key) {
                Some(id) => {
                    let id = id as usize;
                    if last_record[id] != i {
                        last_record[id] = i;
                        counts[id] += 1;
                    }
                    true
                }
                None => false,
            }
        };
        let mut matched = false;
        for source in &mut sources {
            match source {
                Source::Annotation { text, legacy, at } => {
                    let last = at.last().copied().unwrap_or(0);
                    for entry in entries(row(text, i)) {
                        let mut want = at.iter().peekable();
                        for (j, value) in fields(entry, *legacy).enumerate().take(last + 1) {
                            if want.peek() == Some(&&j) {
                                want.next();
                                matched |= hit(value, &mut scratch);
                            }
                        }
                    }
                }
                Source::Info(text) => {
                    for item in row(text, i).split(|&b| matches!(b, b'|' | b',' | b'&')) {
                        let symbol = item.split(|&b| b == b':').next().unwrap_or_default();
                        matched |= hit(symbol, &mut scratch);
                    }
                }
            }
        }
        if matched {
            mask.set(i, true);
        }
    }
    counts.remove(0);
    (mask, counts, labels)
}

/// Row `i` of a text column; empty when the column is shorter than the store.
fn row<'r>(text: &'r mut TextReader<'_>, i: usize) -> &'r [u8] {
    if i < text.len() { text.get(i) } else { b"" }
}
