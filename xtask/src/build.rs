//! `cargo xtask build [--dev]`: the browser bundle in `dist/` and the release server binary.
//!
//! Data flow: `cargo build -p app` for wasm32 → `wasm-bindgen --target web` into `dist/pkg/`
//! (`app.js`, `app_bg.wasm`) → `wasm-opt` in place (release only) → `static/` copied into `dist/`
//! → `cargo build -p enclave-server --release`. Then the gzip size of what a first load fetches.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::bootstrap::{self, WASM_TARGET};
use crate::util::{self, Cmd, Error, Result};

/// Which cargo profile the browser build uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Profile {
    /// `wasm-release`, then wasm-opt: what `serve` and the end-to-end tests use.
    Release,
    /// `dev`: faster to build, no wasm-opt.
    Dev,
}

/// Features rustc's wasm32 output uses by default (bulk memory, non-trapping float-to-int,
/// sign extension, mutable globals, reference types, multi-value since Rust 1.82/1.87) plus
/// SIMD, which the engine may enable; wasm-opt must be told all of them or it rejects the module.
const WASM_OPT_FEATURES: [&str; 7] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-simd",
];

/// The first-load budget of DESIGN.md: all wasm + JS, gzip.
const FIRST_LOAD_BUDGET_BYTES: u64 = 600 * 1024;

pub fn run(root: &Path, profile: Profile) -> Result<()> {
    let dist = root.join("dist");
    let pkg = dist.join("pkg");
    println!("==> build ({})", profile_name(profile));

    let (cargo_profile, profile_dir) = match profile {
        Profile::Release => ("wasm-release", "wasm-release"),
        Profile::Dev => ("dev", "debug"),
    };
    Cmd::new(util::cargo())
        .args(["build", "-p", "app", "--target", WASM_TARGET, "--profile"])
        .arg(cargo_profile)
        .cwd(root)
        .run()?;
    let wasm = util::target_dir(root)
        .join(WASM_TARGET)
        .join(profile_dir)
        .join("app.wasm");
    if !wasm.is_file() {
        return Err(Error::new(format!(
            "the app build produced no {}: is `app` a cdylib named `app`?",
            wasm.display()
        )));
    }

    // Only now that the wasm built is the old bundle thrown away.
    util::remove_dir_all(&dist)?;
    let bindgen = bootstrap::tool(root, "wasm-bindgen");
    if !bindgen.is_file() {
        return Err(Error::new(format!(
            "{} is missing: run `cargo xtask bootstrap`",
            bindgen.display()
        )));
    }
    Cmd::new(&bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&pkg)
        .args(["--out-name", "app"])
        .arg(&wasm)
        .cwd(root)
        .run()?;

    if profile == Profile::Release {
        let wasm_opt = bootstrap::wasm_opt(root);
        if !wasm_opt.is_file() {
            return Err(Error::new(format!(
                "{} is missing: run `cargo xtask bootstrap`",
                wasm_opt.display()
            )));
        }
        let module = pkg.join("app_bg.wasm");
        // Through node explicitly: the npm package's wasm-opt is a JavaScript program. `-Os`: the
        // hot crates were already compiled for speed (Cargo.toml, profile.wasm-release); -O3 here
        // re-inflates the size-optimised page code for no measured gain.
        Cmd::new("node")
            .arg(&wasm_opt)
            .arg("-Os")
            .args(WASM_OPT_FEATURES)
            .arg(&module)
            .arg("-o")
            .arg(&module)
            .cwd(root)
            .run()?;
    }

    let static_dir = root.join("static");
    if static_dir.is_dir() {
        if static_dir.join("pkg").exists() {
            return Err(Error::new(format!(
                "{} would overwrite the generated dist/pkg: rename it",
                static_dir.join("pkg").display()
            )));
        }
        println!("copy static/ -> dist/");
        util::copy_tree(&static_dir, &dist)?;
    } else {
        println!("note: no static/ directory; dist/ holds only pkg/");
    }

    Cmd::new(util::cargo())
        .args(["build", "-p", "enclave-server", "--release"])
        .cwd(root)
        .run()?;

    report_sizes(&dist)?;
    println!(
        "==> build ({}): done, dist/ is ready",
        profile_name(profile)
    );
    Ok(())
}

fn profile_name(profile: Profile) -> &'static str {
    match profile {
        Profile::Release => "release",
        Profile::Dev => "dev",
    }
}

/// Prints the gzip size of every `.wasm` in `dist/pkg` and every `.js` in `dist/`, and the total
/// against the first-load budget. Information only: the budget is checked by benchmarks.
fn report_sizes(dist: &Path) -> Result<()> {
    let pkg = dist.join("pkg");
    let files: Vec<PathBuf> = util::files_under(dist)?
        .into_iter()
        .filter(|path| {
            let ext = path.extension().and_then(|ext| ext.to_str());
            ext == Some("js") || (ext == Some("wasm") && path.parent() == Some(pkg.as_path()))
        })
        .collect();
    let mut total = 0;
    println!("gzip sizes (wasm + js):");
    for file in &files {
        let size = gzip_size(file)?;
        total += size;
        let shown = file.strip_prefix(dist).unwrap_or(file);
        println!("  {:>9} B  dist/{}", size, shown.display());
    }
    let verdict = if total <= FIRST_LOAD_BUDGET_BYTES {
        "within"
    } else {
        "OVER"
    };
    println!(
        "  {:>9} B  total ({:.1} KiB; {verdict} the {} KiB first-load budget)",
        total,
        total as f64 / 1024.0,
        FIRST_LOAD_BUDGET_BYTES / 1024
    );
    Ok(())
}

/// `gzip -9 -c FILE | wc -c`, counted here instead of by wc.
fn gzip_size(file: &Path) -> Result<u64> {
    let mut child = Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| Error::new(format!("cannot run gzip: {error}")))?;
    let mut bytes = 0u64;
    let mut buffer = [0u8; 64 * 1024];
    if let Some(mut stdout) = child.stdout.take() {
        loop {
            let read = stdout
                .read(&mut buffer)
                .map_err(|error| Error::new(format!("cannot read gzip output: {error}")))?;
            if read == 0 {
                break;
            }
            bytes += read as u64;
        }
    }
    let status = child
        .wait()
        .map_err(|error| Error::new(format!("gzip failed: {error}")))?;
    if status.success() {
        Ok(bytes)
    } else {
        Err(Error::new(format!(
            "command failed: gzip -9 -c {}",
            file.display()
        )))
    }
}
