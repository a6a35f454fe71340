//! A file too large to hold, kept by its worker in streaming mode.
//!
//! When a file's store would not fit the memory budget, the worker does not load it: it keeps
//! the `Blob` (a handle, not the bytes), the secret key that decrypts it, its index when one came
//! with it, and the prefix read that estimated its size, as a [`Source`]. The shown records are
//! then what the reader asks for:
//!
//! - [`Source::scan`]: the whole file read in streaming filter mode
//!   (`wasm_core::formats::StreamFilter`), keeping only the records that pass; with an index
//!   and regions, only the regions' part of the file is read (`IndexedFile::query`) and the
//!   expression filters those records.
//! - [`Source::region`]: the records of regions, read through the index.
//!
//! Expressions are checked against the prefix's store first ([`Source::check`]), so a typo is
//! answered at once, with its span, rather than after a scan; the check's [`Checked`] keeps the
//! expression's warnings (a bare `DB`, which selects nothing, as in bcftools). Each result is a
//! [`Shown`]: a [`Session`] the table pages over, the summary the page is told and the warnings.
//!
//! Data flow: `worker` (`Request::Stream` / `Request::Region`) → [`Source`] → [`BlobReader`] →
//! `wasm_core` → [`Shown`] → `Event::Scanned`.

use web_sys::Blob;

use super::read::{Guard, read};
use crate::blob_reader::BlobReader;
use crate::protocol::{Columns, FilterRejection, FilterSchema, Loaded, Streaming};
use crate::session::{self, Session};
use wasm_core::crypt4gh::SecretKey;
use wasm_core::filter::{FilterError, Mode};
use wasm_core::formats::indexed::{IndexedFile, Overview};
use wasm_core::formats::{
    ContigSummary, MemoryEstimate, ReadOptions, StreamFilter, check_stream_filter,
};
use wasm_core::progress::Progress;
use wasm_core::regions::RegionSet;
use wasm_core::{Dataset, IngestError, Summary};

/// Why a scan or region query gave no records to show.
#[derive(Debug)]
pub enum SourceError {
    /// The expression or region list is wrong; nothing was read.
    Rejected(FilterRejection),
    /// Reading failed; the message says why and what to do.
    Failed(String),
}

/// Records to show, and what the page is told about them.
pub struct Shown {
    pub session: Session,
    /// `records`: those shown; `scanned`: those read to find them (a scan); `bytes_read`: raw
    /// bytes read.
    pub summary: Summary,
    /// The scan's expression's warnings ([`Checked::warnings`]); none for a region read.
    pub warnings: Vec<FilterError>,
}

/// A streaming filter that compiles against the file's fields ([`Source::check`]), ready to scan.
#[derive(Debug)]
pub struct Checked {
    pub spec: StreamFilter,
    /// What compiled but probably does not say what was meant (`Filter::warnings`).
    pub warnings: Vec<FilterError>,
}

/// What the worker keeps of a file in streaming mode.
pub struct Source {
    blob: Blob,
    size: u64,
    key: Option<SecretKey>,
    indexed: Option<IndexedFile>,
    overview: Option<Overview>,
    /// The prefix read: the header's fields and those the first records use.
    prefix: Dataset,
    schema: FilterSchema,
    info_keys: Vec<String>,
    format_keys: Vec<String>,
    annotation: Option<String>,
    pub estimate: MemoryEstimate,
    /// The store bytes the file would exceed.
    pub budget: u64,
    /// Wasm memory past which a scan stops.
    ceiling: u64,
    pub fingerprint: String,
}

/// Everything [`Source::new`] keeps.
pub struct SourceParts {
    pub blob: Blob,
    pub size: u64,
    pub key: Option<SecretKey>,
    pub indexed: Option<IndexedFile>,
    pub overview: Option<Overview>,
    pub prefix: Dataset,
    pub estimate: MemoryEstimate,
    pub budget: u64,
    pub ceiling: u64,
    pub fingerprint: String,
}

impl Source {
    pub fn new(parts: SourceParts) -> Source {
        let session = Session::new(parts.prefix);
        let schema = session.schema();
        let info_keys = session.info_keys().to_vec();
        let format_keys = session.format_keys().to_vec();
        let annotation = session.annotation_tag().map(str::to_string);
        Source {
            blob: parts.blob,
            size: parts.size,
            key: parts.key,
            indexed: parts.indexed,
            overview: parts.overview,
            prefix: session.into_dataset(),
            schema,
            info_keys,
            format_keys,
            annotation,
            estimate: parts.estimate,
            budget: parts.budget,
            ceiling: parts.ceiling,
            fingerprint: parts.fingerprint,
        }
    }

    pub fn is_indexed(&self) -> bool {
        self.indexed.is_some()
    }

    /// What the open answers: the file in streaming mode, as [`Source::summary`] describes it,
    /// with the prefix's fields and columns.
    pub fn loaded(&self, millis: f64) -> Loaded {
        Loaded {
            summary: self.summary(),
            schema: self.schema.clone(),
            columns: Columns {
                info_keys: self.info_keys.clone(),
                format_keys: self.format_keys.clone(),
            },
            fingerprint: self.fingerprint.clone(),
            millis,
            annotation: self.annotation.clone(),
            streaming: Some(Streaming {
                estimate: self.estimate,
                budget: self.budget,
                indexed: self.is_indexed(),
            }),
        }
    }

    /// The file as the page first shows it: the prefix's summary with the whole file's
    /// estimated record count, and per-contig counts from the index when there is one.
    pub fn summary(&self) -> Summary {
        let mut summary = self.prefix.summary.clone();
        summary.records = self.estimate.records;
        summary.store_bytes = self.estimate.bytes;
        summary.partial = true;
        if let Some(overview) = &self.overview {
            summary.contigs = overview
                .contigs
                .iter()
                .map(|c| ContigSummary {
                    name: c.name.clone(),
                    length: c.length,
                    records: c.records.unwrap_or(0),
                })
                .collect();
        }
        summary
    }

    /// No records: what is shown before the first scan, and after clearing the filter.
    pub fn empty(&self) -> Shown {
        let mut dataset = self.prefix.clone();
        dataset.store.truncate(0);
        dataset.summary.records = 0;
        dataset.summary.bytes_read = 0;
        dataset.summary.partial = false;
        let summary = dataset.summary.clone();
        Shown {
            session: Session::new(dataset).with_columns(&self.info_keys, &self.format_keys),
            summary,
            warnings: Vec::new(),
        }
    }

    /// Checks a streaming filter before anything is read: the regions parse and the expression
    /// compiles against the file's fields.
    pub fn check(
        &self,
        expression: &str,
        mode: Mode,
        regions: Option<&str>,
    ) -> Result<Checked, SourceError> {
        let regions = regions
            .filter(|t| !t.trim().is_empty())
            .map(RegionSet::parse)
            .transpose()
            .map_err(|error| SourceError::Rejected(FilterRejection::Regions { error }))?;
        let spec = StreamFilter {
            expression: expression.to_string(),
            mode,
            regions,
            batch: None,
        };
        let warnings = check_stream_filter(&spec, &self.prefix.store)
            .map_err(|error| SourceError::Rejected(FilterRejection::Expression { error }))?;
        Ok(Checked { spec, warnings })
    }

    /// Reads the records `checked` keeps: with an index and regions only the regions' part of the
    /// file, otherwise the whole file in streaming filter mode. An empty filter shows nothing
    /// (the whole file would not fit).
    pub fn scan(
        &mut self,
        checked: &Checked,
        progress: &mut dyn Progress,
    ) -> Result<Shown, SourceError> {
        let spec = &checked.spec;
        let warnings = checked.warnings.clone();
        if spec.expression.trim().is_empty() && spec.regions.is_none() {
            return Ok(self.empty());
        }
        if let (Some(indexed), Some(regions)) = (self.indexed.as_mut(), spec.regions.as_ref()) {
            let dataset = indexed.query(regions).map_err(failed)?;
            let scanned = dataset.summary.records;
            let mut session =
                Session::new(dataset).with_columns(&self.info_keys, &self.format_keys);
            let report = session
                .filter(&spec.expression, spec.mode, None, None, &session::now)
                .map_err(SourceError::Rejected)?;
            let mut summary = session.dataset().summary.clone();
            summary.records = report.passing;
            summary.scanned = Some(scanned);
            return Ok(Shown {
                session,
                summary,
                warnings,
            });
        }
        let reader = BlobReader::new(self.blob.clone())
            .map_err(|e| SourceError::Failed(format!("cannot read the file: {e}")))?;
        let mut guard = Guard::new(progress, self.ceiling);
        let options = ReadOptions {
            stream: Some(spec),
            ..ReadOptions::default()
        };
        let dataset = match read(reader, self.size, self.key.as_ref(), &options, &mut guard) {
            Ok(dataset) => dataset,
            Err(IngestError::Cancelled) if guard.tripped() => {
                return Err(SourceError::Failed(
                    "the records this filter keeps need more memory than this browser tab can hold, \
                     so the scan was stopped: narrow the filter, or choose a region"
                        .into(),
                ));
            }
            Err(e) => return Err(failed(e)),
        };
        let summary = dataset.summary.clone();
        Ok(Shown {
            session: Session::new(dataset).with_columns(&self.info_keys, &self.format_keys),
            summary,
            warnings,
        })
    }

    /// The records overlapping `regions`, read through the index.
    pub fn region(&mut self, regions: &str) -> Result<Shown, SourceError> {
        let set = RegionSet::parse(regions)
            .map_err(|error| SourceError::Rejected(FilterRejection::Regions { error }))?;
        let Some(indexed) = self.indexed.as_mut() else {
            return Err(SourceError::Failed(
                "region queries need the file's index: open the file again together with its .tbi or .csi"
                    .into(),
            ));
        };
        let dataset = indexed.query(&set).map_err(failed)?;
        let summary = dataset.summary.clone();
        Ok(Shown {
            session: Session::new(dataset).with_columns(&self.info_keys, &self.format_keys),
            summary,
            warnings: Vec::new(),
        })
    }
}

fn failed(e: IngestError) -> SourceError {
    SourceError::Failed(e.report().to_string())
}
