//! The page's one door to the engine: a typed client whose calls return futures.
//!
//! [`WorkerClient`] runs a pool of dedicated Web Workers, each its own wasm instance of the
//! engine. Each call posts a [`Request`] and returns a [`Reply`] to `.await`:
//!
//! | call | answer |
//! |---|---|
//! | [`open`](WorkerClient::open) (with [`LoadNote`]s: overview, progress) | [`Opened`]: the file's [`Loaded`], or that it needs a key |
//! | [`filter`](WorkerClient::filter) | the [`FilterReport`], or [`CallError::Rejected`] |
//! | [`rows`](WorkerClient::rows) | one [`Page`] of the passing records |
//! | [`stream`](WorkerClient::stream) (with progress), [`region`](WorkerClient::region) | [`Scanned`]: streaming mode's kept records |
//! | [`pedigree_check`](WorkerClient::pedigree_check) | the [`PedigreeCheckReport`]: every shard's counts merged, finished in the page |
//! | [`pedigree`](WorkerClient::pedigree) | the pedigree as tied to the file, or why it cannot be |
//! | [`inheritance`](WorkerClient::inheritance) | the [`FilterReport`] with the chosen modes' clauses |
//! | [`explain`](WorkerClient::explain) | one record's explanations per mode |
//! | [`stats`](WorkerClient::stats) | [`QcReport`]: the QC statistics, merged over the shards ([`stats`]) |
//!
//! Dropping a reply abandons the call ([`call`]): that is how the page lets a newer request
//! supersede an older one. Modules, each using only those before it: [`call`] (replies and
//! errors), [`pool`] (workers, their roles, routing by job, restart on death), [`fan_out`]
//! (asking the shown file: its one worker, or every shard and one merged answer), [`load`]
//! (opening a file, in shards when the engine splits it). This file holds the handles together.
//!
//! Adding a request: a `Request` and an answer `Event` in [`crate::protocol`], the worker's arm
//! in [`crate::worker`], then a call here (or in [`fan_out`] when every shard must answer, with
//! its merge in [`crate::shards`]) that posts it with `Workers::ask` and turns the final event
//! into its typed answer with a [`call`] pair.

pub mod call;
pub mod detail;
pub mod export;
pub mod family;
pub mod fan_out;
pub mod load;
pub mod pedigree_check;
pub mod pool;
pub mod stats;

use std::cell::RefCell;
use std::rc::Rc;

use crate::protocol::{Event, FilterReport, PedigreeCheckReport, Request};
pub use call::{CallError, Reply};
pub use export::{ExportArgs, Exported};
pub use fan_out::{FilterArgs, Page, PageRequest, Scanned};
use fan_out::{Shards, SharedShards};
use load::Loads;
pub use load::{LoadNote, OpenArgs, Opened};
use pool::Workers;
pub use stats::{QcReport, StatsArgs};
use wasm_core::filter::Mode;
use wasm_core::pedigree::Pedigree;
use wasm_core::store::SortKey;

/// The worker script, relative to the page.
pub const WORKER_URL: &str = "./worker.js";

/// Most workers a pool load uses unless the page asks for more (`?workers=N`): each holds its
/// own wasm instance and a share of the store.
pub const MAX_WORKERS: u32 = 8;

/// The page's hook for a lost file (a worker holding it died), set once the page is up.
type LostHook = Rc<RefCell<Option<Box<dyn Fn(String)>>>>;

/// The page's handle on its engine workers. Cheap to clone; all clones share the pool.
#[derive(Clone)]
pub struct WorkerClient {
    workers: Workers,
    shards: SharedShards,
    loads: Loads,
    /// The pedigree check's counts of the shown file, shared by every panel that asks.
    tallies: pedigree_check::Tallies,
    /// The page's hook for a lost file.
    on_lost: LostHook,
}

impl WorkerClient {
    /// A client whose loads may use up to `workers` workers, with one spare worker starting up.
    pub fn new(workers: u32) -> Self {
        Self::with_script(WORKER_URL, workers)
    }

    /// As [`WorkerClient::new`], with workers running `script` (tests stand in for the engine).
    pub fn with_script(script: &str, workers: u32) -> Self {
        let shards: SharedShards = Rc::new(RefCell::new(Shards::default()));
        let on_lost: LostHook = Rc::new(RefCell::new(None));
        let lost = {
            let (shards, on_lost) = (shards.clone(), on_lost.clone());
            move |message: String| {
                *shards.borrow_mut() = Shards::default();
                if let Some(hook) = on_lost.borrow().as_ref() {
                    hook(message);
                }
            }
        };
        let workers = Workers::new(script, workers, lost);
        Self {
            loads: Loads::new(workers.clone(), shards.clone()),
            workers,
            shards,
            tallies: pedigree_check::Tallies::default(),
            on_lost,
        }
    }

    /// Workers a load may use.
    pub fn workers(&self) -> u32 {
        self.workers.size()
    }

    /// Called with a message when a worker holding the shown dataset dies.
    pub fn set_on_lost(&self, on_lost: impl Fn(String) + 'static) {
        *self.on_lost.borrow_mut() = Some(Box::new(on_lost));
    }

    /// Opens `args.file` in a fresh worker (or several: a file the engine splits is read by a
    /// pool). `notes` hears the index's overview or why it cannot be used, then progress. The
    /// reply is [`Opened::Loaded`] (loaded whole, or in streaming mode), [`Opened::KeyRequired`]
    /// (an encrypted file and no key) or the failure. The key goes to the workers reading the
    /// file only. A load still running is stopped first; dropping the reply stops this one.
    pub fn open(&self, args: OpenArgs, notes: impl FnMut(LoadNote) + 'static) -> Reply<Opened> {
        self.loads.open(args, notes)
    }

    /// Stops the load in progress, if any, by terminating its workers; its reply resolves as
    /// dropped. Returns whether there was one.
    pub fn cancel(&self) -> bool {
        self.loads.cancel()
    }

    /// Filters the shown dataset; later pages cover the passing records only. An empty
    /// expression and no lists clear the filter.
    pub fn filter(&self, filter: FilterArgs) -> Reply<FilterReport> {
        fan_out::filter(&self.workers, &self.shards, filter)
    }

    /// One page of the shown dataset's passing records.
    pub fn rows(&self, page: PageRequest) -> Reply<Page> {
        fan_out::rows(&self.workers, &self.shards, page)
    }

    /// The pedigree check of the shown file against `pedigree` (`None`: without a PED): each
    /// worker holding a part counts it, the page merges the counts and finishes the check
    /// ([`pedigree_check`]); the counts are kept for the shown file, so asking again (another
    /// panel, an edited PED) reads nothing again. The pedigree stays in the page.
    pub fn pedigree_check(&self, pedigree: Option<Pedigree>) -> Reply<PedigreeCheckReport> {
        pedigree_check::pedigree_check(&self.workers, &self.tallies, pedigree)
    }

    // Family analysis (issue 14): [`family`].

    /// Ties a pedigree (a PED file's text; `None` lets go of it) to the shown file, with the
    /// gates and strictness its modes use. It goes to the workers only.
    pub fn pedigree(
        &self,
        ped: Option<String>,
        options: wasm_core::inheritance::Options,
    ) -> Reply<
        Result<Option<crate::protocol::PedigreeInfo>, wasm_core::inheritance::InheritanceError>,
    > {
        family::pedigree(&self.workers, &self.shards, ped, options)
    }

    /// Keeps the records that fit any of `modes` (none: all), with the filter in force.
    pub fn inheritance(&self, modes: Vec<wasm_core::inheritance::Mode>) -> Reply<FilterReport> {
        family::inheritance(&self.workers, &self.shards, modes)
    }

    /// Why record `record` (its index in file order) fits each of `modes`, or does not.
    pub fn explain(
        &self,
        record: u64,
        modes: Vec<wasm_core::inheritance::Mode>,
    ) -> Reply<Vec<wasm_core::inheritance::Explanation>> {
        family::explain(&self.workers, &self.shards, record, modes)
    }

    /// Record `record` (its index in file order) in full for the variant detail, asked of the
    /// worker holding it, with the classification pre-fills its data supports
    /// (`parentage_confirmed`: a de novo call is PS2, else PM6).
    pub fn detail(
        &self,
        record: u64,
        parentage_confirmed: bool,
    ) -> Reply<crate::protocol::VariantDetail> {
        detail::detail(&self.workers, &self.shards, record, parentage_confirmed)
    }

    /// Where record `record` (its index in file order) stands among the shown dataset's
    /// passing records in a sort order, so the table can page to it; `None` when the filter
    /// and modes in force leave it out.
    pub fn locate(&self, record: u64, sort: SortKey, descending: bool) -> Reply<Option<u64>> {
        family::locate(&self.workers, &self.shards, record, sort, descending)
    }

    /// The QC statistics of the shown file: every record, or those passing the filter in
    /// force; with a PED, the trios' numbers too. A pool's shards are asked together and
    /// their parts merged.
    pub fn stats(&self, args: StatsArgs) -> Reply<QcReport> {
        stats::stats(&self.workers, &self.shards, args)
    }

    /// Streaming mode: scans the shown file for the records a filter keeps; `progress` hears
    /// the raw bytes read.
    pub fn stream(
        &self,
        expression: String,
        mode: Mode,
        regions: Option<String>,
        progress: impl FnMut(u64, Option<u64>) + 'static,
    ) -> Reply<Scanned> {
        let job = self.workers.next_job();
        let request = Request::Stream {
            job,
            expression,
            mode,
            regions,
        };
        self.scan(job, &request, progress)
    }

    /// Streaming mode with an index: the records of `regions`, read through the index.
    pub fn region(&self, regions: String) -> Reply<Scanned> {
        let job = self.workers.next_job();
        self.scan(job, &Request::Region { job, regions }, |_, _| {})
    }

    /// Posts a `Stream` or `Region` request to the worker keeping the file (streaming mode has
    /// one).
    fn scan(
        &self,
        job: u32,
        request: &Request,
        mut progress: impl FnMut(u64, Option<u64>) + 'static,
    ) -> Reply<Scanned> {
        let (mut answer, reply) = call::call();
        let on_event = move |event| match event {
            Event::Progress { done, total, .. } if answer.is_wanted() => progress(done, total),
            Event::Scanned {
                summary,
                millis,
                warnings,
                ..
            } => answer.send(Ok(Scanned {
                summary,
                millis,
                warnings,
            })),
            other if other.is_final() => answer.send(Err(CallError::from_event(other))),
            _ => {}
        };
        self.workers.ask(None, job, request, Box::new(on_event));
        reply
    }

    // The case file (issue 16): the cipher lives in the workers, not in the page's module.

    /// Encrypts a case's JSON to the public keys (their files' text), signed by `writer` or a
    /// one-off key: the `.c4gh` case file's bytes.
    pub fn seal_case(
        &self,
        json: String,
        recipients: Vec<String>,
        writer: Option<crate::protocol::KeyMaterial>,
    ) -> Reply<Vec<u8>> {
        let (mut answer, reply) = call::call();
        let job = self.workers.next_job();
        let request = Request::SealCase {
            job,
            json,
            recipients,
            writer,
        };
        let on_event = move |event| match event {
            Event::CaseSealed { file, .. } => answer.send(Ok(file)),
            other if other.is_final() => answer.send(Err(CallError::from_event(other))),
            _ => {}
        };
        self.workers.ask(None, job, &request, Box::new(on_event));
        reply
    }

    /// Decrypts a case file with a secret key: the case's JSON, or the engine's refusal (its
    /// kind and message).
    pub fn open_case(
        &self,
        file: Vec<u8>,
        key: crate::protocol::KeyMaterial,
    ) -> Reply<Result<String, (wasm_core::case::file::CaseFileErrorKind, String)>> {
        let (mut answer, reply) = call::call();
        let job = self.workers.next_job();
        let request = Request::OpenCase { job, file, key };
        let on_event = move |event| match event {
            Event::CaseOpened { outcome, .. } => answer.send(Ok(outcome)),
            other if other.is_final() => answer.send(Err(CallError::from_event(other))),
            _ => {}
        };
        self.workers.ask(None, job, &request, Box::new(on_event));
        reply
    }

    /// The passing records of the shown file as an export document, every shard writing its
    /// own part; `progress(done, total)` hears the records written. Dropping the reply
    /// abandons the export (its parts land nowhere).
    pub fn export(
        &self,
        args: ExportArgs,
        progress: impl FnMut(u64, u64) + 'static,
    ) -> Reply<Exported> {
        export::export(&self.workers, &self.shards, args, progress)
    }
}
