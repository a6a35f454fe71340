//! Helpers shared by `differential.rs` and `filter_differential.rs` (included with `#[path]`, so
//! cargo does not build it as a test of its own): running `enclave` and bcftools with a time
//! limit, and spreading the runs over two workers.

// Each test crate uses part of this file.
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const ENCLAVE: &str = env!("CARGO_BIN_EXE_enclave");
/// The time limit of one run. Generous: a debug build on 2 cores reads the largest shared file in
/// a few seconds.
pub const TIMEOUT: Duration = Duration::from_secs(180);

/// What a finished (or stopped) process did.
pub struct Run {
    /// `None`: killed by a signal or by the timeout.
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// A Rust panic (exit 101 with the panic message) or death by a signal.
    pub fn crashed(&self) -> bool {
        !self.timed_out
            && (self.code.is_none()
                || (self.code == Some(101) && self.stderr.contains("panicked at")))
    }
}

/// Runs a command (standard input empty), reading its output as it comes, and kills it after
/// [`TIMEOUT`].
pub fn run(cmd: &mut Command) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut out_pipe = child.stdout.take().expect("piped");
    let mut err_pipe = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("waiting for a child") {
            break (Some(status), false);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(pause);
        // Short runs are the common case: notice their end within a few milliseconds.
        pause = (pause * 2).min(Duration::from_millis(5));
    };
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned();
    Run {
        code: status.and_then(|s| s.code()),
        timed_out,
        stdout,
        stderr,
    }
}

/// `work` for every job, on two workers (the machine has two cores, and each job typically
/// runs two processes one after the other); the results in the jobs' order.
pub fn on_two_workers<J: Sync, R: Send>(jobs: &[J], work: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(k) else { break };
                    let result = work(job);
                    results.lock().expect("no poisoned lock").push((k, result));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("no poisoned lock");
    results.sort_by_key(|(k, _)| *k);
    results.into_iter().map(|(_, result)| result).collect()
}
