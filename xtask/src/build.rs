//! `cargo xtask build [--dev]`: the browser bundle in `dist/` and the release server binary.
//!
//! Data flow: for each of [`MODULES`] (the page's, the engine workers'), `cargo build -p app
//! --features F` for wasm32 → `wasm-bindgen --target web` → `dist/pkg/` (`app.js`, `app_bg.wasm`,
//! `engine.js`, `engine_bg.wasm`) → `wasm-opt` in place (release only) → `static/` copied into
//! `dist/` → `cargo build -p enclave-server --release`. Then the gzip size of what a first load
//! fetches ([`bundle_sizes`]).

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

/// One wasm module of the bundle: the cargo feature that selects its export, and its name in
/// `dist/pkg/` (`NAME.js`, `NAME_bg.wasm`).
pub struct Module {
    pub feature: &'static str,
    pub name: &'static str,
}

/// The page's module (the Leptos UI: `static/main.js` loads it) and the engine workers' module
/// (`static/worker.js` loads it in each worker).
pub const MODULES: [Module; 2] = [
    Module {
        feature: "page",
        name: "app",
    },
    Module {
        feature: "worker",
        name: "engine",
    },
];

/// The first-load budget of DESIGN.md: all wasm + JS, gzip.
pub const FIRST_LOAD_BUDGET_BYTES: u64 = 600 * 1024;

pub fn run(root: &Path, profile: Profile) -> Result<()> {
    let dist = root.join("dist");
    let pkg = dist.join("pkg");
    println!("==> build ({})", profile_name(profile));

    let (cargo_profile, profile_dir) = match profile {
        Profile::Release => ("wasm-release", "wasm-release"),
        Profile::Dev => ("dev", "debug"),
    };
    // Two modules from the one crate: the page's (feature `page`) and the engine workers'
    // (feature `worker`). Each is built, then bound before the next build overwrites app.wasm.
    let staged = util::target_dir(root).join("enclave-wasm-staged");
    util::remove_dir_all(&staged)?;
    for module in MODULES {
        Cmd::new(util::cargo())
            .args(["build", "-p", "app", "--target", WASM_TARGET, "--profile"])
            .arg(cargo_profile)
            .args(["--no-default-features", "--features", module.feature])
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
        let bindgen = bootstrap::tool(root, "wasm-bindgen");
        if !bindgen.is_file() {
            return Err(Error::new(format!(
                "{} is missing: run `cargo xtask bootstrap`",
                bindgen.display()
            )));
        }
        Cmd::new(&bindgen)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&staged)
            .args(["--out-name", module.name])
            .arg(&wasm)
            .cwd(root)
            .run()?;
    }

    // Only now that both modules built is the old bundle thrown away.
    util::remove_dir_all(&dist)?;
    util::copy_tree(&staged, &pkg)?;

    if profile == Profile::Release {
        let wasm_opt = bootstrap::wasm_opt(root);
        if !wasm_opt.is_file() {
            return Err(Error::new(format!(
                "{} is missing: run `cargo xtask bootstrap`",
                wasm_opt.display()
            )));
        }
        for module in MODULES {
            let wasm = pkg.join(format!("{}_bg.wasm", module.name));
            // Through node explicitly: the npm package's wasm-opt is a JavaScript program. `-Os`:
            // the hot crates were already compiled for speed (Cargo.toml, profile.wasm-release);
            // -O3 here re-inflates the size-optimised page code for no measured gain.
            Cmd::new("node")
                .arg(&wasm_opt)
                .arg("-Os")
                .args(WASM_OPT_FEATURES)
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm)
                .cwd(root)
                .run()?;
        }
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

/// The gzip sizes of what the browser fetches, in bytes: the page (what it needs before the user
/// can act: `main.js`, `pkg/app.js`, `pkg/app_bg.wasm`) and the engine (what each worker loads:
/// `worker.js`, `pkg/engine.js`, `pkg/engine_bg.wasm`; fetched once, in parallel with the page,
/// by the spare worker the page starts, and cached for the others).
pub struct BundleSizes {
    pub files: Vec<(PathBuf, u64)>,
    pub page: u64,
    pub engine: u64,
}

impl BundleSizes {
    /// All wasm + JS: DESIGN.md's first-load measure.
    pub fn total(&self) -> u64 {
        self.page + self.engine
    }
}

/// Measures [`BundleSizes`] of a built `dist/`. Every `.js` in `dist/` and `.wasm` in `dist/pkg`
/// counts: a file that is neither the page's nor the engine's counts as the page's.
pub fn bundle_sizes(dist: &Path) -> Result<BundleSizes> {
    let pkg = dist.join("pkg");
    let files: Vec<PathBuf> = util::files_under(dist)?
        .into_iter()
        .filter(|path| {
            let ext = path.extension().and_then(|ext| ext.to_str());
            ext == Some("js") || (ext == Some("wasm") && path.parent() == Some(pkg.as_path()))
        })
        .collect();
    let engine_files = [
        dist.join("worker.js"),
        pkg.join("engine.js"),
        pkg.join("engine_bg.wasm"),
    ];
    let mut sizes = BundleSizes {
        files: Vec::new(),
        page: 0,
        engine: 0,
    };
    for file in files {
        let size = gzip_size(&file)?;
        if engine_files.contains(&file) {
            sizes.engine += size;
        } else {
            sizes.page += size;
        }
        sizes.files.push((file, size));
    }
    Ok(sizes)
}

/// Prints the gzip size of every file of [`bundle_sizes`], the page's and the engine's share and
/// the total against the first-load budget. Information only: the budget is checked by benchmarks.
fn report_sizes(dist: &Path) -> Result<()> {
    let sizes = bundle_sizes(dist)?;
    println!("gzip sizes (wasm + js):");
    for (file, size) in &sizes.files {
        let shown = file.strip_prefix(dist).unwrap_or(file);
        println!("  {:>9} B  dist/{}", size, shown.display());
    }
    let kib = |bytes: u64| bytes as f64 / 1024.0;
    println!(
        "  {:>9} B  page ({:.1} KiB): what the page needs before it can be used",
        sizes.page,
        kib(sizes.page)
    );
    println!(
        "  {:>9} B  engine ({:.1} KiB): fetched by the first worker in parallel, cached for the rest",
        sizes.engine,
        kib(sizes.engine)
    );
    let verdict = if sizes.total() <= FIRST_LOAD_BUDGET_BYTES {
        "within"
    } else {
        "OVER"
    };
    println!(
        "  {:>9} B  total ({:.1} KiB; {verdict} the {} KiB first-load budget)",
        sizes.total(),
        kib(sizes.total()),
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
