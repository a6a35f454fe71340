//! Streaming filter mode, for files too large to hold: records are parsed a batch at a time
//! into a scratch store, the filter ([`StreamFilter`]: an expression and regions) runs over the
//! batch's columns, and only the records that pass are parsed again into the kept store.
//!
//! Ingest ([`super::ingest`]) owns the loop: it parses each record into `Stream::batch`,
//! remembers its source (the VCF line or the BCF record), and when the batch is
//! `Stream::full` (or the data ends) calls `keep_lines` / `keep_records`. The batch
//! starts from the kept store's shape, so fields declared by the header or met in an earlier
//! batch are known to the filter in every batch.

use noodles::vcf;

use super::bcf;
use super::error::{IngestError, Location, RecordError};
use super::vcf_text;
use super::warnings::Warnings;
use crate::bitmap::Bitmap;
use crate::filter::{Filter, FilterError, Mode, NoFiles};
use crate::regions::RegionSet;
use crate::store::VariantStore;

/// Streaming filter mode, for files too large to hold: records are parsed a batch at a time,
/// filtered there, and only those that pass are kept.
#[derive(Debug, Clone, Default)]
pub struct StreamFilter {
    /// A bcftools expression; empty keeps every record (then `regions` alone decides).
    pub expression: String,
    pub mode: Mode,
    /// Regions a record must overlap, when given.
    pub regions: Option<RegionSet>,
    /// Records per batch; `None` for the default (65,536). Small batches test the boundaries.
    pub batch: Option<usize>,
}

/// Records parsed per batch in streaming mode (about 6 MB of store for one sample).
const STREAM_BATCH: usize = 1 << 16;

/// Checks a streaming filter against a file's header before a scan starts, so a wrong
/// expression is reported at once rather than after the first batch. `store` is any store
/// shaped by the file's header (a prefix read gives one). Gives the expression's warnings
/// ([`Filter::warnings`]), so a scan can show them as a loaded file's filter does.
pub fn check_stream_filter(
    filter: &StreamFilter,
    store: &VariantStore,
) -> Result<Vec<FilterError>, FilterError> {
    if filter.expression.trim().is_empty() {
        return Ok(Vec::new());
    }
    Filter::compile(&filter.expression, store, filter.mode, &NoFiles)
        .map(|compiled| compiled.warnings().to_vec())
}

/// Streaming filter mode's batch: records parsed but not yet filtered, with their source.
pub(crate) struct Stream<'a> {
    spec: &'a StreamFilter,
    batch: Option<VariantStore>,
    /// VCF: the batch's lines, back to back, and where each ends.
    pub lines: Vec<u8>,
    pub ends: Vec<usize>,
    /// BCF: the batch's records.
    pub records: Vec<noodles::bcf::Record>,
    /// Records filtered so far.
    pub scanned: u64,
}

impl<'a> Stream<'a> {
    pub(crate) fn new(spec: &'a StreamFilter) -> Self {
        Stream {
            spec,
            batch: None,
            lines: Vec::new(),
            ends: Vec::new(),
            records: Vec::new(),
            scanned: 0,
        }
    }

    /// The batch store, made empty from the kept store's shape on first use.
    pub(crate) fn batch(&mut self, shape: &VariantStore) -> &mut VariantStore {
        self.batch.get_or_insert_with(|| {
            let mut empty = shape.clone();
            empty.truncate(0);
            empty
        })
    }

    /// Whether the batch holds as many records as a batch may.
    pub(crate) fn full(&self) -> bool {
        let size = self.spec.batch.unwrap_or(STREAM_BATCH).max(1);
        self.batch.as_ref().is_some_and(|b| b.len() >= size)
    }

    /// Which records of the batch pass; empties the batch.
    fn passing(&mut self) -> Result<Vec<usize>, IngestError> {
        let Some(batch) = self.batch.as_mut() else {
            return Ok(Vec::new());
        };
        self.scanned += batch.len() as u64;
        let mut pass = if self.spec.expression.trim().is_empty() {
            Bitmap::ones(batch.len())
        } else {
            Filter::compile(&self.spec.expression, batch, self.spec.mode, &NoFiles)
                .map_err(IngestError::Filter)?
                .evaluate(batch)
                .pass
        };
        if let Some(regions) = &self.spec.regions {
            pass.and_with(&regions.mask(batch));
        }
        let kept = pass.iter_ones().collect();
        batch.truncate(0);
        Ok(kept)
    }
}

/// A record that parsed into the batch and not into the kept store: the store refused it there
/// (it is full). Where it is was not kept with the batch.
fn kept_record_error(source: RecordError) -> IngestError {
    IngestError::Record {
        location: Location::default(),
        source: Box::new(source),
    }
}

/// Filters a streaming batch of VCF lines and parses those that pass into `store`.
pub(crate) fn keep_lines(
    stream: &mut Stream<'_>,
    store: &mut VariantStore,
    scratch: &mut vcf_text::Scratch,
    warnings: &mut Warnings,
) -> Result<(), IngestError> {
    for k in stream.passing()? {
        let start = if k == 0 { 0 } else { stream.ends[k - 1] };
        let line = &stream.lines[start..stream.ends[k]];
        // Parsed once already, into the batch: it parses again.
        vcf_text::parse_record(line, store, scratch, warnings)
            .map_err(|e| kept_record_error(e.into()))?;
    }
    stream.lines.clear();
    stream.ends.clear();
    Ok(())
}

/// Filters a streaming batch of BCF records and adds those that pass to `store`.
pub(crate) fn keep_records(
    stream: &mut Stream<'_>,
    header: &vcf::Header,
    store: &mut VariantStore,
    scratch: &mut bcf::Scratch,
    warnings: &mut Warnings,
) -> Result<(), IngestError> {
    for k in stream.passing()? {
        bcf::push_record(&stream.records[k], header, store, scratch, warnings)
            .map_err(|e| kept_record_error(e.into()))?;
    }
    stream.records.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::super::{ErrorKind, ReadOptions, read_dataset_with};
    use super::*;
    use crate::filter::FilterErrorKind;
    use crate::progress::Silent;

    /// A VCF whose records have POS 1..=n and QUAL equal to POS.
    fn vcf(n: u64) -> Vec<u8> {
        let mut text = String::from(
            "##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
        );
        for pos in 1..=n {
            text.push_str(&format!("1\t{pos}\t.\tA\tC\t{pos}\tPASS\t.\n"));
        }
        text.into_bytes()
    }

    fn positions(expression: &str, batch: usize, n: u64) -> (Vec<u64>, Option<u64>) {
        let filter = StreamFilter {
            expression: expression.into(),
            batch: Some(batch),
            ..StreamFilter::default()
        };
        let options = ReadOptions {
            stream: Some(&filter),
            ..ReadOptions::default()
        };
        let data = vcf(n);
        let ds = read_dataset_with(Cursor::new(data), None, &options, &mut Silent)
            .expect("a valid file");
        let store = &ds.store;
        let kept = (0..store.len()).map(|i| store.pos(i)).collect();
        (kept, ds.summary.scanned)
    }

    #[test]
    fn records_on_both_sides_of_a_batch_boundary_are_kept_in_order() {
        // Batches of 3: records 3 and 4 straddle the first boundary, 6 and 7 the second, and
        // the last batch (record 7) is short.
        let (kept, scanned) = positions("QUAL>=3 && QUAL<=4 || QUAL>=6", 3, 7);
        assert_eq!(kept, vec![3, 4, 6, 7]);
        assert_eq!(scanned, Some(7));
        // One record per batch, and a batch larger than the file, keep the same records.
        assert_eq!(positions("QUAL>=3 && QUAL<=4 || QUAL>=6", 1, 7).0, kept);
        assert_eq!(positions("QUAL>=3 && QUAL<=4 || QUAL>=6", 100, 7).0, kept);
        // No expression keeps everything; scanned counts every record once.
        assert_eq!(positions("", 2, 5), (vec![1, 2, 3, 4, 5], Some(5)));
        // A batch that exactly fills (4 records in batches of 2) leaves no empty last batch.
        assert_eq!(positions("QUAL>1", 2, 4), (vec![2, 3, 4], Some(4)));
    }

    #[test]
    fn a_filter_the_batch_cannot_compile_is_a_filter_error_with_its_span() {
        let filter = StreamFilter {
            expression: "QUAL>3 && INFO/NOPE>1".into(),
            ..StreamFilter::default()
        };
        let options = ReadOptions {
            stream: Some(&filter),
            ..ReadOptions::default()
        };
        let e = read_dataset_with(Cursor::new(vcf(3)), None, &options, &mut Silent)
            .expect_err("INFO/NOPE is not in the file");
        assert_eq!(e.kind(), ErrorKind::Filter);
        let IngestError::Filter(source) = &e else {
            unreachable!("{e:?}")
        };
        assert_eq!(source.kind, FilterErrorKind::UnknownField);
        // The span points at the unknown field, as the filter box's caret will.
        let named = &filter.expression[source.span.start..source.span.end];
        assert!(named.contains("NOPE"), "{named:?}");
        // The same error before a scan starts, from a store shaped by the header.
        let store = VariantStore::new(Vec::new());
        let checked = check_stream_filter(&filter, &store).expect_err("unknown field");
        assert_eq!(checked.span, source.span);
        assert!(check_stream_filter(&StreamFilter::default(), &store).is_ok());
    }

    #[test]
    fn the_check_gives_the_expressions_warnings() {
        let store = VariantStore::new(Vec::new());
        // A value alone compiles to a condition that never holds, as in bcftools, with a warning.
        let bare = StreamFilter {
            expression: "QUAL".into(),
            ..StreamFilter::default()
        };
        let warnings = check_stream_filter(&bare, &store).expect("a value alone compiles");
        let kinds: Vec<_> = warnings.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, [FilterErrorKind::NotACondition]);
        let condition = StreamFilter {
            expression: "QUAL>30".into(),
            ..StreamFilter::default()
        };
        assert_eq!(check_stream_filter(&condition, &store), Ok(Vec::new()));
        assert_eq!(
            check_stream_filter(&StreamFilter::default(), &store),
            Ok(Vec::new())
        );
    }
}
