//! The export's call: the passing records of the shown file as a document (VCF, TSV, JSON;
//! `wasm_core::export::document`), from its one worker or every shard at once, each writing its
//! own records in file order ([`crate::protocol::Request::Export`]); the parts are joined in
//! shard order, which is file order. The first part carries the document's start; the page
//! trims the last JSON record's comma and adds the end. Progress is the records written of all
//! the parts' passing records.

use std::cell::RefCell;
use std::rc::Rc;

use super::call::{CallError, Reply, call};
use super::fan_out::{SharedShards, fan_out_watching};
use super::pool::Workers;
use crate::protocol::{Event, ExportFormat, Request, Selected};
use wasm_core::export::document;

/// What the export control asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportArgs {
    pub format: ExportFormat,
    pub info_keys: Vec<String>,
    pub format_keys: Vec<String>,
    pub selected: Selected,
}

/// The document, as parts in file order (a `Blob` is made of them without joining), and the
/// records it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub parts: Vec<Vec<u8>>,
    pub records: u64,
}

/// Asks every worker holding the shown file for its part; `progress(done, total)` hears the
/// records written.
pub(crate) fn export(
    workers: &Workers,
    shards: &SharedShards,
    args: ExportArgs,
    progress: impl FnMut(u64, u64) + 'static,
) -> Reply<Exported> {
    let (mut answer, reply) = call();
    let n = if shards.borrow().layout.is_some() {
        workers.current().len().max(1)
    } else {
        1
    };
    let ExportArgs {
        format,
        info_keys,
        format_keys,
        selected,
    } = args;
    let request = move |shard: usize, job| Request::Export {
        job,
        format,
        info_keys: info_keys.clone(),
        format_keys: format_keys.clone(),
        selected: selected.clone(),
        head: shard == 0,
    };
    let seen = Rc::new(RefCell::new(vec![(0u64, 0u64); n]));
    let progress = Rc::new(RefCell::new(progress));
    let watch = {
        let (seen, progress) = (seen.clone(), progress.clone());
        move |shard: usize, event: Event| {
            if let Event::Progress { done, total, .. } = event {
                let (done, total) = {
                    let mut seen = seen.borrow_mut();
                    if let Some(s) = seen.get_mut(shard) {
                        *s = (done, total.unwrap_or(done));
                    }
                    seen.iter().fold((0, 0), |(d, t), (a, b)| (d + a, t + b))
                };
                (progress.borrow_mut())(done, total);
            }
        }
    };
    let done = move |answers: Vec<Event>| {
        let mut parts = Vec::with_capacity(answers.len());
        let mut records = 0;
        for event in answers {
            match event {
                Event::Exported {
                    bytes, records: r, ..
                } => {
                    parts.push(bytes);
                    records += r;
                }
                other => return answer.send(Err(CallError::from_event(other))),
            }
        }
        if parts.is_empty() {
            return answer.send(Err(CallError::failed("no file is loaded")));
        }
        if format == ExportFormat::Json {
            document::trim_json_parts(&mut parts);
        }
        let mut tail = Vec::new();
        if document::write_tail(&mut tail, format).is_ok() && !tail.is_empty() {
            parts.push(tail);
        }
        answer.send(Ok(Exported { parts, records }))
    };
    if n > 1 {
        fan_out_watching(workers, request, watch, done);
    } else {
        let job = workers.next_job();
        let mut done = Some(done);
        workers.ask(
            None,
            job,
            &request(0, job),
            Box::new(move |event| {
                if !event.is_final() {
                    watch(0, event);
                } else if let Some(mut done) = done.take() {
                    done(vec![event]);
                }
            }),
        );
    }
    reply
}
