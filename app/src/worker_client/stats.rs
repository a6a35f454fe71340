//! The QC panel's call: the statistics of the shown file, from its one worker or merged from
//! every shard's ([`crate::protocol::Request::Stats`]).
//!
//! Each shard counts its own records (the whole shard, or its records passing the filter in
//! force, which every shard applied) and names its contigs and FILTER values; the page adds
//! the parts with `BcftoolsStats::merge` and `QcStats::merge`, the names in the order one store
//! would have given them ids (`stats::qc::merged_names`, as `Summary::merged` orders contigs).
//! Every section is a sum of per-record counts, so the merged numbers are one worker's
//! (`wasm-core/tests/stats_merge.rs`, `app/tests/stats.rs`).

use super::call::{CallError, Reply, call};
use super::fan_out::{SharedShards, fan_out};
use super::pool::Workers;
use crate::protocol::{Event, Request, StatsPart, StatsScope};
use wasm_core::stats::bcftools::BcftoolsStats;
use wasm_core::stats::qc::{QcStats, merged_names};

/// What the QC panel asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsArgs {
    pub scope: StatsScope,
    /// A PED's text, for the trios' numbers.
    pub ped: Option<String>,
}

/// The statistics of the shown file (all its shards together).
#[derive(Debug, Clone, PartialEq)]
pub struct QcReport {
    pub scope: StatsScope,
    pub bcftools: BcftoolsStats,
    pub qc: QcStats,
    /// Why the trios are missing though a PED was given.
    pub trio_problem: Option<String>,
    /// Records counted.
    pub records: u64,
    /// The slowest shard's time, in ms.
    pub millis: f64,
}

/// Merges the shards' parts, in file order. `None` when there is none.
pub fn merge_parts(scope: StatsScope, parts: Vec<StatsPart>) -> Option<QcReport> {
    let contigs = merged_names(&parts.iter().map(|p| p.contigs.clone()).collect::<Vec<_>>());
    let filters = merged_names(&parts.iter().map(|p| p.filters.clone()).collect::<Vec<_>>());
    let qc = QcStats::merge(
        &parts.iter().map(|p| p.qc.clone()).collect::<Vec<_>>(),
        &contigs,
        &filters,
    )?;
    let bcftools =
        BcftoolsStats::merge(&parts.iter().map(|p| p.bcftools.clone()).collect::<Vec<_>>());
    Some(QcReport {
        scope,
        bcftools,
        qc,
        trio_problem: parts.iter().find_map(|p| p.trio_problem.clone()),
        records: parts.iter().map(|p| p.records).sum(),
        millis: parts.iter().map(|p| p.millis).fold(0.0, f64::max),
    })
}

/// Asks every worker holding the shown file for its statistics and merges them.
pub(crate) fn stats(workers: &Workers, shards: &SharedShards, args: StatsArgs) -> Reply<QcReport> {
    let (mut answer, reply) = call();
    let StatsArgs { scope, ped } = args;
    let request = move |job| Request::Stats {
        job,
        scope,
        ped: ped.clone(),
    };
    let done = move |answers: Vec<Event>| {
        let mut parts = Vec::with_capacity(answers.len());
        for event in answers {
            match event {
                Event::Stats { part, .. } => parts.push(*part),
                other => return answer.send(Err(CallError::from_event(other))),
            }
        }
        answer.send(merge_parts(scope, parts).ok_or_else(|| CallError::failed("no file is loaded")))
    };
    if shards.borrow().layout.is_some() {
        fan_out(workers, |_, job| request(job), done);
    } else {
        let job = workers.next_job();
        let mut done = Some(done);
        // The one worker's final event is the whole answer.
        workers.ask(
            None,
            job,
            &request(job),
            Box::new(move |event| {
                if event.is_final()
                    && let Some(mut done) = done.take()
                {
                    done(vec![event]);
                }
            }),
        );
    }
    reply
}
