//! Streaming to a sink: a read that keeps nothing. Every record is parsed into a batch store
//! of up to [`Batches::size`] records, which is handed to a [`BatchSink`] and then emptied, so
//! a file of any size is read in the memory of one batch. The CLI renders each batch as it
//! comes (`enclave view` / `query`); the engine itself prints nothing and spawns nothing.
//!
//! Ingest ([`super::read_dataset_with`], [`super::shards::read_shard`]) owns the loop, through
//! [`super::ReadOptions::batches`]: the sink first sees the store the header shapes (no
//! records), then each batch in file order. The batch store lives for the whole read, so an
//! INFO / FORMAT field the header does not declare, once met, stays a column of every later
//! batch, in the order a whole read would add it. When a record cannot be read, the records
//! before it in its batch are handed over first, then the read fails with the record's error:
//! what the sink saw is exactly the records before the failing one, whatever the batch size.

use std::cell::RefCell;

use super::IngestError;
use crate::progress::Flow;
use crate::store::VariantStore;

/// Receives a streamed read ([`Batches`]).
pub trait BatchSink {
    /// The store the file's header shapes (fields, samples, contigs), before any record.
    /// [`Flow::Cancel`] stops the read before its records ([`IngestError::Cancelled`]).
    fn header(&mut self, store: &VariantStore) -> Flow {
        let _ = store;
        Flow::Continue
    }

    /// The next records of the file, in order (at least one). The store is emptied once this
    /// returns; [`Flow::Cancel`] stops the read ([`IngestError::Cancelled`]).
    fn batch(&mut self, store: &VariantStore) -> Flow;
}

/// Records per batch when streaming to a sink: about 6 MB of store for one sample, so each
/// batch's columns stay in cache-sized pieces.
pub const SINK_BATCH: usize = 1 << 16;

/// Streaming to a sink, as [`super::ReadOptions::batches`] takes it.
pub struct Batches<'a> {
    size: usize,
    sink: &'a dyn Deliver,
}

impl std::fmt::Debug for Batches<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl<'a> Batches<'a> {
    /// Batches of `size` records (`None`: [`SINK_BATCH`]; small sizes test the boundaries),
    /// handed to `sink`. The read options hold it by shared reference, hence the cell.
    pub fn new<T: BatchSink + 'a>(sink: &'a RefCell<T>, size: Option<usize>) -> Self {
        Batches {
            size: size.unwrap_or(SINK_BATCH).max(1),
            sink,
        }
    }
}

/// A [`BatchSink`] behind a shared reference: what [`Batches`] keeps, so the read options stay
/// covariant in their lifetime.
trait Deliver {
    fn header(&self, store: &VariantStore) -> Flow;
    fn batch(&self, store: &VariantStore) -> Flow;
}

impl<T: BatchSink> Deliver for RefCell<T> {
    fn header(&self, store: &VariantStore) -> Flow {
        self.borrow_mut().header(store)
    }

    fn batch(&self, store: &VariantStore) -> Flow {
        self.borrow_mut().batch(store)
    }
}

/// The reading side of [`Batches`]: the batch being filled.
pub(crate) struct Sink<'a> {
    spec: &'a Batches<'a>,
    batch: Option<VariantStore>,
    /// Records of `batch` parsed whole (a failed record may have left part of itself).
    complete: usize,
    /// Records handed over so far.
    pub delivered: u64,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(spec: &'a Batches<'a>) -> Self {
        Sink {
            spec,
            batch: None,
            complete: 0,
            delivered: 0,
        }
    }

    /// Shows the sink the header's store, before any record is read.
    pub(crate) fn header(&mut self, store: &VariantStore) -> Result<(), IngestError> {
        match self.spec.sink.header(store) {
            Flow::Continue => Ok(()),
            Flow::Cancel => Err(IngestError::Cancelled),
        }
    }

    /// The batch store, made empty from the header's store on first use.
    pub(crate) fn batch(&mut self, shape: &VariantStore) -> &mut VariantStore {
        self.batch.get_or_insert_with(|| {
            let mut empty = shape.clone();
            empty.truncate(0);
            empty.keep_text_plain();
            empty
        })
    }

    /// The record just parsed into the batch is whole; hands the batch over when it is full.
    /// A record whose line had no newline (the data's last) is held back until the end of the
    /// file is checked ([`Sink::end`]): in a truncated file it is a cut piece of a record.
    pub(crate) fn parsed(&mut self, terminated: bool) -> Result<(), IngestError> {
        if !terminated {
            return Ok(());
        }
        self.complete += 1;
        if self.complete >= self.spec.size {
            self.deliver()?;
        }
        Ok(())
    }

    /// Hands over the batch's whole records (none: nothing is called) and empties it.
    fn deliver(&mut self) -> Result<(), IngestError> {
        let Some(batch) = self.batch.as_mut() else {
            return Ok(());
        };
        // A record that failed half-way, or one held back, is not handed over.
        batch.truncate(self.complete);
        if self.complete == 0 {
            return Ok(());
        }
        let flow = self.spec.sink.batch(batch);
        self.delivered += self.complete as u64;
        self.complete = 0;
        batch.truncate(0);
        match flow {
            Flow::Continue => Ok(()),
            Flow::Cancel => Err(IngestError::Cancelled),
        }
    }

    /// After a record loop that failed: the records before the failing one are handed over,
    /// and the failure stands. After one that ended, the rest waits for [`Sink::end`].
    pub(crate) fn finish_loop<T>(
        &mut self,
        read: Result<T, IngestError>,
    ) -> Result<T, IngestError> {
        match read {
            Ok(v) => Ok(v),
            Err(IngestError::Cancelled) if self.complete == 0 => Err(IngestError::Cancelled),
            Err(e) => {
                let _ = self.deliver();
                Err(e)
            }
        }
    }

    /// At the end of the data, once it is `checked` (a BGZF file's end-of-file marker): hands
    /// over what is left, the held-back last record included; or, when the check failed, the
    /// whole records before it, and the failure stands.
    pub(crate) fn end(&mut self, checked: Result<(), IngestError>) -> Result<(), IngestError> {
        match checked {
            Ok(()) => {
                self.complete = self.batch.as_ref().map_or(0, VariantStore::len);
                self.deliver()
            }
            Err(e) => {
                let _ = self.deliver();
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::write_vcf_record;
    use crate::formats::{ErrorKind, ReadOptions, RecordKind, read_dataset, read_dataset_with};
    use crate::progress::Silent;

    const HEADER: &str = "##fileformat=VCFv4.2\n##contig=<ID=1>\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"depth\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"genotype\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\n";

    /// Five records; the fourth brings an INFO field the header does not declare.
    fn vcf(bad_fourth: bool) -> String {
        let fourth = if bad_fourth {
            "1\tfour\t.\tA\tC\t40\tPASS\tDP=4\tGT\t0/1\n"
        } else {
            "1\t40\t.\tA\tC\t40\tPASS\tXU=a;DP=4\tGT\t0/1\n"
        };
        format!(
            "{HEADER}1\t10\t.\tA\tC\t10\tPASS\tDP=1\tGT\t0/1\n1\t20\t.\tA\tC\t20\tPASS\tDP=2\tGT\t1/1\n\
1\t30\t.\tA\tC\t30\tPASS\tDP=3\tGT\t0/0\n{fourth}1\t50\t.\tA\tC\t50\tPASS\tDP=5;XU=b\tGT\t0/1\n"
        )
    }

    /// What the sink saw: the header's field count, then each batch's VCF lines.
    #[derive(Default)]
    struct Seen {
        header_fields: Option<usize>,
        batches: Vec<Vec<String>>,
        stop_after: Option<usize>,
    }

    impl BatchSink for Seen {
        fn header(&mut self, store: &VariantStore) -> Flow {
            assert!(self.header_fields.is_none() && store.is_empty());
            self.header_fields = Some(store.info.len());
            Flow::Continue
        }

        fn batch(&mut self, store: &VariantStore) -> Flow {
            let lines = (0..store.len())
                .map(|i| {
                    let mut line = Vec::new();
                    write_vcf_record(&mut line, store, i).unwrap();
                    String::from_utf8(line).unwrap()
                })
                .collect();
            self.batches.push(lines);
            if self.stop_after == Some(self.batches.len()) {
                Flow::Cancel
            } else {
                Flow::Continue
            }
        }
    }

    fn stream(text: &str, size: usize, seen: Seen) -> (Seen, Result<u64, IngestError>) {
        let cell = RefCell::new(seen);
        let result = {
            let batches = Batches::new(&cell, Some(size));
            let options = ReadOptions {
                batches: Some(&batches),
                ..ReadOptions::default()
            };
            read_dataset_with(text.as_bytes(), None, &options, &mut Silent)
                .map(|ds| ds.summary.scanned.unwrap_or(0))
        };
        (cell.into_inner(), result)
    }

    fn whole_lines(text: &str) -> Vec<String> {
        let ds = read_dataset(text.as_bytes(), None, &mut Silent).unwrap();
        (0..ds.store.len())
            .map(|i| {
                let mut line = Vec::new();
                write_vcf_record(&mut line, &ds.store, i).unwrap();
                String::from_utf8(line).unwrap()
            })
            .collect()
    }

    #[test]
    fn batches_in_order_give_the_whole_read_and_nothing_is_kept() {
        let text = vcf(false);
        for size in [1, 2, 3, 5, 64] {
            let (seen, scanned) = stream(&text, size, Seen::default());
            assert_eq!(seen.header_fields, Some(1), "the header's DP only");
            let sizes: Vec<usize> = seen.batches.iter().map(Vec::len).collect();
            assert!(sizes.iter().all(|&n| n == size.min(5) || n == 5 % size));
            // The field met in the fourth record keeps its place in the fifth's line.
            assert_eq!(
                seen.batches.concat(),
                whole_lines(&text),
                "batches of {size}"
            );
            assert_eq!(scanned.unwrap(), 5);
        }
    }

    #[test]
    fn a_bad_record_hands_over_the_records_before_it_then_fails() {
        let text = vcf(true);
        for size in [1, 2, 3, 64] {
            let (seen, result) = stream(&text, size, Seen::default());
            let err = result.unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::Record(RecordKind::Position),
                "{}",
                err.report()
            );
            assert_eq!(err.location().and_then(|l| l.line), Some(9), "{err}");
            let lines = seen.batches.concat();
            assert_eq!(lines, whole_lines(&vcf(false))[..3], "batches of {size}");
            assert!(seen.batches.iter().all(|b| !b.is_empty()));
        }
    }

    #[test]
    fn a_last_line_without_newline_is_handed_over_once_the_data_ends() {
        let text = vcf(false);
        let cut = text.trim_end_matches('\n');
        let (seen, scanned) = stream(cut, 2, Seen::default());
        assert_eq!(seen.batches.concat(), whole_lines(&text));
        assert_eq!(scanned.unwrap(), 5);
    }

    #[test]
    fn the_sink_stops_the_read() {
        let seen = Seen {
            stop_after: Some(2),
            ..Seen::default()
        };
        let (seen, result) = stream(&vcf(false), 2, seen);
        assert_eq!(result.unwrap_err().kind(), ErrorKind::Cancelled);
        assert_eq!(seen.batches.len(), 2, "no batch after the sink said stop");
    }
}
