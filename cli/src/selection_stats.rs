//! `enclave stats --bcftools|--qc [-i EXPR | -e EXPR] [-r REGION [--index IDX]] [--key KEY
//! [--passphrase-file F]] [--ped FILE.ped [--build B]] FILE`: the statistics of the records the
//! expression and regions keep (every record without them). `--qc --ped` adds each trio's
//! Mendelian error rate and de novo count (`wasm_core::stats::trios::judge`). `--bcftools`: the sections of `bcftools stats -s -` (bcftools
//! 1.24's numbers, `wasm_core::stats::bcftools`) in bcftools' text format
//! (`wasm_core::stats::text`), so MultiQC and plot-vcfstats read it. `--qc`: the QC beyond
//! bcftools stats (`wasm_core::stats::qc`) as JSON.
//!
//! The header's first line keeps bcftools' "produced by bcftools stats" (MultiQC recognises
//! the file by it) and names Enclave and the bcftools version followed; the command line
//! line is Enclave's. The options, the filter and the regions are `view`'s (the crate root's
//! `common_option`, `load`, `selection`).

use std::io::{self, BufWriter, Write};

use wasm_core::inheritance::{Build, InheritanceErrorKind};
use wasm_core::pedigree::Pedigree;
use wasm_core::stats::{bcftools, qc, text, trios};

use crate::keys::KeyArgs;
use crate::regions::RegionArgs;
use crate::{USAGE, common_option, load, selection, write_result};

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
    let mut file = None;
    let mut filter = None;
    let mut keys = KeyArgs::default();
    let mut regions = RegionArgs::default();
    let mut ped: Option<String> = None;
    let mut build: Option<Build> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
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
            "--ped" => ped = Some(crate::value(&mut it, a, "a PED file")?.clone()),
            "--build" => {
                let name = crate::value(&mut it, a, "GRCh37 or GRCh38")?;
                build = Some(
                    Build::from_name(name)
                        .ok_or_else(|| format!("unknown build {name:?}: GRCh37 or GRCh38"))?,
                );
            }
            other => {
                if !common_option(
                    other,
                    &mut it,
                    &mut filter,
                    &mut file,
                    &mut keys,
                    &mut regions,
                )? {
                    return Err(format!("stats: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    keys.check()?;
    if ped.is_some() && output != Some(Output::Qc) {
        return Err("stats: --ped goes with --qc (the trios' numbers are in its JSON)".into());
    }
    let path = file.ok_or("stats: no FILE given")?;
    let (ds, region_mask) = load(&path, &keys, &regions)?;
    let store = &ds.store;
    let keep = selection(filter.as_ref(), region_mask, store)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if output == Some(Output::Qc) {
        let judged = match &ped {
            None => Vec::new(),
            Some(ped_path) => {
                let text = std::fs::read(ped_path).map_err(|e| format!("{ped_path}: {e}"))?;
                let pedigree =
                    Pedigree::parse(&text).map_err(|e| format!("{ped_path}: {}", e.report()))?;
                let build = build.or_else(|| Build::of_summary(&ds.summary));
                trios::judge(store, &pedigree, build).map_err(|e| match e.kind() {
                    InheritanceErrorKind::NoBuild => format!("{path}: {} with --build", e.report()),
                    InheritanceErrorKind::Pedigree(_) => format!("{ped_path}: {}", e.report()),
                })?
            }
        };
        let calls: Vec<_> = judged.iter().map(trios::TrioJudgements::calls).collect();
        let qc = qc::compute_with_trios(store, keep.as_ref(), &calls);
        let r = serde_json::to_writer_pretty(&mut out, &qc)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
        return write_result(r);
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
    write_result(text::write(&mut out, &stats, &provenance).and_then(|()| out.flush()))
}
