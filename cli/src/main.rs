//! `enclave`: Enclave's engine on the command line, for batch work, benchmarks and the
//! differential tests against bcftools. Same decryption, parsing, store, filter and export code
//! as the browser.
//!
//! ```text
//! enclave view  [-i EXPR | -e EXPR] [-r REGION [--index IDX]] [--key KEY [--passphrase-file F]]
//!               [-f tsv|vcf] [--threads N] [--batch N] FILE
//! enclave query -f FORMAT [-i EXPR | -e EXPR] [-r REGION [--index IDX]]
//!               [--key KEY [--passphrase-file F]] [--threads N] [--batch N] FILE
//! enclave stats [--json] [--key KEY [--passphrase-file F]] FILE
//! enclave stats --bcftools|--qc [-i EXPR | -e EXPR] [-r REGION [--index IDX]] [--ped F]
//!               [--key KEY [--passphrase-file F]] FILE
//! enclave check [--ped FILE.ped] [--json] [--key KEY [--passphrase-file F]] FILE
//! enclave decrypt --key KEY [--passphrase-file F] [-o OUT] FILE.c4gh
//! enclave encrypt --recipient PUBKEY... [--key SENDER [--passphrase-file F]]
//!                 [--edit-list N,N,...] [-o OUT] FILE
//! enclave keygen (--passphrase-file F | --no-passphrase) [--kdf KDF] [-C COMMENT] [-f] -o NAME
//! enclave view --ped FILE.ped --mode MODE [...] FILE      (family analysis: [`family`])
//! enclave explain --ped FILE.ped -r CHR:POS FILE
//! enclave export -f vcf|tsv|json [-i EXPR | -e EXPR] [-r REGIONS] [--genes LIST] [--ped …] FILE
//! ```
//!
//! `query` is an addition to DESIGN.md's CLI contract: bcftools' `query -f` format language
//! (`wasm_core::export::query`), used by the filter conformance tests and for custom TSV.
//! Crypt4GH files are recognised by their magic bytes, never by name ([`stream::Source`]); the
//! Crypt4GH commands live in [`crypt4gh`], key and passphrase handling in [`keys`], `-r` and
//! index lookup in [`regions`]. `view` and `query` stream the file ([`stream`]: batches printed
//! as they are parsed; [`parallel`]: parts of the file on every core, printed in file order)
//! through one printer ([`print`]), which also prints a store read whole (`-r` through an
//! index, `--batch 0`). The pedigree check is [`check`].

mod check;
mod crypt4gh;
mod export;
mod family;
mod files;
mod keys;
mod output;
mod parallel;
mod print;
mod regions;
mod selection_stats;
mod stream;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use wasm_core::bitmap::Bitmap;
use wasm_core::export::query::QueryFormat;
use wasm_core::filter::{Filter, Mode};
use wasm_core::formats::ReadOptions;
use wasm_core::regions::RegionSet;
use wasm_core::stats;

use crate::files::WorkingDirFiles;
use crate::keys::KeyArgs;
use crate::parallel::Parallel;
use crate::print::{FilterArg, Job, Output, Printer, Stop};
use crate::regions::RegionArgs;

pub(crate) const USAGE: &str = "usage:
  enclave view  [-i EXPR | -e EXPR] [-r REGION [--index IDX]] [--key KEY [--passphrase-file F]]
                [-f tsv|vcf] [--threads N] [--batch N] FILE
                     print records (tsv: CHROM POS REF ALT, as bcftools query)
  enclave query -f FORMAT [-i EXPR | -e EXPR] [-r REGION [--index IDX]]
                [--key KEY [--passphrase-file F]] [--threads N] [--batch N] FILE
                     print records in a bcftools query format, e.g.
                     -f '%CHROM\\t%POS[\\t%SAMPLE=%GT]\\n'
  enclave stats [--json] [--key KEY [--passphrase-file F]] FILE
                     summary counts (as bcftools stats, section SN)
  enclave stats --bcftools|--qc [-i EXPR | -e EXPR] [-r REGION [--index IDX]]
                [--key KEY [--passphrase-file F]] [--ped FILE.ped [--build B]] FILE
                     --bcftools: bcftools stats -s - (1.24) in its text format, for MultiQC
                     and plot-vcfstats; --qc: the QC beyond it as JSON (FILTER, contigs,
                     consequences, GQ, allele balance; with --ped each trio's Mendelian
                     error rate and de novo count)
  enclave check [--ped FILE.ped] [--json] [--key KEY [--passphrase-file F]] FILE
                     pedigree check: sex from chrX, relatedness of every pair, and the
                     warnings where they contradict the PED (exit 0 with warnings)
  enclave decrypt --key KEY [--passphrase-file F] [-o OUT] FILE.c4gh
                     the plaintext of a Crypt4GH file, to OUT or standard output
  enclave encrypt --recipient PUBKEY... [--key SENDER [--passphrase-file F]]
                  [--edit-list N,N,...] [-o OUT] FILE
                     a Crypt4GH file readable by each recipient, to OUT or standard output
  enclave keygen (--passphrase-file F | --no-passphrase)
                 [--kdf scrypt|bcrypt|pbkdf2_hmac_sha256] [-C COMMENT] [-f] -o NAME
                     a Crypt4GH key pair: NAME.pub and NAME.sec (c4gh-v1, mode 0600)

  -i EXPR   keep records for which the bcftools expression is true (QUAL>30 && GT=\"het\");
  -e EXPR   drop them instead. `@file` in an expression reads the file (relative to the
            working directory). In query, [...] blocks print the samples the expression
            selected, as bcftools query does.
  -r REGION records overlapping chr, chr:pos or chr:beg-end (several: comma-separated), as
            bcftools view -r. Read through the index beside FILE (FILE.csi or FILE.tbi; for
            NAME.c4gh also NAME.csi / NAME.tbi), reading only the blocks it points to; without
            an index the whole file is read. A region naming chr1 also finds contig 1.
  --index IDX
            the .tbi or .csi index to use with -r instead of the one beside FILE.
  --threads N
            view and query print records as they read them, a batch at a time; a file over
            8 MB is read in parts on the cores no other program is using, printed in file
            order. N parts at once (1: one thread). A record that cannot be read ends the
            command (non-zero exit) after the records before it were printed.
  --batch N records parsed per batch (default 65536); 0 reads the whole file before printing.
  --key KEY a Crypt4GH secret key (.sec, as written by enclave keygen or crypt4gh-keygen).
            view, query and stats read an encrypted FILE with it (found by its first bytes,
            not its name); for encrypt it names the sender (default: a one-off key).
  --passphrase-file F
            the passphrase of a protected KEY, or of the new key for keygen: the first line
            of F, line ending removed. Passphrases are never taken as arguments.
  --no-passphrase
            keygen: store the secret key unprotected (anyone who reads it can decrypt).
  --recipient PUBKEY
            a public key (.pub) the file is encrypted for; repeat for several readers.
  --edit-list N,N,...
            lengths in bytes that alternate skip, keep, skip, ...: readers see only the kept
            parts (after a final skip, the rest is kept).
  -o OUT    decrypt and encrypt write OUT only once the whole file succeeded (decrypted
            OUT is readable by its owner only); keygen refuses to overwrite unless -f.";

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
        "view" if family::wanted(rest) => family::view(rest),
        "view" => view(rest),
        "explain" => family::explain(rest),
        "export" => export::export(rest),
        "query" => query_cmd(rest),
        "stats" => stats_cmd(rest),
        "check" => check::check(rest),
        "decrypt" => crypt4gh::decrypt(rest),
        "encrypt" => crypt4gh::encrypt(rest),
        "keygen" => crypt4gh::keygen(rest),
        "-h" | "--help" | "help" => {
            println!(
                "{USAGE}\n\nFamily analysis (docs/INHERITANCE.md):\n{}\n\nExport (what the app downloads):\n{}",
                family::USAGE,
                export::USAGE
            );
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    }
}

/// Reads a VCF / BCF, plain or compressed, whole, decrypting it first when its first bytes say
/// it is Crypt4GH: sniffing by content means a renamed file is still read correctly.
pub(crate) fn open(path: &str, keys: &KeyArgs) -> Result<wasm_core::Dataset, String> {
    open_whole(path, keys, true)
}

/// [`open`], saying that a key is not used only when `noted` (a streamed attempt said it).
fn open_whole(path: &str, keys: &KeyArgs, noted: bool) -> Result<wasm_core::Dataset, String> {
    stream::Source::open(path, keys, noted)?
        .read(&ReadOptions::default())
        .map_err(|e| keys::ingest_error(path, keys, e))
}

/// Prints the records of FILE that `job` keeps: streamed a batch at a time, or with `-r`
/// through the index only the records overlapping the regions.
fn print_file(
    path: &str,
    keys: &KeyArgs,
    regions: &RegionArgs,
    job: &Job,
    tuning: &Tuning,
) -> Result<(), String> {
    let set = regions.parsed()?;
    if let Some(set) = &set {
        if let Some(index) = regions.index.clone().or_else(|| regions::find_index(path)) {
            let ds = regions::query(path, &index, set, keys)?;
            return print_store(&ds.store, None, job);
        }
        eprintln!(
            "enclave: note: no index beside {path} ({path}.csi or {path}.tbi): reading the whole file for -r"
        );
    }
    let mut skip = 0;
    let streamed = tuning.batch != Some(0);
    if streamed {
        let source = stream::Source::open(path, keys, true)?;
        let threads = tuning.threads(source.size);
        if threads > 1 {
            let key = source.key.as_ref();
            match parallel::stream(path, key, job, set.as_ref(), tuning.batch, threads) {
                Parallel::Done => return Ok(()),
                Parallel::Output(e) => return write_result(Err(e)),
                Parallel::NotSplit => {}
                Parallel::NeedsWholeFile => {
                    return print_whole(path, keys, set.as_ref(), job, 0, false);
                }
                Parallel::Resume { records } => skip = records,
            }
        }
        match stream::stream(source, keys, job, set.as_ref(), tuning.batch, skip)? {
            stream::Streamed::Done => return Ok(()),
            stream::Streamed::NeedsWholeFile => {}
        }
    }
    print_whole(path, keys, set.as_ref(), job, skip, !streamed)
}

/// Reads FILE whole, then prints its records after the first `skip` (already printed).
fn print_whole(
    path: &str,
    keys: &KeyArgs,
    regions: Option<&RegionSet>,
    job: &Job,
    skip: u64,
    noted: bool,
) -> Result<(), String> {
    let ds = open_whole(path, keys, noted)?;
    let mask = stream::mask(&ds.store, regions, skip);
    print_store(&ds.store, mask.as_ref(), job)
}

/// Prints the records of a store read whole.
fn print_store(
    store: &wasm_core::store::VariantStore,
    mask: Option<&Bitmap>,
    job: &Job,
) -> Result<(), String> {
    let files = WorkingDirFiles;
    job.check(store, &files)?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let r = match Printer::new(job, &files).print(store, mask, &mut out) {
        Ok(()) => Ok(()),
        Err(Stop::Output(e)) => Err(e),
        Err(Stop::Invalid(message)) => return Err(message),
    };
    write_result(r.and_then(|()| out.flush()))
}

/// `--batch N` (records parsed per batch when streaming; 0 reads the whole file first) and
/// `--threads N` (parts of the file read at once; 1: one thread).
#[derive(Default)]
struct Tuning {
    batch: Option<usize>,
    threads: Option<usize>,
}

/// Files smaller than this are streamed in one thread unless `--threads` says otherwise.
const PARALLEL_BYTES: u64 = 8 << 20;

impl Tuning {
    /// Takes `--batch N` / `--threads N`; `Ok(false)` for other options.
    fn option(&mut self, a: &str, it: &mut std::slice::Iter<'_, String>) -> Result<bool, String> {
        let slot = match a {
            "--batch" => &mut self.batch,
            "--threads" => &mut self.threads,
            _ => return Ok(false),
        };
        let v = value(it, a, "a number")?;
        *slot = Some(
            v.parse()
                .map_err(|_| format!("{a} takes a number, not {v:?}"))?,
        );
        Ok(true)
    }

    /// Threads to read a file of `size` bytes with: as given; else, for a file over 8 MB, the
    /// cores no other program is using right now. Parts read in parallel take more CPU in all
    /// than one thread (each part reads the header and starts a fresh batch), and on a busy
    /// machine the scheduler shares CPU per session, not per thread, so they only help on idle
    /// cores (BENCHMARKS.md, "Streaming the CLI").
    fn threads(&self, size: Option<u64>) -> usize {
        match self.threads {
            Some(n) => n.max(1),
            None if size.is_some_and(|s| s >= PARALLEL_BYTES) => idle_cores(),
            None => 1,
        }
    }
}

/// The cores less the threads other programs are running right now (the fourth field of
/// `/proc/loadavg` counts the runnable ones, this one included); all of them when that cannot be
/// read.
fn idle_cores() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let running = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| {
            let field = text.split_whitespace().nth(3)?;
            field.split('/').next()?.parse::<usize>().ok()
        });
    match running {
        Some(running) => cores.saturating_sub(running.saturating_sub(1)).max(1),
        None => cores,
    }
}

/// Takes the one positional FILE argument.
pub(crate) fn set_file(file: &mut Option<String>, arg: &str) -> Result<(), String> {
    if let Some(first) = file {
        return Err(format!("more than one FILE given ({first:?}, {arg:?})"));
    }
    *file = Some(arg.to_string());
    Ok(())
}

/// Maps a closed pipe (`enclave view … | head`) to success.
pub(crate) fn write_result(r: io::Result<()>) -> Result<(), String> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| format!("writing output: {e}")),
    }
}

/// Reads the value of an option that takes one, or says which is missing.
fn value<'a>(
    it: &mut std::slice::Iter<'a, String>,
    option: &str,
    what: &str,
) -> Result<&'a String, String> {
    it.next().ok_or_else(|| format!("{option} needs {what}"))
}

/// Handles the options `view`, `query` and `stats --bcftools|--qc` share (filter, key, regions,
/// FILE); `Ok(false)` when `a` is not one of them.
fn common_option(
    a: &str,
    it: &mut std::slice::Iter<'_, String>,
    filter: &mut Option<FilterArg>,
    file: &mut Option<String>,
    keys: &mut KeyArgs,
    regions: &mut RegionArgs,
) -> Result<bool, String> {
    if keys.option(a, it)? || regions.option(a, it)? {
        return Ok(true);
    }
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
        f if !f.starts_with('-') || f == "-" => set_file(file, f)?,
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

/// Reads FILE whole for `stats --bcftools|--qc`, or with `-r` only the records overlapping the
/// regions: through the index when there is one, else by reading it all; then the second value
/// masks the records to keep.
fn load(
    path: &str,
    keys: &KeyArgs,
    regions: &RegionArgs,
) -> Result<(wasm_core::Dataset, Option<Bitmap>), String> {
    let Some(set) = regions.parsed()? else {
        return open(path, keys).map(|ds| (ds, None));
    };
    match regions.index.clone().or_else(|| regions::find_index(path)) {
        Some(index) => regions::query(path, &index, &set, keys).map(|ds| (ds, None)),
        None => {
            eprintln!(
                "enclave: note: no index beside {path} ({path}.csi or {path}.tbi): reading the whole file for -r"
            );
            let ds = open(path, keys)?;
            let mask = set.mask(&ds.store);
            Ok((ds, Some(mask)))
        }
    }
}

/// Compiles the expression against the loaded file; an error shows the expression with a caret.
/// Warnings (a bare value, which never holds) go to stderr with their caret.
fn compile(arg: &FilterArg, store: &wasm_core::store::VariantStore) -> Result<Filter, String> {
    let flag = match arg.mode {
        Mode::Include => "-i",
        Mode::Exclude => "-e",
    };
    let filter = Filter::compile(&arg.expression, store, arg.mode, &WorkingDirFiles)
        .map_err(|e| format!("invalid {flag} expression:\n{}", e.render(&arg.expression)))?;
    for w in filter.warnings() {
        eprintln!(
            "enclave: warning: in the {flag} expression:\n{}",
            w.render(&arg.expression)
        );
    }
    Ok(filter)
}

/// The records the expression and the regions' mask keep: `None` when neither is given (every
/// record).
fn selection(
    filter: Option<&FilterArg>,
    mask: Option<Bitmap>,
    store: &wasm_core::store::VariantStore,
) -> Result<Option<Bitmap>, String> {
    let mut keep = match filter {
        Some(arg) => Some(compile(arg, store)?.evaluate(store).pass),
        None => None,
    };
    if let Some(mask) = mask {
        match &mut keep {
            Some(k) => k.and_with(&mask),
            None => keep = Some(mask),
        }
    }
    Ok(keep)
}

fn view(args: &[String]) -> Result<(), String> {
    let mut format = "tsv".to_string();
    let mut file = None;
    let mut filter = None;
    let mut keys = KeyArgs::default();
    let mut regions = RegionArgs::default();
    let mut tuning = Tuning::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--format" => format = value(&mut it, a, "tsv or vcf")?.clone(),
            other if tuning.option(other, &mut it)? => {}
            other => {
                if !common_option(
                    other,
                    &mut it,
                    &mut filter,
                    &mut file,
                    &mut keys,
                    &mut regions,
                )? {
                    return Err(format!("view: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    let output = match format.as_str() {
        "tsv" => Output::Tsv,
        "vcf" => Output::Vcf,
        _ => return Err(format!("view: unknown format {format:?} (tsv or vcf)")),
    };
    keys.check()?;
    let path = file.ok_or("view: no FILE given")?;
    print_file(&path, &keys, &regions, &Job::new(output, filter), &tuning)
}

fn query_cmd(args: &[String]) -> Result<(), String> {
    let mut format = None;
    let mut file = None;
    let mut filter = None;
    let mut keys = KeyArgs::default();
    let mut regions = RegionArgs::default();
    let mut tuning = Tuning::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--format" => format = Some(value(&mut it, a, "a format")?.clone()),
            f if f.len() > 2 && f.starts_with("-f") => format = Some(f[2..].to_string()),
            other if tuning.option(other, &mut it)? => {}
            other => {
                if !common_option(
                    other,
                    &mut it,
                    &mut filter,
                    &mut file,
                    &mut keys,
                    &mut regions,
                )? {
                    return Err(format!("query: unknown option {other:?}\n{USAGE}"));
                }
            }
        }
    }
    let format = format.ok_or("query: no -f FORMAT given (e.g. -f '%CHROM\\t%POS\\n')")?;
    let parsed = QueryFormat::parse(&format).map_err(|e| print::bad_format(&format, e))?;
    keys.check()?;
    let path = file.ok_or("query: no FILE given")?;
    let job = Job::new(Output::Query(parsed), filter);
    print_file(&path, &keys, &regions, &job, &tuning)
}

fn stats_cmd(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--bcftools" || a == "--qc") {
        return selection_stats::run(args);
    }
    let mut json = false;
    let mut file = None;
    let mut keys = KeyArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            other if keys.option(other, &mut it)? => {}
            f if !f.starts_with('-') => file = Some(f.to_string()),
            other => return Err(format!("stats: unknown option {other:?}\n{USAGE}")),
        }
    }
    keys.check()?;
    let path = file.ok_or("stats: no FILE given")?;
    let ds = open(&path, &keys)?;
    let s = stats::compute(&ds.store);
    let text = if json {
        let mut summary = serde_json::to_value(&ds.summary).map_err(|e| e.to_string())?;
        // Where the store's bytes go, column by column (the memory budget's breakdown).
        summary["store_columns"] =
            serde_json::to_value(ds.store.column_bytes()).map_err(|e| e.to_string())?;
        let value = serde_json::json!({
            "summary": summary,
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
