//! The engine's side of the worker boundary: runs inside a dedicated Web Worker.
//!
//! [`worker_main`] (called by `static/worker.js` once the wasm module is initialised) listens for
//! [`Request`]s and answers with [`Event`]s. It holds one loaded dataset as a [`Session`] (the
//! filter in force, sort orders, clause masks). Work runs synchronously: while a file loads the
//! worker answers nothing else, so cancelling is done by the UI terminating the worker.
//!
//! Data flow: `Request::Open` + `Blob` → [`load`]: [`BlobReader`] → fingerprint (first and last
//! 64 KiB) → sniff: a Crypt4GH file without a key → `KeyRequired`; with one, the key is parsed
//! (key text and passphrase are wiped right after) and read through
//! `wasm_core::formats::read_encrypted_dataset`; any other file through `wasm_core::read_dataset`
//! (posting `Progress`) → `Schema`, `Loaded`; `Request::Filter` →
//! [`Session::filter`] → `Filtered` or `FilterRejected`; `Request::Rows` → one page of the passing
//! records in the cached order.

use std::cell::RefCell;
use std::fmt;
use std::io;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};
use zeroize::Zeroizing;

use crate::blob_reader::BlobReader;
use crate::protocol::{Envelope, Event, KeyMaterial, PROTOCOL_VERSION, Request, format_name};
use crate::session::{self, Session};
use wasm_core::crypt4gh::{Crypt4ghError, KeyError, SecretKey};
use wasm_core::filter::Mode;
use wasm_core::fingerprint::{EDGE_BYTES, fingerprint};
use wasm_core::formats::{is_encrypted, read_encrypted_dataset};
use wasm_core::progress::{Flow, Progress};
use wasm_core::store::SortKey;
use wasm_core::{IngestError, Location, read_dataset};

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
            key,
        } => match envelope.file {
            Some(blob) => open(job, &salt, &name_hint, blob, key),
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

fn open(job: u32, salt: &[u8], name_hint: &str, blob: Blob, key: Option<KeyMaterial>) -> Event {
    // Free the previous dataset before reading the next one.
    HELD.with(|held| held.borrow_mut().take());
    let started = js_sys::Date::now();
    let mut last_post = f64::NEG_INFINITY;
    let mut progress = |done: u64, total: Option<u64>| {
        let now = js_sys::Date::now();
        if now - last_post >= PROGRESS_INTERVAL_MS || Some(done) == total {
            last_post = now;
            post(&Event::Progress { job, done, total });
        }
        Flow::Continue
    };
    let (session, fingerprint) = match load(blob, salt, key, &mut progress) {
        Ok(Opened::Loaded {
            session,
            fingerprint,
        }) => (session, fingerprint),
        Ok(Opened::KeyRequired) => return Event::KeyRequired { job },
        Err(e) => {
            return Event::Failed {
                job,
                message: format!("“{name_hint}”: {e}"),
                location: e.location(),
            };
        }
    };
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
    HELD.with(|held| *held.borrow_mut() = Some(*session));
    event
}

/// What [`load`] made of a file.
pub enum Opened {
    /// The file is read.
    Loaded {
        session: Box<Session>,
        /// The salted fingerprint of the file's bytes as stored (the ciphertext, if encrypted).
        fingerprint: String,
    },
    /// The file is Crypt4GH-encrypted and no key was given; only its first 64 KiB were read.
    KeyRequired,
}

impl fmt::Debug for Opened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Loaded { session, .. } => {
                write!(f, "Loaded({} records)", session.dataset().summary.records)
            }
            Self::KeyRequired => f.write_str("KeyRequired"),
        }
    }
}

/// Why [`load`] failed. Its messages name no key material.
#[derive(Debug)]
pub enum OpenError {
    /// The `Blob` could not be read.
    Read(io::Error),
    /// The secret key could not be opened (no passphrase, a wrong one, not a key file, …).
    Key(KeyError),
    /// The file could not be decrypted or read.
    Ingest(IngestError),
}

impl OpenError {
    /// Where in the file the problem is, when the engine knows.
    pub fn location(&self) -> Option<Location> {
        match self {
            Self::Ingest(e) => e.location(),
            Self::Read(_) | Self::Key(_) => None,
        }
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(e) => write!(f, "{e}"),
            Self::Key(KeyError::PassphraseRequired) => f.write_str(
                "the secret key is protected by a passphrase: enter it and decrypt again",
            ),
            Self::Key(KeyError::WrongPassphrase) => f.write_str(
                "wrong passphrase for the secret key, so nothing was decrypted: type it again",
            ),
            Self::Key(e) => write!(f, "the secret key cannot be used: {e}"),
            Self::Ingest(IngestError::Decryption(e @ Crypt4ghError::NotARecipient { .. })) => {
                write!(f, "{e}; choose the secret key it was encrypted for")
            }
            Self::Ingest(IngestError::Decryption(e)) => write!(f, "cannot decrypt: {e}"),
            Self::Ingest(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for OpenError {}

/// Reads `blob` into a [`Session`]: sniffs its first bytes, and decrypts a Crypt4GH file with
/// `key`. The key's text and passphrase are wiped as soon as the key is parsed, before any of the
/// file is decrypted. Used by the worker for `Request::Open`; tests call it directly.
pub fn load(
    blob: Blob,
    salt: &[u8],
    key: Option<KeyMaterial>,
    progress: &mut dyn Progress,
) -> Result<Opened, OpenError> {
    let reader = BlobReader::new(blob).map_err(OpenError::Read)?;
    let size = reader.size();
    let head = reader.read_range(0, EDGE_BYTES).map_err(OpenError::Read)?;
    let encrypted = is_encrypted(&head);
    if encrypted && key.is_none() {
        return Ok(Opened::KeyRequired);
    }
    let tail = reader
        .read_range(size.saturating_sub(EDGE_BYTES), size)
        .map_err(OpenError::Read)?;
    let fingerprint = fingerprint(salt, size, &head, &tail);
    // A plain file needs no key: one that came along is dropped (and wiped) here, unread.
    let dataset = match key.filter(|_| encrypted) {
        Some(material) => {
            let secret = unlock(material).map_err(OpenError::Key)?;
            read_encrypted_dataset(reader, &secret, progress)
        }
        None => read_dataset(reader, Some(size), progress),
    }
    .map_err(OpenError::Ingest)?;
    Ok(Opened::Loaded {
        session: Box::new(Session::new(dataset)),
        fingerprint,
    })
}

/// Parses the secret key; the key file's text and the passphrase are zeroized on return, whatever
/// the outcome. An empty passphrase counts as none.
fn unlock(material: KeyMaterial) -> Result<SecretKey, KeyError> {
    let material = Zeroizing::new(material);
    let passphrase = material
        .passphrase
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(str::as_bytes);
    SecretKey::parse(material.key_file.as_bytes(), passphrase)
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
