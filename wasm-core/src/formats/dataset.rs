//! What a read gives: a [`Dataset`] (the filled [`VariantStore`] and its [`Summary`]), and what
//! holding a whole file would cost ([`estimate_memory`] → [`MemoryEstimate`]).
//!
//! Every reader ends here: a whole or prefix read and a shard ([`super::ingest`],
//! [`super::shards`]) and a region query through an index ([`super::indexed`]) hand their store
//! and what they learnt of the file to `finish`, which counts records per contig, names the
//! reference build and adds the undeclared-field warnings. Shards' summaries merge in
//! `merged`.

use super::header::{self, ContigInfo};
use super::sniff::{Compression, Payload};
use crate::store::VariantStore;

/// A file read into memory: its summary and its columns.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub summary: Summary,
    pub store: VariantStore,
    /// The header's text as read (VCF text, or a BCF's header text), every line ending in a
    /// newline: what an export writes before its records.
    pub header: String,
}

/// What the page shows about a file once it is loaded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub compression: Compression,
    pub payload: Payload,
    /// `VCFv4.2`, …
    pub file_format: String,
    pub records: u64,
    pub samples: Vec<String>,
    /// Contigs from the header, then any that only records name, with their record counts.
    pub contigs: Vec<ContigSummary>,
    pub reference_build: Option<String>,
    /// Raw bytes read (the file size when read to the end).
    pub bytes_read: u64,
    /// Uncompressed bytes of VCF text or BCF.
    pub uncompressed_bytes: u64,
    /// Heap bytes held by the store.
    pub store_bytes: u64,
    /// Things tolerated while reading (undeclared fields, …), each once.
    pub warnings: Vec<String>,
    /// Read through Crypt4GH decryption (then `bytes_read` counts plaintext bytes).
    #[serde(default)]
    pub encrypted: bool,
    /// Only a prefix was read ([`super::ReadOptions::raw_limit`]).
    #[serde(default)]
    pub partial: bool,
    /// Streaming filter mode: the records scanned (`records` are those kept). Streaming to a
    /// sink ([`super::ReadOptions::batches`]): the records handed over (none is kept).
    #[serde(default)]
    pub scanned: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContigSummary {
    pub name: String,
    pub length: Option<u64>,
    pub records: u64,
}

/// What holding a whole file in memory would cost, from a prefix read of it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemoryEstimate {
    /// Store bytes for the whole file.
    pub bytes: u64,
    /// Records in the whole file (the index's count, or extrapolated from the prefix).
    pub records: u64,
    /// Store bytes per record in the prefix.
    pub bytes_per_record: f64,
    /// Whether `records` is the index's exact count.
    pub exact_records: bool,
}

/// Extrapolates a prefix read ([`super::ReadOptions::raw_limit`]) of a file of `total_raw`
/// bytes to the whole file; `records` is the exact count when an index gives it.
pub fn estimate_memory(prefix: &Dataset, total_raw: u64, records: Option<u64>) -> MemoryEstimate {
    let s = &prefix.summary;
    let n = s.records.max(1) as f64;
    let per_record = s.store_bytes as f64 / n;
    let (records, exact) = match records {
        Some(r) => (r, true),
        None if !s.partial => (s.records, true),
        None => {
            let per_raw = s.records as f64 / s.bytes_read.max(1) as f64;
            ((per_raw * total_raw as f64).ceil() as u64, false)
        }
    };
    MemoryEstimate {
        bytes: (per_record * records as f64).ceil() as u64,
        records,
        bytes_per_record: per_record,
        exact_records: exact,
    }
}

/// What `finish` needs besides the store.
pub(crate) struct Parts<'a> {
    pub compression: Compression,
    pub payload: Payload,
    pub file_format: String,
    pub raw_header: &'a str,
    pub contigs: &'a [ContigInfo],
    pub warnings: Vec<String>,
    pub bytes_read: u64,
    pub uncompressed_bytes: u64,
}

/// The [`Dataset`] of a filled store: the summary (per-contig counts, build, warnings).
pub(crate) fn finish(mut store: VariantStore, parts: Parts<'_>) -> Dataset {
    store.shrink_to_fit();
    let reference_build = header::reference_build(parts.raw_header, parts.contigs);
    let mut per_contig = vec![0u64; store.contigs().len()];
    for i in 0..store.len() {
        per_contig[store.contig_of(i) as usize] += 1;
    }
    let lengths: std::collections::HashMap<&str, Option<u64>> = parts
        .contigs
        .iter()
        .map(|c| (c.name.as_str(), c.length))
        .collect();
    let contig_summaries = store
        .contigs()
        .iter()
        .enumerate()
        .map(|(k, name)| ContigSummary {
            name: name.clone(),
            length: lengths.get(name.as_str()).copied().flatten(),
            records: per_contig[k],
        })
        .collect();
    let mut warnings = parts.warnings;
    for f in store.info.iter().filter(|f| !f.declared) {
        warnings.push(format!(
            "INFO/{} is not declared in the header; read as String",
            f.key
        ));
    }
    for f in store.format.iter().filter(|f| !f.declared) {
        warnings.push(format!(
            "FORMAT/{} is not declared in the header; read as String",
            f.key
        ));
    }
    Dataset {
        summary: Summary {
            compression: parts.compression,
            payload: parts.payload,
            file_format: parts.file_format,
            records: store.len() as u64,
            samples: store.samples().to_vec(),
            contigs: contig_summaries,
            reference_build,
            bytes_read: parts.bytes_read,
            uncompressed_bytes: parts.uncompressed_bytes,
            store_bytes: store.heap_bytes() as u64,
            warnings,
            encrypted: false,
            partial: false,
            scanned: None,
        },
        store,
        header: parts.raw_header.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::TextHeader;
    use super::super::vcf_text::{Scratch, parse_record};
    use super::super::warnings::Warnings;
    use super::*;

    const HEADER: &[&str] = &[
        "##fileformat=VCFv4.2",
        "##contig=<ID=1,length=249250621>",
        "##contig=<ID=2,length=243199373>",
        "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ];

    /// A store shaped by [`HEADER`] holding `records`, and the header it came from.
    fn store_of(records: &[&str]) -> (VariantStore, TextHeader) {
        let mut header = TextHeader::default();
        for line in HEADER {
            header
                .push_line(line, &mut |_, _| {})
                .expect("a valid header");
        }
        let mut store = header.store().expect("a store");
        let (mut scratch, mut warnings) = (Scratch::default(), Warnings::default());
        for r in records {
            parse_record(r.as_bytes(), &mut store, &mut scratch, &mut warnings).expect("valid");
        }
        (store, header)
    }

    fn parts<'a>(header: &'a TextHeader, bytes_read: u64) -> Parts<'a> {
        Parts {
            compression: Compression::None,
            payload: Payload::Vcf,
            file_format: header.file_format.clone(),
            raw_header: &header.raw,
            contigs: &header.contigs,
            warnings: vec!["a warning from the read".into()],
            bytes_read,
            uncompressed_bytes: bytes_read,
        }
    }

    #[test]
    fn finish_counts_records_per_contig_and_names_undeclared_fields() {
        let (store, header) = store_of(&[
            "2\t10\t.\tA\tC\t50\tPASS\tDP=3",
            "2\t20\t.\tA\tC\t50\tPASS\tDP=4;XX=a",
            "MT\t5\t.\tA\tC\t50\tPASS\t.",
        ]);
        let ds = finish(store, parts(&header, 300));
        let s = &ds.summary;
        assert_eq!(s.records, 3);
        let contigs: Vec<(&str, Option<u64>, u64)> = s
            .contigs
            .iter()
            .map(|c| (c.name.as_str(), c.length, c.records))
            .collect();
        // Header contigs first (with no records too), then record-only ones without a length.
        assert_eq!(
            contigs,
            vec![
                ("1", Some(249_250_621), 0),
                ("2", Some(243_199_373), 2),
                ("MT", None, 1)
            ]
        );
        // chromosome 1's length is GRCh37's.
        assert_eq!(s.reference_build.as_deref(), Some("GRCh37"));
        assert_eq!(
            s.warnings,
            vec![
                "a warning from the read".to_string(),
                "INFO/XX is not declared in the header; read as String".to_string()
            ]
        );
        assert_eq!((s.bytes_read, s.file_format.as_str()), (300, "VCFv4.2"));
        assert!(s.store_bytes > 0);
        assert!(!s.partial && !s.encrypted && s.scanned.is_none());
    }

    fn prefix(records: u64, store_bytes: u64, bytes_read: u64, partial: bool) -> Dataset {
        let (store, header) = store_of(&[]);
        let mut ds = finish(store, parts(&header, bytes_read));
        ds.summary.records = records;
        ds.summary.store_bytes = store_bytes;
        ds.summary.partial = partial;
        ds
    }

    #[test]
    fn estimate_uses_the_index_count_when_there_is_one() {
        // 1,000 records in 4 MiB of prefix at 70 bytes each; the index says 5 M records.
        let ds = prefix(1_000, 70_000, 4 << 20, true);
        let e = estimate_memory(&ds, 1 << 30, Some(5_000_000));
        assert_eq!(e.records, 5_000_000);
        assert!(e.exact_records);
        assert_eq!(e.bytes_per_record, 70.0);
        assert_eq!(e.bytes, 350_000_000);
    }

    #[test]
    fn estimate_extrapolates_a_prefix_by_its_share_of_the_file() {
        // 1,000 records in the first 1,000,000 bytes of a 2,500,001-byte file: 2,500.001 records,
        // rounded up.
        let ds = prefix(1_000, 70_000, 1_000_000, true);
        let e = estimate_memory(&ds, 2_500_001, None);
        assert_eq!(e.records, 2_501);
        assert!(!e.exact_records);
        assert_eq!(e.bytes, 175_070);
    }

    #[test]
    fn a_whole_read_is_its_own_estimate() {
        // Not partial: the prefix was the whole file, so its count is exact whatever the size.
        let ds = prefix(1_000, 70_000, 1_000_000, false);
        let e = estimate_memory(&ds, 9_999_999, None);
        assert_eq!((e.records, e.exact_records, e.bytes), (1_000, true, 70_000));
        // An empty file costs nothing (and divides by no zero).
        let ds = prefix(0, 0, 0, true);
        let e = estimate_memory(&ds, 100, None);
        assert_eq!((e.records, e.bytes), (0, 0));
    }
}
