//! Running programs from tests: [`run`] (output read as it comes, killed after [`TIMEOUT`]),
//! [`on_two_workers`] to spread runs over the machine's two cores, and [`Program`], a binary
//! under test (the `enclave` CLI: `Program(env!("CARGO_BIN_EXE_enclave"))`) whose runs fail
//! the test with the command line and its standard error.
//!
//! Native only. The oracles these runs are compared with (bcftools, the reference Crypt4GH) are
//! found in [`crate::oracle`].

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

/// The command line, for failure messages.
pub fn shown<S: AsRef<OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fails the test unless the process `what` (a command line, for the message) succeeded.
pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "`{what}` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A program under test, by path: `Program(env!("CARGO_BIN_EXE_enclave"))`. `Command::new`
/// takes it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Program(pub &'static str);

impl Program {
    /// The file name, as failure messages show the command.
    pub fn name(self) -> String {
        Path::new(self.0)
            .file_name()
            .map_or_else(|| self.0.to_string(), |n| n.to_string_lossy().into_owned())
    }

    /// The program run with `args` (standard input empty), whatever it does.
    pub fn output<S: AsRef<OsStr>>(self, args: &[S]) -> Output {
        Command::new(self.0)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.0))
    }

    /// Runs it, fails the test unless it succeeds, returns what it printed.
    pub fn succeeds<S: AsRef<OsStr>>(self, args: &[S]) -> Output {
        let out = self.output(args);
        assert_success(&out, &format!("{} {}", self.name(), shown(args)));
        out
    }

    /// Runs it, fails the test unless it succeeds, returns standard output.
    pub fn ok<S: AsRef<OsStr>>(self, args: &[S]) -> Vec<u8> {
        self.succeeds(args).stdout
    }

    /// Runs it, fails the test unless it fails with one line on standard error; returns that line.
    pub fn err<S: AsRef<OsStr>>(self, args: &[S]) -> String {
        let out = self.output(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "`{} {}` should fail but succeeded; stderr: {stderr}",
            self.name(),
            shown(args)
        );
        assert_eq!(
            stderr.lines().count(),
            1,
            "`{} {}` should explain its failure in one line, printed: {stderr}",
            self.name(),
            shown(args)
        );
        stderr
    }
}

impl AsRef<OsStr> for Program {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: Program = Program("/bin/sh");

    #[test]
    fn a_run_keeps_its_exit_code_and_both_outputs() {
        let r = run(Command::new("/bin/sh").args(["-c", "echo out; echo err >&2; exit 3"]));
        assert_eq!(r.code, Some(3));
        assert!(!r.ok() && !r.crashed() && !r.timed_out);
        assert_eq!(r.stdout, b"out\n");
        assert_eq!(r.stderr, "err\n");
        let killed = run(Command::new("/bin/sh").args(["-c", "kill -9 $$"]));
        assert!(killed.crashed() && killed.code.is_none());
    }

    #[test]
    fn two_workers_keep_the_jobs_order() {
        let jobs: Vec<u64> = (0..50).collect();
        assert_eq!(
            on_two_workers(&jobs, |k| k * k),
            jobs.iter().map(|k| k * k).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_program_succeeds_or_fails_in_one_line() {
        assert_eq!(SH.name(), "sh");
        assert_eq!(SH.ok(&["-c", "echo hi"]), b"hi\n");
        assert_eq!(SH.err(&["-c", "echo bad >&2; exit 1"]), "bad\n");
        assert_eq!(shown(&["view", "-i", "QUAL>3"]), "view -i QUAL>3");
    }

    #[test]
    #[should_panic(expected = "should explain its failure in one line")]
    fn two_lines_of_error_fail_the_test() {
        SH.err(&["-c", "echo a >&2; echo b >&2; exit 1"]);
    }
}
