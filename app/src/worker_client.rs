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

use crate::protocol::{Envelope, Event, KeyMaterial, Request};
use wasm_core::filter::Mode;
use wasm_core::store::SortKey;

/// The worker script, relative to the page.
const WORKER_URL: &str = "./worker.js";
/// Workers that die before `Ready` this many times in a row are not restarted automatically.
const MAX_STARTUP_FAILURES: u32 = 3;

/// Receives the events of one job, ending with its final event.
pub type Handler = Box<dyn FnMut(Event)>;

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
    loading: Option<u32>,
    current: Option<u32>,
    startup_failures: u32,
    on_lost: Option<Rc<dyn Fn(String)>>,
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
        Self::new()
    }
}

impl WorkerClient {
    /// A client with one spare worker starting up.
    pub fn new() -> Self {
        let client = Self {
            pool: Rc::new(RefCell::new(Pool {
                next_job: 1,
                next_slot: 1,
                slots: HashMap::new(),
                spare: None,
                loading: None,
                current: None,
                startup_failures: 0,
                on_lost: None,
            })),
        };
        ensure_spare(&client.pool);
        client
    }

    /// Called with a message when the worker holding the shown dataset dies.
    pub fn set_on_lost(&self, on_lost: impl Fn(String) + 'static) {
        self.pool.borrow_mut().on_lost = Some(Rc::new(on_lost));
    }

    /// Opens `file` (with its `index` and the index's name, when picked) in a fresh worker; the
    /// handler sees `Overview` / `IndexRejected`, `Progress`, then `Loaded`, `StreamingMode`,
    /// `KeyRequired` (an encrypted file and no `key`) or `Failed`. `key` goes to that worker
    /// only. A load still running is superseded (its worker is terminated, its handler dropped).
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
        let request = Request::Open {
            job,
            salt,
            name_hint,
            key,
            index_name,
            memory_budget,
        };
        let posted = Envelope::with_file(&request, file)
            .with_index(index)
            .to_js()
            .map_err(|e| e.to_string())
            .and_then(|message| {
                let spare = self.pool.borrow_mut().spare.take();
                let id = match spare {
                    Some(id) => id,
                    None => spawn(&self.pool)?,
                };
                let mut pool = self.pool.borrow_mut();
                pool.loading = Some(id);
                let slot = pool.slots.get_mut(&id).ok_or("the engine worker is gone")?;
                slot.post(message)?;
                Ok(id)
            });
        if posted.is_err() {
            // Whatever was started for this load is of no use.
            self.cancel();
        }
        self.register(job, posted, handler);
        job
    }

    /// Asks the worker holding the shown dataset for a page of rows; the handler sees `Rows` or
    /// `Failed`.
    pub fn rows(
        &self,
        offset: u64,
        limit: u32,
        sort: SortKey,
        descending: bool,
        handler: impl FnMut(Event) + 'static,
    ) -> u32 {
        let job = self.next_job();
        let request = Request::Rows {
            job,
            offset,
            limit,
            sort,
            descending,
        };
        self.post_current(job, &request, handler);
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
        let request = Request::Filter {
            job,
            expression,
            mode,
            regions,
            genes,
        };
        self.post_current(job, &request, handler);
        job
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

    /// Posts a request to the worker holding the shown dataset.
    fn post_current(&self, job: u32, request: &Request, handler: impl FnMut(Event) + 'static) {
        let posted = Envelope::new(request)
            .to_js()
            .map_err(|e| e.to_string())
            .and_then(|message| {
                let mut pool = self.pool.borrow_mut();
                let id = pool.current.ok_or("no file is loaded")?;
                let slot = pool.slots.get_mut(&id).ok_or("the engine worker is gone")?;
                slot.post(message)?;
                Ok(id)
            });
        self.register(job, posted, handler);
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

    /// Stops the load in progress, if any, by terminating its worker. Returns whether there was one.
    pub fn cancel(&self) -> bool {
        let slot = {
            let mut pool = self.pool.borrow_mut();
            let loading = pool.loading.take();
            loading.and_then(|id| pool.slots.remove(&id))
        };
        let Some(slot) = slot else { return false };
        slot.terminate();
        drop(slot);
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
    let (handler, superseded) = {
        let mut pool = pool.borrow_mut();
        let handler = pool
            .slots
            .get_mut(&id)
            .and_then(|slot| slot.handlers.remove(&job));
        let mut superseded = None;
        if is_final && pool.loading == Some(id) {
            pool.loading = None;
            if matches!(event, Event::Loaded { .. } | Event::StreamingMode { .. }) {
                // The new dataset replaces the shown one.
                superseded = pool
                    .current
                    .replace(id)
                    .and_then(|old| pool.slots.remove(&old));
            } else if let Some(slot) = pool.slots.remove(&id) {
                superseded = Some(slot);
            }
        }
        (handler, superseded)
    };
    if let Some(slot) = superseded {
        slot.terminate();
    }
    if let Some(mut handler) = handler {
        handler(event);
        if !is_final && let Some(slot) = pool.borrow_mut().slots.get_mut(&id) {
            slot.handlers.entry(job).or_insert(handler);
        }
    }
    if is_final {
        ensure_spare(pool);
    }
}

/// Worker `id` died: fail its jobs, tell the page if it held the shown dataset, start a spare.
fn died(pool: &Rc<RefCell<Pool>>, id: u32, reason: &str) {
    let (slot, was_current, on_lost) = {
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
        if pool.loading == Some(id) {
            pool.loading = None;
        }
        let was_current = pool.current == Some(id);
        if was_current {
            pool.current = None;
        }
        (slot, was_current, pool.on_lost.clone())
    };
    slot.terminate();
    let Slot { handlers, .. } = slot;
    let message = format!(
        "the engine stopped unexpectedly ({reason}); a fresh one has been started. Open the file again; \
         if this happens again with the same file, please report it: a damaged file should give an error, not a crash."
    );
    for (job, mut handler) in handlers {
        handler(Event::Failed {
            job,
            message: message.clone(),
            location: None,
        });
    }
    if was_current && let Some(on_lost) = on_lost {
        on_lost(message);
    }
    ensure_spare(pool);
}
