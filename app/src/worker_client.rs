//! The UI's only door to the engine: a small pool of dedicated Web Workers.
//!
//! [`WorkerClient`] spawns `worker.js` as module workers, waits for each one's `Ready` before
//! posting to it (messages are queued until then), assigns job ids and routes every [`Event`] to
//! the handler of its job. Each worker has a role:
//!
//! - *spare*: initialised and idle, so opening a file does not wait for the wasm module;
//! - *loading*: reading a file. Cancelling terminates it (the engine runs synchronously, so
//!   there is no other way to stop it); the dataset already shown stays untouched;
//! - *current*: holds the dataset the page shows and answers `Filter` and `Rows` (and, for a
//!   file in streaming mode, `Stream` and `Region`).
//!
//! A fresh worker per file also gives its memory back: wasm memory never shrinks.
//! When a worker dies (a script error, a wasm trap, a panic), its pending jobs fail with a clear
//! message, the page is told if it lost the shown dataset, and a fresh spare is started.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{
    AbsentFields, Columns, Envelope, Event, FilterReport, FilterSchema, KeyMaterial, Request,
    ShardSpec,
};
use crate::shards::{
    absent_fields, index_mismatch, merge_reports, merge_rows, merge_schemas, plan_page,
};
use wasm_core::Summary;
use wasm_core::filter::Mode;
use wasm_core::formats::indexed::Overview;
use wasm_core::store::SortKey;

/// The worker script, relative to the page.
const WORKER_URL: &str = "./worker.js";
/// Workers that die before `Ready` this many times in a row are not restarted automatically.
const MAX_STARTUP_FAILURES: u32 = 3;

/// Receives the events of one job, ending with its final event.
pub type Handler = Box<dyn FnMut(Event)>;

/// Receives the final answers of every shard to one fanned-out request, in shard order.
type Merge = Box<dyn FnOnce(Vec<Event>)>;

/// Most workers a pool load uses unless the page asks for more (`?workers=N`): each holds its
/// own wasm instance and a share of the store.
pub const MAX_WORKERS: u32 = 8;

/// The page's handle on its engine workers. Cheap to clone; all clones share the pool.
#[derive(Clone)]
pub struct WorkerClient {
    pool: Rc<RefCell<Pool>>,
}

struct Pool {
    next_job: u32,
    next_slot: u32,
    slots: HashMap<u32, Slot>,
    spare: Option<u32>,
    /// The workers reading the file being opened (the lead first, then the other shards').
    loading: Vec<u32>,
    /// The workers holding the shown dataset, in file order of their shards.
    current: Vec<u32>,
    /// How the shown dataset is split, when it is (more than one shard).
    layout: Option<Rc<Layout>>,
    /// Workers a load may use.
    workers: u32,
    /// The last filter every shard applied, to restore when only some reject a new one.
    applied: Option<Request>,
    startup_failures: u32,
    on_lost: Option<Rc<dyn Fn(String)>>,
}

/// A dataset held as shards: what the page needs to merge their answers.
struct Layout {
    /// Per shard, records before it in file order.
    bases: Vec<u64>,
    /// Per shard, its contig ids' ranks in the merged summary.
    ranks: Vec<Vec<u32>>,
    /// The columns every shard shows (the first shard's choice).
    columns: Columns,
    /// Per shard, the undeclared fields only other shards have ([`absent_fields`]), sent with
    /// each filter.
    absent: Vec<AbsentFields>,
}

struct Slot {
    worker: Worker,
    ready: bool,
    /// Messages posted before `Ready`.
    queue: Vec<JsValue>,
    handlers: HashMap<u32, Handler>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Slot {
    fn post(&mut self, message: JsValue) -> Result<(), String> {
        if self.ready {
            self.worker
                .post_message(&message)
                .map_err(|e| format!("cannot post to the engine worker: {e:?}"))
        } else {
            self.queue.push(message);
            Ok(())
        }
    }

    fn terminate(&self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
    }
}

impl Default for WorkerClient {
    fn default() -> Self {
        Self::new(1)
    }
}

/// What an open needs again for the other shards of a pool load.
struct OpenInput {
    file: Blob,
    name_hint: String,
    key: Option<KeyMaterial>,
}

/// A pool load in progress: the shards' answers so far, merged into the events one worker
/// reading the whole file would have sent.
struct Load {
    job: u32,
    input: OpenInput,
    started: f64,
    /// Per shard: bytes done and its total.
    progress: Vec<(u64, Option<u64>)>,
    schemas: Vec<Option<FilterSchema>>,
    loaded: Vec<Option<Event>>,
    /// The lead's `Overview`, to check the merged counts against.
    overview: Option<(Overview, String)>,
    done: bool,
}

impl WorkerClient {
    /// A client whose loads may use up to `workers` workers, with one spare worker starting up.
    pub fn new(workers: u32) -> Self {
        let client = Self {
            pool: Rc::new(RefCell::new(Pool {
                next_job: 1,
                next_slot: 1,
                slots: HashMap::new(),
                spare: None,
                loading: Vec::new(),
                current: Vec::new(),
                layout: None,
                workers: workers.max(1),
                applied: None,
                startup_failures: 0,
                on_lost: None,
            })),
        };
        ensure_spare(&client.pool);
        client
    }

    /// Workers a load may use.
    pub fn workers(&self) -> u32 {
        self.pool.borrow().workers
    }

    /// Workers holding the shown dataset (its shards).
    pub fn shards(&self) -> usize {
        self.pool.borrow().current.len()
    }

    /// Called with a message when a worker holding the shown dataset dies.
    pub fn set_on_lost(&self, on_lost: impl Fn(String) + 'static) {
        self.pool.borrow_mut().on_lost = Some(Rc::new(on_lost));
    }

    /// Opens `file` (with its `index` and the index's name, when picked) in a fresh worker; the
    /// handler sees `Overview` / `IndexRejected`, `Progress`, then `Loaded`, `StreamingMode`,
    /// `KeyRequired` (an encrypted file and no `key`) or `Failed`. `key` goes to the workers
    /// reading the file only. A load still running is superseded (its workers are terminated,
    /// its handler dropped).
    ///
    /// A file the first worker splits ([`Event::Shards`]) is read by several workers at once;
    /// the handler still sees one `Progress` stream, one `Schema` and one `Loaded`, merged
    /// ([`crate::shards`]), or the first `Failed`.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &self,
        file: Blob,
        index: Option<(Blob, String)>,
        salt: Vec<u8>,
        name_hint: String,
        key: Option<KeyMaterial>,
        memory_budget: Option<u64>,
        handler: impl FnMut(Event) + 'static,
    ) -> u32 {
        self.cancel();
        let job = self.next_job();
        let (index, index_name) = index.unzip();
        let shards = self.workers();
        let request = Request::Open {
            job,
            salt,
            name_hint: name_hint.clone(),
            key: key.clone(),
            index_name: index_name.clone(),
            memory_budget,
            shards,
        };
        let load = Rc::new(RefCell::new(Load {
            job,
            input: OpenInput {
                file: file.clone(),
                name_hint,
                key,
            },
            started: js_sys::Date::now(),
            progress: vec![(0, None)],
            schemas: vec![None],
            loaded: vec![None],
            overview: None,
            done: false,
        }));
        let handler: Rc<RefCell<Handler>> = Rc::new(RefCell::new(Box::new(handler)));
        let index_name = index_name.unwrap_or_else(|| "index".into());
        let posted = Envelope::with_file(&request, file)
            .with_index(index)
            .to_js()
            .map_err(|e| e.to_string())
            .and_then(|message| {
                let id = self.idle_worker()?;
                let mut pool = self.pool.borrow_mut();
                pool.loading = vec![id];
                let slot = pool.slots.get_mut(&id).ok_or("the engine worker is gone")?;
                slot.post(message)?;
                Ok(id)
            });
        if posted.is_err() {
            // Whatever was started for this load is of no use.
            self.cancel();
        }
        let client = self.clone();
        self.register(job, posted, move |event| {
            client.on_load_event(&load, &handler, 0, event, &index_name);
        });
        job
    }

    /// A spare worker, or a new one.
    fn idle_worker(&self) -> Result<u32, String> {
        let spare = self.pool.borrow_mut().spare.take();
        match spare {
            Some(id) => Ok(id),
            None => spawn(&self.pool),
        }
    }

    /// One event of shard `shard` of a load.
    fn on_load_event(
        &self,
        load: &Rc<RefCell<Load>>,
        handler: &Rc<RefCell<Handler>>,
        shard: usize,
        event: Event,
        index_name: &str,
    ) {
        if load.borrow().done {
            return;
        }
        let deliver = |event: Event| (handler.borrow_mut())(event);
        match event {
            Event::Shards { specs, .. } => {
                if let Err(message) = self.start_shards(load, handler, &specs, index_name) {
                    self.end_load(load, false);
                    let job = load.borrow().job;
                    deliver(Event::Failed {
                        job,
                        message,
                        location: None,
                    });
                }
            }
            Event::Progress { done, total, .. } => {
                let (job, done, total) = {
                    let mut l = load.borrow_mut();
                    if let Some(p) = l.progress.get_mut(shard) {
                        *p = (done, total);
                    }
                    let done = l.progress.iter().map(|p| p.0).sum();
                    let total = l.progress.iter().map(|p| p.1).sum::<Option<u64>>();
                    (l.job, done, total)
                };
                deliver(Event::Progress { job, done, total });
            }
            Event::Schema { schema, .. } => {
                let single = {
                    let mut l = load.borrow_mut();
                    if let Some(s) = l.schemas.get_mut(shard) {
                        *s = Some(schema.clone());
                    }
                    l.schemas.len() == 1
                };
                if single {
                    deliver(Event::Schema {
                        job: load.borrow().job,
                        schema,
                    });
                }
            }
            Event::Overview { job, overview } => {
                load.borrow_mut().overview = Some((overview.clone(), index_name.to_string()));
                deliver(Event::Overview { job, overview });
            }
            event @ Event::Loaded { .. } => {
                let complete = {
                    let mut l = load.borrow_mut();
                    if let Some(slot) = l.loaded.get_mut(shard) {
                        *slot = Some(event);
                    }
                    l.loaded.iter().all(Option::is_some)
                };
                if complete {
                    let (schema, loaded) = self.finish_load(load);
                    if let Some(schema) = schema {
                        deliver(schema);
                    }
                    deliver(loaded);
                }
            }
            event @ (Event::StreamingMode { .. } | Event::KeyRequired { .. }) => {
                self.end_load(load, matches!(event, Event::StreamingMode { .. }));
                deliver(event);
            }
            Event::Failed {
                message, location, ..
            } => {
                self.end_load(load, false);
                let job = load.borrow().job;
                deliver(Event::Failed {
                    job,
                    message,
                    location,
                });
            }
            other => deliver(other),
        }
    }

    /// Hands shards `1..` of a pool load to workers of their own.
    fn start_shards(
        &self,
        load: &Rc<RefCell<Load>>,
        handler: &Rc<RefCell<Handler>>,
        specs: &[ShardSpec],
        index_name: &str,
    ) -> Result<(), String> {
        {
            let mut l = load.borrow_mut();
            l.progress = vec![(0, None); specs.len()];
            l.schemas = vec![None; specs.len()];
            l.loaded = vec![None; specs.len()];
        }
        for (shard, spec) in specs.iter().enumerate().skip(1) {
            let job = self.next_job();
            let (file, request) = {
                let l = load.borrow();
                let request = Request::OpenShard {
                    job,
                    name_hint: l.input.name_hint.clone(),
                    key: l.input.key.clone(),
                    spec: spec.clone(),
                };
                (l.input.file.clone(), request)
            };
            let message = Envelope::with_file(&request, file)
                .to_js()
                .map_err(|e| e.to_string())?;
            let id = self.idle_worker()?;
            {
                let mut pool = self.pool.borrow_mut();
                pool.loading.push(id);
                pool.slots
                    .get_mut(&id)
                    .ok_or("the engine worker is gone")?
                    .post(message)?;
            }
            let (client, load, handler) = (self.clone(), load.clone(), handler.clone());
            let index_name = index_name.to_string();
            self.register(job, Ok(id), move |event| {
                client.on_load_event(&load, &handler, shard, event, &index_name);
            });
        }
        Ok(())
    }

    /// Every shard is loaded: the merged `Schema` (for a pool load) and `Loaded`; the workers
    /// become the ones holding the shown dataset.
    fn finish_load(&self, load: &Rc<RefCell<Load>>) -> (Option<Event>, Event) {
        let mut l = load.borrow_mut();
        let job = l.job;
        let mut parts = std::mem::take(&mut l.loaded).into_iter().flatten();
        let Some(Event::Loaded {
            summary,
            info_keys,
            format_keys,
            fingerprint,
            format,
            millis,
            annotation,
            ..
        }) = parts.next()
        else {
            drop(l);
            self.end_load(load, false);
            return (
                None,
                Event::Failed {
                    job,
                    message: "the engine answered out of order".into(),
                    location: None,
                },
            );
        };
        let mut summaries = vec![summary];
        summaries.extend(parts.filter_map(|event| match event {
            Event::Loaded { summary, .. } => Some(summary),
            _ => None,
        }));
        let single = summaries.len() == 1;
        let schemas: Vec<FilterSchema> = std::mem::take(&mut l.schemas)
            .into_iter()
            .flatten()
            .collect();
        let overview = l.overview.take();
        let started = l.started;
        drop(l);
        let mut merged = Summary::merged(&summaries).unwrap_or_else(|| summaries[0].clone());
        let layout = (!single).then(|| {
            if let Some((overview, index_name)) = &overview
                && let Some(warning) = index_mismatch(overview, &merged.contigs, index_name)
            {
                merged.warnings.insert(0, warning);
            }
            let mut bases = Vec::with_capacity(summaries.len());
            let mut before = 0;
            for s in &summaries {
                bases.push(before);
                before += s.records;
            }
            Rc::new(Layout {
                bases,
                ranks: summaries.iter().map(|s| s.contig_ranks(&merged)).collect(),
                columns: Columns {
                    info_keys: info_keys.clone(),
                    format_keys: format_keys.clone(),
                },
                // One schema per shard, in shard order; without all of them, none is known.
                absent: if schemas.len() == summaries.len() {
                    absent_fields(&schemas)
                } else {
                    Vec::new()
                },
            })
        });
        self.end_load(load, true);
        self.pool.borrow_mut().layout = layout;
        let schema = (!single).then(|| Event::Schema {
            job,
            schema: merge_schemas(&schemas),
        });
        let millis = if single {
            millis
        } else {
            js_sys::Date::now() - started
        };
        (
            schema,
            Event::Loaded {
                job,
                summary: merged,
                info_keys,
                format_keys,
                fingerprint,
                format,
                millis,
                annotation,
            },
        )
    }

    /// Ends a load: its workers become the shown dataset's (`shown`), or are terminated.
    fn end_load(&self, load: &Rc<RefCell<Load>>, shown: bool) {
        load.borrow_mut().done = true;
        let retired: Vec<Slot> = {
            let mut pool = self.pool.borrow_mut();
            let loading = std::mem::take(&mut pool.loading);
            let old = if shown {
                pool.layout = None;
                pool.applied = None;
                std::mem::replace(&mut pool.current, loading)
            } else {
                loading
            };
            old.into_iter()
                .filter_map(|id| pool.slots.remove(&id))
                .collect()
        };
        for slot in retired {
            slot.terminate();
        }
        ensure_spare(&self.pool);
    }

    /// Asks the workers holding the shown dataset for a page of rows; the handler sees `Rows` or
    /// `Failed`. A dataset held as shards is asked for each shard's sort keys first, then for
    /// the rows each shard has on the page ([`crate::shards::plan_page`]).
    pub fn rows(
        &self,
        offset: u64,
        limit: u32,
        sort: SortKey,
        descending: bool,
        handler: impl FnMut(Event) + 'static,
    ) -> u32 {
        let job = self.next_job();
        let layout = self.pool.borrow().layout.clone();
        let Some(layout) = layout else {
            let request = Request::Rows {
                job,
                offset,
                limit,
                sort,
                descending,
                columns: None,
            };
            self.post_current(job, &request, handler);
            return job;
        };
        let mut handler: Handler = Box::new(handler);
        let client = self.clone();
        let end = offset.saturating_add(u64::from(limit));
        self.fan_out(
            |_, job| Request::Keys {
                job,
                limit: end,
                sort,
                descending,
            },
            move |answers| {
                let mut keys = Vec::with_capacity(answers.len());
                let mut total = 0;
                for answer in answers {
                    match answer {
                        Event::Keys {
                            total: t, keys: k, ..
                        } => {
                            total += t;
                            keys.push(k);
                        }
                        other => return handler(failed(job, other)),
                    }
                }
                let plan = plan_page(&keys, &layout.ranks, sort, descending, offset, limit);
                let ranges = plan.ranges.clone();
                let columns = layout.columns.clone();
                client.fan_out(
                    |shard, job| {
                        let (offset, limit) = ranges[shard];
                        Request::Rows {
                            job,
                            offset,
                            limit,
                            sort,
                            descending,
                            columns: Some(columns.clone()),
                        }
                    },
                    move |answers| {
                        let mut parts = Vec::with_capacity(answers.len());
                        let mut annotated = false;
                        for answer in answers {
                            match answer {
                                Event::Rows {
                                    rows, annotations, ..
                                } => {
                                    annotated |= !annotations.is_empty();
                                    let mut annotations = annotations.into_iter();
                                    parts.push(
                                        rows.into_iter()
                                            .map(|row| (row, annotations.next().flatten()))
                                            .collect(),
                                    );
                                }
                                other => return handler(failed(job, other)),
                            }
                        }
                        let (rows, annotations): (Vec<_>, Vec<_>) =
                            merge_rows(&plan, parts, &layout.bases).into_iter().unzip();
                        handler(Event::Rows {
                            job,
                            total,
                            offset,
                            rows,
                            annotations: if annotated { annotations } else { Vec::new() },
                        });
                    },
                );
            },
        );
        job
    }

    /// Filters the shown dataset; the handler sees `Filtered`, `FilterRejected` or `Failed`.
    /// Later `rows` requests page over the passing records (the worker answers in order).
    pub fn filter(
        &self,
        expression: String,
        mode: Mode,
        regions: Option<String>,
        genes: Option<String>,
        handler: impl FnMut(Event) + 'static,
    ) -> u32 {
        let job = self.next_job();
        let request = |job, absent: AbsentFields| Request::Filter {
            job,
            expression: expression.clone(),
            mode,
            regions: regions.clone(),
            genes: genes.clone(),
            absent,
        };
        let Some(layout) = self.pool.borrow().layout.clone() else {
            self.post_current(job, &request(job, AbsentFields::default()), handler);
            return job;
        };
        let mut handler: Handler = Box::new(handler);
        let client = self.clone();
        let applied = request(0, AbsentFields::default());
        self.fan_out(
            |shard, job| request(job, layout.absent.get(shard).cloned().unwrap_or_default()),
            move |answers| {
                let mut reports = Vec::with_capacity(answers.len());
                let mut rejected = None;
                for (shard, answer) in answers.into_iter().enumerate() {
                    match answer {
                        Event::Filtered { report, .. } => reports.push((shard, report)),
                        event @ Event::FilterRejected { .. } => {
                            rejected.get_or_insert(event);
                        }
                        other => return handler(failed(job, other)),
                    }
                }
                match rejected {
                    Some(Event::FilterRejected {
                        expression,
                        rejection,
                        ..
                    }) => {
                        // Only some shards applied it: they go back to the filter in force.
                        client.restore_filter(reports.iter().map(|(shard, _)| *shard).collect());
                        handler(Event::FilterRejected {
                            job,
                            expression,
                            rejection,
                        });
                    }
                    _ => {
                        client.pool.borrow_mut().applied = Some(applied);
                        let reports: Vec<FilterReport> =
                            reports.into_iter().map(|(_, r)| r).collect();
                        match merge_reports(&reports) {
                            Some(report) => handler(Event::Filtered { job, report }),
                            None => handler(Event::Failed {
                                job,
                                message: "no file is loaded".into(),
                                location: None,
                            }),
                        }
                    }
                }
            },
        );
        job
    }

    /// Re-applies the filter in force (none: clears it) on `shards` of the shown dataset.
    fn restore_filter(&self, shards: Vec<usize>) {
        let (applied, current) = {
            let pool = self.pool.borrow();
            (pool.applied.clone(), pool.current.clone())
        };
        for shard in shards {
            let Some(&id) = current.get(shard) else {
                continue;
            };
            let job = self.next_job();
            let request = match &applied {
                Some(Request::Filter {
                    expression,
                    mode,
                    regions,
                    genes,
                    ..
                }) => Request::Filter {
                    job,
                    expression: expression.clone(),
                    mode: *mode,
                    regions: regions.clone(),
                    genes: genes.clone(),
                    // The shard has every field the filter in force names: it applied it.
                    absent: AbsentFields::default(),
                },
                _ => Request::Filter {
                    job,
                    expression: String::new(),
                    mode: Mode::Include,
                    regions: None,
                    genes: None,
                    absent: AbsentFields::default(),
                },
            };
            let posted = self.post_to(id, &request);
            self.register(job, posted, |_| {});
        }
    }

    /// Posts one request to every worker holding the shown dataset (`request(shard, job)`,
    /// each its own job) and calls `done` with their final answers, in shard order.
    fn fan_out(
        &self,
        request: impl Fn(usize, u32) -> Request,
        done: impl FnOnce(Vec<Event>) + 'static,
    ) {
        let current = self.pool.borrow().current.clone();
        let answers: Rc<RefCell<Vec<Option<Event>>>> =
            Rc::new(RefCell::new(vec![None; current.len()]));
        let done: Rc<RefCell<Option<Merge>>> = Rc::new(RefCell::new(Some(Box::new(done))));
        for (shard, &id) in current.iter().enumerate() {
            let job = self.next_job();
            let posted = self.post_to(id, &request(shard, job));
            let (answers, done) = (answers.clone(), done.clone());
            self.register(job, posted, move |event| {
                if !event.is_final() {
                    return;
                }
                let complete = {
                    let mut answers = answers.borrow_mut();
                    answers[shard] = Some(event);
                    answers.iter().all(Option::is_some)
                };
                if complete {
                    let answers = answers.borrow_mut().drain(..).flatten().collect();
                    if let Some(done) = done.borrow_mut().take() {
                        done(answers);
                    }
                }
            });
        }
    }

    /// Streaming mode: scans the shown file for the records a filter keeps; the handler sees
    /// `Progress`, then `Loaded`, `FilterRejected` or `Failed`.
    pub fn stream(
        &self,
        expression: String,
        mode: Mode,
        regions: Option<String>,
        handler: impl FnMut(Event) + 'static,
    ) -> u32 {
        let job = self.next_job();
        let request = Request::Stream {
            job,
            expression,
            mode,
            regions,
        };
        self.post_current(job, &request, handler);
        job
    }

    /// Streaming mode with an index: the records of `regions`; the handler sees `Loaded`,
    /// `FilterRejected` or `Failed`.
    pub fn region(&self, regions: String, handler: impl FnMut(Event) + 'static) -> u32 {
        let job = self.next_job();
        self.post_current(job, &Request::Region { job, regions }, handler);
        job
    }

    /// Posts a request to the (first) worker holding the shown dataset.
    fn post_current(&self, job: u32, request: &Request, handler: impl FnMut(Event) + 'static) {
        let first = self.pool.borrow().current.first().copied();
        let posted = first
            .ok_or_else(|| "no file is loaded".to_string())
            .and_then(|id| self.post_to(id, request));
        self.register(job, posted, handler);
    }

    /// Posts a request to worker `id`; returns `id`.
    fn post_to(&self, id: u32, request: &Request) -> Result<u32, String> {
        let message = Envelope::new(request).to_js().map_err(|e| e.to_string())?;
        let mut pool = self.pool.borrow_mut();
        let slot = pool.slots.get_mut(&id).ok_or("the engine worker is gone")?;
        slot.post(message)?;
        Ok(id)
    }

    /// Stores the handler of a job posted to worker `posted`, or fails the job at once.
    /// (A worker answers asynchronously, so storing after posting loses nothing.)
    fn register(
        &self,
        job: u32,
        posted: Result<u32, String>,
        handler: impl FnMut(Event) + 'static,
    ) {
        let mut handler: Handler = Box::new(handler);
        let error = match posted {
            Ok(id) => match self.pool.borrow_mut().slots.get_mut(&id) {
                Some(slot) => {
                    slot.handlers.insert(job, handler);
                    return;
                }
                None => "the engine worker is gone".to_string(),
            },
            Err(error) => error,
        };
        handler(Event::Failed {
            job,
            message: error,
            location: None,
        });
    }

    /// Stops the load in progress, if any, by terminating its workers. Returns whether there
    /// was one.
    pub fn cancel(&self) -> bool {
        let slots: Vec<Slot> = {
            let mut pool = self.pool.borrow_mut();
            let loading = std::mem::take(&mut pool.loading);
            loading
                .into_iter()
                .filter_map(|id| pool.slots.remove(&id))
                .collect()
        };
        if slots.is_empty() {
            return false;
        }
        for slot in slots {
            slot.terminate();
        }
        ensure_spare(&self.pool);
        true
    }

    fn next_job(&self) -> u32 {
        let mut pool = self.pool.borrow_mut();
        let job = pool.next_job;
        pool.next_job = pool.next_job.wrapping_add(1).max(1);
        job
    }
}

/// The `Failed` a merged answer becomes when one shard's answer is not the expected kind.
fn failed(job: u32, answer: Event) -> Event {
    match answer {
        Event::Failed {
            message, location, ..
        } => Event::Failed {
            job,
            message,
            location,
        },
        _ => Event::Failed {
            job,
            message: "the engine answered out of order".into(),
            location: None,
        },
    }
}

/// Starts a spare worker unless there is one (or workers keep failing to start).
fn ensure_spare(pool: &Rc<RefCell<Pool>>) {
    let needed = {
        let pool = pool.borrow();
        pool.spare.is_none() && pool.startup_failures < MAX_STARTUP_FAILURES
    };
    if needed && let Ok(id) = spawn(pool) {
        pool.borrow_mut().spare = Some(id);
    }
}

/// Starts a worker and registers it in the pool; it has no role yet.
fn spawn(pool: &Rc<RefCell<Pool>>) -> Result<u32, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(WORKER_URL, &options)
        .map_err(|e| format!("cannot start the engine worker: {e:?}"))?;
    let id = {
        let mut pool = pool.borrow_mut();
        let id = pool.next_slot;
        pool.next_slot += 1;
        id
    };
    let weak: Weak<RefCell<Pool>> = Rc::downgrade(pool);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
        let weak = weak.clone();
        move |event: MessageEvent| {
            if let Some(pool) = weak.upgrade() {
                dispatch(&pool, id, &event.data());
            }
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        // Handled here: the page says what happened and restarts the worker.
        event.prevent_default();
        let reason = match event.dyn_ref::<ErrorEvent>() {
            Some(error) if !error.message().is_empty() => error.message(),
            _ if event.type_() == "messageerror" => {
                "a message from it could not be read".to_string()
            }
            _ => "its script could not be loaded or started".to_string(),
        };
        if let Some(pool) = weak.upgrade() {
            died(&pool, id, &reason);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    pool.borrow_mut().slots.insert(
        id,
        Slot {
            worker,
            ready: false,
            queue: Vec::new(),
            handlers: HashMap::new(),
            _on_message: on_message,
            _on_error: on_error,
        },
    );
    Ok(id)
}

/// Routes one message from worker `id`.
fn dispatch(pool: &Rc<RefCell<Pool>>, id: u32, data: &JsValue) {
    let event = match Envelope::<Event>::from_js(data) {
        Ok(envelope) => envelope.msg,
        Err(e) => {
            // A worker that speaks another protocol cannot be trusted with further work.
            died(pool, id, &e.to_string());
            return;
        }
    };
    let Some(job) = event.job() else {
        // `Ready`: flush what waited for it.
        let mut pool = pool.borrow_mut();
        pool.startup_failures = 0;
        if let Some(slot) = pool.slots.get_mut(&id) {
            slot.ready = true;
            for message in std::mem::take(&mut slot.queue) {
                if let Err(e) = slot.worker.post_message(&message) {
                    web_sys::console::error_1(&e);
                }
            }
        }
        return;
    };
    let is_final = event.is_final();
    let handler = pool
        .borrow_mut()
        .slots
        .get_mut(&id)
        .and_then(|slot| slot.handlers.remove(&job));
    if let Some(mut handler) = handler {
        handler(event);
        if !is_final && let Some(slot) = pool.borrow_mut().slots.get_mut(&id) {
            slot.handlers.entry(job).or_insert(handler);
        }
    }
}

/// Worker `id` died: fail its jobs; if it held a shard of the shown dataset, the whole
/// dataset is gone (its other workers are stopped) and the page is told; start a spare.
fn died(pool: &Rc<RefCell<Pool>>, id: u32, reason: &str) {
    let (slots, was_current, on_lost) = {
        let mut pool = pool.borrow_mut();
        let Some(slot) = pool.slots.remove(&id) else {
            return;
        };
        if !slot.ready {
            pool.startup_failures += 1;
        }
        if pool.spare == Some(id) {
            pool.spare = None;
        }
        let was_current = pool.current.contains(&id);
        let mut slots = vec![slot];
        if was_current {
            pool.layout = None;
            pool.applied = None;
            for other in std::mem::take(&mut pool.current) {
                slots.extend(pool.slots.remove(&other));
            }
        }
        (slots, was_current, pool.on_lost.clone())
    };
    let message = format!(
        "the engine stopped unexpectedly ({reason}); a fresh one has been started. Open the file again; \
         if this happens again with the same file, please report it: a damaged file should give an error, not a crash."
    );
    for slot in slots {
        slot.terminate();
        let Slot { handlers, .. } = slot;
        for (job, mut handler) in handlers {
            handler(Event::Failed {
                job,
                message: message.clone(),
                location: None,
            });
        }
    }
    if was_current && let Some(on_lost) = on_lost {
        on_lost(message);
    }
    ensure_spare(pool);
}
