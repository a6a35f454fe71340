//! `cargo xtask fuzz [TARGET] [--seconds N] [--input FILE | --minimize FILE | --ci]` and the
//! fuzz stage of `cargo xtask test`: the engine's libFuzzer targets (`fuzz/`, docs/FUZZING.md).
//!
//! Each target is built by cargo-fuzz on the pinned nightly [`TOOLCHAIN`] (both installed by
//! `bootstrap`), then run straight from its binary with the memory and time limits below,
//! seeded from `testdata/`, `../shared/testdata` (when present) and the hand-made seeds in
//! `fuzz/seeds/<target>/`. The seeds are chosen per target ([`TARGETS`]) and copied (or
//! decompressed) into a corpus folder at run time; nothing but the hand-made seeds is committed.
//! A crash, a timeout or an allocation past the limits fails the run, naming the target, the
//! input libFuzzer saved and the commands that reproduce and minimise it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod seeds;

use crate::bootstrap;
use crate::util::{self, Cmd, Error, Result};

/// The nightly toolchain cargo-fuzz builds with (`-Zsanitizer`, SanitizerCoverage), pinned so a
/// new nightly cannot break CI; `bootstrap` installs it with `--profile minimal`.
pub const TOOLCHAIN: &str = "nightly-2026-10-30";
/// cargo-fuzz, installed into `tools/` by `bootstrap`.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// libFuzzer's limits (docs/FUZZING.md, "Limits"). A single allocation past `MALLOC_LIMIT_MB`
/// is a finding: no input of at most `max_len` bytes needs that much (the largest real seed
/// peaks far below, measured there), so a length field that claims gigabytes must become an
/// error before it becomes an allocation. The RSS limit catches many smaller ones adding up;
/// the timeout, a hang (or a loop as long as a length field says).
const RSS_LIMIT_MB: u32 = 2048;
const MALLOC_LIMIT_MB: u32 = 512;
const TIMEOUT_SECONDS: u32 = 25;

/// Seconds each target runs in `cargo xtask test` (CI): 12 targets, 3 minutes in all, plus the
/// seeding and the build (docs/FUZZING.md, "What CI runs").
pub const CI_SECONDS: u64 = 15;
/// Seconds each target runs by default in `cargo xtask fuzz`.
const LOCAL_SECONDS: u64 = 300;

/// Where a target's seeds come from.
#[derive(Clone, Copy)]
pub enum Seeds {
    /// Files whose names end with one of these, as they are.
    Files(&'static [&'static str]),
    /// Files whose names end with one of these, decompressed (gzip and BGZF) when they are
    /// compressed, so that mutations change what the parser reads rather than a CRC.
    Inflated(&'static [&'static str]),
    /// Secret key files followed by a line with their passphrase (from `testdata/crypt4gh`'s
    /// notes: `NAME-passphrase` for the generated keys, `NAME` for EGA's).
    KeysWithPassphrase,
    /// Data files beside their `.tbi` / `.csi`, in the input layout of the `indexed` target.
    IndexedPairs,
    /// The `-i` / `-e` expressions of bcftools' filter tests (`bcftools-filter-tests.tsv`).
    FilterExpressions,
    /// The `-f` formats of bcftools' query tests (the same file).
    QueryFormats,
}

/// A fuzz target: the binary `fuzz/fuzz_targets/<name>.rs` builds, its seeds, the longest
/// input libFuzzer makes for it, and its dictionary in `fuzz/dict/`, if any. The hand-made seeds
/// in `fuzz/seeds/<name>/` are always added.
pub struct Target {
    pub name: &'static str,
    pub seeds: &'static [Seeds],
    pub max_len: usize,
    pub dict: Option<&'static str>,
}

const KIB: usize = 1024;

/// Every target, in the order they run. Adding one: its function in `fuzz/src/targets.rs`, a
/// binary in `fuzz/fuzz_targets/`, a `[[bin]]` in `fuzz/Cargo.toml`, and a line here.
pub const TARGETS: &[Target] = &[
    Target {
        name: "vcf",
        seeds: &[Seeds::Inflated(&[".vcf", ".vcf.gz", ".vcf.bgz"])],
        max_len: 64 * KIB,
        dict: Some("vcf.dict"),
    },
    Target {
        name: "bcf",
        seeds: &[Seeds::Inflated(&[".bcf"])],
        max_len: 64 * KIB,
        dict: Some("vcf.dict"),
    },
    Target {
        name: "gzip",
        seeds: &[Seeds::Files(&[".vcf.gz", ".vcf.bgz", ".bcf"])],
        max_len: 16 * KIB,
        dict: None,
    },
    Target {
        name: "bgzf",
        seeds: &[Seeds::Files(&[".vcf.gz", ".bcf", ".tbi", ".csi"])],
        max_len: 64 * KIB,
        dict: None,
    },
    Target {
        name: "crypt4gh_header",
        seeds: &[Seeds::Files(&[".c4gh"])],
        max_len: 160 * KIB,
        dict: None,
    },
    Target {
        name: "crypt4gh_packets",
        seeds: &[],
        max_len: 4 * KIB,
        dict: None,
    },
    Target {
        name: "crypt4gh_keys",
        seeds: &[Seeds::Files(&[".sec", ".pub"]), Seeds::KeysWithPassphrase],
        max_len: 2 * KIB,
        dict: None,
    },
    Target {
        name: "index",
        seeds: &[
            Seeds::Files(&[".tbi", ".csi"]),
            Seeds::Inflated(&[".tbi", ".csi"]),
        ],
        max_len: 64 * KIB,
        dict: None,
    },
    Target {
        name: "indexed",
        seeds: &[Seeds::IndexedPairs],
        max_len: 64 * KIB,
        dict: None,
    },
    Target {
        name: "filter",
        seeds: &[Seeds::FilterExpressions],
        max_len: 4 * KIB,
        dict: Some("filter.dict"),
    },
    Target {
        name: "regions",
        seeds: &[Seeds::Files(&[".bed", "gene-list.txt"])],
        max_len: 4 * KIB,
        dict: None,
    },
    Target {
        name: "query_format",
        seeds: &[Seeds::QueryFormats],
        max_len: 4 * KIB,
        dict: Some("filter.dict"),
    },
    Target {
        name: "ped",
        seeds: &[Seeds::Files(&[".ped"])],
        max_len: 4 * KIB,
        dict: Some("ped.dict"),
    },
];

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    pub target: Option<String>,
    pub seconds: u64,
    pub action: Action,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Fuzz for `seconds` per target.
    Run,
    /// Run the target once on this input (reproduce a finding).
    Input(PathBuf),
    /// Shrink this crashing input to a smaller one that still crashes.
    Minimize(PathBuf),
    /// What `cargo xtask test` runs: every target, fresh seeds, [`CI_SECONDS`] each.
    Ci,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            target: None,
            seconds: LOCAL_SECONDS,
            action: Action::Run,
        };
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let mut value = |flag: &str| {
                rest.next()
                    .cloned()
                    .ok_or_else(|| Error::new(format!("`{flag}` needs a value")))
            };
            match arg.as_str() {
                "--seconds" => {
                    let text = value("--seconds")?;
                    options.seconds = text.parse().map_err(|_| {
                        Error::new(format!("--seconds takes a whole number, not `{text}`"))
                    })?;
                }
                "--input" => options.action = Action::Input(value("--input")?.into()),
                "--minimize" => options.action = Action::Minimize(value("--minimize")?.into()),
                "--ci" => options.action = Action::Ci,
                name if !name.starts_with('-') && options.target.is_none() => {
                    if !TARGETS.iter().any(|t| t.name == name) {
                        return Err(Error::new(format!(
                            "no fuzz target `{name}`; the targets: {}",
                            target_names()
                        )));
                    }
                    options.target = Some(name.to_owned());
                }
                other => {
                    return Err(Error::new(format!(
                        "`fuzz` does not take `{other}`; see `cargo xtask help`"
                    )));
                }
            }
        }
        match (&options.action, &options.target) {
            (Action::Input(_) | Action::Minimize(_), None) => {
                return Err(Error::new("--input and --minimize need a TARGET"));
            }
            (Action::Ci, Some(_)) => return Err(Error::new("--ci runs every target")),
            _ => {}
        }
        Ok(options)
    }
}

fn target_names() -> String {
    TARGETS
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `cargo xtask fuzz`: longer local runs, with a corpus kept in `target/fuzz/corpus/<target>`
/// between runs (so runs add up), or one input reproduced or minimised.
pub fn run(root: &Path, options: &Options) -> Result<()> {
    if options.action == Action::Ci {
        return ci(root);
    }
    bootstrap::ensure_fuzz_tools(root)?;
    let selected: Vec<&Target> = TARGETS
        .iter()
        .filter(|t| options.target.as_deref().is_none_or(|name| t.name == name))
        .collect();
    build(root, options.target.as_deref())?;
    let binaries = binaries_dir(root)?;
    match &options.action {
        Action::Input(input) => {
            let target = selected[0];
            libfuzzer(&binaries, target).arg(input).run()
        }
        Action::Minimize(input) => {
            let target = selected[0];
            let out = input.with_extension("min");
            libfuzzer(&binaries, target)
                .args(["-minimize_crash=1", "-runs=20000"])
                .arg(format!("-exact_artifact_path={}", out.display()))
                .arg(input)
                .run()?;
            println!("minimised input: {}", out.display());
            Ok(())
        }
        // `Ci` returned above.
        Action::Run | Action::Ci => {
            let work = util::target_dir(root).join("fuzz");
            let mut failures = Vec::new();
            for target in selected {
                let dirs = Dirs::new(&work, target.name, false)?;
                seeds::write(root, target, &dirs.corpus)?;
                let outcome = fuzz(root, &binaries, target, &dirs, options.seconds, true)?;
                println!("{}", outcome.line());
                if let Some(failure) = outcome.failure(root) {
                    failures.push(failure);
                }
            }
            finish(failures)
        }
    }
}

/// The fuzz stage of `cargo xtask test`: every target for [`CI_SECONDS`] from fresh seeds.
pub fn ci(root: &Path) -> Result<()> {
    bootstrap::ensure_fuzz_tools(root)?;
    let started = Instant::now();
    build(root, None)?;
    println!(
        "built the fuzz targets in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let binaries = binaries_dir(root)?;
    let work = util::target_dir(root).join("xtask").join("fuzz");
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for target in TARGETS {
        let dirs = Dirs::new(&work, target.name, true)?;
        seeds::write(root, target, &dirs.corpus)?;
        let outcome = fuzz(root, &binaries, target, &dirs, CI_SECONDS, false)?;
        println!("{}", outcome.line());
        lines.push(outcome.line());
        if let Some(failure) = outcome.failure(root) {
            failures.push(failure);
        }
    }
    println!("\nfuzzing ({} s in all):", started.elapsed().as_secs());
    for line in &lines {
        println!("  {line}");
    }
    finish(failures)
}

fn finish(failures: Vec<String>) -> Result<()> {
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::new(failures.join("\n           ")))
    }
}

/// `cargo fuzz build` of one target or all, on the pinned nightly.
fn build(root: &Path, target: Option<&str>) -> Result<()> {
    // Debug assertions and overflow checks on (cargo-fuzz's default), so that an overflow the
    // release build would wrap is a finding; 16 codegen units build in about half the time of
    // cargo-fuzz's single one, for a few per cent of speed.
    let mut cmd = nightly(Cmd::new(bootstrap::tool(root, "cargo-fuzz"))).args([
        "fuzz",
        "build",
        "--debug-assertions",
        "--codegen-units",
        "16",
    ]);
    if let Some(name) = target {
        cmd = cmd.arg(name);
    }
    cmd.cwd(root).run()
}

/// A command run with the pinned nightly, not the cargo that runs xtask (cargo-fuzz calls
/// `cargo` from PATH, rustup's proxy, which follows `RUSTUP_TOOLCHAIN`).
pub fn nightly(cmd: Cmd) -> Cmd {
    cmd.env("RUSTUP_TOOLCHAIN", TOOLCHAIN)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
}

/// Where cargo-fuzz puts the binaries: `fuzz/target/<host>/release`.
fn binaries_dir(root: &Path) -> Result<PathBuf> {
    let version = nightly(Cmd::new("rustc")).arg("-vV").read()?;
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .ok_or_else(|| Error::new("`rustc -vV` names no host"))?;
    Ok(root
        .join("fuzz")
        .join("target")
        .join(host.trim())
        .join("release"))
}

/// A target's binary with the limits every run has.
fn libfuzzer(binaries: &Path, target: &Target) -> Cmd {
    Cmd::new(binaries.join(target.name)).args([
        format!("-rss_limit_mb={RSS_LIMIT_MB}"),
        format!("-malloc_limit_mb={MALLOC_LIMIT_MB}"),
        format!("-timeout={TIMEOUT_SECONDS}"),
        format!("-max_len={}", target.max_len),
    ])
}

/// A run's folders: the corpus libFuzzer reads and grows, where it saves findings, its log.
struct Dirs {
    corpus: PathBuf,
    artifacts: PathBuf,
    log: PathBuf,
}

impl Dirs {
    /// Under `work/<target>/`; `fresh` empties them first (CI), else the corpus grows run by run.
    fn new(work: &Path, target: &str, fresh: bool) -> Result<Dirs> {
        let base = work.join(target);
        if fresh {
            util::remove_dir_all(&base)?;
        }
        let dirs = Dirs {
            corpus: base.join("corpus"),
            artifacts: base.join("artifacts"),
            log: base.join("fuzz.log"),
        };
        util::create_dir_all(&dirs.corpus)?;
        util::create_dir_all(&dirs.artifacts)?;
        Ok(dirs)
    }
}

/// How one target's run ended.
struct Outcome {
    target: &'static str,
    seconds: f64,
    seeds: usize,
    executions: Option<u64>,
    corpus: usize,
    /// Inputs libFuzzer saved as findings (crash, out of memory, timeout, leak).
    findings: Vec<PathBuf>,
    /// libFuzzer's exit status, when it was not success.
    status: Option<String>,
    log: PathBuf,
}

impl Outcome {
    fn line(&self) -> String {
        let runs = self
            .executions
            .map_or_else(|| "? runs".to_owned(), |n| format!("{n} runs"));
        let verdict = match (&self.status, self.findings.len()) {
            (None, 0) => "no finding".to_owned(),
            (_, 0) => "FAILED".to_owned(),
            (_, n) => format!("FAILED: {n} finding(s)"),
        };
        format!(
            "{:<18} {:>6.1} s  {runs:>12}  {} seeds → corpus {}  {verdict}",
            self.target, self.seconds, self.seeds, self.corpus
        )
    }

    fn failure(&self, root: &Path) -> Option<String> {
        if self.status.is_none() && self.findings.is_empty() {
            return None;
        }
        let mut text = format!(
            "fuzz target `{}` failed ({}); its log: {}",
            self.target,
            self.status.as_deref().unwrap_or("finding saved"),
            self.log.display()
        );
        for input in &self.findings {
            let shown = input.strip_prefix(root).unwrap_or(input).display();
            text.push_str(&format!(
                "\n           input: {shown}\
                 \n             reproduce: cargo xtask fuzz {t} --input {shown}\
                 \n             minimise:  cargo xtask fuzz {t} --minimize {shown}\
                 \n             then fix the engine and commit the minimised input as \
                 testdata/fuzz-regressions/{t}/<name> (wasm-core/tests/fuzz_regressions.rs replays it)",
                t = self.target
            ));
        }
        Some(text)
    }
}

/// Runs `target` for `seconds` over `dirs.corpus`. `show` passes libFuzzer's output through
/// (local runs); otherwise it goes to the log only, whose tail is printed on a failure.
fn fuzz(
    root: &Path,
    binaries: &Path,
    target: &'static Target,
    dirs: &Dirs,
    seconds: u64,
    show: bool,
) -> Result<Outcome> {
    let seeds = count_files(&dirs.corpus);
    let before = artifacts(&dirs.artifacts);
    let mut cmd = libfuzzer(binaries, target).args([
        format!("-max_total_time={seconds}"),
        format!("-artifact_prefix={}/", dirs.artifacts.display()),
        "-print_final_stats=1".to_owned(),
    ]);
    if let Some(dict) = target.dict {
        let path = root.join("fuzz").join("dict").join(dict);
        cmd = cmd.arg(format!("-dict={}", path.display()));
    }
    let cmd = cmd.arg(&dirs.corpus);
    let log =
        fs::File::create(&dirs.log).map_err(|e| util::io_error("cannot write", &dirs.log, e))?;
    let started = Instant::now();
    let status = if show {
        cmd.run_showing_log(log)?
    } else {
        cmd.run_with_log(log)?
    };
    let text = fs::read_to_string(&dirs.log).unwrap_or_default();
    let findings: Vec<PathBuf> = artifacts(&dirs.artifacts)
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    let outcome = Outcome {
        target: target.name,
        seconds: started.elapsed().as_secs_f64(),
        seeds,
        executions: stat(&text, "stat::number_of_executed_units:"),
        corpus: count_files(&dirs.corpus),
        findings,
        status: (!status.success()).then(|| match status.code() {
            Some(code) => format!("libFuzzer exit code {code}"),
            None => "libFuzzer killed by a signal".to_owned(),
        }),
        log: dirs.log.clone(),
    };
    if outcome.status.is_some() && !show {
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        eprintln!("--- last lines of {} ---", dirs.log.display());
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
    }
    Ok(outcome)
}

/// A number libFuzzer prints with `-print_final_stats=1`.
fn stat(log: &str, key: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|n| n.trim().parse().ok())
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| entries.count())
}

/// The findings libFuzzer saved in `dir` (it names them by kind; `slow-unit-*` is not one).
fn artifacts(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    ["crash-", "oom-", "timeout-", "leak-"]
                        .iter()
                        .any(|kind| name.starts_with(kind))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn options_name_a_target_and_seconds() {
        let o = Options::parse(&args(&["vcf", "--seconds", "60"])).unwrap();
        assert_eq!(o.target.as_deref(), Some("vcf"));
        assert_eq!(o.seconds, 60);
        assert_eq!(o.action, Action::Run);
        assert_eq!(Options::parse(&[]).unwrap().seconds, LOCAL_SECONDS);
        let o = Options::parse(&args(&["bcf", "--input", "x/crash-1"])).unwrap();
        assert_eq!(o.action, Action::Input("x/crash-1".into()));
    }

    #[test]
    fn options_refuse_unknown_targets_and_flags() {
        assert!(Options::parse(&args(&["nope"])).is_err());
        assert!(Options::parse(&args(&["vcf", "--seconds", "ten"])).is_err());
        assert!(Options::parse(&args(&["vcf", "--fast"])).is_err());
        assert!(Options::parse(&args(&["--input", "x"])).is_err());
        assert!(Options::parse(&args(&["vcf", "--ci"])).is_err());
        assert_eq!(Options::parse(&args(&["--ci"])).unwrap().action, Action::Ci);
    }

    #[test]
    fn every_target_has_a_binary_and_a_bin_entry() {
        let root = util::workspace_root();
        let manifest = fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
        for target in TARGETS {
            let path = format!("fuzz_targets/{}.rs", target.name);
            assert!(root.join("fuzz").join(&path).is_file(), "{path} is missing");
            assert!(
                manifest.contains(&format!("name = \"{}\"", target.name)),
                "fuzz/Cargo.toml has no [[bin]] `{}`",
                target.name
            );
        }
    }
}
