//! The engine's side of the worker boundary: runs inside a dedicated Web Worker.
//!
//! [`worker_main`] (called by `static/worker.js` once the wasm module is initialised) listens for
//! [`Request`]s and answers with [`Event`]s. It holds one loaded dataset as a [`Session`] (the
//! filter in force, sort orders, clause masks). Work runs synchronously: while a file loads the
//! worker answers nothing else, so cancelling is done by the UI terminating the worker.
//!
//! Data flow: `Request::Open` + `Blob` → [`BlobReader`] → fingerprint (first and last 64 KiB) →
//! `wasm_core::read_dataset` (posting `Progress`) → `Schema`, `Loaded`; `Request::Filter` →
//! [`Session::filter`] → `Filtered` or `FilterRejected`; `Request::Rows` → one page of the passing
//! records in the cached order.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::blob_reader::BlobReader;
use crate::protocol::{Envelope, Event, PROTOCOL_VERSION, Request, format_name};
use crate::session::{self, Session};
use wasm_core::filter::Mode;
use wasm_core::fingerprint::{EDGE_BYTES, fingerprint};
use wasm_core::progress::Flow;
use wasm_core::store::SortKey;
use wasm_core::{Location, read_dataset};

/// Least time between two `Progress` events.
const PROGRESS_INTERVAL_MS: f64 = 50.0;

thread_local! {
    static HELD: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// The worker's entry point: installs the message handler and announces `Ready`.
#[wasm_bindgen]
pub fn worker_main() {
    console_error_panic_hook::set_once();
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| handle(&event.data()));
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    post(&Event::Ready {
        version: PROTOCOL_VERSION,
    });
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts an event; if it cannot be converted, posts that failure for its job instead.
fn post(event: &Event) {
    let message = match Envelope::new(event).to_js() {
        Ok(message) => message,
        Err(e) => {
            let failed = Event::Failed {
                job: event.job().unwrap_or(0),
                message: format!("the worker could not send its answer: {e}"),
                location: None,
            };
            match Envelope::new(&failed).to_js() {
                Ok(message) => message,
                Err(_) => return,
            }
        }
    };
    // Posting a plain object to the page cannot fail (no transfer list, nothing uncloneable).
    let _ = scope().post_message(&message);
}

fn handle(data: &JsValue) {
    let envelope = match Envelope::<Request>::from_js(data) {
        Ok(envelope) => envelope,
        Err(e) => {
            post(&Event::Failed {
                job: raw_job(data),
                message: e.to_string(),
                location: None,
            });
            return;
        }
    };
    let event = match envelope.msg {
        Request::Open {
            job,
            salt,
            name_hint,
        } => match envelope.file {
            Some(blob) => open(job, &salt, &name_hint, blob),
            None => Event::Failed {
                job,
                message: "the open request carries no file".into(),
                location: None,
            },
        },
        Request::Rows {
            job,
            offset,
            limit,
            sort,
            descending,
        } => rows(job, offset, limit, sort, descending),
        Request::Filter {
            job,
            expression,
            mode,
            regions,
            genes,
        } => filter(job, &expression, mode, regions.as_deref(), genes.as_deref()),
    };
    post(&event);
}

/// The job id of a message that could not be read, so its sender still hears back.
fn raw_job(data: &JsValue) -> u32 {
    js_sys::Reflect::get(data, &"msg".into())
        .and_then(|msg| js_sys::Reflect::get(&msg, &"job".into()))
        .ok()
        .and_then(|job| job.as_f64())
        .map_or(0, |job| job as u32)
}

fn open(job: u32, salt: &[u8], name_hint: &str, blob: Blob) -> Event {
    // Free the previous dataset before reading the next one.
    HELD.with(|held| held.borrow_mut().take());
    let started = js_sys::Date::now();
    let failed = |message: String, location: Option<Location>| Event::Failed {
        job,
        message: format!("“{name_hint}”: {message}"),
        location,
    };
    let (reader, fingerprint) = match BlobReader::new(blob).and_then(|reader| {
        let size = reader.size();
        let head = reader.read_range(0, EDGE_BYTES)?;
        let tail = reader.read_range(size.saturating_sub(EDGE_BYTES), size)?;
        Ok((reader, fingerprint(salt, size, &head, &tail)))
    }) {
        Ok(read) => read,
        Err(e) => return failed(e.to_string(), None),
    };
    let size = reader.size();
    let mut last_post = f64::NEG_INFINITY;
    let mut progress = |done: u64, total: Option<u64>| {
        let now = js_sys::Date::now();
        if now - last_post >= PROGRESS_INTERVAL_MS || Some(done) == total {
            last_post = now;
            post(&Event::Progress { job, done, total });
        }
        Flow::Continue
    };
    let dataset = match read_dataset(reader, Some(size), &mut progress) {
        Ok(dataset) => dataset,
        Err(e) => return failed(e.to_string(), e.location()),
    };
    let session = Session::new(dataset);
    post(&Event::Schema {
        job,
        schema: session.schema(),
    });
    let summary = &session.dataset().summary;
    let event = Event::Loaded {
        job,
        summary: summary.clone(),
        info_keys: session.info_keys().to_vec(),
        format_keys: session.format_keys().to_vec(),
        fingerprint,
        format: format_name(summary).to_string(),
        millis: js_sys::Date::now() - started,
        annotation: session.annotation_tag().map(str::to_string),
    };
    HELD.with(|held| *held.borrow_mut() = Some(session));
    event
}

/// Runs `f` on the loaded session, or fails the job when there is none.
fn with_session(job: u32, f: impl FnOnce(&mut Session) -> Event) -> Event {
    HELD.with(|held| match held.borrow_mut().as_mut() {
        Some(session) => f(session),
        None => Event::Failed {
            job,
            message: "no file is loaded in this worker: open the file again".into(),
            location: None,
        },
    })
}

fn rows(job: u32, offset: u64, limit: u32, sort: SortKey, descending: bool) -> Event {
    with_session(job, |session| {
        let page = session.rows(offset, limit, sort, descending);
        Event::Rows {
            job,
            total: page.total,
            offset,
            rows: page.rows,
            annotations: page.annotations,
        }
    })
}

fn filter(
    job: u32,
    expression: &str,
    mode: Mode,
    regions: Option<&str>,
    genes: Option<&str>,
) -> Event {
    with_session(job, |session| {
        match session.filter(expression, mode, regions, genes, &session::now) {
            Ok(report) => Event::Filtered { job, report },
            Err(rejection) => Event::FilterRejected {
                job,
                expression: expression.to_string(),
                rejection,
            },
        }
    })
}
