//! The workers: starting them, their roles, routing their events by job, and what happens when
//! one dies.
//!
//! [`Workers`] spawns the worker script as module workers, waits for each one's `Ready` before
//! posting to it (messages are queued until then), assigns job ids and routes every [`Event`] to
//! the [`Handler`] of its job. Each worker has a role:
//!
//! - *spare*: initialised and idle, so opening a file does not wait for the wasm module;
//! - *loading*: reading a file ([`super::load`]). Stopping a load terminates them (the engine
//!   runs synchronously, so there is no other way to stop it); the dataset already shown stays;
//! - *current*: hold the dataset the page shows, one shard each, and answer its requests.
//!
//! A fresh worker per file also gives its memory back: wasm memory never shrinks. A worker that
//! dies — a script error, a wasm trap, a panic, or a message it could not read (`Failed` for
//! job 0) — fails its pending jobs with a clear message; if it held a shard of the shown file,
//! the whole file is gone (its other workers are stopped) and the `on_lost` hook is told; a
//! fresh spare starts. The pool knows nothing of what the jobs mean: loads and merges are
//! [`super::load`]'s and [`super::fan_out`]'s.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{Envelope, Event, Request};

/// Workers that die before `Ready` this many times in a row are not restarted automatically.
const MAX_STARTUP_FAILURES: u32 = 3;

/// Receives the events of one job, ending with its final event.
pub(crate) type Handler = Box<dyn FnMut(Event)>;

/// The page's workers. Cheap to clone: a handle on one pool.
#[derive(Clone)]
pub(crate) struct Workers(Rc<RefCell<Pool>>);

struct Pool {
    /// The worker script's URL.
    script: String,
    next_job: u32,
    next_slot: u32,
    slots: HashMap<u32, Slot>,
    spare: Option<u32>,
    /// The workers reading the file being opened (the lead first, then the other shards').
    loading: Vec<u32>,
    /// The workers holding the shown dataset, in file order of their shards.
    current: Vec<u32>,
    /// Workers a load may use.
    size: u32,
    startup_failures: u32,
    /// Told when a worker holding the shown dataset dies.
    on_lost: Option<Rc<dyn Fn(String)>>,
}

/// One worker and the jobs it has not answered yet.
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

    /// Stops the worker. Its handlers go with the slot: their calls resolve as dropped.
    fn terminate(self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
    }
}

impl Workers {
    /// A pool whose loads may use `size` workers, running `script`, with a spare starting up.
    pub(crate) fn new(script: &str, size: u32, on_lost: impl Fn(String) + 'static) -> Self {
        let workers = Self(Rc::new(RefCell::new(Pool {
            script: script.to_string(),
            next_job: 1,
            next_slot: 1,
            slots: HashMap::new(),
            spare: None,
            loading: Vec::new(),
            current: Vec::new(),
            size: size.max(1),
            startup_failures: 0,
            on_lost: Some(Rc::new(on_lost)),
        })));
        workers.ensure_spare();
        workers
    }

    /// Workers a load may use.
    pub(crate) fn size(&self) -> u32 {
        self.0.borrow().size
    }

    /// The workers holding the shown dataset, in shard order.
    pub(crate) fn current(&self) -> Vec<u32> {
        self.0.borrow().current.clone()
    }

    pub(crate) fn next_job(&self) -> u32 {
        let mut pool = self.0.borrow_mut();
        let job = pool.next_job;
        pool.next_job = pool.next_job.wrapping_add(1).max(1);
        job
    }

    /// A spare worker (or a new one) for a load: it reads the file's part `0` when `first`
    /// (the loads before it end), another part otherwise.
    pub(crate) fn loading_worker(&self, first: bool) -> Result<u32, String> {
        let spare = self.0.borrow_mut().spare.take();
        let id = match spare {
            Some(id) => id,
            None => self.spawn()?,
        };
        let mut pool = self.0.borrow_mut();
        if first {
            pool.loading.clear();
        }
        pool.loading.push(id);
        Ok(id)
    }

    /// Terminates the loading workers, if any; returns whether there were some.
    pub(crate) fn stop_loading(&self) -> bool {
        let slots = {
            let mut pool = self.0.borrow_mut();
            let loading = std::mem::take(&mut pool.loading);
            take(&mut pool, loading)
        };
        let stopped = !slots.is_empty();
        for slot in slots {
            slot.terminate();
        }
        if stopped {
            self.ensure_spare();
        }
        stopped
    }

    /// A load ended: its workers hold the shown dataset now (`shown`; the previous dataset's
    /// workers are terminated), or are terminated.
    pub(crate) fn end_loading(&self, shown: bool) {
        let retired = {
            let mut pool = self.0.borrow_mut();
            let loading = std::mem::take(&mut pool.loading);
            let old = if shown {
                std::mem::replace(&mut pool.current, loading)
            } else {
                loading
            };
            take(&mut pool, old)
        };
        for slot in retired {
            slot.terminate();
        }
        self.ensure_spare();
    }

    /// Starts a spare worker unless there is one (or workers keep failing to start).
    fn ensure_spare(&self) {
        let needed = {
            let pool = self.0.borrow();
            pool.spare.is_none() && pool.startup_failures < MAX_STARTUP_FAILURES
        };
        if needed && let Ok(id) = self.spawn() {
            self.0.borrow_mut().spare = Some(id);
        }
    }

    /// Posts `message` (an envelope) to worker `id`.
    pub(crate) fn post_message(&self, id: u32, message: JsValue) -> Result<(), String> {
        let mut pool = self.0.borrow_mut();
        let slot = pool.slots.get_mut(&id).ok_or("the engine worker is gone")?;
        slot.post(message)
    }

    /// Posts `request` (a request of job `job`) to worker `id`, or to the lead worker holding
    /// the shown dataset when `id` is `None`, and hands its events to `on_event`, the last one
    /// final. A request that cannot be posted is answered `Failed` at once.
    pub(crate) fn ask(&self, id: Option<u32>, job: u32, request: &Request, on_event: Handler) {
        let id = id.or_else(|| self.0.borrow().current.first().copied());
        let posted = id
            .ok_or_else(|| "no file is loaded".to_string())
            .and_then(|id| {
                let message = Envelope::new(request).to_js().map_err(|e| e.to_string())?;
                self.post_message(id, message)?;
                Ok(id)
            });
        self.register(job, posted, on_event);
    }

    /// Stores the handler of a job posted to worker `posted`, or fails the job at once. (A
    /// worker answers asynchronously, so storing after posting loses nothing.)
    pub(crate) fn register(&self, job: u32, posted: Result<u32, String>, mut handler: Handler) {
        let error = match posted {
            Ok(id) => match self.0.borrow_mut().slots.get_mut(&id) {
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

    /// Starts a worker and registers it in the pool; it has no role yet.
    fn spawn(&self) -> Result<u32, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let script = self.0.borrow().script.clone();
        let worker = Worker::new_with_options(&script, &options)
            .map_err(|e| format!("cannot start the engine worker: {e:?}"))?;
        let id = {
            let mut pool = self.0.borrow_mut();
            let id = pool.next_slot;
            pool.next_slot += 1;
            id
        };
        let weak: Weak<RefCell<Pool>> = Rc::downgrade(&self.0);
        let workers = move || weak.upgrade().map(Workers);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let workers = workers.clone();
            move |event: MessageEvent| {
                if let Some(workers) = workers() {
                    workers.dispatch(id, &event.data());
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
            if let Some(workers) = workers() {
                workers.died(id, &reason);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        self.0.borrow_mut().slots.insert(
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
    fn dispatch(&self, id: u32, data: &JsValue) {
        let event = match Envelope::<Event>::from_js(data) {
            Ok(envelope) => envelope.msg,
            // A worker that speaks another protocol cannot be trusted with further work.
            Err(e) => return self.died(id, &e.to_string()),
        };
        let job = match event {
            // The worker could not read a message: which job it was is unknown.
            Event::Failed {
                job: 0,
                ref message,
                ..
            } => return self.died(id, message),
            ref event => event.job(),
        };
        let Some(job) = job else {
            // `Ready`: flush what waited for it.
            let mut pool = self.0.borrow_mut();
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
        let handler = self
            .0
            .borrow_mut()
            .slots
            .get_mut(&id)
            .and_then(|slot| slot.handlers.remove(&job));
        if let Some(mut handler) = handler {
            handler(event);
            if !is_final && let Some(slot) = self.0.borrow_mut().slots.get_mut(&id) {
                slot.handlers.entry(job).or_insert(handler);
            }
        }
    }

    /// Worker `id` died: fail its jobs; if it held a shard of the shown dataset, the whole
    /// dataset is gone (its other workers are stopped) and `on_lost` is told; start a spare.
    fn died(&self, id: u32, reason: &str) {
        let (slots, lost) = {
            let mut pool = self.0.borrow_mut();
            let Some(slot) = pool.slots.remove(&id) else {
                return;
            };
            if !slot.ready {
                pool.startup_failures += 1;
            }
            if pool.spare == Some(id) {
                pool.spare = None;
            }
            let mut slots = vec![slot];
            let lost = if pool.current.contains(&id) {
                let current = std::mem::take(&mut pool.current);
                slots.extend(take(&mut pool, current));
                pool.on_lost.clone()
            } else {
                None
            };
            (slots, lost)
        };
        let message = format!(
            "the engine stopped unexpectedly ({reason}); a fresh one has been started. Open the file again; \
             if this happens again with the same file, please report it: a damaged file should give an error, not a crash."
        );
        for mut slot in slots {
            for (job, mut handler) in std::mem::take(&mut slot.handlers) {
                handler(Event::Failed {
                    job,
                    message: message.clone(),
                    location: None,
                });
            }
            slot.terminate();
        }
        if let Some(lost) = lost {
            lost(message);
        }
        self.ensure_spare();
    }
}

/// Removes the workers `ids` from the pool, to be terminated.
fn take(pool: &mut Pool, ids: Vec<u32>) -> Vec<Slot> {
    ids.into_iter()
        .filter_map(|id| pool.slots.remove(&id))
        .collect()
}
