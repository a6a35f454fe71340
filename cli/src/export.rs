//! `enclave export`: the selection the app exports, as the same document (the engine's
//! `export::document`): VCF with the file's header and the `##enclave_*` lines, the table's
//! TSV, or JSON.
//!
//! ```text
//! enclave export -f vcf|tsv|json [-i EXPR | -e EXPR] [-r REGIONS] [--genes LIST]
//!                [--ped FILE.ped --mode MODE ... [--no-gates] [--lenient] [--build B]]
//!                [--key KEY [--passphrase-file F]] FILE
//! ```
//!
//! The file is read whole (the app holds it whole too); the records kept are those the
//! expression, the regions (as `view -r`, a mask here), the gene list and the union of the modes
//! all keep, in file order — what the app's workers export.

use std::io::{self, BufWriter, Write};

use wasm_core::bitmap::Bitmap;
use wasm_core::export::document::{self, Columns, Format, Selected};
use wasm_core::filter::Mode as FilterMode;
use wasm_core::regions::{GeneList, RegionSet};

use crate::family;

pub const USAGE: &str =
    "  enclave export -f vcf|tsv|json [-i EXPR | -e EXPR] [-r REGIONS] [--genes LIST]
                 [--ped FILE.ped --mode MODE ... [--no-gates] [--lenient] [--build B]]
                 [--key KEY [--passphrase-file F]] FILE
                     the records the app would export: vcf (the file's header, ##enclave_*
                     lines saying what selected them, the records), tsv (the table's columns)
                     or json; REGIONS and LIST comma-separated";

pub fn export(args: &[String]) -> Result<(), String> {
    let mut a = family::Args::default();
    let mut format = None;
    let mut selected = Selected::default();
    let mut filter_given = false;
    let mut regions_text = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-f" | "--format" => {
                let name = crate::value(&mut it, arg, "vcf, tsv or json")?;
                format = Some(Format::from_name(name).ok_or_else(|| {
                    format!("export: unknown format {name:?} (vcf, tsv or json)")
                })?);
            }
            "-i" | "--include" | "-e" | "--exclude" => {
                if filter_given {
                    return Err("only one -i or -e expression can be given".into());
                }
                filter_given = true;
                selected.expression = crate::value(&mut it, arg, "an expression")?.clone();
                selected.exclude = arg == "-e" || arg == "--exclude";
            }
            "-r" | "--regions" => {
                regions_text = Some(crate::value(&mut it, arg, "regions")?.clone());
            }
            "--genes" => {
                selected.genes = crate::value(&mut it, arg, "genes")?.replace(',', "\n");
            }
            other => {
                if !a.option(other, &mut it)? {
                    return Err(format!("export: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    let format = format.ok_or("export: no -f vcf|tsv|json given")?;
    let regions = match &regions_text {
        Some(text) => {
            selected.regions = text.replace(',', "\n");
            Some(RegionSet::parse(&selected.regions).map_err(|e| format!("-r: {e}"))?)
        }
        None => None,
    };
    let (ds, selection) = if a.ped.is_some() {
        if a.modes.is_empty() {
            return Err("export --ped: name at least one --mode".into());
        }
        let (ds, analysis) = a.analysis("export")?;
        let kept = analysis.select(&ds.store, &a.modes).kept;
        family::notes(&analysis);
        selected.modes = a.modes.iter().map(|m| m.name().to_string()).collect();
        (ds, Some(kept))
    } else {
        a.keys.check()?;
        let path = a.file.as_deref().ok_or("export: no FILE given")?;
        (crate::open(path, &a.keys)?, None)
    };
    let store = &ds.store;
    let mut keep = selection.unwrap_or_else(|| Bitmap::ones(store.len()));
    if !selected.expression.is_empty() {
        let arg = crate::print::FilterArg {
            expression: selected.expression.clone(),
            mode: if selected.exclude {
                FilterMode::Exclude
            } else {
                FilterMode::Include
            },
        };
        keep.and_with(&crate::compile(&arg, store)?.evaluate(store).pass);
    }
    if let Some(set) = &regions {
        keep.and_with(&set.mask(store));
    }
    if !selected.genes.is_empty() {
        let genes = GeneList::parse(&selected.genes).map_err(|e| format!("--genes: {e}"))?;
        keep.and_with(&genes.mask(store));
    }
    let columns = Columns::of(store);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let r = document::write_document(
        &mut out,
        format,
        &ds.header,
        store,
        &columns,
        &selected,
        keep.iter_ones(),
    );
    crate::write_result(r.and_then(|_| out.flush()))
}
