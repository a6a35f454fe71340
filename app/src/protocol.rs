//! The typed, versioned messages between the UI and an engine worker.
//!
//! The UI sends a [`Request`], the worker answers with [`Event`]s; every request and every event
//! but [`Event::Ready`] carries the `job` id the UI assigned, so answers can be routed. Both are
//! encoded with `postcard` (compact bytes; far less code in both wasm modules than building JS
//! objects field by field) and wrapped in an [`Envelope`]: a plain JS object `{v, msg, file?,
//! index?}` where `v` is [`PROTOCOL_VERSION`] and `msg` a `Uint8Array`. A `Blob` cannot go through serde,
//! so it travels beside the message as `file` (and the data file's `.tbi` / `.csi` as `index`):
//! `postMessage` hands the worker a handle to it, never its bytes.
//!
//! Encrypted files: the worker sniffs the first bytes of every file it is asked to open. A
//! Crypt4GH file opened without a key is answered with [`Event::KeyRequired`] (the page then asks
//! for one) instead of a failure; the page sends [`Request::Open`] again with the same `Blob` and
//! [`KeyMaterial`]: the secret key file's text and its passphrase. They go to the worker only,
//! never to the server; their `Debug` is redacted and every copy of them is zeroized on drop.
//!
//! Filtering: [`Request::Filter`] carries the expression and the region and gene lists to the
//! worker only (they can name samples, so they never go to the server); the worker answers
//! [`Event::Filtered`] (counts per clause) or [`Event::FilterRejected`] (what is wrong and where),
//! and from then on pages and sorts over the passing records only. An open ends in
//! [`Event::Loaded`], whose [`Loaded`] also describes the file's fields (its `schema`), which the
//! filter builder and presets need.
//!
//! Indexes and large files (version 4): with an index beside the data, the worker first answers
//! [`Event::Overview`] (records per contig, from the index alone), then reads the file; an index
//! that does not fit its data is reported with [`Event::IndexRejected`] and the file is read
//! without it. A file whose store would not fit the memory budget is not loaded: its `Loaded`
//! says so ([`Loaded::streaming`]), and [`Request::Stream`] (a filter, scanning the whole file
//! and keeping the matching records) or [`Request::Region`] (records of regions, read through the
//! index) then replace the shown records, each answered with [`Event::Scanned`]. Regions and
//! contig names go to the worker only.
//!
//! Pedigree check: [`Request::PedigreeCheck`] asks each worker holding the file for the check's
//! counts over its records ([`Event::PedigreeTally`], additive across a pool's shards); the page
//! merges them and finishes the check with its pedigree ([`PedigreeCheckReport`]).
//!
//! Data flow: `worker_client` → `postMessage(envelope)` → `worker` → engine → events back.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_core::annotation;
use wasm_core::case::file::CaseFileErrorKind;
pub use wasm_core::export::document::{Format as ExportFormat, Selected};
use wasm_core::filter::{FilterError, Mode, Span};
use wasm_core::formats::MemoryEstimate;
use wasm_core::formats::indexed::Overview;
use wasm_core::inheritance;
use wasm_core::pedigree::{Pedigree, Role};
use wasm_core::regions::RegionError;
use wasm_core::store::{Row, SortKey};
use wasm_core::{Location, Summary};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bumped whenever a message changes shape; both ends refuse other versions.
/// 2: `Filter`, `Filtered`, `FilterRejected`, `Schema`; `Rows` carries annotation summaries.
/// 3: `Open` carries an optional `key`; `KeyRequired`.
/// 4: `Open` carries an optional index (a second `Blob`) and memory budget; `Stream`, `Region`;
/// `Overview`, `IndexRejected`, `StreamingMode`; `Request` and `Event` externally tagged.
/// 5: a pool of workers: `Open` carries `shards`; `Shards`, `OpenShard`, `Keys`.
/// 6: `ShardSpec` is the engine's (files without an index split too); `OpenShard` needs no index.
/// 7: messages are `postcard` bytes; `ShardRange` externally tagged; `Filter` carries `absent`.
/// 8: the engine's `FilterError` carries its `kind`.
/// 9: one [`Loaded`] (schema and streaming mode in it) ends every open: `Schema` and
/// `StreamingMode` are gone; `Stream` and `Region` answer `Scanned`; `FilterReport` and
/// `Scanned` carry the expression's warnings.
/// 10: family analysis (`Pedigree`, `Inheritance`, `Explain`, `PartEvidence`, `OtherParts`),
/// `PedigreeCheck`, `Stats`.
/// 11: `Locate` / `Located` and `Preceding` / `Precede`: a record's offset in the table's order
/// (a compound het's partner link pages the table to it).
/// 12: `SealCase` / `CaseSealed`, `OpenCase` / `CaseOpened` (the case file's cipher) and
/// `Export` / `Exported` (the filtered records as a document).
/// 13: `Detail` / `Detail`: one record in full, with its classification pre-fills.
pub const PROTOCOL_VERSION: u32 = 13;

/// A Crypt4GH secret key file and its passphrase, on their way from the page to the worker that
/// decrypts. `Debug` shows neither; every copy is zeroized when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct KeyMaterial {
    /// The `.sec` file's text (`-----BEGIN CRYPT4GH PRIVATE KEY-----` …).
    pub key_file: String,
    /// The key's passphrase; `None` when the user gave none.
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyMaterial(<redacted>)")
    }
}

/// Work the UI asks of a worker.
///
/// Externally tagged (`{"Open": {…}}`), as [`Event`]: serde reads such enums straight from the
/// JS object, where an internally tagged one is buffered first, which costs code per variant
/// in the page's download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Read the `Blob` posted beside this message into the worker's dataset. A Crypt4GH file
    /// needs `key`; without one the worker answers [`Event::KeyRequired`]. A plain file ignores it.
    Open {
        job: u32,
        /// The browser's fingerprint salt; it goes to the worker and nowhere else.
        salt: Vec<u8>,
        /// The file's name, for messages shown on this page only; never sent to the server.
        name_hint: String,
        /// The secret key (and passphrase) that decrypts the file.
        #[serde(default)]
        key: Option<KeyMaterial>,
        /// The name of the index posted beside the data (`index` in the envelope), for messages.
        #[serde(default)]
        index_name: Option<String>,
        /// Store bytes the page may hold (all workers together); past it the file is scanned,
        /// not loaded. `None`: the default budget.
        #[serde(default)]
        memory_budget: Option<u64>,
        /// Workers the page can give this file. With more than one, a file that can be split
        /// is: the worker answers [`Event::Shards`] and reads the first shard itself.
        #[serde(default)]
        shards: u32,
    },
    /// Read one shard of a file being loaded by a pool ([`Event::Shards`] gave its `spec`): the
    /// `Blob` beside the message is the whole file (no index: the spec says where the part
    /// starts and ends). Answered with `Progress`, then `Loaded` (this shard's records, summary
    /// and fields) or `Failed`.
    OpenShard {
        job: u32,
        name_hint: String,
        #[serde(default)]
        key: Option<KeyMaterial>,
        spec: ShardSpec,
    },
    /// Streaming mode: scan the whole file and keep the records passing `expression` (and
    /// overlapping `regions`); they become the shown records. Answered with `Progress`, then
    /// `Scanned`, `FilterRejected` or `Failed`.
    Stream {
        job: u32,
        expression: String,
        mode: Mode,
        regions: Option<String>,
    },
    /// Streaming mode with an index: the records overlapping `regions`, read through the index,
    /// become the shown records. Answered with `Scanned`, `FilterRejected` or `Failed`.
    Region { job: u32, regions: String },
    /// One page of the loaded dataset's rows, in a sort order.
    Rows {
        job: u32,
        offset: u64,
        limit: u32,
        sort: SortKey,
        descending: bool,
        /// The columns to show from now on; a pool's shards show the first shard's.
        #[serde(default)]
        columns: Option<Columns>,
    },
    /// The sort keys of the first `limit` passing records in a sort order, so the page can merge
    /// the orders of several shards ([`crate::shards`]). Answered with [`Event::Keys`].
    Keys {
        job: u32,
        limit: u64,
        sort: SortKey,
        descending: bool,
    },
    /// Filter the loaded dataset; later `Rows` requests page over the passing records.
    /// An empty expression and no lists clear the filter.
    Filter {
        job: u32,
        /// A bcftools `-i`/`-e` expression; may be empty.
        expression: String,
        mode: Mode,
        /// Regions (`chr:beg-end` lines or BED text); `None` or blank for no restriction.
        regions: Option<String>,
        /// Gene symbols; `None` or blank for no restriction.
        genes: Option<String>,
        /// A pool's shard: fields other shards of the file have and this one has not
        /// (undeclared in the header, first seen in another part), added with every row absent
        /// first, so a filter naming one applies here as it would to the whole file.
        #[serde(default)]
        absent: AbsentFields,
    },
    /// The pedigree check's counts over the worker's records (CLINICAL.md §4): answered with
    /// [`Event::PedigreeTally`]. Each shard of a pool counts its part; the page merges the
    /// counts and finishes the check with the pedigree it keeps ([`PedigreeCheckReport`]), so
    /// the PED need not travel for it.
    PedigreeCheck { job: u32 },
    // Family analysis (issue 14): the pedigree, the inheritance modes, an explanation.
    /// Ties a pedigree to the loaded dataset (`ped`: a PED file's text, as picked or as the
    /// page's pedigree builder wrote it), or lets go of it (`None`), with the gates and
    /// strictness its modes are evaluated under. Chosen modes are dropped and the filter in
    /// force is re-applied without them. Answered with [`Event::Pedigree`] or
    /// [`Event::PedigreeRejected`] (the previous pedigree stays).
    Pedigree {
        job: u32,
        ped: Option<String>,
        options: inheritance::Options,
    },
    /// Keeps the records that fit any of `modes` (none: no inheritance clause), with the filter
    /// in force: answered with [`Event::Filtered`], the report's clauses naming each mode.
    Inheritance {
        job: u32,
        modes: Vec<inheritance::Mode>,
    },
    /// Why record `record` (its index in this worker's file order) fits each of `modes`, or
    /// does not. Answered with [`Event::Explained`].
    Explain {
        job: u32,
        record: u64,
        modes: Vec<inheritance::Mode>,
    },
    /// Where record `record` (its index in this worker's file order) stands among the passing
    /// records in a sort order, so the table can page to it. Answered with [`Event::Located`].
    Locate {
        job: u32,
        record: u64,
        sort: SortKey,
        descending: bool,
    },
    /// Record `record` (its index in this worker's file order) in full, for the variant
    /// detail, with the classification pre-fills its data supports; `parentage_confirmed`: the
    /// page's pedigree check found no parentage warning (a de novo call is then PS2, else
    /// PM6). Answered with [`Event::Detail`], or `Failed` when the worker has no such record.
    Detail {
        job: u32,
        record: u64,
        parentage_confirmed: bool,
    },
    /// A pool's shard `part`: how many of its passing records come before, in the merged sort
    /// order, a record of shard `shard` whose merged sort key is `key`
    /// ([`crate::shards::merged_key`]); `ranks` maps this shard's contig ids to the merged
    /// ranks. Answered with [`Event::Preceding`].
    Precede {
        job: u32,
        sort: SortKey,
        descending: bool,
        shard: u32,
        key: f64,
        part: u32,
        ranks: Vec<u32>,
    },
    /// A pool's shard `part`: what its records offer compound hets in other shards, under the
    /// pedigree in force. Answered with [`Event::PartEvidence`].
    PartEvidence { job: u32, part: u32 },
    /// A pool's shard `part`: the merged evidence of every shard, kept for the modes and
    /// explanations that follow (comp-het pairs across shards). Answered with
    /// [`Event::PartsKept`].
    OtherParts {
        job: u32,
        part: u32,
        others: inheritance::PartEvidence,
    },
    /// The QC statistics (`bcftools stats` sections and the QC beyond them) of the loaded
    /// records: every one, or those passing the filter in force. `ped`: a PED's text, for each
    /// trio's Mendelian error rate and de novo count. Answered with [`Event::Stats`] (a
    /// shard's part; the page merges a pool's, [`crate::worker_client::WorkerClient::stats`]).
    Stats {
        job: u32,
        scope: StatsScope,
        #[serde(default)]
        ped: Option<String>,
    },
    /// Encrypt a case's JSON (`wasm_core::case::file::seal`) to the public keys whose files'
    /// text `recipients` holds, signed by `writer` (the person's own secret key) or a one-off
    /// key. Needs no loaded file. Answered with [`Event::CaseSealed`] or `Failed`.
    SealCase {
        job: u32,
        json: String,
        recipients: Vec<String>,
        writer: Option<KeyMaterial>,
    },
    /// This worker's passing records (the filter and modes in force), in file order, as one
    /// part of an export document (`wasm_core::export::document`) with the table's columns
    /// `info_keys` / `format_keys`; `head` adds the document's start (the VCF header with the
    /// `##enclave_*` lines of `selected`, the column line; the page adds the end). Answered
    /// with `Progress` (records written of the part's) then [`Event::Exported`].
    Export {
        job: u32,
        format: ExportFormat,
        info_keys: Vec<String>,
        format_keys: Vec<String>,
        selected: Selected,
        head: bool,
    },
    /// Decrypt a case file with a secret key (`wasm_core::case::file::open_with_key_file`).
    /// Needs no loaded file. Answered with [`Event::CaseOpened`].
    OpenCase {
        job: u32,
        file: Vec<u8>,
        key: KeyMaterial,
    },
}

/// Which records [`Request::Stats`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatsScope {
    /// Every loaded record.
    Whole,
    /// The records passing the filter (and region and gene lists) in force; every record
    /// without one.
    Filtered,
}

/// One worker's statistics ([`Event::Stats`]): its records' numbers and the names a merge
/// orders by (its store's contigs and FILTER names, in id order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsPart {
    pub bcftools: wasm_core::stats::bcftools::BcftoolsStats,
    pub qc: wasm_core::stats::qc::QcStats,
    pub contigs: Vec<String>,
    pub filters: Vec<String>,
    /// Why the trios' numbers are missing though a PED was given (it does not parse, or the
    /// file has chrX records and no build).
    pub trio_problem: Option<String>,
    /// Records the numbers count.
    pub records: u64,
    pub millis: f64,
}

/// Undeclared INFO and FORMAT keys a shard lacks ([`crate::shards::absent_fields`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AbsentFields {
    pub info: Vec<String>,
    pub format: Vec<String>,
}

impl Request {
    pub fn job(&self) -> u32 {
        match self {
            Self::Open { job, .. }
            | Self::OpenShard { job, .. }
            | Self::Rows { job, .. }
            | Self::Keys { job, .. }
            | Self::Filter { job, .. }
            | Self::Stream { job, .. }
            | Self::Region { job, .. }
            | Self::PedigreeCheck { job }
            | Self::Pedigree { job, .. }
            | Self::Inheritance { job, .. }
            | Self::Explain { job, .. }
            | Self::Locate { job, .. }
            | Self::Detail { job, .. }
            | Self::Precede { job, .. }
            | Self::PartEvidence { job, .. }
            | Self::OtherParts { job, .. }
            | Self::Stats { job, .. }
            | Self::SealCase { job, .. }
            | Self::Export { job, .. }
            | Self::OpenCase { job, .. } => *job,
        }
    }
}

/// The INFO and FORMAT keys a table shows as columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    pub info_keys: Vec<String>,
    pub format_keys: Vec<String>,
}

/// One part of a file for one worker of a pool, as the engine plans it: BGZF virtual offsets
/// (with or without an index), byte offsets of uncompressed text, and the size of the file it
/// was planned for (a worker refuses another file).
pub use wasm_core::formats::shards::ShardSpec;

/// What the filter builder and the presets need to know about a loaded file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FilterSchema {
    pub info: Vec<FieldSchema>,
    pub format: Vec<FieldSchema>,
    pub samples: Vec<String>,
    /// FILTER values that occur in the records (`PASS` included when it does).
    pub filters: Vec<String>,
    /// Whether any record has a QUAL value.
    pub has_qual: bool,
    /// Annotation fields (`CSQ`, `ANN`, …) with their sub-field names.
    pub annotations: Vec<AnnotationSchema>,
}

impl FilterSchema {
    pub fn info_field(&self, key: &str) -> Option<&FieldSchema> {
        self.info.iter().find(|f| f.key == key)
    }

    pub fn format_field(&self, key: &str) -> Option<&FieldSchema> {
        self.format.iter().find(|f| f.key == key)
    }

    /// Whether annotation `tag` has sub-field `name`.
    pub fn has_subfield(&self, tag: &str, name: &str) -> bool {
        self.annotations
            .iter()
            .any(|a| a.tag == tag && a.subfields.iter().any(|s| s == name))
    }
}

/// One INFO or FORMAT field as the header declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSchema {
    pub key: String,
    /// `Number=` as written (`1`, `A`, `R`, `G`, `.`, …).
    pub number: String,
    /// `Integer`, `Float`, `Flag`, `Character` or `String`.
    pub ty: String,
    pub description: String,
}

/// One annotation INFO field and its sub-fields, in header order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnotationSchema {
    pub tag: String,
    pub subfields: Vec<String>,
}

/// What decided a clause of the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClauseSource {
    /// A top-level clause of the expression.
    Expression,
    /// The region list.
    Regions,
    /// The gene list.
    Genes,
    /// The chosen inheritance modes together (a union): the records no chosen mode keeps.
    Inheritance,
    /// One chosen inheritance mode. Its `removed` is what it would remove on its own after the
    /// clauses before the modes; modes are a union, so these are not part of the sum the other
    /// clauses' `removed` make ([`ClauseSource::Inheritance`] is).
    Mode(inheritance::Mode),
}

/// How many records one clause removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClauseReport {
    pub source: ClauseSource,
    /// The clause's text, or a short description of the list.
    pub text: String,
    /// Where the clause sits in the expression (expression clauses only).
    pub span: Option<Span>,
    /// Records this clause alone would remove.
    pub failing: u64,
    /// Records it removed among those the clauses before it kept; these sum to `total - passing`.
    pub removed: u64,
}

/// The outcome of a filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterReport {
    /// The expression as applied (echoed so the page can label the result).
    pub expression: String,
    pub mode: Mode,
    pub passing: u64,
    pub total: u64,
    pub clauses: Vec<ClauseReport>,
    /// Time the worker spent, in milliseconds.
    pub millis: f64,
    /// Listed genes that no record of the file is annotated with.
    pub genes_not_found: Vec<String>,
    /// What compiled but probably does not say what was meant, with its span in `expression`
    /// and a hint (`Filter::warnings`: a bare `DB` selects nothing, as in bcftools).
    pub warnings: Vec<FilterError>,
}

/// Why a filter was not applied. The previous filter stays in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FilterRejection {
    /// A syntax or type error in the expression, with its span.
    Expression { error: FilterError },
    /// A line of the region list does not parse.
    Regions { error: RegionError },
    /// A line of the gene list does not parse.
    Genes { error: RegionError },
}

/// A file as a worker (or, merged, a pool) holds it: the answer to an open, and what the page
/// shows about it ([`crate::ui::LoadedFile`] keeps it as it came).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loaded {
    pub summary: Summary,
    /// Fields, samples and annotations, for the filter builder and presets.
    pub schema: FilterSchema,
    /// INFO keys the table shows as columns, and FORMAT keys shown beside each genotype.
    pub columns: Columns,
    /// The salted fingerprint (`wasm_core::fingerprint`); a pool's later shards leave it empty
    /// (the lead's is the whole file's).
    pub fingerprint: String,
    /// Time to read the file, in milliseconds.
    pub millis: f64,
    /// The annotation field the table summarises (Gene, Consequence, HGVS), if any.
    pub annotation: Option<String>,
    /// Set when the file would not fit the memory budget, so it was not loaded: the worker keeps
    /// it to scan ([`Request::Stream`]) or query by region ([`Request::Region`], with an index),
    /// and `summary` comes from a prefix of the file (its `records` is the estimate's).
    pub streaming: Option<Streaming>,
}

impl Loaded {
    /// `vcf`, `vcf.gz`, `vcf.bgzf` or `bcf`: the descriptor's format name.
    pub fn format(&self) -> &'static str {
        format_name(&self.summary)
    }
}

/// Why a file is in streaming mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Streaming {
    /// What holding it would take.
    pub estimate: MemoryEstimate,
    /// The budget it exceeds, in store bytes.
    pub budget: u64,
    /// Whether an index came with the file (region queries read only their part).
    pub indexed: bool,
}

/// What a worker reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's wasm instance is initialised and listens; sent once, first.
    Ready { version: u32 },
    /// `done` raw bytes of `total` read.
    Progress {
        job: u32,
        done: u64,
        total: Option<u64>,
    },
    /// The file is open: loaded (the worker holds its dataset), or in streaming mode.
    Loaded { job: u32, loaded: Loaded },
    /// The file is Crypt4GH-encrypted and the request carried no key: ask the user for one, then
    /// open the same file again with it. Nothing was read beyond the file's first 64 KiB.
    KeyRequired { job: u32 },
    /// What the index says about the file, sent as soon as the index is opened, before the
    /// records are read (not final).
    Overview { job: u32, overview: Overview },
    /// The index picked with the file cannot be used with it; the file is read without it
    /// (not final). `message` names both files.
    IndexRejected { job: u32, message: String },
    /// The file is read by a pool (not final): `specs[0]` is the part this worker reads; the
    /// page hands each other part to a worker of its own ([`Request::OpenShard`]).
    Shards { job: u32, specs: Vec<ShardSpec> },
    /// A page of rows.
    Rows {
        job: u32,
        /// Records passing the filter in force (all records without one).
        total: u64,
        offset: u64,
        rows: Vec<Row>,
        /// Per row, its annotation summary; empty when the file has no annotation field.
        annotations: Vec<Option<annotation::Summary>>,
    },
    /// The sort keys of the passing records, in the order asked: for `Qual` the QUAL (NaN when
    /// missing), for `Position` `contig * 2^35 + POS`, where `contig` is the index of the
    /// record's contig in this worker's `Summary::contigs`.
    Keys {
        job: u32,
        total: u64,
        keys: Vec<f64>,
    },
    /// The filter is applied.
    Filtered { job: u32, report: FilterReport },
    /// The filter could not be applied; the previous one stays in force.
    FilterRejected {
        job: u32,
        /// The expression the rejection refers to.
        expression: String,
        rejection: FilterRejection,
    },
    /// Streaming mode: the records a scan or a region read kept are now the shown ones.
    /// `summary.records` counts them, `summary.scanned` the records a scan read to find them,
    /// `summary.bytes_read` the raw bytes read.
    Scanned {
        job: u32,
        summary: Summary,
        millis: f64,
        /// The scan's expression's warnings (as [`FilterReport::warnings`]); none for a region.
        warnings: Vec<FilterError>,
    },
    /// The pedigree check's counts over this worker's records (its shard of a pool).
    PedigreeTally {
        job: u32,
        tally: Box<wasm_core::pedigree_check::Tally>,
    },
    /// The pedigree is tied to the dataset (`None`: let go of).
    Pedigree {
        job: u32,
        info: Option<PedigreeInfo>,
    },
    /// The pedigree could not be used (what and on which PED line); the previous one stays.
    PedigreeRejected {
        job: u32,
        error: inheritance::InheritanceError,
    },
    /// One record's explanations, per mode, family and alternate allele; in a pool, compound
    /// het partners are numbered in the whole file.
    Explained {
        job: u32,
        explanations: Vec<inheritance::Explanation>,
    },
    /// Where the record asked by [`Request::Locate`] stands: its offset among the passing
    /// records in the order asked and its sort key (as [`Event::Keys`] gives it); `None`: it
    /// does not pass the filter and modes in force.
    Located { job: u32, place: Option<(u64, f64)> },
    /// The record asked by [`Request::Detail`], in full.
    Detail {
        job: u32,
        detail: Box<VariantDetail>,
    },
    /// The answer to [`Request::Precede`]: this shard's passing records before the one asked.
    Preceding { job: u32, count: u64 },
    /// A shard's evidence for compound hets across shards.
    PartEvidence {
        job: u32,
        evidence: inheritance::PartEvidence,
    },
    /// The merged evidence is kept.
    PartsKept { job: u32 },
    /// The QC statistics asked for by [`Request::Stats`].
    Stats { job: u32, part: Box<StatsPart> },
    /// A part of an export document ([`Request::Export`]) and the records it holds.
    Exported {
        job: u32,
        bytes: Vec<u8>,
        records: u64,
    },
    /// The case file [`Request::SealCase`] made.
    CaseSealed { job: u32, file: Vec<u8> },
    /// The case in the file [`Request::OpenCase`] decrypted, as JSON (a `Case` holds tagged
    /// enums, which `postcard` cannot carry), or why not: the kind and the message.
    CaseOpened {
        job: u32,
        outcome: Result<String, (CaseFileErrorKind, String)>,
    },
    /// The job failed; `message` says what and where. Job 0: the worker could not read a
    /// message, and is of no further use.
    Failed {
        job: u32,
        message: String,
        location: Option<Location>,
    },
}

impl Event {
    /// The job this event answers; `None` for [`Event::Ready`].
    pub fn job(&self) -> Option<u32> {
        match self {
            Self::Ready { .. } => None,
            Self::Progress { job, .. }
            | Self::Loaded { job, .. }
            | Self::KeyRequired { job }
            | Self::Overview { job, .. }
            | Self::IndexRejected { job, .. }
            | Self::Shards { job, .. }
            | Self::Keys { job, .. }
            | Self::Rows { job, .. }
            | Self::Filtered { job, .. }
            | Self::FilterRejected { job, .. }
            | Self::Scanned { job, .. }
            | Self::PedigreeTally { job, .. }
            | Self::Pedigree { job, .. }
            | Self::PedigreeRejected { job, .. }
            | Self::Explained { job, .. }
            | Self::Located { job, .. }
            | Self::Detail { job, .. }
            | Self::Preceding { job, .. }
            | Self::PartEvidence { job, .. }
            | Self::PartsKept { job }
            | Self::Stats { job, .. }
            | Self::Exported { job, .. }
            | Self::CaseSealed { job, .. }
            | Self::CaseOpened { job, .. }
            | Self::Failed { job, .. } => Some(*job),
        }
    }

    /// Whether this event ends its job (no more events follow for it).
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            Self::Ready { .. }
                | Self::Progress { .. }
                | Self::Overview { .. }
                | Self::IndexRejected { .. }
                | Self::Shards { .. }
        )
    }
}

/// The pedigree check of the shown file, as the page shows it
/// ([`crate::ui::pedigree_check::PedigreeCheckPanel`]): the engine's result, finished in the
/// page from every shard's [`Event::PedigreeTally`] and the pedigree the page keeps.
///
/// It never crosses the worker boundary (its warnings are tagged serde enums, which `postcard`
/// cannot read): the [`Event::PedigreeTally`] counts do.
#[derive(Debug, Clone, PartialEq)]
pub struct PedigreeCheckReport {
    pub check: wasm_core::pedigree_check::PedigreeCheck,
    /// The shards whose counts were merged (1 for a file one worker holds).
    pub parts: u32,
}

/// A pedigree as tied to a dataset: what the Family panel shows (issue 14).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PedigreeInfo {
    /// The pedigree itself, for the drawing.
    pub pedigree: Pedigree,
    /// Individuals of the pedigree the file has a sample for.
    pub sequenced: Vec<String>,
    /// Per family, its members' roles relative to its proband.
    pub families: Vec<FamilyInfo>,
    /// Per sample of the file (in file order), its family and role; `None`: not in the PED.
    pub roles: Vec<Option<(String, Role)>>,
    /// Not sequenced, unrelated samples, skipped gates, no gene annotation, ….
    pub notices: Vec<inheritance::Notice>,
}

/// One record as the variant detail shows it ([`Event::Detail`]), computed in the worker
/// holding it ([`crate::session::Session::detail`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantDetail {
    /// Every field, sample and transcript; `detail.record` is the index in the whole file once
    /// the client has it (a shard answers with its own).
    pub detail: wasm_core::detail::RecordDetail,
    /// The criteria the record's data supports, each naming its evidence.
    pub prefills: Vec<wasm_core::classification::Prefill>,
    /// The family analysis' de novo calls behind PS2 / PM6 and whether parentage counted as
    /// confirmed; `None` when no pedigree is tied.
    pub family: Option<wasm_core::classification::FamilyEvidence>,
}

/// One family's members and their roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyInfo {
    pub id: String,
    /// `(individual, role, sequenced)` in member order.
    pub members: Vec<(String, Role, bool)>,
}

/// The descriptor format name for a file's container and payload.
pub fn format_name(summary: &Summary) -> &'static str {
    use wasm_core::formats::{Compression, Payload};
    match (summary.payload, summary.compression) {
        (Payload::Bcf, _) => "bcf",
        (Payload::Vcf, Compression::None) => "vcf",
        (Payload::Vcf, Compression::Gzip) => "vcf.gz",
        (Payload::Vcf, Compression::Bgzf) => "vcf.bgzf",
    }
}

/// Why a posted message could not be understood.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtocolError {
    NotAnEnvelope,
    Version(Option<f64>),
    Message(String),
    MissingFile,
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAnEnvelope => f.write_str("the message is not an Enclave envelope"),
            Self::Version(Some(v)) => {
                write!(
                    f,
                    "the message has protocol version {v}, expected {PROTOCOL_VERSION}: reload the page"
                )
            }
            Self::Version(None) => f.write_str("the message has no protocol version"),
            Self::Message(e) => write!(f, "the message is malformed: {e}"),
            Self::MissingFile => f.write_str("the message carries no file"),
        }
    }
}

impl std::error::Error for ProtocolError {}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A posted message as JS sees it: `{v, msg, file?, index?}` (a plain object).
    #[wasm_bindgen(extends = js_sys::Object)]
    type RawEnvelope;
    #[wasm_bindgen(method, getter)]
    fn v(this: &RawEnvelope) -> JsValue;
    #[wasm_bindgen(method, setter)]
    fn set_v(this: &RawEnvelope, v: u32);
    #[wasm_bindgen(method, getter)]
    fn msg(this: &RawEnvelope) -> JsValue;
    #[wasm_bindgen(method, setter)]
    fn set_msg(this: &RawEnvelope, msg: &JsValue);
    #[wasm_bindgen(method, getter)]
    fn file(this: &RawEnvelope) -> JsValue;
    #[wasm_bindgen(method, setter)]
    fn set_file(this: &RawEnvelope, file: &web_sys::Blob);
    #[wasm_bindgen(method, getter)]
    fn index(this: &RawEnvelope) -> JsValue;
    #[wasm_bindgen(method, setter)]
    fn set_index(this: &RawEnvelope, index: &web_sys::Blob);
}

/// A message as posted: `{v, msg, file?, index?}`.
pub struct Envelope<T> {
    pub msg: T,
    pub file: Option<web_sys::Blob>,
    /// The data file's `.tbi` / `.csi` index, beside `file`.
    pub index: Option<web_sys::Blob>,
}

impl<T: Serialize> Envelope<T> {
    pub fn new(msg: T) -> Self {
        Self {
            msg,
            file: None,
            index: None,
        }
    }

    pub fn with_file(msg: T, file: web_sys::Blob) -> Self {
        Self {
            msg,
            file: Some(file),
            index: None,
        }
    }

    /// Adds the data file's index.
    pub fn with_index(mut self, index: Option<web_sys::Blob>) -> Self {
        self.index = index;
        self
    }

    /// The JS object to hand to `postMessage`.
    pub fn to_js(&self) -> Result<JsValue, ProtocolError> {
        let mut bytes =
            postcard::to_allocvec(&self.msg).map_err(|e| ProtocolError::Message(e.to_string()))?;
        let msg: JsValue = js_sys::Uint8Array::from(&bytes[..]).into();
        // A message can carry a key and its passphrase: no copy stays in wasm memory.
        bytes.zeroize();
        let raw: RawEnvelope = js_sys::Object::new().unchecked_into();
        raw.set_v(PROTOCOL_VERSION);
        raw.set_msg(&msg);
        if let Some(file) = &self.file {
            raw.set_file(file);
        }
        if let Some(index) = &self.index {
            raw.set_index(index);
        }
        Ok(raw.into())
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Reads a posted envelope, checking its version.
    pub fn from_js(data: &JsValue) -> Result<Self, ProtocolError> {
        if !data.is_object() {
            return Err(ProtocolError::NotAnEnvelope);
        }
        let raw: &RawEnvelope = data.unchecked_ref();
        let v = raw.v().as_f64();
        if v != Some(f64::from(PROTOCOL_VERSION)) {
            return Err(ProtocolError::Version(v));
        }
        let mut bytes = raw
            .msg()
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| ProtocolError::NotAnEnvelope)?
            .to_vec();
        let msg = postcard::from_bytes(&bytes).map_err(|e| ProtocolError::Message(e.to_string()));
        bytes.zeroize();
        Ok(Self {
            msg: msg?,
            file: raw.file().dyn_into().ok(),
            index: raw.index().dyn_into().ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use wasm_bindgen_test::wasm_bindgen_test;
    use wasm_core::filter::FilterErrorKind;
    use wasm_core::formats::indexed::OverviewContig;
    use wasm_core::formats::shards::ShardRange;
    use wasm_core::formats::{Compression, Payload};
    use wasm_core::index::IndexKind;
    use wasm_core::progress::Silent;

    const VCF: &str = include_str!("../tests/data/filter_small.vcf");

    fn round_trip<T: Serialize + DeserializeOwned>(msg: &T) -> T {
        let js = Envelope::new(msg).to_js().expect("encodes");
        Envelope::<T>::from_js(&js).expect("decodes").msg
    }

    /// A session over a small annotated two-sample file: real summaries, rows, reports and
    /// rejections for the samples below.
    fn session() -> Session {
        let dataset = wasm_core::read_dataset(VCF.as_bytes(), None, &mut Silent).unwrap();
        Session::new(dataset)
    }

    fn spec(range: ShardRange) -> ShardSpec {
        ShardSpec {
            range,
            data_bytes: (1 << 40) + 3,
        }
    }

    fn key() -> KeyMaterial {
        KeyMaterial {
            key_file: "-----BEGIN CRYPT4GH PRIVATE KEY-----".into(),
            passphrase: Some("correct horse".into()),
        }
    }

    /// The evidence a shard of the demo's synthetic families offers (comp-het candidates).
    fn part_evidence() -> inheritance::PartEvidence {
        let vcf = include_str!("../../static/demo/family.vcf");
        let ped = include_str!("../../static/demo/family.ped");
        let ds = wasm_core::read_dataset(vcf.as_bytes(), None, &mut Silent).unwrap();
        let pedigree = wasm_core::pedigree::Pedigree::parse(ped.as_bytes()).unwrap();
        let options = inheritance::Options {
            build: inheritance::Build::of_summary(&ds.summary),
            ..inheritance::Options::default()
        };
        let analysis = inheritance::Analysis::new(&ds.store, &pedigree, options).unwrap();
        let evidence = analysis.part_evidence(&ds.store, 1);
        assert_ne!(evidence, inheritance::PartEvidence::default());
        evidence
    }

    /// One request of every variant. The match is exhaustive: a new variant does not compile
    /// until it has a sample here (the arm of the variant before it returns it), and then
    /// [`every_message_round_trips`] checks it.
    fn every_request() -> Vec<Request> {
        let evidence = part_evidence();
        let mut all = Vec::new();
        let mut next = Some(Request::Open {
            job: 1,
            salt: vec![0, 255, 7],
            name_hint: "trio “é”.vcf.gz".into(),
            key: Some(key()),
            index_name: Some("trio.vcf.gz.csi".into()),
            memory_budget: Some(u64::MAX),
            shards: 8,
        });
        while let Some(request) = next {
            next = match &request {
                Request::Open { .. } => Some(Request::OpenShard {
                    job: 2,
                    name_hint: "genome.vcf.gz".into(),
                    key: None,
                    spec: spec(ShardRange::Bgzf {
                        start: (1 << 60) + 1,
                        end: Some(u64::MAX),
                    }),
                }),
                Request::OpenShard { .. } => Some(Request::Stream {
                    job: 3,
                    expression: r#"QUAL>=30 && GT[0]="het""#.into(),
                    mode: Mode::Exclude,
                    regions: Some("chr1:1-100\nchr2".into()),
                }),
                Request::Stream { .. } => Some(Request::Region {
                    job: 4,
                    regions: "1\t99\t200".into(),
                }),
                Request::Region { .. } => Some(Request::Rows {
                    job: 5,
                    offset: 1 << 40,
                    limit: 50,
                    sort: SortKey::Qual,
                    descending: true,
                    columns: Some(Columns {
                        info_keys: vec!["DP".into()],
                        format_keys: vec!["GQ".into(), "DP".into()],
                    }),
                }),
                Request::Rows { .. } => Some(Request::Keys {
                    job: 6,
                    limit: u64::MAX,
                    sort: SortKey::Position,
                    descending: false,
                }),
                Request::Keys { .. } => Some(Request::Filter {
                    job: 7,
                    expression: String::new(),
                    mode: Mode::Include,
                    regions: None,
                    genes: Some("BRCA1, TP53".into()),
                    absent: AbsentFields {
                        info: vec!["LATE".into()],
                        format: vec!["AD".into()],
                    },
                }),
                Request::Filter { .. } => Some(Request::PedigreeCheck { job: 8 }),
                Request::PedigreeCheck { .. } => Some(Request::Pedigree {
                    job: 8,
                    ped: Some("fam\tKID\tFA\tMO\t1\t2\r\nfam\tFA\t0\t0\t1\t1\n".into()),
                    options: inheritance::Options {
                        gates: inheritance::Gates {
                            min_gq: Some(30.5),
                            ..inheritance::Gates::off()
                        },
                        lenient: true,
                        build: Some(inheritance::Build::GRCh38),
                    },
                }),
                Request::Pedigree { .. } => Some(Request::Inheritance {
                    job: 9,
                    modes: inheritance::Mode::ALL.to_vec(),
                }),
                Request::Inheritance { .. } => Some(Request::Explain {
                    job: 10,
                    record: (1 << 40) + 1,
                    modes: vec![inheritance::Mode::CompHet, inheritance::Mode::MendelError],
                }),
                Request::Explain { .. } => Some(Request::Locate {
                    job: 10,
                    record: (1 << 40) + 3,
                    sort: SortKey::Qual,
                    descending: true,
                }),
                Request::Locate { .. } => Some(Request::Detail {
                    job: 10,
                    record: (1 << 40) + 5,
                    parentage_confirmed: true,
                }),
                Request::Detail { .. } => Some(Request::Precede {
                    job: 10,
                    sort: SortKey::Position,
                    descending: false,
                    shard: 2,
                    key: crate::shards::position_key(3, 10_000_000_000),
                    part: 4,
                    ranks: vec![0, 2, 1, 3],
                }),
                Request::Precede { .. } => Some(Request::PartEvidence { job: 11, part: 3 }),
                Request::PartEvidence { .. } => Some(Request::OtherParts {
                    job: 12,
                    part: 1,
                    others: evidence.clone(),
                }),
                Request::OtherParts { .. } => Some(Request::Stats {
                    job: 13,
                    scope: StatsScope::Filtered,
                    ped: Some("fam\tkid\tdad\tmum\t1\t2\n".into()),
                }),
                Request::Stats { .. } => Some(Request::SealCase {
                    job: 14,
                    json: "{\"version\":1}".into(),
                    recipients: vec!["-----BEGIN CRYPT4GH PUBLIC KEY-----".into(); 2],
                    writer: Some(key()),
                }),
                Request::SealCase { .. } => Some(Request::OpenCase {
                    job: 15,
                    file: b"crypt4gh\x01\0\0\0".to_vec(),
                    key: key(),
                }),
                Request::OpenCase { .. } => Some(Request::Export {
                    job: 16,
                    format: ExportFormat::Json,
                    info_keys: vec!["DP".into()],
                    format_keys: vec!["GQ".into()],
                    selected: Selected {
                        expression: "QUAL>30".into(),
                        exclude: true,
                        regions: "chr1:1-10".into(),
                        genes: "TTN".into(),
                        modes: vec!["de-novo".into()],
                    },
                    head: true,
                }),
                Request::Export { .. } => None,
            };
            all.push(request);
        }
        all
    }

    /// One event of every variant, from a real session where the engine makes the value; as
    /// [`every_request`], a new variant does not compile until it has a sample.
    fn every_event() -> Vec<Event> {
        let mut s = session();
        let summary = s.dataset().summary.clone();
        let loaded = Loaded {
            summary: summary.clone(),
            schema: s.schema(),
            columns: Columns {
                info_keys: s.info_keys().to_vec(),
                format_keys: s.format_keys().to_vec(),
            },
            fingerprint: "f".repeat(64),
            millis: 12.5,
            annotation: s.annotation_tag().map(str::to_string),
            streaming: Some(Streaming {
                estimate: MemoryEstimate {
                    bytes: 5 << 30,
                    records: 5_000_000,
                    bytes_per_record: 65.5,
                    exact_records: true,
                },
                budget: 5_000_000,
                indexed: true,
            }),
        };
        let page = s.rows(0, 3, SortKey::Position, false);
        // A bare value among the conditions: the report carries its warning.
        let report = s
            .filter(
                "QUAL>=30 && FMT/GQ>20 && QUAL",
                Mode::Include,
                Some("1"),
                Some("GENE1"),
                &|| 1.0,
            )
            .expect("a valid filter");
        let rejection = s
            .filter("QUAL>", Mode::Include, None, None, &|| 1.0)
            .expect_err("a broken expression");
        // The file's two samples as a trio's child and father, the mother not sequenced.
        let samples = s.dataset().store.samples().to_vec();
        let ped = format!(
            "fam\t{0}\t{1}\tMO\t1\t2\nfam\t{1}\t0\t0\t1\t1\nfam\tMO\t0\t0\t2\t1\n",
            samples[0], samples[1]
        );
        let family = crate::session::family::Family::new(
            &s.dataset().store,
            &ped,
            inheritance::Options {
                build: Some(inheritance::Build::GRCh37),
                ..inheritance::Options::default()
            },
        )
        .expect("a valid pedigree");
        let rejected = crate::session::family::Family::new(
            &s.dataset().store,
            "f A B 0 1 1\nf B 0 0 2 1\n",
            inheritance::Options::default(),
        )
        .err()
        .expect("a father of sex 2");
        let mut all = Vec::new();
        let mut next = Some(Event::Ready {
            version: PROTOCOL_VERSION,
        });
        while let Some(event) = next {
            next = match &event {
                Event::Ready { .. } => Some(Event::Progress {
                    job: 1,
                    done: (1 << 53) + 1,
                    total: None,
                }),
                Event::Progress { .. } => Some(Event::Loaded {
                    job: 2,
                    loaded: loaded.clone(),
                }),
                Event::Loaded { .. } => Some(Event::KeyRequired { job: 3 }),
                Event::KeyRequired { .. } => Some(Event::Overview {
                    job: 4,
                    overview: Overview {
                        payload: Payload::Vcf,
                        index: IndexKind::Csi,
                        encrypted: true,
                        file_format: "VCFv4.2".into(),
                        samples: vec!["mother".into()],
                        reference_build: Some("GRCh38".into()),
                        contigs: vec![OverviewContig {
                            name: "chr1".into(),
                            length: Some(248_956_422),
                            records: None,
                        }],
                        records: None,
                        data_bytes: 1 << 41,
                        warnings: vec!["no counts for chr1".into()],
                    },
                }),
                Event::Overview { .. } => Some(Event::IndexRejected {
                    job: 5,
                    message: "the index “a.csi” cannot be used with “a.vcf.gz”".into(),
                }),
                Event::IndexRejected { .. } => Some(Event::Shards {
                    job: 6,
                    specs: vec![
                        spec(ShardRange::Whole),
                        spec(ShardRange::Text {
                            start_offset: 12,
                            end_offset: Some((1 << 53) + 1),
                        }),
                    ],
                }),
                Event::Shards { .. } => Some(Event::Rows {
                    job: 7,
                    total: page.total,
                    offset: 0,
                    rows: page.rows.clone(),
                    annotations: page.annotations.clone(),
                }),
                Event::Rows { .. } => Some(Event::Keys {
                    job: 8,
                    total: u64::MAX,
                    keys: vec![f64::INFINITY, -0.0, 1e300],
                }),
                Event::Keys { .. } => Some(Event::Filtered {
                    job: 9,
                    report: report.clone(),
                }),
                Event::Filtered { .. } => Some(Event::FilterRejected {
                    job: 10,
                    expression: "QUAL>".into(),
                    rejection: rejection.clone(),
                }),
                Event::FilterRejected { .. } => Some(Event::Scanned {
                    job: 11,
                    summary: Summary {
                        compression: Compression::Bgzf,
                        scanned: Some(9940),
                        ..summary.clone()
                    },
                    millis: 0.25,
                    warnings: report.warnings.clone(),
                }),
                Event::Scanned { .. } => Some(Event::PedigreeTally {
                    job: 13,
                    tally: Box::new(wasm_core::pedigree_check::tally(
                        &s.dataset().store,
                        Some(wasm_core::pedigree_check::Build::GRCh37),
                        &Default::default(),
                    )),
                }),
                Event::PedigreeTally { .. } => {
                    let Event::Stats { part, .. } =
                        crate::worker::stats::answer(13, &s, StatsScope::Filtered, None)
                    else {
                        unreachable!("a session answers Stats")
                    };
                    Some(Event::Stats { job: 13, part })
                }
                Event::Stats { .. } => Some(Event::Failed {
                    job: 12,
                    message: "“x.vcf”: line 3: a truncated record".into(),
                    location: Some(Location {
                        line: Some(3),
                        record: Some(1),
                        offset: Some(1 << 33),
                        shard_offset: Some(7),
                    }),
                }),
                Event::Failed { .. } => Some(Event::Pedigree {
                    job: 13,
                    info: Some(family.info(s.dataset().store.samples())),
                }),
                Event::Pedigree { .. } => Some(Event::PedigreeRejected {
                    job: 14,
                    error: rejected.clone(),
                }),
                Event::PedigreeRejected { .. } => Some(Event::Explained {
                    job: 15,
                    explanations: family.explain(&s.dataset().store, 0, &inheritance::Mode::ALL),
                }),
                Event::Explained { .. } => Some(Event::Located {
                    job: 15,
                    place: s.locate(1, SortKey::Position, false),
                }),
                Event::Located { .. } => Some(Event::Detail {
                    job: 15,
                    detail: Box::new(s.detail(0, false).expect("record 0 has a detail")),
                }),
                Event::Detail { .. } => Some(Event::Preceding {
                    job: 15,
                    count: 1 << 40,
                }),
                Event::Preceding { .. } => Some(Event::PartEvidence {
                    job: 16,
                    evidence: part_evidence(),
                }),
                Event::PartEvidence { .. } => Some(Event::PartsKept { job: 17 }),
                Event::PartsKept { .. } => Some(Event::CaseSealed {
                    job: 18,
                    file: vec![0, 1, 255],
                }),
                Event::CaseSealed { .. } => Some(Event::CaseOpened {
                    job: 19,
                    outcome: Err((CaseFileErrorKind::OtherDataset, "another file".into())),
                }),
                Event::CaseOpened { .. } => Some(Event::Exported {
                    job: 20,
                    bytes: b"1\t10\n".to_vec(),
                    records: 1 << 33,
                }),
                Event::Exported { .. } => None,
            };
            all.push(event);
        }
        all
    }

    #[wasm_bindgen_test]
    fn every_message_round_trips() {
        let requests = every_request();
        assert_eq!(requests.len(), 20, "one sample per request variant");
        for request in &requests {
            assert_eq!(&round_trip(request), request);
        }
        let events = every_event();
        assert_eq!(events.len(), 26, "one sample per event variant");
        for event in &events {
            assert_eq!(&round_trip(event), event);
        }
        // The samples are what the names say: a rejection with its span, annotated rows.
        assert!(events.iter().any(|e| matches!(
            e,
            Event::FilterRejected {
                rejection: FilterRejection::Expression { .. },
                ..
            }
        )));
        assert!(events.iter().any(|e| matches!(
            e,
            Event::Rows { rows, annotations, .. } if rows.len() == 3 && annotations.len() == 3
        )));
        // The filter's warnings travel with its answer, kind, span and hint (`QUAL` alone).
        let warned = |warnings: &[FilterError]| {
            matches!(warnings, [w] if w.kind == FilterErrorKind::NotACondition
                && w.span == Span { start: 25, end: 29 } && w.hint.is_some())
        };
        assert!(events.iter().any(|e| matches!(
            e, Event::Filtered { report, .. } if warned(&report.warnings)
        )));
        assert!(events.iter().any(|e| matches!(
            e, Event::Scanned { warnings, .. } if warned(warnings)
        )));
        // The family messages carry what the panel shows: roles, a refused PED's line,
        // explanations per mode.
        assert!(events.iter().any(|e| matches!(
            e,
            Event::Pedigree { info: Some(info), .. }
                if info.sequenced.len() == 2 && info.roles.iter().all(Option::is_some)
        )));
        assert!(events.iter().any(|e| matches!(
            e,
            Event::PedigreeRejected { error: inheritance::InheritanceError::Pedigree(p), .. }
                if p.kind() == wasm_core::pedigree::PedigreeErrorKind::FatherNotMale
                    && p.line().is_some()
        )));
        assert!(events.iter().any(|e| matches!(
            e, Event::Explained { explanations, .. } if explanations.len() >= inheritance::Mode::ALL.len()
        )));
        // Only the open's final answers end it: notes before it do not.
        let finals: Vec<bool> = events.iter().map(Event::is_final).collect();
        assert_eq!(
            finals,
            [
                false, false, true, true, false, false, false, true, true, true, true, true, true,
                true, true, true, true, true, true, true, true, true, true, true, true, true
            ]
        );
    }

    #[wasm_bindgen_test]
    fn sort_keys_keep_their_bits() {
        // NaN (a missing QUAL) and infinities come back bit for bit.
        let keys = vec![
            f64::NAN,
            f64::INFINITY,
            -0.0,
            1e300,
            (1u64 << 53) as f64 + 2.0,
        ];
        match round_trip(&Event::Keys {
            job: 1,
            total: u64::MAX,
            keys: keys.clone(),
        }) {
            Event::Keys {
                job,
                total,
                keys: back,
            } => {
                assert_eq!((job, total), (1, u64::MAX));
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&back), bits(&keys));
            }
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test]
    fn files_travel_beside_the_message() {
        let file = web_sys::Blob::new().unwrap();
        let index = web_sys::Blob::new().unwrap();
        let request = every_request().remove(0);
        let js = Envelope::with_file(&request, file)
            .with_index(Some(index))
            .to_js()
            .unwrap();
        let back = Envelope::<Request>::from_js(&js).unwrap();
        assert_eq!(back.msg, request);
        assert!(back.file.is_some() && back.index.is_some());
        let js = Envelope::new(&request).to_js().unwrap();
        let back = Envelope::<Request>::from_js(&js).unwrap();
        assert!(back.file.is_none() && back.index.is_none());
    }

    #[wasm_bindgen_test]
    fn malformed_envelopes_are_named_not_panicked_on() {
        let js = Envelope::new(&Event::Ready { version: 1 }).to_js().unwrap();
        let raw: &RawEnvelope = js.unchecked_ref();
        // Truncated bytes.
        let bytes = raw.msg().dyn_into::<js_sys::Uint8Array>().unwrap().to_vec();
        raw.set_msg(&js_sys::Uint8Array::from(&bytes[..bytes.len() - 1]).into());
        assert!(matches!(
            Envelope::<Event>::from_js(&js),
            Err(ProtocolError::Message(_))
        ));
        // Not bytes at all (an older page's object).
        raw.set_msg(&js_sys::Object::new().into());
        assert!(matches!(
            Envelope::<Event>::from_js(&js),
            Err(ProtocolError::NotAnEnvelope)
        ));
        // Another version.
        raw.set_v(PROTOCOL_VERSION - 1);
        assert!(matches!(
            Envelope::<Event>::from_js(&js),
            Err(ProtocolError::Version(Some(_)))
        ));
        assert!(matches!(
            Envelope::<Event>::from_js(&JsValue::from_str("x")),
            Err(ProtocolError::NotAnEnvelope)
        ));
    }
}
