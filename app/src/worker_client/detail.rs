//! The variant detail's call: one record in full, asked of the worker holding it (the one
//! worker, or in a pool the shard whose part holds the record, as an explanation is —
//! [`super::family`]). The shard answers with its own index; the client gives the record
//! its index in the whole file back.

use super::call::{CallError, Reply, call};
use super::family::holder;
use super::fan_out::SharedShards;
use super::pool::Workers;
use crate::protocol::{Event, Request, VariantDetail};

/// Record `record` (its index in file order) in full, with its classification pre-fills.
pub(crate) fn detail(
    workers: &Workers,
    shards: &SharedShards,
    record: u64,
    parentage_confirmed: bool,
) -> Reply<VariantDetail> {
    let (mut answer, reply) = call();
    let (worker, base) = match holder(workers, shards, record) {
        Ok(holder) => holder,
        Err(e) => {
            answer.send(Err(e));
            return reply;
        }
    };
    let job = workers.next_job();
    let request = Request::Detail {
        job,
        record: record - base,
        parentage_confirmed,
    };
    workers.ask(
        worker,
        job,
        &request,
        Box::new(move |event| {
            answer.send(match event {
                Event::Detail { mut detail, .. } => {
                    detail.detail.record = record;
                    Ok(*detail)
                }
                other => Err(CallError::from_event(other)),
            })
        }),
    );
    reply
}
