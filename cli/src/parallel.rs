//! `view` and `query` on several cores: the file is split into parts at record starts by the
//! engine's shard planner ([`wasm_core::formats::shards::plan`]: BGZF blocks, or lines of
//! uncompressed text, also inside a Crypt4GH file), worker threads stream the parts
//! ([`shards::read_shard`] with a batch sink), each printing into its own buffer, and the main
//! thread writes the buffers in file order. At most [`WINDOW_PER_THREAD`] parts per thread are
//! printed ahead of the one being written, so memory stays a few parts' output whatever the
//! file's size.
//!
//! A part is printed exactly as a one-thread stream prints the same records while nothing
//! depends on what came before it. Two things do, and then the rest of the file is streamed in
//! one thread from where the output stands ([`crate::stream::stream`] with `skip`), which
//! re-reads the file from its start without printing the records already written:
//! - a field the header does not declare: a one-thread read adds it to the columns in the order
//!   records first show it, which orders a VCF line's FORMAT keys and can change what a name in
//!   the filter resolves to;
//! - a record that cannot be read: only a read from the file's start says which line it is on.
//!
//! Plain gzip and BCF (no index used) cannot be split; they are streamed in one thread.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::{Condvar, Mutex, mpsc};

use wasm_core::bitmap::Bitmap;
use wasm_core::crypt4gh::SecretKey;
use wasm_core::formats::shards::{self, ShardSpec};
use wasm_core::formats::{BatchSink, Batches, ReadOptions};
use wasm_core::progress::{Flow, Silent};
use wasm_core::regions::RegionSet;
use wasm_core::store::VariantStore;

use crate::print::{CachedFiles, Job, Printer, Stop};

/// Bytes of the file (compressed, for BGZF) per part: about 10 MB of text, so the parts
/// printed ahead of the one being written hold a few tens of MB at most.
const PART_BYTES: u64 = 2 << 20;
/// Parts each thread may print ahead of the one being written.
const WINDOW_PER_THREAD: usize = 2;

/// What happened to a streamed read split into parts.
pub enum Parallel {
    /// Every part was printed.
    Done,
    /// The file does not split into two parts or more: stream it in one thread.
    NotSplit,
    /// The header does not fit the format or filter: nothing was printed.
    NeedsWholeFile,
    /// The first `records` records were printed; the rest must be streamed in one thread.
    Resume { records: u64 },
    /// Writing the output failed (a closed pipe included).
    Output(io::Error),
}

/// How one part ended.
enum PartOutcome {
    /// Printed: its output and the records it had.
    Printed { out: Vec<u8>, records: u64 },
    /// The header does not fit the format or filter.
    NeedsWholeFile,
    /// Something a one-thread stream must handle: a record that cannot be read, a field the
    /// header does not declare, an expression that no longer fits.
    Redo,
}

/// Which parts may start: the window ahead of the part being written.
struct Turns {
    state: Mutex<TurnState>,
    changed: Condvar,
}

struct TurnState {
    next_part: usize,
    written: usize,
    stop: bool,
}

/// Streams the file at `path` in parts on `threads` threads, writing to standard output; `key`
/// opens a Crypt4GH file. Each part opens the file on its own.
pub fn stream(
    path: &str,
    key: Option<&SecretKey>,
    job: &Job,
    regions: Option<&RegionSet>,
    batch: Option<usize>,
    threads: usize,
) -> Parallel {
    let Ok(file) = File::open(path) else {
        return Parallel::NotSplit;
    };
    let size = file.metadata().map_or(0, |m| m.len());
    let parts = (size / PART_BYTES + 1).max(2 * threads as u64);
    let parts = usize::try_from(parts).unwrap_or(usize::MAX);
    // A file the planner refuses is read in one thread, which says why with the file's line.
    let plan = match shards::plan(Box::new(file), None, key, parts) {
        Ok(plan) if plan.shards.len() > 1 => plan,
        _ => return Parallel::NotSplit,
    };
    let specs = plan.shards;
    let turns = Turns {
        state: Mutex::new(TurnState {
            next_part: 0,
            written: 0,
            stop: false,
        }),
        changed: Condvar::new(),
    };
    let window = WINDOW_PER_THREAD * threads;
    let (sender, received) = mpsc::channel::<(usize, PartOutcome)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(specs.len()) {
            let sender = sender.clone();
            let (turns, specs) = (&turns, &specs);
            scope.spawn(move || {
                while let Some(k) = turns.take(window, specs.len()) {
                    let outcome = print_part(path, key, &specs[k], job, regions, batch, turns);
                    if sender.send((k, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let result = write_in_order(received, specs.len(), &turns);
        turns.stop();
        result
    })
}

impl Turns {
    /// The next part to print, once it is within `window` parts of the one being written;
    /// `None` when every part is taken or the work was stopped.
    fn take(&self, window: usize, parts: usize) -> Option<usize> {
        let mut state = self.state.lock().ok()?;
        loop {
            if state.stop || state.next_part >= parts {
                return None;
            }
            if state.next_part < state.written + window {
                state.next_part += 1;
                return Some(state.next_part - 1);
            }
            state = self.changed.wait(state).ok()?;
        }
    }

    /// Part `written - 1` was written.
    fn advance(&self, written: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.written = written;
        }
        self.changed.notify_all();
    }

    fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.stop = true;
        }
        self.changed.notify_all();
    }

    fn stopped(&self) -> bool {
        self.state.lock().map_or(true, |s| s.stop)
    }
}

/// Writes the parts' output in file order as they arrive.
fn write_in_order(
    received: mpsc::Receiver<(usize, PartOutcome)>,
    parts: usize,
    turns: &Turns,
) -> Parallel {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut pending: Vec<Option<PartOutcome>> = (0..parts).map(|_| None).collect();
    let mut next = 0;
    let mut records = 0u64;
    for (k, outcome) in received {
        pending[k] = Some(outcome);
        while let Some(outcome) = pending.get_mut(next).and_then(Option::take) {
            match outcome {
                PartOutcome::Printed {
                    out: text,
                    records: n,
                } => {
                    if let Err(e) = out.write_all(&text) {
                        return Parallel::Output(e);
                    }
                    records += n;
                }
                PartOutcome::NeedsWholeFile if next == 0 => return Parallel::NeedsWholeFile,
                PartOutcome::NeedsWholeFile | PartOutcome::Redo => {
                    turns.stop();
                    return match out.flush() {
                        Ok(()) => Parallel::Resume { records },
                        Err(e) => Parallel::Output(e),
                    };
                }
            }
            next += 1;
            turns.advance(next);
        }
    }
    if next < parts {
        // A worker ended without an answer: the one-thread stream takes over.
        return match out.flush() {
            Ok(()) => Parallel::Resume { records },
            Err(e) => Parallel::Output(e),
        };
    }
    match out.flush() {
        Ok(()) => Parallel::Done,
        Err(e) => Parallel::Output(e),
    }
}

/// Prints one part into a buffer.
fn print_part(
    path: &str,
    key: Option<&SecretKey>,
    spec: &ShardSpec,
    job: &Job,
    regions: Option<&RegionSet>,
    batch: Option<usize>,
    turns: &Turns,
) -> PartOutcome {
    let Ok(file) = File::open(path) else {
        return PartOutcome::Redo;
    };
    let files = CachedFiles::default();
    let sink = std::cell::RefCell::new(PartSink {
        job,
        files: &files,
        printer: Printer::new(job, &files),
        regions,
        turns,
        out: Vec::new(),
        records: 0,
        outcome: None,
    });
    let read = {
        let batches = Batches::new(&sink, batch);
        let options = ReadOptions {
            batches: Some(&batches),
            ..ReadOptions::default()
        };
        shards::read_shard(Box::new(file), key, spec, &options, &mut Silent)
    };
    let sink = sink.into_inner();
    match (read, sink.outcome) {
        (_, Some(outcome)) => outcome,
        (Ok(_), None) => PartOutcome::Printed {
            out: sink.out,
            records: sink.records,
        },
        (Err(_), None) => PartOutcome::Redo,
    }
}

/// Prints a part's batches into its buffer.
struct PartSink<'a> {
    job: &'a Job,
    files: &'a CachedFiles,
    printer: Printer<'a>,
    regions: Option<&'a RegionSet>,
    turns: &'a Turns,
    out: Vec<u8>,
    records: u64,
    /// Set when the part cannot be printed here.
    outcome: Option<PartOutcome>,
}

impl PartSink<'_> {
    fn give_up(&mut self, outcome: PartOutcome) -> Flow {
        self.outcome = Some(outcome);
        Flow::Cancel
    }
}

impl BatchSink for PartSink<'_> {
    fn header(&mut self, store: &VariantStore) -> Flow {
        if self.job.check(store, self.files).is_err() {
            return self.give_up(PartOutcome::NeedsWholeFile);
        }
        Flow::Continue
    }

    fn batch(&mut self, store: &VariantStore) -> Flow {
        if self.turns.stopped() {
            return self.give_up(PartOutcome::Redo);
        }
        let undeclared = |f: &wasm_core::store::Field| !f.declared;
        if store.info.iter().any(undeclared) || store.format.iter().any(undeclared) {
            return self.give_up(PartOutcome::Redo);
        }
        self.records += store.len() as u64;
        let mask: Option<Bitmap> = self.regions.map(|r| r.mask(store));
        match self.printer.print(store, mask.as_ref(), &mut self.out) {
            Ok(()) => Flow::Continue,
            Err(Stop::Invalid(_) | Stop::Output(_)) => self.give_up(PartOutcome::Redo),
        }
    }
}
