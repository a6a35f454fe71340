//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.
//!
//! Stages: bootstrap (which also installs the reference Crypt4GH CLI into `tools/crypt4gh-venv`
//! before the native tests need it), rustfmt, clippy (native and wasm32), native tests (among
//! them the CLI's round trips with that reference CLI, which fail under CI without it), the
//! engine's browser tests (`wasm-bindgen-test` in headless Chromium through chromedriver), the
//! release build, and the end-to-end tests (`node --test e2e/`: playwright-core in Chromium
//! against the real server), and the fuzz targets, each for a bounded time
//! ([`fuzz::ci`], docs/FUZZING.md). Ends with a summary of which stages passed.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::bootstrap::{self, Scope, WASM_TARGET};
use crate::build::{self, Profile};
use crate::fuzz;
use crate::util::{self, Cmd, Error, Result};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Capabilities for wasm-bindgen-test-runner's WebDriver session (it reads the file named by
/// `WASM_BINDGEN_TEST_WEBDRIVER_JSON`, default `./webdriver.json`, and adds its own `headless`,
/// `no-sandbox` and `disable-dev-shm-usage` to `goog:chromeOptions.args`). `--no-sandbox` is what
/// lets Chromium run as root; the rest keeps it quiet on a closed network (TOOLCHAIN.md pitfall 7).
const WEBDRIVER_JSON: &str = r#"{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  }
}
"#;

/// One stage of the run: a name and what it does.
type Step = fn(&Path) -> Result<()>;

struct Stage {
    name: &'static str,
    outcome: Outcome,
}

enum Outcome {
    Passed(Duration),
    Failed(Duration, Error),
    NotRun,
}

pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    let mut stages: Vec<Stage> = Vec::new();
    let steps: [(&str, Step); 9] = [
        ("bootstrap", |root| bootstrap::run(root, Scope::Test)),
        ("rustfmt", fmt),
        ("clippy (native)", clippy_native),
        ("clippy (wasm32)", clippy_wasm),
        ("tests (native)", tests_native),
        ("tests (wasm32, Chromium)", tests_wasm),
        ("build (release)", |root| build::run(root, Profile::Release)),
        ("e2e (Playwright, Chromium)", e2e),
        ("fuzz (libFuzzer)", fuzz::ci),
    ];
    let mut failed = false;
    for (name, step) in steps {
        if failed {
            stages.push(Stage {
                name,
                outcome: Outcome::NotRun,
            });
            continue;
        }
        println!("\n======== stage: {name} ========");
        let stage_start = Instant::now();
        let outcome = match step(root) {
            Ok(()) => Outcome::Passed(stage_start.elapsed()),
            Err(error) => {
                failed = true;
                Outcome::Failed(stage_start.elapsed(), error)
            }
        };
        stages.push(Stage { name, outcome });
    }

    println!("\n======== cargo xtask test: summary ========");
    let mut first_error = None;
    for stage in &stages {
        match &stage.outcome {
            Outcome::Passed(took) => {
                println!("  ok       {:<28} {:>6.1} s", stage.name, secs(*took))
            }
            Outcome::Failed(took, error) => {
                println!("  FAILED   {:<28} {:>6.1} s", stage.name, secs(*took));
                println!("           {error}");
                first_error.get_or_insert(stage.name);
            }
            Outcome::NotRun => println!("  not run  {}", stage.name),
        }
    }
    let total = secs(started.elapsed());
    let passed = stages
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Passed(_)))
        .count();
    let failed = stages
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(..)))
        .count();
    let not_run = stages.len() - passed - failed;
    // The plain closing line CI reads: stages, not individual tests (those are counted above).
    println!("stages: {passed} passed, {failed} failed, {not_run} skipped");
    match first_error {
        None => {
            println!("all {} stages passed in {total:.0} s", stages.len());
            Ok(())
        }
        Some(name) => Err(Error::new(format!(
            "stage `{name}` failed after {total:.0} s; later stages did not run"
        ))),
    }
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

fn fmt(root: &Path) -> Result<()> {
    Cmd::new(util::cargo())
        .args(["fmt", "--all", "--check"])
        .cwd(root)
        .run()
        .map_err(|error| Error::new(format!("{error}\n           fix: cargo fmt --all")))
}

/// The native crates. `app` is excluded: it only builds for wasm32 and is linted below.
fn clippy_native(root: &Path) -> Result<()> {
    Cmd::new(util::cargo())
        .args([
            "clippy",
            "--workspace",
            "--exclude",
            "app",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .cwd(root)
        .run()
}

/// The browser's crates, and the test support the app's browser tests link (all its features:
/// the native clippy run does not see its wasm32 build).
fn clippy_wasm(root: &Path) -> Result<()> {
    Cmd::new(util::cargo())
        .args([
            "clippy",
            "-p",
            "app",
            "-p",
            "wasm-core",
            "-p",
            "enclave-test-support",
            "--features",
            "enclave-test-support/browser,enclave-test-support/engine",
            "--target",
            WASM_TARGET,
        ])
        .args(["--", "-D", "warnings"])
        .cwd(root)
        .run()
}

fn tests_native(root: &Path) -> Result<()> {
    with_test_env(
        root,
        Cmd::new(util::cargo()).args(["test", "--workspace", "--exclude", "app"]),
    )
    .cwd(root)
    .run()
}

fn tests_wasm(root: &Path) -> Result<()> {
    let work = util::target_dir(root).join("xtask");
    util::create_dir_all(&work)?;
    let webdriver_json = work.join("webdriver.json");
    util::write_file(&webdriver_json, WEBDRIVER_JSON)?;
    let runner = bootstrap::tool(root, "wasm-bindgen-test-runner");
    with_test_env(
        root,
        Cmd::new(util::cargo()).args(["test", "-p", "app", "--target", WASM_TARGET]),
    )
    .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
    .env("CHROMEDRIVER", CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
    .cwd(root)
    .run()
}

fn e2e(root: &Path) -> Result<()> {
    let server = util::target_dir(root).join("release/enclave-server");
    with_test_env(
        root,
        Cmd::new("node").args(["--test", "--test-concurrency=1", "e2e/"]),
    )
    .env("ENCLAVE_SERVER_BIN", server)
    .env("ENCLAVE_DIST", root.join("dist"))
    .env("ENCLAVE_CHROMIUM", CHROMIUM)
    .cwd(root)
    .run()
}

/// Points tests at the shared conformance corpus (`../shared/testdata`) when it is there.
fn with_test_env(root: &Path, cmd: Cmd) -> Cmd {
    match shared_testdata(root) {
        Some(dir) => cmd.env("ENCLAVE_SHARED_TESTDATA", dir),
        None => cmd,
    }
}

fn shared_testdata(root: &Path) -> Option<OsString> {
    let dir = root.parent()?.join("shared").join("testdata");
    let dir = dir.canonicalize().ok()?;
    dir.is_dir().then(|| dir.into_os_string())
}
