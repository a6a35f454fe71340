//! The engine's side of the worker boundary: runs inside a dedicated Web Worker.
//!
//! [`worker_main`] (called by `static/worker.js` once the wasm module is initialised) listens for
//! [`Request`]s and answers with [`Event`]s. It holds one loaded dataset as a [`Session`] (the
//! filter in force, sort orders, clause masks) and, in streaming mode, the file it comes from as
//! a [`Source`]. Work runs synchronously: while a file loads the worker answers nothing else, so
//! cancelling is done by the UI terminating the worker.
//!
//! Data flow: `Request::Open` + `Blob` (+ index `Blob`) → [`load_with`] (in [`load`]: sniff,
//! key, index, prefix, estimate, whole read or streaming mode), posting `Overview` /
//! `IndexRejected` / `Shards` notes and `Progress` on the way → `Loaded` (the dataset held, or a
//! [`Source`] kept in streaming mode) or `KeyRequired`; `Request::OpenShard` → [`read_shard`] →
//! `Loaded`. `Request::Stream` / `Request::Region` → [`Source`] → `Scanned` over the kept
//! records; `Request::Filter` → [`Session::filter`] → `Filtered` or `FilterRejected`;
//! `Request::Rows` / `Request::Keys` → one page (or the sort keys) of the passing records;
//! `Request::PedigreeCheck` → the pedigree check's counts over the held records.
//! Family analysis: `Request::Pedigree` → [`Session::set_pedigree`] → `Pedigree` or
//! `PedigreeRejected`; `Request::Inheritance` → [`Session::choose_modes`] → `Filtered` (the
//! modes as clauses); `Request::Explain` → [`Session::explain`] → `Explained`;
//! `Request::Locate` / `Request::Precede` → [`Session::locate`] / [`Session::preceding`] →
//! `Located` / `Preceding` (where a compound het's partner is in the table's order);
//! `Request::Detail` → [`Session::detail`] → `Detail` (the variant detail).
//! `Request::Stats` → [`stats::answer`] → `Stats` (the QC panel's numbers).
//!
//! Modules: [`load`] (opening), [`read`] (the memory guard every read goes through),
//! [`source`] (a file kept in streaming mode), [`stats`] (QC statistics).

pub mod load;
pub mod read;
pub mod source;
pub mod stats;

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::{
    AbsentFields, Columns, Envelope, Event, KeyMaterial, Loaded, PROTOCOL_VERSION, Request,
    ShardSpec,
};
use crate::session::{self, Session};
use source::{Shown, Source, SourceError};
use wasm_core::filter::Mode;
use wasm_core::progress::Flow;
use wasm_core::store::SortKey;

pub use load::{
    DEFAULT_MEMORY_BUDGET, IndexInput, LoadOptions, MEMORY_CEILING, MIN_SHARD_BYTES, Note,
    OpenError, Opened, PREFIX_BYTES, default_budget, load, load_with, read_shard, shard_plan,
};

/// Least time between two `Progress` events.
const PROGRESS_INTERVAL_MS: f64 = 50.0;

/// What a worker holds: the shown records, and in streaming mode the file they come from.
struct Held {
    session: Session,
    source: Option<Source>,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// The worker's entry point: installs the message handler and announces `Ready`. Exported by the
/// engine module (feature `worker`), not by the page's.
#[cfg_attr(feature = "worker", wasm_bindgen)]
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
            // The message's job cannot be known (it is in the bytes that did not decode): job 0
            // tells the page that this worker cannot be used ([`Event::Failed`]).
            post(&Event::Failed {
                job: 0,
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
            index_name,
            memory_budget,
            shards,
        } => match envelope.file {
            Some(blob) => {
                let options = LoadOptions {
                    index: envelope.index.map(|blob| IndexInput {
                        blob,
                        name: index_name.unwrap_or_else(|| "index".into()),
                    }),
                    data_name: name_hint,
                    memory_budget: memory_budget.unwrap_or_else(|| default_budget(shards)),
                    shards: shards.max(1),
                    ..LoadOptions::default()
                };
                open(job, &salt, blob, key, &options)
            }
            None => Event::Failed {
                job,
                message: "the open request carries no file".into(),
                location: None,
            },
        },
        Request::OpenShard {
            job,
            name_hint,
            key,
            spec,
        } => match envelope.file {
            Some(blob) => open_shard(job, blob, key, spec, &name_hint),
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
            columns,
        } => rows(job, offset, limit, sort, descending, columns),
        Request::Keys {
            job,
            limit,
            sort,
            descending,
        } => with_session(job, |session| {
            let (total, keys) = session.keys(limit, sort, descending);
            Event::Keys { job, total, keys }
        }),
        Request::Filter {
            job,
            expression,
            mode,
            regions,
            genes,
            absent,
        } => filter(
            job,
            &expression,
            mode,
            regions.as_deref(),
            genes.as_deref(),
            &absent,
        ),
        Request::Stream {
            job,
            expression,
            mode,
            regions,
        } => stream(job, &expression, mode, regions.as_deref()),
        Request::Region { job, regions } => region(job, &regions),
        Request::PedigreeCheck { job } => pedigree_tally(job),
        // Family analysis (issue 14).
        Request::Pedigree { job, ped, options } => with_session(job, |session| {
            match session.set_pedigree(ped.as_deref(), options) {
                Ok(info) => Event::Pedigree { job, info },
                Err(error) => Event::PedigreeRejected { job, error },
            }
        }),
        Request::Inheritance { job, modes } => with_session(job, |session| {
            if !session.has_pedigree() && !modes.is_empty() {
                return Event::Failed {
                    job,
                    message: "no pedigree is given for this file: pick its PED file or give \
                              the samples roles first"
                        .into(),
                    location: None,
                };
            }
            match session.choose_modes(modes) {
                Ok(report) => Event::Filtered { job, report },
                Err(rejection) => Event::FilterRejected {
                    job,
                    expression: String::new(),
                    rejection,
                },
            }
        }),
        Request::Explain { job, record, modes } => with_session(job, |session| Event::Explained {
            job,
            explanations: session.explain(record, &modes),
        }),
        Request::Locate {
            job,
            record,
            sort,
            descending,
        } => with_session(job, |session| Event::Located {
            job,
            place: session.locate(record, sort, descending),
        }),
        Request::Detail {
            job,
            record,
            parentage_confirmed,
        } => with_session(job, |session| {
            match session.detail(record, parentage_confirmed) {
                Some(detail) => Event::Detail {
                    job,
                    detail: Box::new(detail),
                },
                None => Event::Failed {
                    job,
                    message: format!(
                        "record {record} is not in this worker's part of the file: open the file again"
                    ),
                    location: None,
                },
            }
        }),
        Request::Precede {
            job,
            sort,
            descending,
            shard,
            key,
            part,
            ranks,
        } => with_session(job, |session| Event::Preceding {
            job,
            count: session.preceding(sort, descending, (shard, key), part, &ranks),
        }),
        Request::PartEvidence { job, part } => with_session(job, |session| Event::PartEvidence {
            job,
            evidence: session.part_evidence(part),
        }),
        Request::OtherParts { job, part, others } => with_session(job, |session| {
            session.other_parts(part, others);
            Event::PartsKept { job }
        }),
        Request::Stats { job, scope, ped } => with_session(job, |session| {
            stats::answer(job, session, scope, ped.as_deref())
        }),
        Request::SealCase {
            job,
            json,
            recipients,
            writer,
        } => seal_case(job, &json, &recipients, writer.as_ref()),
        Request::Export {
            job,
            format,
            info_keys,
            format_keys,
            selected,
            head,
        } => with_session(job, |session| {
            export_part(
                job,
                session,
                format,
                info_keys,
                format_keys,
                &selected,
                head,
            )
        }),
        Request::OpenCase { job, file, key } => {
            let passphrase = key.passphrase.as_deref().map(str::as_bytes);
            let outcome = wasm_core::case::file::open_with_key_file(
                &file,
                key.key_file.as_bytes(),
                passphrase,
            )
            .map(|case| case.to_json())
            .map_err(|e| (e.kind(), e.report()));
            Event::CaseOpened { job, outcome }
        }
    };
    post(&event);
}

/// The pedigree check's counts over the held dataset (`Request::PedigreeCheck`): a file in
/// streaming mode holds only the records a scan kept, whose counts would not be the file's.
fn pedigree_tally(job: u32) -> Event {
    HELD.with(|held| match held.borrow().as_ref() {
        Some(Held {
            source: Some(_), ..
        }) => Event::Failed {
            job,
            message: "the pedigree check needs the whole file loaded; this one is too large \
                      and is read in streaming mode"
                .into(),
            location: None,
        },
        Some(Held { session, .. }) => Event::PedigreeTally {
            job,
            tally: Box::new(pedigree_tally_of(session.dataset())),
        },
        None => Event::Failed {
            job,
            message: "no file is loaded in this worker: open the file again".into(),
            location: None,
        },
    })
}

/// The pedigree check's counts over one worker's dataset (a whole file, or a pool's shard):
/// what [`Event::PedigreeTally`] carries.
pub fn pedigree_tally_of(dataset: &wasm_core::Dataset) -> wasm_core::pedigree_check::Tally {
    let build = wasm_core::pedigree_check::build_of(dataset);
    wasm_core::pedigree_check::tally(&dataset.store, build, &Default::default())
}

/// Posts `Progress` for `job`, at most every [`PROGRESS_INTERVAL_MS`].
fn progress_poster(job: u32) -> impl FnMut(u64, Option<u64>) -> Flow {
    let mut last_post = f64::NEG_INFINITY;
    move |done: u64, total: Option<u64>| {
        let now = js_sys::Date::now();
        if now - last_post >= PROGRESS_INTERVAL_MS || Some(done) == total {
            last_post = now;
            post(&Event::Progress { job, done, total });
        }
        Flow::Continue
    }
}

fn open(
    job: u32,
    salt: &[u8],
    blob: Blob,
    key: Option<KeyMaterial>,
    options: &LoadOptions,
) -> Event {
    // Free the previous dataset before reading the next one.
    HELD.with(|held| held.borrow_mut().take());
    let started = js_sys::Date::now();
    let mut progress = progress_poster(job);
    let mut notes = |note: Note| {
        post(&match note {
            Note::Overview(overview) => Event::Overview { job, overview },
            Note::IndexRejected(message) => Event::IndexRejected { job, message },
            Note::Shards(specs) => Event::Shards { job, specs },
        })
    };
    let opened = match load_with(blob, salt, key, options, &mut notes, &mut progress) {
        Ok(opened) => opened,
        Err(e) => {
            return Event::Failed {
                job,
                message: format!("“{}”: {e}", options.data_name),
                location: e.location(),
            };
        }
    };
    let millis = js_sys::Date::now() - started;
    match opened {
        Opened::KeyRequired => Event::KeyRequired { job },
        Opened::Loaded {
            session,
            fingerprint,
        } => hold(job, *session, fingerprint, millis),
        Opened::Streaming { source } => {
            let event = Event::Loaded {
                job,
                loaded: source.loaded(millis),
            };
            let Shown { session, .. } = source.empty();
            HELD.with(|held| {
                *held.borrow_mut() = Some(Held {
                    session,
                    source: Some(*source),
                })
            });
            event
        }
    }
}

/// Reads one shard of a pool load (`Request::OpenShard`) and holds it as this worker's session.
fn open_shard(
    job: u32,
    blob: Blob,
    key: Option<KeyMaterial>,
    spec: ShardSpec,
    name: &str,
) -> Event {
    HELD.with(|held| held.borrow_mut().take());
    let started = js_sys::Date::now();
    let mut progress = progress_poster(job);
    let dataset = match read_shard(&blob, key, &spec, &mut progress) {
        Ok(dataset) => dataset,
        Err(e) => {
            return Event::Failed {
                job,
                message: format!("“{name}”: {e}"),
                location: e.location(),
            };
        }
    };
    // The fingerprint is the lead's, of the whole file.
    hold(
        job,
        Session::new(dataset),
        String::new(),
        js_sys::Date::now() - started,
    )
}

/// Holds a loaded session as this worker's; returns its `Loaded`.
fn hold(job: u32, session: Session, fingerprint: String, millis: f64) -> Event {
    let loaded = Loaded {
        summary: session.dataset().summary.clone(),
        schema: session.schema(),
        columns: Columns {
            info_keys: session.info_keys().to_vec(),
            format_keys: session.format_keys().to_vec(),
        },
        fingerprint,
        millis,
        annotation: session.annotation_tag().map(str::to_string),
        streaming: None,
    };
    HELD.with(|held| {
        *held.borrow_mut() = Some(Held {
            session,
            source: None,
        })
    });
    Event::Loaded { job, loaded }
}

/// Runs `f` on the loaded session, or fails the job when there is none.
fn with_session(job: u32, f: impl FnOnce(&mut Session) -> Event) -> Event {
    HELD.with(|held| match held.borrow_mut().as_mut() {
        Some(held) => f(&mut held.session),
        None => Event::Failed {
            job,
            message: "no file is loaded in this worker: open the file again".into(),
            location: None,
        },
    })
}

fn rows(
    job: u32,
    offset: u64,
    limit: u32,
    sort: SortKey,
    descending: bool,
    columns: Option<Columns>,
) -> Event {
    with_session(job, |session| {
        if let Some(columns) = columns {
            session.set_columns(columns.info_keys, columns.format_keys);
        }
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

/// Streaming mode: scans the file for the records a filter keeps; they become the shown ones.
fn stream(job: u32, expression: &str, mode: Mode, regions: Option<&str>) -> Event {
    let mut progress = progress_poster(job);
    from_source(job, expression, |held, source| {
        let checked = source.check(expression, mode, regions)?;
        // The records shown so far go first: the scan may need their memory.
        held.session = source.empty().session;
        source.scan(&checked, &mut progress)
    })
}

/// Streaming mode with an index: the records of regions become the shown ones.
fn region(job: u32, regions: &str) -> Event {
    from_source(job, regions, |_, source| source.region(regions))
}

/// Runs `f` on the file held in streaming mode; the records it gives become the shown ones,
/// answered with `Scanned`. `text` is the expression or region list, for a rejection.
fn from_source(
    job: u32,
    text: &str,
    f: impl FnOnce(&mut Held, &mut Source) -> Result<Shown, SourceError>,
) -> Event {
    let started = session::now();
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        let Some(held) = held.as_mut() else {
            return source_error(
                job,
                text,
                SourceError::Failed("no file is open in this worker: open the file again".into()),
            );
        };
        let Some(mut source) = held.source.take() else {
            return source_error(
                job,
                text,
                SourceError::Failed("this file is loaded whole: use the filter instead".into()),
            );
        };
        let event = match f(held, &mut source) {
            Ok(Shown {
                session,
                summary,
                warnings,
            }) => {
                held.session = session;
                Event::Scanned {
                    job,
                    summary,
                    millis: session::now() - started,
                    warnings,
                }
            }
            Err(e) => source_error(job, text, e),
        };
        held.source = Some(source);
        event
    })
}

fn source_error(job: u32, expression: &str, error: SourceError) -> Event {
    match error {
        SourceError::Rejected(rejection) => Event::FilterRejected {
            job,
            expression: expression.to_string(),
            rejection,
        },
        SourceError::Failed(message) => Event::Failed {
            job,
            message,
            location: None,
        },
    }
}

fn filter(
    job: u32,
    expression: &str,
    mode: Mode,
    regions: Option<&str>,
    genes: Option<&str>,
    absent: &AbsentFields,
) -> Event {
    with_session(job, |session| {
        session.add_absent_fields(absent);
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

/// [`Request::SealCase`]: the case file, or why the keys or the case could not make one.
fn seal_case(job: u32, json: &str, recipients: &[String], writer: Option<&KeyMaterial>) -> Event {
    use wasm_core::crypt4gh::{PublicKey, SecretKey};
    let failed = |message: String| Event::Failed {
        job,
        message,
        location: None,
    };
    let case = match wasm_core::case::Case::from_json(json) {
        Ok(case) => case,
        Err(e) => return failed(e.report()),
    };
    let mut keys = Vec::with_capacity(recipients.len());
    for (k, text) in recipients.iter().enumerate() {
        match PublicKey::parse(text.as_bytes()) {
            Ok(key) => keys.push(key),
            Err(e) => return failed(format!("public key {}: {e}", k + 1)),
        }
    }
    let writer = match writer {
        Some(m) => {
            let passphrase = m.passphrase.as_deref().map(str::as_bytes);
            match SecretKey::parse(m.key_file.as_bytes(), passphrase) {
                Ok(key) => Some(key),
                Err(e) => return failed(format!("your secret key: {e}")),
            }
        }
        None => None,
    };
    match wasm_core::case::file::seal(&case, writer.as_ref(), &keys) {
        Ok(file) => Event::CaseSealed { job, file },
        Err(e) => failed(e.report()),
    }
}

/// Records written between two `Progress` events of an export.
const EXPORT_PROGRESS_RECORDS: usize = 1 << 16;

/// [`Request::Export`]: this worker's passing records as one part of the document.
fn export_part(
    job: u32,
    session: &mut Session,
    format: crate::protocol::ExportFormat,
    info_keys: Vec<String>,
    format_keys: Vec<String>,
    selected: &crate::protocol::Selected,
    head: bool,
) -> Event {
    use wasm_core::export::document;
    let dataset = session.dataset();
    let store = &dataset.store;
    let mut columns = document::Columns::of(store);
    columns.info_keys = info_keys;
    columns.format_keys = format_keys;
    let rows: Vec<usize> = match session.pass() {
        Some(pass) => pass.iter_ones().collect(),
        None => (0..store.len()).collect(),
    };
    let total = rows.len() as u64;
    let mut bytes = Vec::new();
    let written = (|| -> std::io::Result<u64> {
        if head {
            document::write_head(&mut bytes, format, &dataset.header, &columns, selected)?;
        }
        let mut records = 0;
        for chunk in rows.chunks(EXPORT_PROGRESS_RECORDS) {
            records += document::write_records(
                &mut bytes,
                format,
                store,
                &columns,
                chunk.iter().copied(),
            )?;
            post(&Event::Progress {
                job,
                done: records,
                total: Some(total),
            });
        }
        Ok(records)
    })();
    match written {
        Ok(records) => Event::Exported {
            job,
            bytes,
            records,
        },
        Err(e) => Event::Failed {
            job,
            message: format!("the export could not be written: {e}"),
            location: None,
        },
    }
}
