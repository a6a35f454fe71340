//! `enclave`: Enclave's engine on the command line, for batch work, benchmarks and the
//! differential tests against bcftools. Same parsing, store and export code as the browser.
//!
//! ```text
//! enclave view  [-f tsv|vcf] FILE
//! enclave stats [--json] FILE
//! ```

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use wasm_core::{export, progress::Silent, read_dataset, stats};

const USAGE: &str = "usage:
  enclave view  [-f tsv|vcf] FILE   print records (tsv: CHROM POS REF ALT, as bcftools query)
  enclave stats [--json] FILE       summary counts (as bcftools stats, section SN)

Filter expressions (-i/-e), regions (-r) and Crypt4GH keys (--key) arrive with later work.";

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

fn view(args: &[String]) -> Result<(), String> {
    let mut format = "tsv".to_string();
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--format" => format = it.next().ok_or("-f needs tsv or vcf")?.clone(),
            "-i" | "-e" | "-r" | "--key" | "--passphrase-file" => {
                return Err(format!(
                    "{a} is not supported yet (filtering, regions and Crypt4GH come with later work)"
                ));
            }
            f if !f.starts_with('-') || f == "-" => file = Some(f.to_string()),
            other => return Err(format!("view: unknown option {other:?}\n{USAGE}")),
        }
    }
    let path = file.ok_or("view: no FILE given")?;
    let ds = open(&path)?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let store = &ds.store;
    let r = match format.as_str() {
        "tsv" => export::write_tsv(&mut out, store, 0..store.len()),
        "vcf" => (|| {
            for i in 0..store.len() {
                export::write_vcf_record(&mut out, store, i)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })(),
        other => return Err(format!("view: unknown format {other:?} (tsv or vcf)")),
    };
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
