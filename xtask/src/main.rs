//! `cargo xtask`: Enclave's developer commands, std only so they run on a fresh clone.
//!
//! - `bootstrap`: installs the wasm target, wasm-bindgen-cli, npm packages, Chromium ([`bootstrap`]);
//! - `build [--dev]`: the browser bundle in `dist/` and the release server ([`build`]);
//! - `serve [--port N]`: bootstrap, build, then run the server on 127.0.0.1;
//! - `test`: every check CI runs, in order ([`test`]);
//! - `fuzz [TARGET] [--seconds N]`: the engine's libFuzzer targets, longer than CI runs them
//!   ([`fuzz`]);
//! - `bench [--records N] [--runs N] [--no-app]`: Crypt4GH decryption and ingest, native and wasm32 (Node's
//!   V8), the whole-genome jobs with the `enclave` CLI and with the app in headless Chromium,
//!   beside bcftools and the reference crypt4gh, as ratios ([`bench`]).
//!
//! Every external command is echoed before it runs ([`util::Cmd`]); a failure prints one clear line
//! naming the command and exits 1.

mod bench;
mod bootstrap;
mod build;
mod fuzz;
mod test;
mod util;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ExitCode, Stdio};

use util::{Cmd, Error, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  bootstrap          install what build, serve and test need (wasm target, wasm-bindgen-cli in
                     tools/, e2e npm packages, Debian's chromium/chromium-driver/bcftools/tabix,
                     the reference crypt4gh 1.8.6 in tools/crypt4gh-venv)
  build [--dev]      build the browser app into dist/ (wasm-release + wasm-opt; --dev: dev
                     profile, no wasm-opt) and the release server
  serve [--port N]   bootstrap, build, and serve on http://127.0.0.1:N/ (default 8080)
  test               fmt, clippy (native + wasm32), native tests, browser engine tests,
                     release build, end-to-end tests, fuzzing (each target 15 s); stops at the
                     first failure
  fuzz [TARGET] [--seconds N]
                     run the engine's fuzz targets (all, or TARGET) for N seconds each (default
                     300) on a nightly toolchain with libFuzzer, seeded from testdata/ and
                     ../shared/testdata; the corpus grows in target/fuzz/corpus/TARGET.
                     --input FILE: run TARGET once on FILE (reproduce a finding);
                     --minimize FILE: shrink a crashing FILE into FILE.min; --ci: what
                     `test` runs (every target 15 s, fresh seeds). See docs/FUZZING.md
  bench [--records N] [--runs N] [--no-app]
                     benchmarks: Crypt4GH decryption and ingest (plain vs encrypted), native
                     and wasm32 in Node; whole-genome ingest, filter, region and memory with the
                     enclave CLI and the app in headless Chromium (1 and N workers); the bundle
                     size; beside bcftools and the reference crypt4gh (ratios). --no-app
                     leaves the app (its build and Chromium) out
  help               this text
";

const DEFAULT_PORT: u16 = 8080;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<ExitCode> {
    let root = util::workspace_root();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    };
    match command.as_str() {
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        "bootstrap" => {
            no_options(command, rest)?;
            bootstrap::run(&root, bootstrap::Scope::Test)?;
            Ok(ExitCode::SUCCESS)
        }
        "build" => {
            let profile = match rest {
                [] => build::Profile::Release,
                [flag] if flag == "--dev" => build::Profile::Dev,
                _ => return Err(usage_error(command, rest)),
            };
            bootstrap::run(&root, bootstrap::Scope::Serve)?;
            build::run(&root, profile)?;
            Ok(ExitCode::SUCCESS)
        }
        "serve" => {
            let port = parse_port(command, rest)?;
            bootstrap::run(&root, bootstrap::Scope::Serve)?;
            build::run(&root, build::Profile::Release)?;
            serve(&root, port)
        }
        "test" => {
            no_options(command, rest)?;
            test::run(&root)?;
            Ok(ExitCode::SUCCESS)
        }
        "fuzz" => {
            let options = fuzz::Options::parse(rest)?;
            fuzz::run(&root, &options)?;
            Ok(ExitCode::SUCCESS)
        }
        "bench" => {
            let options = bench::Options::parse(rest)?;
            bench::run(&root, &options)?;
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n");
            eprint!("{USAGE}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn usage_error(command: &str, rest: &[String]) -> Error {
    Error::new(format!(
        "`{command}` does not take `{}`; see `cargo xtask help`",
        rest.join(" ")
    ))
}

fn no_options(command: &str, rest: &[String]) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(usage_error(command, rest))
    }
}

fn parse_port(command: &str, rest: &[String]) -> Result<u16> {
    let value = match rest {
        [] => return Ok(DEFAULT_PORT),
        [flag, value] if flag == "--port" => value.as_str(),
        [flag] if flag.starts_with("--port=") => &flag["--port=".len()..],
        _ => return Err(usage_error(command, rest)),
    };
    value.parse().map_err(|_| {
        Error::new(format!(
            "--port takes a number from 0 to 65535, not `{value}`"
        ))
    })
}

/// Runs the release server in the foreground, forwarding its output; prints the app's address
/// once the server says it is listening. Returns the server's exit status.
fn serve(root: &Path, port: u16) -> Result<ExitCode> {
    let data = root.join(".enclave");
    util::create_dir_all(&data)?;
    let server = util::target_dir(root).join("release/enclave-server");
    let cmd = Cmd::new(&server)
        .arg("--dist")
        .arg(root.join("dist"))
        .arg("--db")
        .arg(data.join("enclave.sqlite"))
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .cwd(root);
    let mut child = cmd.spawn(Stdio::piped())?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            println!("{line}");
            if let Some(address) = line.strip_prefix("listening on ") {
                let base = address.trim().trim_end_matches('/');
                println!("Enclave: {base}/  (demo: {base}/?demo=trio)");
            }
        }
    }
    let status = child
        .wait()
        .map_err(|error| Error::new(format!("waiting for the server: {error}")))?;
    if status.success() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(cmd.failed(status))
    }
}
