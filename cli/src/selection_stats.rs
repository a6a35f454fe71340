//! `enclave stats --bcftools|--qc [-i EXPR | -e EXPR] [-r REGION [--index IDX]] [--key KEY
//! [--passphrase-file F]] FILE`: the statistics of the records the expression and regions keep
//! (every record without them). `--bcftools`: the sections of `bcftools stats -s -` (bcftools
//! 1.24's numbers, `wasm_core::stats::bcftools`) in bcftools' text format
//! (`wasm_core::stats::text`), so MultiQC and plot-vcfstats read it. `--qc`: the QC beyond
//! bcftools stats (`wasm_core::stats::qc`) as JSON.
//!
//! The header's first line keeps bcftools' "produced by bcftools stats" (MultiQC recognises
//! the file by it) and names Enclave and the bcftools version followed; the command line
//! line is Enclave's. Regions are read as `view -r` reads them: through the index beside FILE
//! when there is one, else by reading the whole file.

use std::io::{self, BufWriter, Write};

use wasm_core::bitmap::Bitmap;
use wasm_core::filter::{Filter, Mode};
use wasm_core::stats::{bcftools, qc, text};

use crate::files::WorkingDirFiles;
use crate::keys::KeyArgs;
use crate::regions::{self, RegionArgs};

/// What to print.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Bcftools,
    Qc,
}

/// Runs `enclave stats --bcftools|--qc …` (`args` are `stats`' arguments, one of the two
/// among them).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut output: Option<Output> = None;
    let mut file: Option<String> = None;
    let mut filter: Option<(String, Mode)> = None;
    let mut keys = KeyArgs::default();
    let mut regions = RegionArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut set_filter = |expr: String, mode: Mode| {
            if filter.is_some() {
                return Err("only one -i or -e expression can be given".to_string());
            }
            filter = Some((expr, mode));
            Ok(())
        };
        match a.as_str() {
            "--bcftools" | "--qc" => {
                let this = if a == "--qc" {
                    Output::Qc
                } else {
                    Output::Bcftools
                };
                if output.is_some_and(|o| o != this) {
                    return Err("stats: --bcftools and --qc cannot be given together".into());
                }
                output = Some(this);
            }
            "-i" | "--include" | "-e" | "--exclude" => {
                let expr = it
                    .next()
                    .ok_or_else(|| format!("{a} needs an expression"))?;
                let mode = if a.starts_with("-i") || a == "--include" {
                    Mode::Include
                } else {
                    Mode::Exclude
                };
                set_filter(expr.clone(), mode)?;
            }
            // `-i'QUAL>30'`: the value attached, as bcftools accepts.
            f if f.len() > 2 && (f.starts_with("-i") || f.starts_with("-e")) => {
                let mode = if f.starts_with("-i") {
                    Mode::Include
                } else {
                    Mode::Exclude
                };
                set_filter(f[2..].to_string(), mode)?;
            }
            other if keys.option(other, &mut it)? || regions.option(other, &mut it)? => {}
            f if !f.starts_with('-') || f == "-" => {
                if let Some(first) = &file {
                    return Err(format!("more than one FILE given ({first:?}, {f:?})"));
                }
                file = Some(f.to_string());
            }
            other => return Err(format!("stats: unknown option {other:?}\n{}", crate::USAGE)),
        }
    }
    keys.check()?;
    let path = file.ok_or("stats: no FILE given")?;
    let (ds, region_mask) = load(&path, &keys, &regions)?;
    let store = &ds.store;
    let mut keep = match &filter {
        Some((expr, mode)) => {
            let flag = if *mode == Mode::Include { "-i" } else { "-e" };
            let f = Filter::compile(expr, store, *mode, &WorkingDirFiles)
                .map_err(|e| format!("invalid {flag} expression:\n{}", e.render(expr)))?;
            for w in f.warnings() {
                eprintln!(
                    "enclave: warning: in the {flag} expression:\n{}",
                    w.render(expr)
                );
            }
            Some(f.evaluate(store).pass)
        }
        None => None,
    };
    if let Some(mask) = region_mask {
        match &mut keep {
            Some(k) => k.and_with(&mask),
            None => keep = Some(mask),
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if output == Some(Output::Qc) {
        let qc = qc::compute(store, keep.as_ref());
        let r = serde_json::to_writer_pretty(&mut out, &qc)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
        return written(r);
    }
    let stats = bcftools::compute(store, keep.as_ref());
    let provenance = text::Provenance {
        producer: format!("Enclave {}", env!("CARGO_PKG_VERSION")),
        command: std::iter::once("enclave stats")
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        file: if path == "-" {
            "<STDIN>".into()
        } else {
            path.clone()
        },
    };
    written(text::write(&mut out, &stats, &provenance).and_then(|()| out.flush()))
}

/// A closed pipe (`| head`) is not an error.
fn written(r: io::Result<()>) -> Result<(), String> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| format!("writing output: {e}")),
    }
}

/// FILE, or with `-r` the records overlapping the regions: through the index when there is
/// one, else the whole file and a mask of the records to keep.
fn load(
    path: &str,
    keys: &KeyArgs,
    regions: &RegionArgs,
) -> Result<(wasm_core::Dataset, Option<Bitmap>), String> {
    let Some(set) = regions.parsed()? else {
        return crate::open(path, keys).map(|ds| (ds, None));
    };
    match regions.index.clone().or_else(|| regions::find_index(path)) {
        Some(index) => regions::query(path, &index, &set, keys).map(|ds| (ds, None)),
        None => {
            eprintln!(
                "enclave: note: no index beside {path} ({path}.csi or {path}.tbi): reading the whole file for -r"
            );
            let ds = crate::open(path, keys)?;
            let mask = set.mask(&ds.store);
            Ok((ds, Some(mask)))
        }
    }
}
