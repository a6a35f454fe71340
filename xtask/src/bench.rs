//! `cargo xtask bench [--records N] [--runs N] [--no-app]`: Enclave's speed beside the reference tools, in
//! one run on one machine, printed as ratios (DESIGN.md "Budgets": benchmarks, not timed tests).
//! The full run, at the size DESIGN.md's budgets are stated for, is `--records 5000000`.
//!
//! Steps: build `enclave-bench` and the `enclave` CLI (release) natively, and `enclave-bench` for
//! wasm32 (`wasm-release`, the browser's profile) → `enclave-bench prepare` writes to
//! `target/bench/` a synthetic BGZF VCF and its Crypt4GH copy, and the whole-genome files
//! `genome.1s.vcf.gz` / `genome.3s.vcf.gz` (GRCh38, one / three samples, indexed by bcftools) →
//! - time decryption and ingest (plain and encrypted) natively and in Node's V8, beside
//!   `bcftools view` and the reference `crypt4gh decrypt` on the same files;
//! - on the genome files, time the `enclave` CLI beside bcftools doing the same job — read every
//!   record, filter (the CLI streaming with its defaults, in one thread, in parts on two
//!   threads, and reading the whole file first; with peak memory when GNU `time` is
//!   installed), 1 Mb region through the index, `bcftools stats -s -` ([`stats`]) — checking
//!   that both give the same answer, and report the store's memory per variant; time every
//!   inheritance mode over the loaded three-sample genome as a trio, the app's mode change,
//!   natively (`enclave-bench inheritance`) and in Node's V8 (`bench/run-wasm.mjs … modes`,
//!   during the wasm step) ([`modes`]);
//! - build the app (release) and measure the same jobs in headless Chromium on
//!   `genome.1s.vcf.gz`, with one worker and with a pool ([`browser`], `e2e/bench-app.mjs`), and
//!   the bundle's gzip size (`--no-app` leaves the app out: its rows say so);
//!
//! → print a table (each figure the best of `--runs` runs) and one line per DESIGN.md budget, and
//! write both into BENCHMARKS.md between `<!-- bench:table -->` and `<!-- /bench:table -->`.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{self, Cmd, Error, Result};

mod browser;
mod modes;
mod stats;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const DEFAULT_RECORDS: u64 = 1_000_000;
const DEFAULT_RUNS: u32 = 3;
/// DESIGN.md states its budgets for a whole genome of this many records.
const FULL_RUN_RECORDS: u64 = 5_000_000;
/// DESIGN.md: Crypt4GH adds at most 30 % to ingest time.
const CRYPT4GH_OVERHEAD_BUDGET: f64 = 0.30;
/// DESIGN.md: re-filtering the loaded store.
const REFILTER_BUDGET_S: f64 = 0.020;
/// DESIGN.md: ingest in the browser, MB/s of plain text per worker.
const INGEST_BUDGET_MB_S: f64 = 400.0;
/// DESIGN.md: an inheritance mode change in the browser.
const MODE_CHANGE_BUDGET_S: f64 = 0.050;
/// DESIGN.md: a 1 Mb indexed region query.
const REGION_BUDGET_S: f64 = 0.050;
/// DESIGN.md: bytes of memory per variant in the store (one sample).
const MEMORY_BUDGET_B: f64 = 100.0;

/// The filter row's expression and output format, given to bcftools and enclave alike.
const FILTER: &str = r#"QUAL>30 && INFO/DP>10 && GT="het""#;
const QUERY_FORMAT: &str = r"%CHROM\t%POS\n";
/// How the filter row runs `enclave query`: streamed with the defaults (parts on the idle
/// cores), in one thread, in parts on two threads whether the cores are idle or not, and
/// reading the whole file first (as before streaming).
const STREAMING: [&[&str]; 4] = [
    &[],
    &["--threads", "1"],
    &["--threads", "2"],
    &["--batch", "0"],
];
/// [`FILTER`] with one clause's text edited and its meaning kept (INFO/DP is an Integer), as a
/// user edits one clause: the browser's re-filter evaluates that clause and takes the others
/// from the worker's clause cache, and bcftools' count for FILTER still holds.
const FILTER_EDITED: &str = r#"QUAL>30 && INFO/DP>=11 && GT="het""#;
/// 1 Mb in the middle of chr1 (248,956,422 bp).
const REGION: &str = "chr1:124000000-125000000";

const TABLE_START: &str = "<!-- bench:table -->";
const TABLE_END: &str = "<!-- /bench:table -->";

pub struct Options {
    pub records: u64,
    pub runs: u32,
    /// Measure the app in Chromium (and build it); `--no-app` leaves its rows out, for a run
    /// about the native rows on a machine where building and running the app costs too long.
    pub app: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self {
            records: DEFAULT_RECORDS,
            runs: DEFAULT_RUNS,
            app: true,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if flag == "--no-app" {
                options.app = false;
                continue;
            }
            let value = it
                .next()
                .ok_or_else(|| Error::new(format!("`{flag}` needs a value")))?;
            let number = || {
                value.parse::<u64>().ok().filter(|&n| n > 0).ok_or_else(|| {
                    Error::new(format!("`{flag}` takes a positive number, not `{value}`"))
                })
            };
            match flag.as_str() {
                "--records" => options.records = number()?,
                "--runs" => options.runs = number()?.min(u64::from(u32::MAX)) as u32,
                other => return Err(Error::new(format!("`bench` does not take `{other}`"))),
            }
        }
        Ok(options)
    }
}

pub fn run(root: &Path, options: &Options) -> Result<()> {
    let target = util::target_dir(root);
    println!("==> bench: build");
    Cmd::new(util::cargo())
        .args([
            "build",
            "--release",
            "-p",
            "enclave-bench",
            "-p",
            "enclave-cli",
        ])
        .cwd(root)
        .run()?;
    Cmd::new(util::cargo())
        .args([
            "build",
            "--profile",
            "wasm-release",
            "--target",
            WASM_TARGET,
        ])
        .args(["-p", "enclave-bench", "--lib"])
        .cwd(root)
        .run()?;
    let native = target.join("release/enclave-bench");
    let enclave = target.join("release/enclave");
    let wasm = target.join(format!("{WASM_TARGET}/wasm-release/enclave_bench.wasm"));
    let dir = target.join("bench");
    println!("==> bench: data ({} records)", options.records);
    Cmd::new(&native)
        .arg("prepare")
        .arg(&dir)
        .arg(options.records.to_string())
        .run()?;
    let inputs = read_inputs(&dir)?;
    let runs = options.runs.to_string();
    let load_native = load_average();
    println!("==> bench: native");
    let native_times = parse(
        &Cmd::new(&native)
            .arg("native")
            .arg(&dir)
            .arg(&runs)
            .read()?,
    )?;
    println!("==> bench: wasm32 in Node (V8)");
    let wasm_times = parse(
        &Cmd::new("node")
            .arg(root.join("bench/run-wasm.mjs"))
            .arg(&wasm)
            .arg(&dir)
            .arg(&runs)
            .read()?,
    )?;
    println!("  genome.3s.vcf.gz: inheritance modes over the loaded trio (wasm32 in V8)");
    let wasm_modes = modes::measure_wasm(root, &wasm, &dir, options.runs);
    println!("==> bench: reference tools");
    let plain = dir.join("synth.vcf.gz");
    let cipher = dir.join("synth.vcf.gz.c4gh");
    let bcftools = util::which("bcftools");
    let bcftools_time = bcftools.as_ref().map(|bcftools| {
        best(options.runs, || {
            timed(
                Command::new(bcftools).arg("view").arg("-H").arg(&plain),
                None,
            )
        })
    });
    let reference = crypt4gh_reference(root);
    let reference_time = reference.as_ref().map(|crypt4gh| {
        best(options.runs, || {
            timed(
                Command::new(crypt4gh)
                    .arg("decrypt")
                    .arg("--sk")
                    .arg(dir.join("bench.sec")),
                Some(&cipher),
            )
        })
    });
    let bytes = file_size(&plain)? as f64;
    println!("==> bench: whole genome (enclave CLI beside bcftools)");
    let genome = Genome {
        dir: &dir,
        enclave: &enclave,
        native: &native,
        bcftools: bcftools.as_deref(),
        runs: options.runs,
    }
    .measure(&inputs)?;
    println!("==> bench: the app in headless Chromium (genome.1s.vcf.gz)");
    let app = if options.app {
        browser::App {
            root,
            data: dir.join("genome.1s.vcf.gz"),
            runs: options.runs,
        }
        .measure(genome.expected())
    } else {
        browser::AppFigures {
            browser: Err(Missing::Skipped("--no-app")),
            bundle: Err("--no-app".into()),
            expected: genome.expected(),
        }
    };
    let mut report = Report::new(options);
    if let Some(load) = load_native {
        report.warnings.push(format!(
            "load average (1 min) when the native rows started: {load}; the machine is shared"
        ));
    }
    let crypt4gh = report.crypt4gh(
        options,
        bytes,
        &native_times,
        &wasm_times,
        bcftools_time,
        reference_time,
    )?;
    report.genome(&genome, &wasm_modes, &app);
    report.budgets(options, &inputs, crypt4gh, &genome, &wasm_modes, &app);
    report.print();
    let benchmarks = root.join("BENCHMARKS.md");
    write_section(&benchmarks, &report.markdown())?;
    println!("\n(table written to {})", benchmarks.display());
    Ok(())
}

/// The reference CLI that `cargo xtask bootstrap` installs in a virtualenv (or
/// `ENCLAVE_CRYPT4GH_PY`), if present.
fn crypt4gh_reference(root: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("ENCLAVE_CRYPT4GH_PY")
        .map(Into::into)
        .unwrap_or_else(|| root.join("tools/crypt4gh-venv/bin/crypt4gh"));
    path.is_file().then_some(path)
}

/// The 1-minute load average (`/proc/loadavg`), where there is one: other work on the machine
/// slows every row.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_string)
}

fn file_size(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| util::io_error("cannot read", path, e))
}

/// One input `enclave-bench prepare` wrote: its plain-text size and record count.
#[derive(Clone, Copy, Default)]
struct Input {
    text_bytes: u64,
    records: u64,
}

/// DIR/inputs.txt: `name text_bytes records` lines.
fn read_inputs(dir: &Path) -> Result<BTreeMap<String, Input>> {
    let path = dir.join("inputs.txt");
    let text =
        std::fs::read_to_string(&path).map_err(|e| util::io_error("cannot read", &path, e))?;
    text.lines()
        .map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [name, text_bytes, records] => match (text_bytes.parse(), records.parse()) {
                    (Ok(text_bytes), Ok(records)) => Ok((
                        name.to_string(),
                        Input {
                            text_bytes,
                            records,
                        },
                    )),
                    _ => Err(bad_line(line)),
                },
                _ => Err(bad_line(line)),
            },
        )
        .collect()
}

/// `name seconds value` lines → name → (seconds, value).
fn parse(out: &str) -> Result<BTreeMap<String, (f64, u64)>> {
    out.lines()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [name, seconds, value] => Ok((
                    name.to_string(),
                    (
                        seconds.parse().map_err(|_| bad_line(line))?,
                        value.parse().map_err(|_| bad_line(line))?,
                    ),
                )),
                _ => Err(bad_line(line)),
            }
        })
        .collect()
}

fn bad_line(line: &str) -> Error {
    Error::new(format!("unexpected benchmark output line `{line}`"))
}

/// Seconds one run of `command` takes (stdout discarded; stdin from `input`), or an error text.
fn timed(command: &mut Command, input: Option<&Path>) -> std::result::Result<f64, String> {
    let stdin = match input {
        Some(path) => Stdio::from(File::open(path).map_err(|e| e.to_string())?),
        None => Stdio::null(),
    };
    let started = Instant::now();
    let status = command
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    if status.success() {
        Ok(seconds)
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

fn best(
    runs: u32,
    mut f: impl FnMut() -> std::result::Result<f64, String>,
) -> std::result::Result<f64, String> {
    let mut best = f64::INFINITY;
    for _ in 0..runs.max(1) {
        best = best.min(f()?);
    }
    Ok(best)
}

/// A command's best time over the runs and the standard output of its last run.
struct Timed {
    seconds: f64,
    stdout: Vec<u8>,
    /// The last run's peak resident memory in KiB, when it was measured ([`capture_peak`]).
    peak_kib: Option<u64>,
}

/// Why a tool has no figure in a row.
enum Missing {
    NotInstalled(&'static str),
    /// The tool exited with a message saying it does not support what was asked.
    Unsupported,
    Failed(String),
    /// Left out of this run on purpose (the option that said so).
    Skipped(&'static str),
}

type Measured = std::result::Result<Timed, Missing>;

/// Runs `command` once, capturing its output: [`Missing::Unsupported`] when it fails saying
/// "not supported", [`Missing::Failed`] for any other failure.
fn capture(command: &mut Command) -> Measured {
    let started = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Missing::Failed(format!("cannot run {command:?}: {e}")))?;
    let seconds = started.elapsed().as_secs_f64();
    if output.status.success() {
        return Ok(Timed {
            seconds,
            stdout: output.stdout,
            peak_kib: None,
        });
    }
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    Err(if stderr.contains("not supported") {
        Missing::Unsupported
    } else {
        Missing::Failed(format!("{command:?} failed ({}): {stderr}", output.status))
    })
}

/// As [`capture`], with the peak resident memory of the command, measured by GNU `time`
/// (`/usr/bin/time -f %M`; Debian's `time` package) when it is installed: `memo` is the file it
/// writes the figure to. Without it the figure is left out.
fn capture_peak(command: &mut Command, memo: &Path) -> Measured {
    let Some(time) = util::which("time") else {
        return capture(command);
    };
    let _ = std::fs::remove_file(memo);
    let mut wrapped = Command::new(time);
    wrapped
        .args(["-f", "%M", "-o"])
        .arg(memo)
        .arg(command.get_program())
        .args(command.get_args());
    let mut timed = capture(&mut wrapped)?;
    timed.peak_kib = std::fs::read_to_string(memo)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    Ok(timed)
}

/// `bcftools view -H FILE | wc -l`, timed as one pipeline; stdout is wc's.
fn count_with_bcftools(bcftools: &Path, file: &Path) -> Measured {
    let failed = |e: std::io::Error| Missing::Failed(format!("bcftools view -H | wc -l: {e}"));
    let started = Instant::now();
    let mut view = Command::new(bcftools)
        .args(["view", "-H"])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(failed)?;
    let Some(lines) = view.stdout.take() else {
        return Err(Missing::Failed("bcftools view: no stdout".into()));
    };
    let wc = Command::new("wc")
        .arg("-l")
        .stdin(Stdio::from(lines))
        .output()
        .map_err(failed)?;
    let status = view.wait().map_err(failed)?;
    let seconds = started.elapsed().as_secs_f64();
    if status.success() && wc.status.success() {
        Ok(Timed {
            seconds,
            stdout: wc.stdout,
            peak_kib: None,
        })
    } else {
        Err(Missing::Failed(format!(
            "bcftools view -H {} | wc -l failed ({status})",
            file.display()
        )))
    }
}

/// The best of `runs` runs of `f`; the first failure ends it.
fn best_of(runs: u32, mut f: impl FnMut() -> Measured) -> Measured {
    let mut best: Option<Timed> = None;
    for _ in 0..runs.max(1) {
        let run = f()?;
        let seconds = best
            .as_ref()
            .map_or(run.seconds, |b| b.seconds.min(run.seconds));
        best = Some(Timed { seconds, ..run });
    }
    best.ok_or_else(|| Missing::Failed("no run".into()))
}

/// The number under `key` directly inside the top-level object `section` of a JSON text
/// (`enclave stats --json`: `summary` → `records`, `store_bytes`), if it is a whole number.
fn json_number(json: &str, section: &str, key: &str) -> Option<u64> {
    json_raw(json, section, key)?.parse().ok()
}

/// The value under `key` directly inside the top-level object `section` of a JSON text, as
/// written: a number's text, or a string's contents (escapes left as they are). A small scanner:
/// xtask is std only.
fn json_raw<'a>(json: &'a str, section: &str, key: &str) -> Option<&'a str> {
    let bytes = json.as_bytes();
    let (mut i, mut depth, mut in_section) = (0, 0usize, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i = string_end(bytes, i);
                let name = json.get(start..i)?;
                let rest = json.get(i + 1..)?.trim_start();
                let Some(value) = rest.strip_prefix(':') else {
                    i += 1;
                    continue;
                };
                if depth == 1 {
                    in_section = name == section;
                } else if depth == 2 && in_section && name == key {
                    let value = value.trim_start();
                    if value.starts_with('"') {
                        return value.get(1..string_end(value.as_bytes(), 0).min(value.len()));
                    }
                    let end = value
                        .find(|c: char| c == ',' || c == '}' || c == ']' || c.is_whitespace())
                        .unwrap_or(value.len());
                    return Some(&value[..end]);
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the `"` that closes the JSON string opening at `bytes[open]`.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i
}

/// Lines of `text` that are not header lines.
fn data_lines(text: &[u8]) -> Vec<&[u8]> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
        .collect()
}

/// "outputs identical (N lines)", or a warning naming the first difference: line, byte, and
/// both texts around it.
/// The first `n` tab-separated columns of every line.
fn first_columns(text: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4);
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let cols: Vec<&[u8]> = line.splitn(n + 1, |&b| b == b'\t').take(n).collect();
        out.extend_from_slice(&cols.join(&b'\t'));
        out.push(b'\n');
    }
    out
}

fn compare(what: &str, reference: &[u8], enclave: &[u8]) -> Check {
    let (a, b) = (data_lines(reference), data_lines(enclave));
    if a == b {
        return Check::Ok(format!("outputs identical ({} lines)", a.len()));
    }
    let line = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let (x, y) = (a.get(line).copied(), b.get(line).copied());
    let byte = match (x, y) {
        (Some(x), Some(y)) => x
            .iter()
            .zip(y)
            .position(|(p, q)| p != q)
            .unwrap_or(x.len().min(y.len())),
        _ => 0,
    };
    let around = |l: Option<&[u8]>| {
        l.map_or("(no line)".into(), |l| {
            let from = byte.saturating_sub(40).min(l.len());
            let to = (byte + 40).min(l.len());
            let text = String::from_utf8_lossy(&l[from..to]).replace('\t', "\\t");
            format!(
                "`{}{text}{}`",
                if from > 0 { "…" } else { "" },
                if to < l.len() { "…" } else { "" }
            )
        })
    };
    Check::Warning(
        format!("outputs differ at line {}", line + 1),
        format!(
            "{what}: bcftools printed {} lines, enclave {}; first difference at line {}, byte {}: \
             bcftools {}, enclave {}",
            a.len(),
            b.len(),
            line + 1,
            byte + 1,
            around(x),
            around(y),
        ),
    )
}

/// The result of comparing enclave's answer with the reference's.
enum Check {
    Ok(String),
    /// A short text for the table, the details for the notes under it.
    Warning(String, String),
    None,
}

/// Where the whole-genome benchmarks run.
struct Genome<'a> {
    dir: &'a Path,
    enclave: &'a Path,
    native: &'a Path,
    bcftools: Option<&'a Path>,
    runs: u32,
}

/// One whole-genome file's figures.
struct GenomeFile {
    name: String,
    samples: usize,
    input: Input,
    bgzf_bytes: u64,
    /// `bcftools view -H | wc -l`.
    count_bcftools: Measured,
    /// `enclave stats --json`.
    count_enclave: Measured,
}

struct GenomeResults {
    files: Vec<GenomeFile>,
    filter_bcftools: Measured,
    /// `enclave query` with each of [`STREAMING`]'s options.
    filter_enclave: [Measured; 4],
    region_bcftools: Measured,
    region_enclave: Measured,
    /// `enclave-bench refilter`: (ingest seconds, refilter seconds, passing records).
    refilter: std::result::Result<(f64, f64, u64), String>,
    stats: stats::StatsResults,
    /// `enclave-bench inheritance` on genome.3s.vcf.gz: `states` and `mode:NAME` lines
    /// (seconds, records kept).
    inheritance: modes::Timings,
}

impl Genome<'_> {
    fn measure(&self, inputs: &BTreeMap<String, Input>) -> Result<GenomeResults> {
        let bcftools = |f: &dyn Fn(&Path) -> Measured| match self.bcftools {
            Some(path) => f(path),
            None => Err(Missing::NotInstalled("bcftools")),
        };
        let mut files = Vec::new();
        for samples in [1, 3] {
            let name = format!("genome.{samples}s.vcf.gz");
            let path = self.dir.join(&name);
            let input = inputs
                .get(&name)
                .copied()
                .ok_or_else(|| Error::new(format!("enclave-bench prepare did not list {name}")))?;
            println!("  {name}: count records");
            let count_bcftools =
                bcftools(&|b| best_of(self.runs, || count_with_bcftools(b, &path)));
            let count_enclave = best_of(self.runs, || {
                capture(
                    Command::new(self.enclave)
                        .args(["stats", "--json"])
                        .arg(&path),
                )
            });
            files.push(GenomeFile {
                name,
                samples,
                input,
                bgzf_bytes: file_size(&path)?,
                count_bcftools,
                count_enclave,
            });
        }
        let one = self.dir.join("genome.1s.vcf.gz");
        println!("  genome.1s.vcf.gz: filter {FILTER}");
        let memo = self.dir.join("peak.txt");
        let filter_bcftools = bcftools(&|b| {
            best_of(self.runs, || {
                capture_peak(
                    Command::new(b)
                        .args(["query", "-i", FILTER, "-f", QUERY_FORMAT])
                        .arg(&one),
                    &memo,
                )
            })
        });
        // The CLI streams the file (on every core by default), in one thread, and, as before
        // streaming, after reading it whole (`--batch 0`).
        let filter_enclave = STREAMING.map(|options| {
            best_of(self.runs, || {
                capture_peak(
                    Command::new(self.enclave)
                        .args(["query", "-i", FILTER, "-f", QUERY_FORMAT])
                        .args(options)
                        .arg(&one),
                    &memo,
                )
            })
        });
        println!("  genome.1s.vcf.gz: region {REGION}");
        let region_bcftools = bcftools(&|b| {
            best_of(self.runs, || {
                capture(Command::new(b).args(["view", "-H", "-r", REGION]).arg(&one))
            })
        });
        let region_enclave = best_of(self.runs, || {
            capture(
                Command::new(self.enclave)
                    .args(["view", "-r", REGION, "-f", "vcf"])
                    .arg(&one),
            )
        });
        println!("  genome.1s.vcf.gz: re-filter the loaded store (in-process)");
        let refilter = Cmd::new(self.native)
            .arg("refilter")
            .arg(&one)
            .arg(self.runs.to_string())
            .arg(FILTER)
            .read()
            .and_then(|out| parse(&out))
            .map_err(|e| e.to_string())
            .and_then(|t| match (t.get("ingest"), t.get("refilter")) {
                (Some(&(ingest, _)), Some(&(refilter, passing))) => Ok((ingest, refilter, passing)),
                _ => Err("enclave-bench refilter printed no timing".into()),
            });
        let stats = stats::measure(self);
        println!("  genome.3s.vcf.gz: inheritance modes over the loaded trio (in-process)");
        let inheritance =
            modes::measure_native(self.native, &self.dir.join("genome.3s.vcf.gz"), self.runs);
        Ok(GenomeResults {
            files,
            filter_bcftools,
            filter_enclave,
            region_bcftools,
            region_enclave,
            refilter,
            stats,
            inheritance,
        })
    }
}

impl GenomeResults {
    /// What the app must show for genome.1s.vcf.gz — every record, FILTER's passing records,
    /// REGION's records — from bcftools, or from the enclave CLI when bcftools is not there.
    fn expected(&self) -> Option<browser::Expected> {
        let one = self.files.iter().find(|f| f.samples == 1)?;
        let lines = |m: &Measured| m.as_ref().ok().map(|t| data_lines(&t.stdout).len() as u64);
        let bcftools = || {
            let wc = &one.count_bcftools.as_ref().ok()?.stdout;
            Some(browser::Expected {
                records: String::from_utf8_lossy(wc).trim().parse().ok()?,
                filtered: lines(&self.filter_bcftools)?,
                region: lines(&self.region_bcftools)?,
                source: "bcftools",
            })
        };
        let enclave = || {
            let stats = String::from_utf8_lossy(&one.count_enclave.as_ref().ok()?.stdout);
            Some(browser::Expected {
                records: json_number(&stats, "summary", "records")?,
                filtered: lines(&self.filter_enclave[0])?,
                region: lines(&self.region_enclave)?,
                source: "the enclave CLI",
            })
        };
        bcftools().or_else(enclave)
    }
}

/// One table row: a tool's figure in one benchmark.
struct Row {
    benchmark: String,
    tool: String,
    result: String,
    ratio: String,
    check: String,
}

/// Whether a budget is met.
enum Status {
    Met,
    NotMet,
    NotMeasured,
}

struct Budget {
    budget: &'static str,
    measured: String,
    status: Status,
    /// Qualifies the status: what the figure stands for.
    note: String,
}

/// What the Crypt4GH rows hand to the budgets: wasm ingest time of the plain synth file and the
/// encrypted-over-plain overhead.
struct Crypt4ghFigures {
    wasm_ingest_s: f64,
    wasm_overhead: f64,
    /// Wasm32 in V8 over native, plain ingest of synth.vcf.gz: the proxy that turns a native
    /// time into a browser estimate where the browser is not measured (inheritance modes, when
    /// their V8 run fails).
    wasm_over_native: f64,
}

struct Report {
    heading: String,
    rows: Vec<Row>,
    budgets: Vec<Budget>,
    warnings: Vec<String>,
}

fn ratio(t: f64, reference: Option<f64>) -> String {
    reference.map_or(String::new(), |r| format!("{:.2}×", t / r))
}

/// A time, and the peak memory when it was measured.
fn with_peak(t: &Timed) -> String {
    match t.peak_kib {
        Some(kib) => format!(
            "{} (peak {:.0} MB)",
            seconds(t.seconds),
            kib as f64 / 1024.0
        ),
        None => seconds(t.seconds),
    }
}

fn seconds(t: f64) -> String {
    if t < 1.0 {
        format!("{:.1} ms", t * 1e3)
    } else {
        format!("{t:.3} s")
    }
}

fn mb_s(bytes: u64, t: f64) -> String {
    format!("{:.0} MB/s", bytes as f64 / 1e6 / t)
}

/// A row's text for a tool that has no figure.
fn missing_text(missing: &Missing, unsupported: &str) -> String {
    match missing {
        Missing::NotInstalled(tool) => format!("n/a ({tool} not installed)"),
        Missing::Unsupported => format!("n/a ({unsupported})"),
        Missing::Failed(e) => format!("failed: {}", e.lines().next().unwrap_or_default()),
        Missing::Skipped(why) => format!("not measured ({why})"),
    }
}

/// One browser row: its tool, its result, the time the ratio is of, and its check.
struct AppRow {
    tool: String,
    result: String,
    seconds: Option<f64>,
    check: Check,
}

/// "1 worker" / "N workers"; "N workers asked, M used" when the load used another number.
fn workers_text(l: &browser::Loaded) -> String {
    let asked = match l.requested {
        1 => "1 worker".to_string(),
        n => format!("{n} workers"),
    };
    if l.workers == l.requested {
        asked
    } else {
        format!("{asked} asked, {} used", l.workers)
    }
}

/// Whether the app's count (`shown`) is the reference's (`wanted`, from `source`).
fn count_check(shown: u64, wanted: u64, source: &str, what: &str) -> Check {
    if shown == wanted {
        Check::Ok(format!("{shown} {what}, as {source}"))
    } else {
        Check::Warning(
            "counts differ".into(),
            format!("app (Chromium): {shown} {what}, {source} {wanted}"),
        )
    }
}

impl Report {
    fn new(options: &Options) -> Self {
        let date = Cmd::new("date")
            .args(["-u", "+%Y-%m-%d"])
            .probe()
            .map(|d| d.trim().to_string())
            .unwrap_or_else(|| "date unknown".into());
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("model name")?.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.into());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        Self {
            heading: format!(
                "{date}, {cores} cores ({cpu}); `cargo xtask bench --records {} --runs {}`: best \
                 of {} runs; × = time ÷ the reference tool's time on the same file (below 1: \
                 faster)",
                options.records, options.runs, options.runs
            ),
            rows: Vec::new(),
            budgets: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn row(&mut self, benchmark: &str, tool: &str, result: String, ratio: String, check: Check) {
        let check = match check {
            Check::Ok(text) => text,
            Check::Warning(short, detail) => {
                println!("WARNING: {detail}");
                self.warnings.push(format!("WARNING: {detail}"));
                format!("WARNING: {short} (see notes)")
            }
            Check::None => String::new(),
        };
        self.rows.push(Row {
            benchmark: benchmark.into(),
            tool: tool.into(),
            result,
            ratio,
            check,
        });
    }

    /// The Crypt4GH and synthetic-ingest rows (synth.vcf.gz, three samples).
    fn crypt4gh(
        &mut self,
        options: &Options,
        bytes: f64,
        native: &BTreeMap<String, (f64, u64)>,
        wasm: &BTreeMap<String, (f64, u64)>,
        bcftools: Option<std::result::Result<f64, String>>,
        reference: Option<std::result::Result<f64, String>>,
    ) -> Result<Crypt4ghFigures> {
        let get = |table: &BTreeMap<String, (f64, u64)>, name: &str| {
            table
                .get(name)
                .map(|&(t, _)| t)
                .ok_or_else(|| Error::new(format!("the benchmark did not report `{name}`")))
        };
        for table in [native, wasm] {
            for name in ["ingest_plain", "ingest_encrypted"] {
                let records = table.get(name).map(|&(_, n)| n);
                if records != Some(options.records) {
                    return Err(Error::new(format!(
                        "{name} read {records:?} records, expected {}",
                        options.records
                    )));
                }
            }
        }
        let other = |r: &Option<std::result::Result<f64, String>>, name: &str| match r {
            Some(Ok(t)) => Ok(*t),
            Some(Err(e)) => Err(format!("failed: {e}")),
            None => Err(format!(
                "n/a ({name} not installed: `cargo xtask bootstrap`)"
            )),
        };
        let bcftools = other(&bcftools, "bcftools");
        let reference = other(&reference, "reference crypt4gh");
        let (nd, wd) = (get(native, "decrypt")?, get(wasm, "decrypt")?);
        let (np, wp) = (get(native, "ingest_plain")?, get(wasm, "ingest_plain")?);
        let (ne, we) = (
            get(native, "ingest_encrypted")?,
            get(wasm, "ingest_encrypted")?,
        );
        let mb = bytes / 1e6;
        let rate = |t: f64| format!("{:.0} MB/s", mb / t);
        let group = format!("Crypt4GH decrypt (synth.vcf.gz.c4gh, {mb:.1} MB)");
        let (r, r_text) = match &reference {
            Ok(t) => (Some(*t), rate(*t)),
            Err(e) => (None, e.clone()),
        };
        self.row(
            &group,
            "crypt4gh 1.8.6 (reference)",
            r_text,
            String::new(),
            Check::None,
        );
        self.row(
            &group,
            "enclave native",
            rate(nd),
            ratio(nd, r),
            Check::None,
        );
        self.row(
            &group,
            "enclave wasm32 (V8)",
            rate(wd),
            ratio(wd, r),
            Check::None,
        );
        let group = format!(
            "ingest synth.vcf.gz ({} records, 3 samples)",
            options.records
        );
        let (b, b_text) = match &bcftools {
            Ok(t) => (Some(*t), seconds(*t)),
            Err(e) => (None, e.clone()),
        };
        self.row(
            &group,
            "bcftools view -H",
            b_text,
            String::new(),
            Check::None,
        );
        self.row(
            &group,
            "enclave native",
            seconds(np),
            ratio(np, b),
            Check::None,
        );
        self.row(
            &group,
            "enclave wasm32 (V8)",
            seconds(wp),
            ratio(wp, b),
            Check::None,
        );
        let group = "ingest synth.vcf.gz.c4gh (Crypt4GH overhead)";
        let overhead = |enc: f64, plain: f64| enc / plain - 1.0;
        let (on, ow) = (overhead(ne, np), overhead(we, wp));
        self.row(
            group,
            "enclave native",
            format!("{} ({:+.1} %)", seconds(ne), on * 100.0),
            String::new(),
            Check::None,
        );
        self.row(
            group,
            "enclave wasm32 (V8)",
            format!("{} ({:+.1} %)", seconds(we), ow * 100.0),
            String::new(),
            Check::None,
        );
        Ok(Crypt4ghFigures {
            wasm_ingest_s: wp,
            wasm_overhead: ow,
            wasm_over_native: wp / np,
        })
    }

    /// The browser's rows of one benchmark, from `rows`; one "n/a" or "failed" row when the
    /// browser was not measured. Ratios are of each row's time to `reference`.
    fn app_rows(
        &mut self,
        group: &str,
        app: &browser::AppFigures,
        reference: Option<f64>,
        rows: impl Fn(&browser::Browser, &browser::Expected) -> Vec<AppRow>,
    ) {
        let measured = match (&app.browser, &app.expected) {
            (Ok(b), Some(e)) => Ok((b, e)),
            (Err(m), _) => Err(missing_text(m, "not supported")),
            (Ok(_), None) => Err("n/a (no reference counts)".into()),
        };
        match measured {
            Ok((b, e)) => {
                for row in rows(b, e) {
                    let r = row.seconds.map_or(String::new(), |t| ratio(t, reference));
                    self.row(group, &row.tool, row.result, r, row.check);
                }
            }
            Err(text) => self.row(group, "app (Chromium)", text, String::new(), Check::None),
        }
    }

    /// The whole-genome rows: each enclave figure beside bcftools doing the same job, and the
    /// app's in Chromium (one-sample file only).
    fn genome(
        &mut self,
        g: &GenomeResults,
        wasm_modes: &modes::Timings,
        app: &browser::AppFigures,
    ) {
        for file in &g.files {
            let group = format!(
                "read every record: {} ({} records, {} sample{}, {:.0} MB text, {:.1} MB BGZF)",
                file.name,
                file.input.records,
                file.samples,
                if file.samples == 1 { "" } else { "s" },
                file.input.text_bytes as f64 / 1e6,
                file.bgzf_bytes as f64 / 1e6
            );
            let text = file.input.text_bytes;
            let bcftools_count = match &file.count_bcftools {
                Ok(t) => {
                    let n = String::from_utf8_lossy(&t.stdout)
                        .trim()
                        .parse::<u64>()
                        .ok();
                    let result = format!("{} ({})", seconds(t.seconds), mb_s(text, t.seconds));
                    self.row(
                        &group,
                        "bcftools view -H | wc -l",
                        result,
                        String::new(),
                        Check::None,
                    );
                    n.map(|n| (n, t.seconds))
                }
                Err(m) => {
                    let result = missing_text(m, "not supported");
                    self.row(
                        &group,
                        "bcftools view -H | wc -l",
                        result,
                        String::new(),
                        Check::None,
                    );
                    None
                }
            };
            match &file.count_enclave {
                Ok(t) => {
                    let json = String::from_utf8_lossy(&t.stdout);
                    let records = json_number(&json, "summary", "records");
                    let check = match (bcftools_count, records) {
                        (Some((b, _)), Some(e)) if b == e => {
                            Check::Ok(format!("counts agree ({e})"))
                        }
                        (Some((b, _)), e) => Check::Warning(
                            "counts differ".into(),
                            format!(
                                "{}: bcftools counts {b} records, enclave {}",
                                file.name,
                                e.map_or("none".into(), |e| e.to_string())
                            ),
                        ),
                        (None, Some(e)) => Check::Ok(format!("{e} records")),
                        (None, None) => Check::Warning(
                            "no count".into(),
                            format!(
                                "{}: enclave stats --json reported no summary.records",
                                file.name
                            ),
                        ),
                    };
                    let result = format!("{} ({})", seconds(t.seconds), mb_s(text, t.seconds));
                    let r = ratio(t.seconds, bcftools_count.map(|(_, s)| s));
                    self.row(&group, "enclave stats --json (native)", result, r, check);
                }
                Err(m) => {
                    let result = missing_text(m, "not supported");
                    self.row(
                        &group,
                        "enclave stats --json (native)",
                        result,
                        String::new(),
                        Check::None,
                    );
                }
            }
            if file.samples == 1 {
                self.app_rows(&group, app, bcftools_count.map(|(_, s)| s), |b, e| {
                    [&b.one, &b.pool]
                        .into_iter()
                        .map(|l| AppRow {
                            tool: format!("app (Chromium), ingest, {}", workers_text(l)),
                            result: format!(
                                "{} ({:.0} MB/s; app's load-time {})",
                                seconds(l.ingest_s),
                                l.text_mb_s(text),
                                seconds(l.load_s)
                            ),
                            seconds: Some(l.ingest_s),
                            check: match count_check(l.variants, e.records, e.source, "records") {
                                Check::Ok(counts) if l.text_bytes != text => Check::Warning(
                                    format!("{counts}; text bytes differ"),
                                    format!(
                                        "app (Chromium), {}: the page shows {} bytes of text \
                                         (`text-bytes`), {} has {text}; the MB/s here are of \
                                         the file's",
                                        workers_text(l),
                                        l.text_bytes,
                                        file.name
                                    ),
                                ),
                                check => check,
                            },
                        })
                        .collect()
                });
            }
        }

        let group = format!("filter -i '{FILTER}' (genome.1s.vcf.gz)");
        let reference = self.reference_row(&group, "bcftools query", &g.filter_bcftools);
        let tools = [
            "enclave query (native; streamed, the defaults)",
            "enclave query --threads 1 (native; streamed, one thread)",
            "enclave query --threads 2 (native; streamed, parts on two threads)",
            "enclave query --batch 0 (native; whole file read first)",
        ];
        for (tool, measured) in tools.iter().zip(&g.filter_enclave) {
            match measured {
                Ok(t) => {
                    let check = match &g.filter_bcftools {
                        Ok(b) => compare("filter", &b.stdout, &t.stdout),
                        Err(_) => Check::Ok(format!("{} lines", data_lines(&t.stdout).len())),
                    };
                    let r = ratio(t.seconds, reference);
                    self.row(&group, tool, with_peak(t), r, check);
                }
                Err(m) => {
                    let result = missing_text(m, "not supported");
                    self.row(&group, tool, result, String::new(), Check::None);
                }
            }
        }
        let tool = "enclave-bench refilter (native, in-process)";
        match &g.refilter {
            Ok((_, t, passing)) => {
                let lines = g
                    .filter_bcftools
                    .as_ref()
                    .ok()
                    .map(|b| data_lines(&b.stdout).len() as u64);
                let check = match lines {
                    Some(n) if n == *passing => Check::Ok(format!("{passing} pass, as bcftools")),
                    Some(n) => Check::Warning(
                        "counts differ".into(),
                        format!("re-filter passes {passing} records, bcftools query printed {n}"),
                    ),
                    None => Check::Ok(format!("{passing} pass")),
                };
                self.row(
                    &group,
                    tool,
                    format!("{} (compile + evaluate, store loaded)", seconds(*t)),
                    String::new(),
                    check,
                );
            }
            Err(e) => self.row(
                &group,
                tool,
                format!("failed: {e}"),
                String::new(),
                Check::None,
            ),
        }
        // No ratio: filtering a loaded store is not the job bcftools does (read, then filter).
        self.app_rows(&group, app, None, |b, e| {
            let mut rows = Vec::new();
            for l in [&b.one, &b.pool] {
                let w = workers_text(l);
                rows.push(AppRow {
                    tool: format!("app (Chromium), filter, {w}"),
                    result: format!(
                        "{} (worker {}; every clause)",
                        seconds(l.filter_s),
                        seconds(l.filter_worker_s)
                    ),
                    seconds: Some(l.filter_s),
                    check: count_check(l.filtered, e.filtered, e.source, "pass"),
                });
                rows.push(AppRow {
                    tool: format!("app (Chromium), re-filter, {w}"),
                    result: format!(
                        "{} (worker {}; one clause edited)",
                        seconds(l.refilter_s),
                        seconds(l.refilter_worker_s)
                    ),
                    seconds: Some(l.refilter_s),
                    check: count_check(l.refiltered, e.filtered, e.source, "pass"),
                });
            }
            rows
        });

        // The QC panel (issue 15): ready within a second of the load, in the browser.
        let group = "QC panel after the load (genome.1s.vcf.gz; budget ≤ 1 s)".to_string();
        self.app_rows(&group, app, None, |b, e| {
            [&b.one, &b.pool]
                .into_iter()
                .filter_map(|l| {
                    let (t, worker, records) = (l.qc_s?, l.qc_worker_s?, l.qc_records?);
                    let within = if t <= stats::QC_BUDGET_S {
                        "within"
                    } else {
                        "over"
                    };
                    Some(AppRow {
                        tool: format!("app (Chromium), QC panel opened, {}", workers_text(l)),
                        result: format!(
                            "{} (slowest worker {}; {within} the 1 s budget)",
                            seconds(t),
                            seconds(worker)
                        ),
                        seconds: Some(t),
                        check: count_check(records, e.records, e.source, "records counted"),
                    })
                })
                .collect()
        });

        // An inheritance mode change on the 5 M trio (DESIGN.md budget: 50 ms in the browser):
        // the modes over the loaded store's cached call states, natively and in V8.
        self.inheritance(&g.inheritance, wasm_modes);

        let group = format!("1 Mb region {REGION}, indexed (genome.1s.vcf.gz)");
        let reference = self.reference_row(&group, "bcftools view -H -r", &g.region_bcftools);
        match &g.region_enclave {
            Ok(t) => {
                let check = match &g.region_bcftools {
                    // Records compared by CHROM..ALT: the VCF writers differ in how they print
                    // FORMAT keys every sample lacks, which is not what a region query decides.
                    Ok(b) => compare(
                        "region",
                        &first_columns(&b.stdout, 5),
                        &first_columns(&t.stdout, 5),
                    ),
                    Err(_) => Check::Ok(format!("{} lines", data_lines(&t.stdout).len())),
                };
                let r = ratio(t.seconds, reference);
                self.row(
                    &group,
                    "enclave view -r -f vcf (native)",
                    seconds(t.seconds),
                    r,
                    check,
                );
            }
            Err(m) => {
                let result = missing_text(m, "enclave -r not available");
                self.row(
                    &group,
                    "enclave view -r -f vcf (native)",
                    result,
                    String::new(),
                    Check::None,
                );
            }
        }
        self.app_rows(&group, app, reference, |b, e| {
            let s = &b.streaming;
            let mut rows = vec![AppRow {
                tool: "app (Chromium), streaming mode, through the index".into(),
                result: format!(
                    "{} (worker {}; {:.0} KB read)",
                    seconds(s.region_s),
                    seconds(s.region_worker_s),
                    s.region_bytes as f64 / 1e3
                ),
                seconds: Some(s.region_s),
                check: count_check(s.region_count, e.region, e.source, "records"),
            }];
            for l in [&b.one, &b.pool] {
                rows.push(AppRow {
                    tool: format!("app (Chromium), loaded store, {}", workers_text(l)),
                    result: seconds(l.region_s),
                    seconds: Some(l.region_s),
                    check: count_check(l.region_count, e.region, e.source, "records"),
                });
            }
            rows
        });

        self.stats(&g.stats);

        let group = "store memory per variant (enclave stats --json: summary.store_bytes)";
        for file in &g.files {
            let tool = format!("enclave native, {}", file.name);
            let result = match per_variant(file) {
                Some(b) => format!("{b:.1} B/variant"),
                None => "n/a (no stats)".into(),
            };
            let check = if file.samples == 1 {
                format!("budget ≤ {MEMORY_BUDGET_B:.0} B (one sample)")
            } else {
                String::new()
            };
            self.row(group, &tool, result, String::new(), Check::Ok(check));
        }
        self.app_rows(group, app, None, |b, _| {
            [&b.one, &b.pool]
                .into_iter()
                .map(|l| AppRow {
                    tool: format!(
                        "app (Chromium), genome.1s.vcf.gz, {} (store-bytes)",
                        workers_text(l)
                    ),
                    result: l.per_variant().map_or("n/a (no records)".into(), |b| {
                        format!("{b:.1} B/variant ({:.0} MB)", l.store_bytes as f64 / 1e6)
                    }),
                    seconds: None,
                    check: Check::None,
                })
                .collect()
        });
    }

    /// A bcftools row; returns its time for the ratio.
    fn reference_row(&mut self, group: &str, tool: &str, measured: &Measured) -> Option<f64> {
        match measured {
            Ok(t) => {
                let lines = data_lines(&t.stdout).len();
                self.row(
                    group,
                    tool,
                    with_peak(t),
                    String::new(),
                    Check::Ok(format!("{lines} lines")),
                );
                Some(t.seconds)
            }
            Err(m) => {
                self.row(
                    group,
                    tool,
                    missing_text(m, "not supported"),
                    String::new(),
                    Check::None,
                );
                None
            }
        }
    }

    /// One line per DESIGN.md budget: the browser's figure where the app was measured, with
    /// the native one beside it.
    fn budgets(
        &mut self,
        options: &Options,
        inputs: &BTreeMap<String, Input>,
        crypt4gh: Crypt4ghFigures,
        g: &GenomeResults,
        wasm_modes: &modes::Timings,
        app: &browser::AppFigures,
    ) {
        let met = |ok: bool| if ok { Status::Met } else { Status::NotMet };
        let browser = app.browser.as_ref().ok().filter(|_| app.expected.is_some());
        // Why a budget has no browser figure.
        let absent = match &app.browser {
            Err(m) => format!("app (Chromium): {}", missing_text(m, "not supported")),
            Ok(_) => "app (Chromium): no reference counts".into(),
        };
        let one = g.files.iter().find(|f| f.samples == 1);

        let ingest =
            "ingest in the browser ≥ 400 MB/s of plain text per worker; scales with workers";
        match browser {
            Some(b) => {
                let text = one.map_or(0, |f| f.input.text_bytes);
                let (single, pool) = (b.one.text_mb_s(text), b.pool.text_mb_s(text));
                let used = b.pool.workers.max(1);
                let per_worker = pool / used as f64;
                let (status, note) = if used < 2 {
                    (
                        Status::NotMeasured,
                        "scaling not measured: the pool load used one worker (the file is too \
                         small to split)"
                            .to_string(),
                    )
                } else {
                    (
                        met(single >= INGEST_BUDGET_MB_S && per_worker >= INGEST_BUDGET_MB_S),
                        "app (Chromium), genome.1s: text bytes ÷ time from picking the file to \
                         the full count"
                            .to_string(),
                    )
                };
                self.budgets.push(Budget {
                    budget: ingest,
                    measured: format!(
                        "1 worker {single:.0} MB/s; {} {pool:.0} MB/s ({per_worker:.0} MB/s per \
                         worker): ×{:.2} the one worker's",
                        workers_text(&b.pool),
                        pool / single
                    ),
                    status,
                    note,
                });
            }
            None => {
                // V8 running the same wasm is the closest proxy.
                let synth = inputs.get("synth.vcf.gz").copied().unwrap_or_default();
                let native_ingest = g
                    .refilter
                    .as_ref()
                    .ok()
                    .zip(one)
                    .map(|((ingest, _, _), f)| mb_s(f.input.text_bytes, *ingest))
                    .unwrap_or_else(|| "—".into());
                self.budgets.push(Budget {
                    budget: ingest,
                    measured: format!(
                        "proxies: wasm32 in V8, one thread, synth.vcf.gz {}; native engine, \
                         genome.1s {}",
                        mb_s(synth.text_bytes, crypt4gh.wasm_ingest_s),
                        native_ingest
                    ),
                    status: Status::NotMeasured,
                    note: absent.clone(),
                });
            }
        }

        let native = match &g.refilter {
            Ok((_, t, _)) => Some(*t),
            Err(_) => None,
        };
        let native_text = native.map_or("—".into(), seconds);
        let (measured, status, note) = match browser {
            Some(b) => {
                let worst = b.one.refilter_s.max(b.pool.refilter_s);
                (
                    format!(
                        "app (Chromium): {} with 1 worker, {} with {} (worker {} / {}); native \
                         engine {native_text}",
                        seconds(b.one.refilter_s),
                        seconds(b.pool.refilter_s),
                        workers_text(&b.pool),
                        seconds(b.one.refilter_worker_s),
                        seconds(b.pool.refilter_worker_s),
                    ),
                    met(worst <= REFILTER_BUDGET_S),
                    "browser: Enter to the count on the page, one clause edited, the others \
                     cached; the slower of the two"
                        .to_string(),
                )
            }
            None => (
                native_text,
                native.map_or(Status::NotMeasured, |t| met(t <= REFILTER_BUDGET_S)),
                format!("native engine, in-process; {absent}"),
            ),
        };
        self.budgets.push(Budget {
            budget: "re-filtering the loaded store ≤ 20 ms",
            measured,
            status,
            note,
        });

        let cli = match &g.region_enclave {
            Ok(t) => Ok(t.seconds),
            Err(m) => Err(missing_text(m, "enclave -r not available")),
        };
        let cli_text = cli.clone().map_or_else(|e| e, seconds);
        let (measured, status, note) = match (browser, &cli) {
            (Some(b), _) => (
                format!(
                    "app (Chromium), streaming mode: {} (worker {}, {:.0} KB read); enclave CLI \
                     {cli_text}",
                    seconds(b.streaming.region_s),
                    seconds(b.streaming.region_worker_s),
                    b.streaming.region_bytes as f64 / 1e3
                ),
                met(b.streaming.region_s <= REGION_BUDGET_S),
                "browser: Enter to the count on the page, read through the index".to_string(),
            ),
            (None, Ok(t)) => (
                cli_text,
                met(*t <= REGION_BUDGET_S),
                format!(
                    "enclave CLI: the whole process, start-up and index load included; {absent}"
                ),
            ),
            (None, Err(_)) => (cli_text, Status::NotMeasured, absent.clone()),
        };
        self.budgets.push(Budget {
            budget: "a 1 Mb indexed region query ≤ 50 ms",
            measured,
            status,
            note,
        });

        let native = one.and_then(per_variant);
        let native_text = native.map_or("—".into(), |b| format!("{b:.1} B/variant"));
        let browser_memory =
            browser.and_then(|b| Some((b.one.per_variant()?, b.pool.per_variant()?)));
        let (measured, status, note) = match (browser_memory, browser) {
            (Some((single, pool)), Some(b)) => (
                format!(
                    "app (Chromium): {single:.1} B/variant with 1 worker, {pool:.1} with {}; \
                     native {native_text}",
                    workers_text(&b.pool)
                ),
                met(single.max(pool) <= MEMORY_BUDGET_B),
                "the app's store-bytes ÷ variant-count, genome.1s; the larger of the two"
                    .to_string(),
            ),
            _ => (
                native_text,
                native.map_or(Status::NotMeasured, |b| met(b <= MEMORY_BUDGET_B)),
                format!("`enclave stats`, native build; {absent}"),
            ),
        };
        self.budgets.push(Budget {
            budget: "≤ 100 bytes of memory per variant in the store (one sample)",
            measured,
            status,
            note,
        });
        self.budgets.push(Budget {
            budget: "Crypt4GH adds ≤ 30 % to ingest time",
            measured: format!("{:+.1} %", crypt4gh.wasm_overhead * 100.0),
            status: met(crypt4gh.wasm_overhead <= CRYPT4GH_OVERHEAD_BUDGET),
            note: "wasm32 in V8, synth.vcf.gz".into(),
        });
        let kib = |bytes: u64| bytes as f64 / 1024.0;
        let (measured, status, note) = match &app.bundle {
            Ok(sizes) => (
                format!(
                    "page {:.1} KiB + engine {:.1} KiB = {:.1} KiB",
                    kib(sizes.page),
                    kib(sizes.engine),
                    kib(sizes.total())
                ),
                met(sizes.total() <= crate::build::FIRST_LOAD_BUDGET_BYTES),
                "gzip -9 of dist/'s wasm + JS (`cargo xtask build`); the engine is fetched by \
                 the first worker, in parallel with the page"
                    .to_string(),
            ),
            Err(e) => (
                "—".into(),
                Status::NotMeasured,
                format!("app not built: {}", e.lines().next().unwrap_or_default()),
            ),
        };
        self.budgets.push(Budget {
            budget: "first load of the app ≤ 600 KB gzip (all wasm + JS)",
            measured,
            status,
            note,
        });
        self.mode_change_budget(&g.inheritance, wasm_modes, crypt4gh.wasm_over_native);
        self.stats_budget(&g.stats, browser);
        if let Some(b) = browser {
            self.warnings.push(format!(
                "app (Chromium): headless Chromium {} through playwright-core \
                 (e2e/bench-app.mjs), the release build; `/?workers=1` and `/?workers={}`; \
                 each time from the user's action to the count on the page; load average \
                 (1 min) when they started: {}",
                b.version,
                b.pool.requested,
                b.load_average.as_deref().unwrap_or("unknown")
            ));
        }
        if options.records != FULL_RUN_RECORDS {
            self.warnings.push(format!(
                "budgets are stated for {FULL_RUN_RECORDS} records; this run has {} \
                 (`--records {FULL_RUN_RECORDS}` for the full run)",
                options.records
            ));
        }
    }

    fn status_text(budget: &Budget) -> String {
        let status = match budget.status {
            Status::Met => "met",
            Status::NotMet => "NOT MET",
            Status::NotMeasured => "not measured here",
        };
        if budget.note.is_empty() {
            status.into()
        } else {
            format!("{status} ({})", budget.note)
        }
    }

    /// The table as aligned text, then the budgets.
    fn print(&self) {
        println!("\nEnclave benchmarks: {}\n", self.heading);
        let cells = self.cells();
        let width = |k: usize| {
            cells
                .iter()
                .map(|r| r[k].chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..5).map(width).collect();
        for row in &cells {
            let mut line = String::new();
            for (k, cell) in row.iter().enumerate() {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(
                    ' ',
                    widths[k] - cell.chars().count() + 2,
                ));
            }
            println!("{}", line.trim_end());
        }
        println!("\nBudgets (DESIGN.md):");
        for b in &self.budgets {
            println!("  {}: {} → {}", b.budget, b.measured, Self::status_text(b));
        }
        for w in &self.warnings {
            println!("note: {w}");
        }
    }

    /// Header and rows as cells; a benchmark's name only on its first row.
    fn cells(&self) -> Vec<[String; 5]> {
        let mut cells = vec![[
            "benchmark".to_string(),
            "tool".into(),
            "result".into(),
            "×".into(),
            "check".into(),
        ]];
        let mut last = "";
        for r in &self.rows {
            let name = if r.benchmark == last {
                ""
            } else {
                r.benchmark.as_str()
            };
            last = &r.benchmark;
            cells.push([
                name.into(),
                r.tool.clone(),
                r.result.clone(),
                r.ratio.clone(),
                r.check.clone(),
            ]);
        }
        cells
    }

    /// The BENCHMARKS.md section (between the markers).
    fn markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        let mut md = String::from(
            "## Latest run: Enclave beside bcftools\n\n\
Written by `cargo xtask bench` (xtask/src/bench.rs), which replaces this section on every run;\n\
the rest of the file is prose. Inputs from `enclave-bench prepare`: `synth.vcf.gz` and its\n\
Crypt4GH copy (the first rows), and `genome.1s.vcf.gz` / `genome.3s.vcf.gz`, a realistic GRCh38\n\
call set from `bench/src/genome.rs` (chr1–22, X, Y at their real lengths; SNVs, indels and\n\
multi-allelic sites; INFO AC/AF/AN/DP/MQ and a VEP CSQ on ~30 % of records; GT:AD:DP:GQ:PL for\n\
one / three samples), BGZF with a `.tbi` and a `.csi` from `bcftools index`. The app (Chromium)\n\
rows are the release build in headless Chromium on `genome.1s.vcf.gz` (e2e/bench-app.mjs; the\n\
prose above the section says how). DESIGN.md's budgets are stated for the full run, `cargo xtask\n\
bench --records 5000000` (~1.1 GB of text for one sample); smaller runs check the machinery.\n\n",
        );
        md.push_str(&format!("{}\n\n", self.heading));
        for (i, row) in self.cells().iter().enumerate() {
            let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
            md.push_str(&format!("| {} |\n", cells.join(" | ")));
            if i == 0 {
                md.push_str("|---|---|---|---|---|\n");
            }
        }
        md.push_str("\n| budget (DESIGN.md) | measured | status |\n|---|---|---|\n");
        for b in &self.budgets {
            md.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(b.budget),
                cell(&b.measured),
                cell(&Self::status_text(b))
            ));
        }
        if !self.warnings.is_empty() {
            md.push('\n');
            for w in &self.warnings {
                md.push_str(&format!("- {}\n", w));
            }
        }
        md
    }
}

/// Store bytes per record from `enclave stats --json`.
fn per_variant(file: &GenomeFile) -> Option<f64> {
    let json = String::from_utf8_lossy(&file.count_enclave.as_ref().ok()?.stdout).into_owned();
    let bytes = json_number(&json, "summary", "store_bytes")?;
    let records = json_number(&json, "summary", "records").filter(|&n| n > 0)?;
    Some(bytes as f64 / records as f64)
}

/// Replaces the marked section of BENCHMARKS.md with `section` (appends it the first time),
/// reading the file just before writing so concurrent prose edits are kept.
fn write_section(path: &Path, section: &str) -> Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "# Benchmarks\n".into(),
        Err(e) => return Err(util::io_error("cannot read", path, e)),
    };
    let block = format!("{TABLE_START}\n{section}{TABLE_END}\n");
    let updated = match (text.find(TABLE_START), text.find(TABLE_END)) {
        (Some(start), Some(end)) if end > start => {
            let rest = &text[end + TABLE_END.len()..];
            let rest = rest.strip_prefix('\n').unwrap_or(rest);
            format!("{}{block}{rest}", &text[..start])
        }
        _ => format!("{}\n\n{block}", text.trim_end()),
    };
    util::write_file(path, &updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_number_reads_summary_fields_not_nested_ones() {
        let json = r#"{
  "stats": { "records": 7 },
  "summary": {
    "contigs": [ { "name": "chr1", "records": 2 } ],
    "records": 3,
    "store_bytes": 300,
    "warnings": [ "a \"quoted\" text: 9" ]
  }
}"#;
        assert_eq!(json_number(json, "summary", "records"), Some(3));
        assert_eq!(json_number(json, "summary", "store_bytes"), Some(300));
        assert_eq!(json_number(json, "stats", "records"), Some(7));
        assert_eq!(json_number(json, "summary", "missing"), None);
    }

    #[test]
    fn json_raw_reads_fractions_and_strings() {
        let json = r#"{ "meta": { "browser": "139.0.1", "note": "a \"b\"", "n": 2 },
  "one": { "ingest_ms": 1234.5, "workers": 1 } }"#;
        assert_eq!(json_raw(json, "meta", "browser"), Some("139.0.1"));
        assert_eq!(json_raw(json, "meta", "note"), Some(r#"a \"b\""#));
        assert_eq!(json_raw(json, "one", "ingest_ms"), Some("1234.5"));
        assert_eq!(
            json_number(json, "one", "ingest_ms"),
            None,
            "not a whole number"
        );
        assert_eq!(json_number(json, "one", "workers"), Some(1));
        assert_eq!(json_number(json, "meta", "workers"), None);
    }

    #[test]
    fn compare_names_the_first_differing_line() {
        assert!(matches!(
            compare("x", b"a\nb\n", b"#h\na\nb\n"),
            Check::Ok(_)
        ));
        let Check::Warning(short, w) = compare("x", b"a\nb\n", b"a\nc\nd\n") else {
            panic!("no warning")
        };
        assert_eq!(short, "outputs differ at line 2");
        assert!(
            w.contains("2 lines, enclave 3")
                && w.contains("line 2, byte 1")
                && w.contains("bcftools `b`, enclave `c`"),
            "{w}"
        );
    }

    #[test]
    fn write_section_replaces_only_the_marked_block() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("BENCHMARKS.md");
        std::fs::write(&path, "# B\n\nprose\n").unwrap();
        write_section(&path, "one\n").unwrap();
        std::fs::write(
            &path,
            std::fs::read_to_string(&path).unwrap() + "\n## Deflate backend\n\nmore\n",
        )
        .unwrap();
        write_section(&path, "two\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            text,
            format!(
                "# B\n\nprose\n\n{TABLE_START}\ntwo\n{TABLE_END}\n\n## Deflate backend\n\nmore\n"
            )
        );
    }
}
