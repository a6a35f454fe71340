//! `cargo xtask bootstrap`: installs what building, serving and testing need, and nothing twice.
//!
//! - the `wasm32-unknown-unknown` target (and rustfmt/clippy for `test`), through rustup;
//! - `wasm-bindgen-cli` at the exact version `Cargo.lock` pins for `wasm-bindgen`, into `tools/`
//!   (TOOLCHAIN.md pitfall 1: its own lock file names a crate version the registry lacks, so it is
//!   unpacked from cargo's cache, that crate updated, and installed from the path);
//! - the npm packages of `e2e/` (`playwright-core`, `binaryen` for wasm-opt), through `npm ci`;
//! - for `test` only: Debian's `chromium chromium-driver bcftools tabix`, through apt-get;
//! - for `test` only: the reference Crypt4GH implementation (PyPI `crypt4gh`, pinned) in a
//!   virtualenv at `tools/crypt4gh-venv`, for the CLI's round trips against it
//!   (`cli/tests/crypt4gh_reference.rs`, which fails without it under CI);
//! - for `test` and `fuzz`: the pinned nightly toolchain (`--profile minimal`) and cargo-fuzz in
//!   `tools/` ([`ensure_fuzz_tools`]), for the fuzz stage (docs/FUZZING.md).
//!
//! Each step checks first and prints what it installs, so a second run takes a moment.

use std::fs;
use std::path::{Path, PathBuf};

use crate::fuzz;
use crate::util::{self, Cmd, Error, Result};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What a bootstrap must provide.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scope {
    /// Building and serving: the wasm target, wasm-bindgen, the npm packages.
    Serve,
    /// Everything `cargo xtask test` runs: the above plus rustfmt, clippy, Chromium and bcftools.
    Test,
}

pub fn run(root: &Path, scope: Scope) -> Result<()> {
    println!("==> bootstrap ({})", scope_name(scope));
    ensure_rust_target()?;
    if scope == Scope::Test {
        ensure_rust_components(&["rustfmt", "clippy"])?;
    }
    ensure_wasm_bindgen(root)?;
    ensure_node_packages(root)?;
    if scope == Scope::Test {
        ensure_debian_packages()?;
        ensure_crypt4gh_reference(root)?;
        ensure_fuzz_tools(root)?;
    }
    println!(
        "==> bootstrap ({}): everything is in place",
        scope_name(scope)
    );
    Ok(())
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Serve => "build and serve",
        Scope::Test => "test",
    }
}

/// Path of a tool installed under `tools/bin`.
pub fn tool(root: &Path, name: &str) -> PathBuf {
    root.join("tools").join("bin").join(name)
}

/// The wasm-opt of the npm `binaryen` package (Debian's is too old: TOOLCHAIN.md).
pub fn wasm_opt(root: &Path) -> PathBuf {
    root.join("e2e/node_modules/binaryen/bin/wasm-opt")
}

fn ensure_rust_target() -> Result<()> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        println!("ok   rust target {WASM_TARGET}");
        return Ok(());
    }
    println!("install rust target {WASM_TARGET}");
    Cmd::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .run()
}

fn ensure_rust_components(components: &[&str]) -> Result<()> {
    let installed = Cmd::new("rustup")
        .args(["component", "list", "--installed"])
        .read()?;
    for component in components {
        // Installed components are listed with their host triple: `clippy-x86_64-unknown-linux-gnu`.
        let present = installed
            .lines()
            .any(|line| line.trim() == *component || line.starts_with(&format!("{component}-")));
        if present {
            println!("ok   rust component {component}");
        } else {
            println!("install rust component {component}");
            Cmd::new("rustup")
                .args(["component", "add", component])
                .run()?;
        }
    }
    Ok(())
}

/// What the fuzz targets build with: the nightly toolchain [`fuzz::TOOLCHAIN`] (sanitizers and
/// coverage instrumentation are nightly-only) and cargo-fuzz [`fuzz::CARGO_FUZZ_VERSION`] in
/// `tools/bin`. Installed the first time only (a minute for the toolchain, about three for
/// cargo-fuzz on two cores).
pub fn ensure_fuzz_tools(root: &Path) -> Result<()> {
    let toolchains = Cmd::new("rustup").args(["toolchain", "list"]).read()?;
    let toolchain = fuzz::TOOLCHAIN;
    if toolchains
        .lines()
        .any(|line| line.starts_with(&format!("{toolchain}-")) || line.trim() == toolchain)
    {
        println!("ok   rust toolchain {toolchain}");
    } else {
        println!("install rust toolchain {toolchain} (for the fuzz targets)");
        Cmd::new("rustup")
            .args(["toolchain", "install", toolchain, "--profile", "minimal"])
            .run()?;
    }
    let version = fuzz::CARGO_FUZZ_VERSION;
    let binary = tool(root, "cargo-fuzz");
    // `cargo-fuzz --version` prints `cargo-fuzz 0.13.2`.
    let installed = Cmd::new(&binary)
        .arg("--version")
        .probe()
        .and_then(|out| out.split_whitespace().nth(1).map(str::to_owned));
    if installed.as_deref() == Some(version) {
        println!("ok   cargo-fuzz {version} in tools/bin");
        return Ok(());
    }
    println!("install cargo-fuzz {version} into tools/ (takes a few minutes)");
    let work = std::env::temp_dir().join(format!("enclave-xtask-cargo-fuzz-{version}"));
    Cmd::new(util::cargo())
        .args(["install", "--locked", "--force", "cargo-fuzz", "--version"])
        .arg(format!("={version}"))
        .arg("--root")
        .arg(root.join("tools"))
        .env("CARGO_TARGET_DIR", &work)
        .run()?;
    util::remove_dir_all(&work)?;
    Ok(())
}

/// The version of `package` that a Cargo.lock pins (the first entry of that name).
pub fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut name_matches = false;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            name_matches = false;
        } else if let Some(value) = line.strip_prefix("name = ") {
            name_matches = value.trim_matches('"') == package;
        } else if let Some(value) = line.strip_prefix("version = ")
            && name_matches
        {
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock_path = root.join("Cargo.lock");
    let lock = fs::read_to_string(&lock_path)
        .map_err(|error| util::io_error("cannot read", &lock_path, error))?;
    locked_version(&lock, "wasm-bindgen").ok_or_else(|| {
        Error::new(format!(
            "{} pins no `wasm-bindgen`: add `wasm-bindgen` to the app's dependencies first",
            lock_path.display()
        ))
    })
}

/// The version an installed `wasm-bindgen` binary reports (`wasm-bindgen 0.2.130`).
fn installed_version(binary: &Path) -> Option<String> {
    let out = Cmd::new(binary).arg("--version").probe()?;
    out.split_whitespace().nth(1).map(str::to_owned)
}

fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let version = wasm_bindgen_version(root)?;
    let bindgen = tool(root, "wasm-bindgen");
    let runner = tool(root, "wasm-bindgen-test-runner");
    let installed = installed_version(&bindgen);
    if installed.as_deref() == Some(version.as_str())
        && installed_version(&runner).as_deref() == Some(version.as_str())
    {
        println!("ok   wasm-bindgen-cli {version} in tools/bin");
        return Ok(());
    }
    match installed {
        Some(other) => println!("install wasm-bindgen-cli {version} (tools/bin has {other})"),
        None => println!("install wasm-bindgen-cli {version} into tools/ (takes a few minutes)"),
    }
    install_wasm_bindgen(root, &version)
}

/// TOOLCHAIN.md pitfall 1: `cargo install --locked wasm-bindgen-cli` fails because its lock file
/// pins a webpki-roots the registry lacks. Fetch the crate, unpack it, update that one dependency,
/// then install from the unpacked path with the rest of its lock file intact.
fn install_wasm_bindgen(root: &Path, version: &str) -> Result<()> {
    let work = std::env::temp_dir().join(format!("enclave-xtask-wasm-bindgen-cli-{version}"));
    util::remove_dir_all(&work)?;
    let fetcher = work.join("fetch");
    util::create_dir_all(&fetcher.join("src"))?;
    util::write_file(
        &fetcher.join("Cargo.toml"),
        &format!(
            "# Throwaway manifest: makes cargo download wasm-bindgen-cli {version} into its cache.\n\
             [package]\nname = \"fetch-wasm-bindgen-cli\"\nversion = \"0.0.0\"\n\
             edition = \"2021\"\npublish = false\n\n\
             [dependencies]\nwasm-bindgen-cli = \"={version}\"\n\n\
             # Not part of any enclosing workspace.\n[workspace]\n"
        ),
    )?;
    util::write_file(&fetcher.join("src/lib.rs"), "")?;
    Cmd::new(util::cargo())
        .arg("fetch")
        .cwd(&fetcher)
        .env("CARGO_TARGET_DIR", work.join("target"))
        .run()?;

    let crate_file = find_cached_crate(&format!("wasm-bindgen-cli-{version}.crate"))?;
    Cmd::new("tar")
        .arg("-xzf")
        .arg(&crate_file)
        .arg("-C")
        .arg(&work)
        .run()?;
    let source = work.join(format!("wasm-bindgen-cli-{version}"));
    let lock = fs::read_to_string(source.join("Cargo.lock")).unwrap_or_default();
    if locked_version(&lock, "webpki-roots").is_some() {
        Cmd::new(util::cargo())
            .args(["update", "-p", "webpki-roots"])
            .cwd(&source)
            .run()?;
    }
    Cmd::new(util::cargo())
        .args(["install", "--locked", "--force", "--path"])
        .arg(&source)
        .arg("--root")
        .arg(root.join("tools"))
        .env("CARGO_TARGET_DIR", work.join("target"))
        .run()?;
    util::remove_dir_all(&work)?;

    let bindgen = tool(root, "wasm-bindgen");
    match installed_version(&bindgen) {
        Some(found) if found == version => {
            println!("installed wasm-bindgen-cli {version}");
            Ok(())
        }
        found => Err(Error::new(format!(
            "after installing, {} reports version {:?}, expected {version}",
            bindgen.display(),
            found
        ))),
    }
}

/// Finds `file_name` in `$CARGO_HOME/registry/cache/*/`.
fn find_cached_crate(file_name: &str) -> Result<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .ok_or_else(|| Error::new("neither CARGO_HOME nor HOME is set"))?;
    let cache = cargo_home.join("registry").join("cache");
    let registries =
        fs::read_dir(&cache).map_err(|error| util::io_error("cannot read", &cache, error))?;
    registries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join(file_name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            Error::new(format!(
                "`cargo fetch` succeeded but {file_name} is not in {}/*/",
                cache.display()
            ))
        })
}

fn ensure_node_packages(root: &Path) -> Result<()> {
    let e2e = root.join("e2e");
    let lock = e2e.join("package-lock.json");
    if !lock.is_file() {
        return Err(Error::new(format!("{} is missing", lock.display())));
    }
    for program in ["node", "npm"] {
        if util::which(program).is_none() {
            return Err(Error::new(format!(
                "`{program}` is not on PATH: install Node.js 20 or newer (Debian: apt-get install nodejs npm)"
            )));
        }
    }
    // npm ci writes node_modules/.package-lock.json last: older than the lock means stale.
    let installed = util::modified(&e2e.join("node_modules/.package-lock.json"));
    let fresh = match (installed, util::modified(&lock)) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if fresh && wasm_opt(root).is_file() {
        println!("ok   e2e/node_modules (npm ci is up to date)");
        return Ok(());
    }
    println!("install e2e/node_modules from e2e/package-lock.json");
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .cwd(&e2e)
        .run()
}

const DEBIAN_PACKAGES: [&str; 4] = ["chromium", "chromium-driver", "bcftools", "tabix"];

fn ensure_debian_packages() -> Result<()> {
    let missing: Vec<&str> = [
        (
            "/usr/bin/chromium",
            Path::new("/usr/bin/chromium").is_file(),
        ),
        (
            "/usr/bin/chromedriver",
            Path::new("/usr/bin/chromedriver").is_file(),
        ),
        ("bcftools", util::which("bcftools").is_some()),
        ("bgzip", util::which("bgzip").is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        println!("ok   chromium, chromedriver, bcftools, bgzip");
        return Ok(());
    }
    let packages = DEBIAN_PACKAGES.join(" ");
    println!(
        "install Debian packages {packages} (missing: {})",
        missing.join(", ")
    );
    let uid = Cmd::new("id").arg("-u").read()?;
    if uid.trim() != "0" {
        return Err(Error::new(format!(
            "installing Debian packages needs root; run: sudo apt-get update && sudo apt-get install -y {packages}"
        )));
    }
    Cmd::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    Cmd::new("apt-get")
        .args(["install", "-y"])
        .args(DEBIAN_PACKAGES)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}

/// The reference Crypt4GH implementation the round-trip tests compare with: the version the
/// fixtures in `testdata/crypt4gh/generated` were made with (its README).
pub const CRYPT4GH_REFERENCE: &str = "1.8.6";

/// The virtualenv holding the reference `crypt4gh` and `crypt4gh-keygen` commands.
pub fn crypt4gh_venv(root: &Path) -> PathBuf {
    root.join("tools").join("crypt4gh-venv")
}

/// The version an installed reference CLI reports, if it runs.
fn crypt4gh_version(cli: &Path) -> Option<String> {
    parse_crypt4gh_version(&Cmd::new(cli).arg("--version").probe()?)
}

/// `GA4GH cryptographic utilities (version 1.8.6)` → `1.8.6`.
fn parse_crypt4gh_version(out: &str) -> Option<String> {
    let start = out.find("(version ")? + "(version ".len();
    let rest = &out[start..];
    Some(rest[..rest.find(')')?].trim().to_owned())
}

/// A virtualenv rather than `pip install --user`: it pins the version without touching the
/// machine's Python, and a broken or outdated one is simply made again.
fn ensure_crypt4gh_reference(root: &Path) -> Result<()> {
    let venv = crypt4gh_venv(root);
    let bin = venv.join("bin");
    let installed = crypt4gh_version(&bin.join("crypt4gh"));
    if installed.as_deref() == Some(CRYPT4GH_REFERENCE) && bin.join("crypt4gh-keygen").is_file() {
        println!("ok   crypt4gh {CRYPT4GH_REFERENCE} (reference CLI) in tools/crypt4gh-venv");
        return Ok(());
    }
    let python = util::which("python3").ok_or_else(|| {
        Error::new(
            "`python3` is not on PATH: install Python 3 with venv (Debian: apt-get install python3-venv)",
        )
    })?;
    match installed {
        Some(other) => println!(
            "install crypt4gh {CRYPT4GH_REFERENCE} into tools/crypt4gh-venv (it has {other})"
        ),
        None => println!(
            "install crypt4gh {CRYPT4GH_REFERENCE} (reference CLI) into tools/crypt4gh-venv"
        ),
    }
    util::remove_dir_all(&venv)?;
    Cmd::new(python)
        .args(["-m", "venv"])
        .arg(&venv)
        .run()
        .map_err(|error| {
            Error::new(format!(
                "{error}\n           (Debian: apt-get install python3-venv)"
            ))
        })?;
    Cmd::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
        ])
        .arg(format!("crypt4gh=={CRYPT4GH_REFERENCE}"))
        .run()?;
    match crypt4gh_version(&bin.join("crypt4gh")) {
        Some(found) if found == CRYPT4GH_REFERENCE => {
            println!("installed crypt4gh {CRYPT4GH_REFERENCE}");
            Ok(())
        }
        found => Err(Error::new(format!(
            "after installing, {} reports version {found:?}, expected {CRYPT4GH_REFERENCE}",
            bin.join("crypt4gh").display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-futures"
version = "0.4.80"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn locked_version_matches_the_exact_name() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-futures").as_deref(),
            Some("0.4.80")
        );
        assert_eq!(locked_version(LOCK, "wasm"), None);
    }

    #[test]
    fn crypt4gh_version_is_read_from_its_banner() {
        assert_eq!(
            parse_crypt4gh_version("GA4GH cryptographic utilities (version 1.8.6)\n").as_deref(),
            Some("1.8.6")
        );
        assert_eq!(parse_crypt4gh_version("crypt4gh 1.8.6"), None);
    }
}
