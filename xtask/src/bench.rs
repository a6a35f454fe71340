//! `cargo xtask bench [--records N] [--runs N]`: Enclave's speed beside the reference tools, in
//! one run on one machine, printed as ratios (DESIGN.md "Budgets": benchmarks, not timed tests).
//!
//! Steps: build `enclave-bench` natively and for wasm32 (`wasm-release`, the browser's profile) →
//! `enclave-bench prepare` writes a synthetic BGZF VCF and its Crypt4GH copy to `target/bench/` →
//! time decryption and ingest (plain and encrypted) natively and in Node's V8 → time
//! `bcftools view` on the same file and the reference `crypt4gh decrypt` on the same ciphertext →
//! print a table. Each figure is the best of `--runs` runs.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::{self, Cmd, Error, Result};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const DEFAULT_RECORDS: u64 = 1_000_000;
const DEFAULT_RUNS: u32 = 3;
/// DESIGN.md: Crypt4GH adds at most 30 % to ingest time.
const CRYPT4GH_OVERHEAD_BUDGET: f64 = 0.30;

pub struct Options {
    pub records: u64,
    pub runs: u32,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self {
            records: DEFAULT_RECORDS,
            runs: DEFAULT_RUNS,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
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
                "--runs" => options.runs = number()? as u32,
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
        .args(["build", "--release", "-p", "enclave-bench"])
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
    let wasm = target.join(format!("{WASM_TARGET}/wasm-release/enclave_bench.wasm"));
    let dir = target.join("bench");
    println!("==> bench: data ({} records)", options.records);
    Cmd::new(&native)
        .arg("prepare")
        .arg(&dir)
        .arg(options.records.to_string())
        .run()?;
    let runs = options.runs.to_string();
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
    println!("==> bench: reference tools");
    let plain = dir.join("synth.vcf.gz");
    let cipher = dir.join("synth.vcf.gz.c4gh");
    let bcftools = util::which("bcftools").map(|bcftools| {
        best(options.runs, || {
            timed(
                Command::new(&bcftools).arg("view").arg("-H").arg(&plain),
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
    let bytes = std::fs::metadata(&plain)
        .map_err(|e| util::io_error("read", &plain, e))?
        .len() as f64;
    report(
        options,
        bytes,
        &native_times,
        &wasm_times,
        bcftools,
        reference_time,
    )
}

/// The reference CLI that `cargo xtask bootstrap` installs in a virtualenv (or
/// `ENCLAVE_CRYPT4GH_PY`), if present.
fn crypt4gh_reference(root: &Path) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("ENCLAVE_CRYPT4GH_PY")
        .map(Into::into)
        .unwrap_or_else(|| root.join("tools/crypt4gh-venv/bin/crypt4gh"));
    path.is_file().then_some(path)
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

fn report(
    options: &Options,
    bytes: f64,
    native: &BTreeMap<String, (f64, u64)>,
    wasm: &BTreeMap<String, (f64, u64)>,
    bcftools: Option<std::result::Result<f64, String>>,
    reference: Option<std::result::Result<f64, String>>,
) -> Result<()> {
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
    let mb = bytes / 1e6;
    let rate = |seconds: f64| format!("{:.0} MB/s", mb / seconds);
    let other = |r: &Option<std::result::Result<f64, String>>, name: &str| match r {
        Some(Ok(t)) => Some(*t),
        Some(Err(e)) => {
            println!("  ({name} failed: {e})");
            None
        }
        None => {
            println!("  ({name} not installed: run `cargo xtask bootstrap`)");
            None
        }
    };
    let bcftools = other(&bcftools, "bcftools");
    let reference = other(&reference, "reference crypt4gh");
    let (nd, wd) = (get(native, "decrypt")?, get(wasm, "decrypt")?);
    let (np, wp) = (get(native, "ingest_plain")?, get(wasm, "ingest_plain")?);
    let (ne, we) = (
        get(native, "ingest_encrypted")?,
        get(wasm, "ingest_encrypted")?,
    );
    println!();
    println!(
        "Enclave benchmarks: {} records, {mb:.1} MB BGZF, 3 samples; best of {} runs",
        options.records, options.runs
    );
    println!(
        "{:<34} {:>12} {:>12} {:>26} {:>14}",
        "", "native", "wasm (V8)", "reference", "wasm/ref"
    );
    let row = |what: &str, n: String, w: String, r: String, ratio: String| {
        println!("{what:<34} {n:>12} {w:>12} {r:>26} {ratio:>14}");
    };
    row(
        "Crypt4GH decrypt (throughput)",
        rate(nd),
        rate(wd),
        reference.map_or("—".into(), |t| format!("crypt4gh 1.8.6 {}", rate(t))),
        reference.map_or("—".into(), |t| format!("{:.2}× speed", t / wd)),
    );
    row(
        "ingest VCF.gz (seconds)",
        format!("{np:.3} s"),
        format!("{wp:.3} s"),
        bcftools.map_or("—".into(), |t| format!("bcftools view {t:.3} s")),
        bcftools.map_or("—".into(), |t| format!("{:.2}× time", wp / t)),
    );
    row(
        "ingest VCF.gz.c4gh (seconds)",
        format!("{ne:.3} s"),
        format!("{we:.3} s"),
        String::new(),
        String::new(),
    );
    let overhead = |enc: f64, plain: f64| enc / plain - 1.0;
    let (on, ow) = (overhead(ne, np), overhead(we, wp));
    row(
        "Crypt4GH overhead on ingest",
        format!("{:+.1} %", on * 100.0),
        format!("{:+.1} %", ow * 100.0),
        format!("budget ≤ {:.0} %", CRYPT4GH_OVERHEAD_BUDGET * 100.0),
        if ow <= CRYPT4GH_OVERHEAD_BUDGET {
            "within".into()
        } else {
            "OVER".into()
        },
    );
    Ok(())
}
