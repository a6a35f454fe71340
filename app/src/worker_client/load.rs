//! Opening a file: a fresh worker reads it, and when the engine splits it, other workers read
//! its other parts at the same time.
//!
//! [`Loads::open`] posts `Request::Open` to a spare worker (the lead). A file the lead
//! splits comes back as `Event::Shards`: shards `1..` go to workers of their own
//! (`Request::OpenShard`, the same `Blob` and key, no index). [`Load`] collects the shards'
//! answers into what one worker reading the whole file would say: one progress (bytes summed),
//! one [`Loaded`] (summaries merged by `Summary::merged`, schemas by
//! [`merge_schemas`](crate::shards::merge_schemas)), or the first failure. When every shard has
//! answered, the loading workers become the current ones ([`Layout`] says how to merge their
//! answers) and the workers of the file shown before are terminated.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::Blob;

use super::call::{Answer, CallError, Reply, call};
use super::fan_out::{Layout, SharedShards};
use super::pool::Workers;
use crate::protocol::{Columns, Envelope, Event, KeyMaterial, Loaded, Request, ShardSpec};
use crate::shards::{absent_fields, index_mismatch, merge_schemas};
use wasm_core::Summary;
use wasm_core::formats::indexed::Overview;

/// What to open.
pub struct OpenArgs {
    pub file: Blob,
    /// Its `.tbi` / `.csi` and the index's name, when picked with it.
    pub index: Option<(Blob, String)>,
    /// The browser's fingerprint salt; it goes to the worker and nowhere else.
    pub salt: Vec<u8>,
    /// The file's name, for messages on this page only.
    pub name: String,
    /// The secret key and passphrase that decrypt a Crypt4GH file.
    pub key: Option<KeyMaterial>,
    /// Store bytes the page may hold; `None`: the engine's default.
    pub memory_budget: Option<u64>,
}

/// What a load tells before it ends.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadNote {
    /// The index's records per contig, before the records are read.
    Overview(Overview),
    /// Why the index picked with the file cannot be used; the file is read without it.
    IndexRejected(String),
    /// Raw bytes read of the file's total (all shards together).
    Progress { done: u64, total: Option<u64> },
}

/// How an open ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The file is shown: held by `workers` workers, one shard each, or kept by one in
    /// streaming mode (`loaded.streaming`).
    Loaded { loaded: Box<Loaded>, workers: usize },
    /// The file is Crypt4GH-encrypted and no key came with it.
    KeyRequired,
}

/// Opens files on the pool: at most one load runs. Cheap to clone: a handle.
#[derive(Clone)]
pub(crate) struct Loads {
    workers: Workers,
    shards: SharedShards,
    /// The load in progress, if any.
    running: Rc<RefCell<Option<Rc<RefCell<Load>>>>>,
}

/// What the other shards of a pool load need again: the file, its name and key.
struct ShardInput {
    file: Blob,
    name: String,
    key: Option<KeyMaterial>,
}

/// A load in progress: the shards' answers so far.
struct Load {
    /// The lead's job.
    job: u32,
    input: ShardInput,
    index_name: String,
    started: f64,
    /// Per shard: bytes done and its total.
    progress: Vec<(u64, Option<u64>)>,
    loaded: Vec<Option<Loaded>>,
    /// The lead's `Overview`, to check the merged counts against.
    overview: Option<Overview>,
    notes: Box<dyn FnMut(LoadNote)>,
    answer: Answer<Opened>,
    done: bool,
}

impl Load {
    /// Tells the page, unless it stopped listening.
    fn note(&mut self, note: LoadNote) {
        if self.answer.is_wanted() {
            (self.notes)(note);
        }
    }
}

impl Loads {
    pub(crate) fn new(workers: Workers, shards: SharedShards) -> Self {
        Self {
            workers,
            shards,
            running: Rc::new(RefCell::new(None)),
        }
    }

    /// Opens `args.file` in a fresh worker (or several: a file the engine splits is read by a
    /// pool). `notes` hears the index's overview or why it cannot be used, then progress. The
    /// reply is [`Opened::Loaded`] (loaded whole, or in streaming mode), [`Opened::KeyRequired`]
    /// (an encrypted file and no key) or the failure. The key goes to the workers reading the
    /// file only. A load still running is stopped first; dropping the reply stops this one.
    pub(crate) fn open(
        &self,
        args: OpenArgs,
        notes: impl FnMut(LoadNote) + 'static,
    ) -> Reply<Opened> {
        self.cancel();
        let (answer, reply) = call();
        let job = self.workers.next_job();
        let (index, index_name) = args.index.unzip();
        let request = Request::Open {
            job,
            salt: args.salt,
            name_hint: args.name.clone(),
            key: args.key.clone(),
            index_name: index_name.clone(),
            memory_budget: args.memory_budget,
            shards: self.workers.size(),
        };
        let load = Rc::new(RefCell::new(Load {
            job,
            input: ShardInput {
                file: args.file.clone(),
                name: args.name,
                key: args.key,
            },
            index_name: index_name.unwrap_or_else(|| "index".into()),
            started: js_sys::Date::now(),
            progress: vec![(0, None)],
            loaded: vec![None],
            overview: None,
            notes: Box::new(notes),
            answer,
            done: false,
        }));
        let posted = Envelope::with_file(&request, args.file)
            .with_index(index)
            .to_js()
            .map_err(|e| e.to_string())
            .and_then(|message| {
                let id = self.workers.loading_worker(true)?;
                *self.running.borrow_mut() = Some(load.clone());
                self.workers.post_message(id, message)?;
                Ok(id)
            });
        let client = self.clone();
        let events = load.clone();
        self.workers.register(
            job,
            posted,
            Box::new(move |event| {
                client.on_load_event(&events, 0, event);
            }),
        );
        let client = self.clone();
        reply.on_drop(move || client.abandon(job))
    }

    /// Stops the load in progress, if any, by terminating its workers; its reply resolves as
    /// dropped. Returns whether there was one.
    pub(crate) fn cancel(&self) -> bool {
        if let Some(load) = self.running.borrow_mut().take() {
            load.borrow_mut().done = true;
        }
        self.workers.stop_loading()
    }

    /// The page dropped the reply of open `job`: if that load still runs, it is of no use.
    fn abandon(&self, job: u32) {
        let running = self
            .running
            .borrow()
            .as_ref()
            .is_some_and(|load| load.borrow().job == job);
        if running {
            self.cancel();
        }
    }

    /// One event of shard `shard` of a load.
    fn on_load_event(&self, load: &Rc<RefCell<Load>>, shard: usize, event: Event) {
        if load.borrow().done {
            return;
        }
        match event {
            Event::Shards { specs, .. } => {
                if let Err(message) = self.start_shards(load, &specs) {
                    self.end_load(load, Err(CallError::failed(message)), None);
                }
            }
            Event::Progress { done, total, .. } => {
                let mut l = load.borrow_mut();
                if let Some(p) = l.progress.get_mut(shard) {
                    *p = (done, total);
                }
                let done = l.progress.iter().map(|p| p.0).sum();
                let total = l.progress.iter().map(|p| p.1).sum::<Option<u64>>();
                l.note(LoadNote::Progress { done, total });
            }
            Event::Overview { overview, .. } => {
                let mut l = load.borrow_mut();
                l.overview = Some(overview.clone());
                l.note(LoadNote::Overview(overview));
            }
            Event::IndexRejected { message, .. } => {
                load.borrow_mut().note(LoadNote::IndexRejected(message));
            }
            Event::Loaded { loaded, .. } => {
                let complete = {
                    let mut l = load.borrow_mut();
                    if let Some(slot) = l.loaded.get_mut(shard) {
                        *slot = Some(loaded);
                    }
                    l.loaded.iter().all(Option::is_some)
                };
                if complete {
                    self.finish_load(load);
                }
            }
            Event::KeyRequired { .. } => self.end_load(load, Ok(Opened::KeyRequired), None),
            other => self.end_load(load, Err(CallError::from_event(other)), None),
        }
    }

    /// Hands shards `1..` of a pool load to workers of their own.
    fn start_shards(&self, load: &Rc<RefCell<Load>>, specs: &[ShardSpec]) -> Result<(), String> {
        {
            let mut l = load.borrow_mut();
            l.progress = vec![(0, None); specs.len()];
            l.loaded = vec![None; specs.len()];
        }
        for (shard, spec) in specs.iter().enumerate().skip(1) {
            let job = self.workers.next_job();
            let (file, request) = {
                let l = load.borrow();
                let request = Request::OpenShard {
                    job,
                    name_hint: l.input.name.clone(),
                    key: l.input.key.clone(),
                    spec: spec.clone(),
                };
                (l.input.file.clone(), request)
            };
            let message = Envelope::with_file(&request, file)
                .to_js()
                .map_err(|e| e.to_string())?;
            let id = self.workers.loading_worker(false)?;
            self.workers.post_message(id, message)?;
            let (client, load) = (self.clone(), load.clone());
            self.workers.register(
                job,
                Ok(id),
                Box::new(move |event| {
                    client.on_load_event(&load, shard, event);
                }),
            );
        }
        Ok(())
    }

    /// Every shard is loaded: one `Loaded` for the whole file; the loading workers become the
    /// ones holding the shown dataset.
    fn finish_load(&self, load: &Rc<RefCell<Load>>) {
        let (mut parts, overview, started, index_name) = {
            let mut l = load.borrow_mut();
            let parts: Vec<Loaded> = std::mem::take(&mut l.loaded)
                .into_iter()
                .flatten()
                .collect();
            (parts, l.overview.take(), l.started, l.index_name.clone())
        };
        if parts.len() == 1 {
            let loaded = parts.remove(0);
            return self.end_load(
                load,
                Ok(Opened::Loaded {
                    loaded: Box::new(loaded),
                    workers: 1,
                }),
                None,
            );
        }
        let summaries: Vec<Summary> = parts.iter().map(|p| p.summary.clone()).collect();
        let Some(mut summary) = Summary::merged(&summaries) else {
            return self.end_load(
                load,
                Err(CallError::failed("the engine answered no part")),
                None,
            );
        };
        if let Some(overview) = &overview
            && let Some(warning) = index_mismatch(overview, &summary.contigs, &index_name)
        {
            summary.warnings.insert(0, warning);
        }
        let schemas: Vec<_> = parts.iter().map(|p| p.schema.clone()).collect();
        let mut bases = Vec::with_capacity(parts.len());
        let mut before = 0;
        for s in &summaries {
            bases.push(before);
            before += s.records;
        }
        let lead = parts.swap_remove(0);
        let layout = Layout {
            bases,
            ranks: summaries.iter().map(|s| s.contig_ranks(&summary)).collect(),
            // Every shard shows the lead's columns.
            columns: Columns::clone(&lead.columns),
            absent: absent_fields(&schemas),
        };
        let workers = summaries.len();
        let loaded = Loaded {
            summary,
            schema: merge_schemas(&schemas),
            millis: js_sys::Date::now() - started,
            ..lead
        };
        self.end_load(
            load,
            Ok(Opened::Loaded {
                loaded: Box::new(loaded),
                workers,
            }),
            Some(layout),
        );
    }

    /// Ends a load with `outcome`: a file shown (loaded or in streaming mode) makes its workers
    /// the current ones (split as `layout` says, when it is) and retires the previous file's;
    /// anything else terminates them.
    fn end_load(
        &self,
        load: &Rc<RefCell<Load>>,
        outcome: Result<Opened, CallError>,
        layout: Option<Layout>,
    ) {
        let shown = matches!(outcome, Ok(Opened::Loaded { .. }));
        {
            let mut running = self.running.borrow_mut();
            if running.as_ref().is_some_and(|l| Rc::ptr_eq(l, load)) {
                *running = None;
            }
        }
        if shown {
            let mut shards = self.shards.borrow_mut();
            shards.layout = layout.map(Rc::new);
            shards.applied = None;
        }
        self.workers.end_loading(shown);
        let mut l = load.borrow_mut();
        l.done = true;
        l.answer.send(outcome);
    }
}
