//! `enclave`: Enclave's engine on the command line, for batch work, benchmarks and the
//! differential tests against bcftools. Same parsing, store, filter and export code as the
//! browser.
//!
//! ```text
//! enclave view  [-i EXPR | -e EXPR] [-f tsv|vcf] FILE
//! enclave query -f FORMAT [-i EXPR | -e EXPR] FILE
//! enclave stats [--json] FILE
//! ```
//!
//! `query` is an addition to DESIGN.md's CLI contract: bcftools' `query -f` format language
//! (`wasm_core::export::query`), used by the filter conformance tests and for custom TSV.

mod files;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use wasm_core::export::query::{self, QueryFormat};
use wasm_core::filter::{Filter, Mode};
use wasm_core::{export, progress::Silent, read_dataset, stats};

use crate::files::WorkingDirFiles;

const USAGE: &str = "usage:
  enclave view  [-i EXPR | -e EXPR] [-f tsv|vcf] FILE
                     print records (tsv: CHROM POS REF ALT, as bcftools query)
  enclave query -f FORMAT [-i EXPR | -e EXPR] FILE
                     print records in a bcftools query format, e.g.
                     -f '%CHROM\\t%POS[\\t%SAMPLE=%GT]\\n'
  enclave stats [--json] FILE
                     summary counts (as bcftools stats, section SN)

  -i EXPR   keep records for which the bcftools expression is true (QUAL>30 && GT=\"het\");
  -e EXPR   drop them instead. `@file` in an expression reads the file (relative to the
            working directory). In query, [...] blocks print the samples the expression
            selected, as bcftools query does.

Regions (-r) and Crypt4GH keys (--key) arrive with later work.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("enclave: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(format!("no command given\n{USAGE}"));
    };
    match cmd.as_str() {
        "view" => view(rest),
        "query" => query_cmd(rest),
        "stats" => stats_cmd(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    }
}

fn open(path: &str) -> Result<wasm_core::Dataset, String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().ok().map(|m| m.len());
    read_dataset(file, size, &mut Silent).map_err(|e| format!("{path}: {e}"))
}

/// Maps a closed pipe (`enclave view … | head`) to success.
fn write_result(r: io::Result<()>) -> Result<(), String> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| format!("writing output: {e}")),
    }
}

/// A `-i`/`-e` expression given on the command line.
struct FilterArg {
    expression: String,
    mode: Mode,
}

/// Reads the value of an option that takes one, or says which is missing.
fn value<'a>(
    it: &mut std::slice::Iter<'a, String>,
    option: &str,
    what: &str,
) -> Result<&'a String, String> {
    it.next().ok_or_else(|| format!("{option} needs {what}"))
}

/// Handles the options `view` and `query` share; `Ok(false)` when `a` is not one of them.
fn common_option(
    a: &str,
    it: &mut std::slice::Iter<'_, String>,
    filter: &mut Option<FilterArg>,
    file: &mut Option<String>,
) -> Result<bool, String> {
    match a {
        "-i" | "--include" | "-e" | "--exclude" => {
            let expression = value(it, a, "an expression")?.clone();
            let mode = if a == "-i" || a == "--include" {
                Mode::Include
            } else {
                Mode::Exclude
            };
            set_filter(filter, expression, mode)?;
        }
        // `-i'QUAL>30'` as a shell passes it: the value attached, as bcftools accepts.
        _ if a.len() > 2 && (a.starts_with("-i") || a.starts_with("-e")) => {
            let mode = if a.starts_with("-i") {
                Mode::Include
            } else {
                Mode::Exclude
            };
            set_filter(filter, a[2..].to_string(), mode)?;
        }
        "-r" | "--regions" => {
            return Err(format!(
                "{a} is not supported yet (regions come with issue 5)"
            ));
        }
        "--key" | "--passphrase-file" => {
            return Err(format!(
                "{a} is not supported yet (Crypt4GH comes with later work)"
            ));
        }
        f if !f.starts_with('-') || f == "-" => {
            if let Some(first) = file {
                return Err(format!("more than one FILE given ({first:?}, {f:?})"));
            }
            *file = Some(f.to_string());
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn set_filter(
    filter: &mut Option<FilterArg>,
    expression: String,
    mode: Mode,
) -> Result<(), String> {
    if filter.is_some() {
        return Err("only one -i or -e expression can be given".into());
    }
    *filter = Some(FilterArg { expression, mode });
    Ok(())
}

/// Compiles the expression against the loaded file; an error shows the expression with a caret.
fn compile(arg: &FilterArg, store: &wasm_core::store::VariantStore) -> Result<Filter, String> {
    Filter::compile(&arg.expression, store, arg.mode, &WorkingDirFiles).map_err(|e| {
        let flag = match arg.mode {
            Mode::Include => "-i",
            Mode::Exclude => "-e",
        };
        format!("invalid {flag} expression:\n{}", e.render(&arg.expression))
    })
}

fn view(args: &[String]) -> Result<(), String> {
    let mut format = "tsv".to_string();
    let mut file = None;
    let mut filter = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--format" => format = value(&mut it, a, "tsv or vcf")?.clone(),
            other => {
                if !common_option(other, &mut it, &mut filter, &mut file)? {
                    return Err(format!("view: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    if !matches!(format.as_str(), "tsv" | "vcf") {
        return Err(format!("view: unknown format {format:?} (tsv or vcf)"));
    }
    let path = file.ok_or("view: no FILE given")?;
    let ds = open(&path)?;
    let store = &ds.store;
    let rows: Vec<usize> = match &filter {
        Some(arg) => compile(arg, store)?
            .evaluate(store)
            .pass
            .iter_ones()
            .collect(),
        None => (0..store.len()).collect(),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let r = if format == "tsv" {
        export::write_tsv(&mut out, store, rows.into_iter())
    } else {
        (|| {
            for i in rows {
                export::write_vcf_record(&mut out, store, i)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })()
    };
    write_result(r.and_then(|()| out.flush()))
}

fn query_cmd(args: &[String]) -> Result<(), String> {
    let mut format = None;
    let mut file = None;
    let mut filter = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--format" => format = Some(value(&mut it, a, "a format")?.clone()),
            f if f.len() > 2 && f.starts_with("-f") => format = Some(f[2..].to_string()),
            other => {
                if !common_option(other, &mut it, &mut filter, &mut file)? {
                    return Err(format!("query: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    let format = format.ok_or("query: no -f FORMAT given (e.g. -f '%CHROM\\t%POS\\n')")?;
    let bad_format =
        |e: query::QueryFormatError| format!("invalid -f format:\n{}", e.render(&format));
    let parsed = QueryFormat::parse(&format).map_err(bad_format)?;
    let path = file.ok_or("query: no FILE given")?;
    let ds = open(&path)?;
    let store = &ds.store;
    parsed.check(store).map_err(bad_format)?;
    let compiled = filter.as_ref().map(|arg| compile(arg, store)).transpose()?;

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut line = Vec::new();
    let r = (|| {
        for i in 0..store.len() {
            line.clear();
            match &compiled {
                None => parsed.render(store, i, None, &mut line),
                Some(f) => {
                    let Some(samples) = query::select(&f.evaluate_record(store, i), f.mode())
                    else {
                        continue;
                    };
                    parsed.render(store, i, Some(&samples), &mut line);
                }
            }
            out.write_all(&line)?;
        }
        Ok(())
    })();
    write_result(r.and_then(|()| out.flush()))
}

fn stats_cmd(args: &[String]) -> Result<(), String> {
    let mut json = false;
    let mut file = None;
    for a in args {
        match a.as_str() {
            "--json" => json = true,
            f if !f.starts_with('-') => file = Some(f.to_string()),
            other => return Err(format!("stats: unknown option {other:?}\n{USAGE}")),
        }
    }
    let path = file.ok_or("stats: no FILE given")?;
    let ds = open(&path)?;
    let s = stats::compute(&ds.store);
    let text = if json {
        let value = serde_json::json!({
            "summary": ds.summary,
            "stats": s,
        });
        serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
    } else {
        let mut t = String::new();
        let mut line = |k: &str, v: u64| t.push_str(&format!("SN\t{k}\t{v}\n"));
        line("number of samples:", s.samples);
        line("number of records:", s.records);
        line("number of no-ALTs:", s.no_alts);
        line("number of SNPs:", s.snps);
        line("number of MNPs:", s.mnps);
        line("number of indels:", s.indels);
        line("number of others:", s.others);
        line("number of multiallelic sites:", s.multiallelic);
        line("number of multiallelic SNP sites:", s.multiallelic_snps);
        t
    };
    write_result(writeln!(io::stdout(), "{text}"))
}
