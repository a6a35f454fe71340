//! `enclave-bench`: the native half of `cargo xtask bench`.
//!
//! - `prepare DIR RECORDS`: writes DIR/synth.vcf.gz (BGZF, [`synthetic_vcf`]), DIR/synth.vcf.gz.c4gh
//!   (encrypted for the fixed benchmark key), DIR/bench.key (that key's raw 32 secret bytes, for the wasm
//!   driver), DIR/bench.sec (the same key as an unprotected c4gh-v1 file, for the reference CLI).
//!   It also writes DIR/genome.1s.vcf.gz and DIR/genome.3s.vcf.gz (RECORDS records of a
//!   realistic GRCh38 call set, [`enclave_bench::genome`], streamed into BGZF), each with a `.tbi`
//!   and a `.csi` from `bcftools index` when bcftools is on PATH, and DIR/inputs.txt
//!   (`name text_bytes records` per input, for MB/s of plain text). A genome file whose
//!   `.stamp` shows the same generator output is kept.
//! - `native DIR RUNS`: prints `name seconds bytes` lines (the best of RUNS) for decryption and
//!   for ingest of the plain and the encrypted file.
//! - `refilter FILE RUNS EXPR`: loads FILE once (`ingest seconds records`), then times compiling and
//!   evaluating the `-i` expression EXPR over the loaded store (`refilter seconds passing`), the
//!   app's re-filter step, natively.
//! - `qcstats FILE RUNS`: loads FILE once (`ingest seconds records`), then times the QC
//!   statistics over the loaded store: every section of `bcftools stats -s -`
//!   (`wasm_core::stats::bcftools`, line `bcftools_stats seconds records`), the QC beyond it
//!   (`wasm_core::stats::qc`, line `qc seconds annotated`), and both (`qc_total`).
//! - `genome RECORDS SAMPLES`: the genome VCF text on standard output.
//! - `inheritance FILE RUNS`: loads FILE (the three-sample genome: HG002 the affected son of
//!   HG003 and HG004, [`enclave_bench::family::GENOME_TRIO_PED`]), times reading every call's
//!   state under the default gates (`states seconds records`), then each mode's selection over
//!   the loaded store, the app's step when a mode is ticked ([`enclave_bench::modes`], the call
//!   `bench/run-wasm.mjs … modes` times in V8; `mode:NAME seconds kept`, best of RUNS), what the genome as one part offers other parts for comp-het (`evidence seconds
//!   candidates`, `evidence_bytes 0 json-bytes`), and one explanation (`explain seconds
//!   reasons`).
//! - `family-demo DIR`: writes DIR/family.vcf and DIR/family.ped, the synthetic annotated
//!   families of `/?demo=family` ([`enclave_bench::family::demo_family`]).
//! - `shards FILE N RUNS`: times one whole read of FILE, planning N shards without an index
//!   (`formats::shards::plan`) and reading each shard in turn (`read_shard`), one after the
//!   other in this process: `whole`, `plan` and `shard K` lines (`name seconds records`), then
//!   `shards_max` (the slowest shard: with N workers the read takes about plan + this).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use enclave_bench::genome::{GenomeSpec, GenomeSummary, write_genome_vcf};
use enclave_bench::{bgzip, decrypt, ingest, synthetic_vcf};
use wasm_core::crypt4gh::keys::Kdf;
use wasm_core::crypt4gh::{Encryptor, SecretKey};

const BENCH_SECRET: [u8; 32] = *b"enclave benchmark key, no secret";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["prepare", dir, records] => records
            .parse()
            .map_err(|_| format!("RECORDS must be a number, not {records}"))
            .and_then(|n| prepare(Path::new(dir), n)),
        ["native", dir, runs] => runs
            .parse()
            .map_err(|_| format!("RUNS must be a number, not {runs}"))
            .and_then(|n| native(Path::new(dir), n)),
        ["inflate", file, runs] => runs
            .parse()
            .map_err(|_| format!("RUNS must be a number, not {runs}"))
            .and_then(|n| enclave_bench::inflate::native(Path::new(file), n)),
        ["refilter", file, runs, expression] => runs
            .parse()
            .map_err(|_| format!("RUNS must be a number, not {runs}"))
            .and_then(|n| refilter(Path::new(file), n, expression)),
        ["qcstats", file, runs] => runs
            .parse()
            .map_err(|_| format!("RUNS must be a number, not {runs}"))
            .and_then(|n| qcstats(Path::new(file), n)),
        ["shards", file, n, runs] => match (n.parse(), runs.parse()) {
            (Ok(n), Ok(runs)) => shards(Path::new(file), n, runs),
            _ => Err(format!("N and RUNS must be numbers, not {n} and {runs}")),
        },
        ["inheritance", file, runs] => runs
            .parse()
            .map_err(|_| format!("RUNS must be a number, not {runs}"))
            .and_then(|n| inheritance(Path::new(file), n)),
        ["family-demo", dir] => family_demo(Path::new(dir)),
        ["genome", records, samples] => match (records.parse(), samples.parse()) {
            (Ok(records), Ok(samples)) => genome_to_stdout(records, samples),
            _ => Err(format!(
                "RECORDS and SAMPLES must be numbers, not {records} and {samples}"
            )),
        },
        _ => Err(
            "usage: enclave-bench prepare DIR RECORDS | native DIR RUNS | \
inflate FILE RUNS | refilter FILE RUNS EXPR | qcstats FILE RUNS | shards FILE N RUNS | genome RECORDS SAMPLES | \
inheritance FILE RUNS | family-demo DIR"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("enclave-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn prepare(dir: &Path, records: u64) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    std::fs::create_dir_all(dir).map_err(|e| io("mkdir", e))?;
    let text = synthetic_vcf(records);
    let plain = bgzip(&text).map_err(|e| io("bgzip", e))?;
    let mut inputs = format!("synth.vcf.gz {} {records}\n", text.len());
    drop(text);
    // A fixed key: the benchmark's data is synthetic and its key no secret.
    let raw = BENCH_SECRET.to_vec();
    let key = SecretKey::from_bytes(BENCH_SECRET);
    let mut enc = Encryptor::new(Vec::new(), Some(&key), &[*key.public()], None)
        .map_err(|e| e.to_string())?;
    enc.write_all(&plain).map_err(|e| io("encrypt", e))?;
    let cipher = enc.finish().map_err(|e| io("encrypt", e))?;
    let sec = key
        .to_file(Kdf::None, None, Some("benchmark key"))
        .map_err(|e| e.to_string())?;
    for (name, bytes) in [
        ("synth.vcf.gz", plain.as_slice()),
        ("synth.vcf.gz.c4gh", cipher.as_slice()),
        ("bench.key", raw.as_slice()),
        ("bench.sec", sec.as_bytes()),
    ] {
        std::fs::write(dir.join(name), bytes).map_err(|e| io(name, e))?;
    }
    println!(
        "{records} records, {} bytes BGZF, {} bytes encrypted",
        plain.len(),
        cipher.len()
    );
    for samples in GENOME_SAMPLES {
        let summary = prepare_genome(dir, records, samples)?;
        inputs.push_str(&format!(
            "{} {} {}\n",
            genome_name(samples),
            summary.text_bytes,
            summary.records
        ));
    }
    let path = dir.join("inputs.txt");
    fs::write(&path, inputs).map_err(|e| io(&path.display().to_string(), e))
}

fn native(dir: &Path, runs: u32) -> Result<(), String> {
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let plain = read("synth.vcf.gz")?;
    let cipher = read("synth.vcf.gz.c4gh")?;
    let raw: [u8; 32] = read("bench.key")?
        .try_into()
        .map_err(|_| "bench.key must hold 32 bytes")?;
    let key = SecretKey::from_bytes(raw);
    let best = |f: &dyn Fn() -> Result<u64, String>| best_of(runs, f);
    let (t, n) = best(&|| decrypt(&cipher, &key).map_err(|e| e.to_string()))?;
    println!("decrypt {t:.6} {n}");
    let (t, n) = best(&|| ingest(&plain, None))?;
    println!("ingest_plain {t:.6} {n}");
    let (t, n) = best(&|| ingest(&cipher, Some(&key)))?;
    println!("ingest_encrypted {t:.6} {n}");
    Ok(())
}

/// The whole-genome files: one sample (every CLI row), three (ingest and memory per variant).
const GENOME_SAMPLES: [usize; 2] = [1, 3];

fn genome_name(samples: usize) -> String {
    format!("genome.{samples}s.vcf.gz")
}

/// Writes DIR/genome.{samples}s.vcf.gz, streamed from the generator through BGZF to disk, and
/// indexes it (`.tbi` and `.csi`) when bcftools is on PATH. Skipped when the file's `.stamp`
/// records the same spec and the same hash of the generator's whole output: the 5-million-record
/// files take minutes to compress and index, hashing the text takes seconds.
fn prepare_genome(dir: &Path, records: u64, samples: usize) -> Result<GenomeSummary, String> {
    let spec = GenomeSpec::new(records, samples);
    let name = genome_name(samples);
    let path = dir.join(&name);
    let stamp = dir.join(format!("{name}.stamp"));
    let bcftools = which("bcftools");
    let started = Instant::now();
    let (hash, summary) = text_hash(&spec)?;
    let wanted = format!("{records} {samples} {hash:016x} {}", summary.text_bytes);
    let indexed = bcftools.is_none()
        || ["tbi", "csi"]
            .iter()
            .all(|ext| dir.join(format!("{name}.{ext}")).is_file());
    let current = fs::read_to_string(&stamp).unwrap_or_default();
    if current.trim() == wanted && path.is_file() && indexed {
        println!("{name}: up to date ({records} records)");
        return Ok(summary);
    }
    // A partial file never takes the real name: a stamp-less or interrupted run regenerates.
    let _ = fs::remove_file(&stamp);
    let partial = dir.join(format!("{name}.partial"));
    let failed = |what: &str, e: io::Error| format!("{what} {}: {e}", partial.display());
    let file = File::create(&partial).map_err(|e| failed("cannot create", e))?;
    let mut bgzf = noodles::bgzf::io::Writer::new(BufWriter::with_capacity(1 << 20, file));
    write_genome_vcf(&mut bgzf, &spec).map_err(|e| failed("cannot write", e))?;
    bgzf.finish()
        .and_then(|mut inner| inner.flush())
        .map_err(|e| failed("cannot write", e))?;
    // An index of the previous file would point into the wrong blocks.
    for ext in ["tbi", "csi"] {
        let _ = fs::remove_file(dir.join(format!("{name}.{ext}")));
    }
    fs::rename(&partial, &path).map_err(|e| failed("cannot rename", e))?;
    let bgzf_bytes = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    match &bcftools {
        Some(bcftools) => {
            for flag in ["--tbi", "--csi"] {
                let output = std::process::Command::new(bcftools)
                    .args(["index", "--force", flag])
                    .arg(&path)
                    .output()
                    .map_err(|e| format!("cannot run bcftools index: {e}"))?;
                if !output.status.success() {
                    return Err(format!(
                        "bcftools index {flag} {} failed: {}",
                        path.display(),
                        String::from_utf8_lossy(&output.stderr).trim()
                    ));
                }
            }
        }
        None => println!("{name}: bcftools not on PATH, not indexed (region rows need it)"),
    }
    fs::write(&stamp, format!("{wanted}\n")).map_err(|e| format!("{}: {e}", stamp.display()))?;
    println!(
        "{name}: {records} records, {:.1} MB text, {:.1} MB BGZF ({:.1} s)",
        summary.text_bytes as f64 / 1e6,
        bgzf_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(summary)
}

/// FNV-1a over the whole text the generator writes for `spec`, and its summary.
fn text_hash(spec: &GenomeSpec) -> Result<(u64, GenomeSummary), String> {
    struct Fnv(u64);
    impl Write for Fnv {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            for &b in buf {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut fnv = Fnv(0xcbf2_9ce4_8422_2325);
    let summary = write_genome_vcf(&mut fnv, spec).map_err(|e| e.to_string())?;
    Ok((fnv.0, summary))
}

/// An executable named `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Reads `path` into a store, printing `ingest seconds records`.
fn load_timed(path: &Path) -> Result<wasm_core::Dataset, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    let started = Instant::now();
    let dataset = wasm_core::read_dataset(file, size, &mut wasm_core::progress::Silent)
        .map_err(|e| format!("{}: {}", path.display(), e.report()))?;
    println!(
        "ingest {:.6} {}",
        started.elapsed().as_secs_f64(),
        dataset.summary.records
    );
    Ok(dataset)
}

/// Loads `path` once, then times compiling and evaluating `expression` over the store.
fn refilter(path: &Path, runs: u32, expression: &str) -> Result<(), String> {
    use wasm_core::filter::{Filter, Mode, NoFiles};
    let dataset = load_timed(path)?;
    let store = &dataset.store;
    let mut best = f64::INFINITY;
    let mut passing = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let filter = Filter::compile(expression, store, Mode::Include, &NoFiles)
            .map_err(|e| format!("invalid expression:\n{}", e.render(expression)))?;
        passing = filter.evaluate(store).pass.count_ones();
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!("refilter {best:.6} {passing}");
    Ok(())
}

/// Loads `path` once, then times the QC statistics over the store (best of `runs`).
fn qcstats(path: &Path, runs: u32) -> Result<(), String> {
    use wasm_core::stats::{bcftools, qc};
    let dataset = load_timed(path)?;
    let store = &dataset.store;
    let (sections, records) =
        best_of(runs, &|| Ok(bcftools::compute(store, None).summary.records))?;
    println!("bcftools_stats {sections:.6} {records}");
    let (rest, annotated) = best_of(runs, &|| {
        Ok(qc::compute(store, None)
            .consequences
            .map_or(0, |c| c.annotated))
    })?;
    println!("qc {rest:.6} {annotated}");
    let (total, _) = best_of(runs, &|| {
        let s = bcftools::compute(store, None);
        let q = qc::compute(store, None);
        Ok(s.summary.records + q.records)
    })?;
    println!("qc_total {total:.6} {records}");
    Ok(())
}

/// `inheritance FILE RUNS`: states, then every mode over the loaded store, the comp-het part
/// evidence (time, candidates, JSON bytes), then an explanation.
fn inheritance(path: &Path, runs: u32) -> Result<(), String> {
    use enclave_bench::modes::{self, Trio};
    use wasm_core::inheritance::{Analysis, Mode};
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    let started = Instant::now();
    let dataset = wasm_core::read_dataset(file, size, &mut wasm_core::progress::Silent)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let store = &dataset.store;
    println!(
        "ingest {:.6} {}",
        started.elapsed().as_secs_f64(),
        dataset.summary.records
    );
    let pedigree = modes::trio_pedigree()?;
    let options = modes::options(&dataset);
    let (t, _) = best_of(runs, &|| {
        Analysis::new(store, &pedigree, options.clone())
            .map(|_| store.len() as u64)
            .map_err(|e| e.to_string())
    })?;
    println!("states {t:.6} {}", store.len());
    let trio = Trio::new(dataset)?;
    let (store, a) = (&trio.dataset.store, &trio.analysis);
    // Each mode's first tick after the pedigree arrived, as the person ticking it meets it.
    for mode in Mode::ALL {
        let started = Instant::now();
        let kept = trio.mode_change(mode);
        println!(
            "first:{} {:.6} {kept}",
            mode.name(),
            started.elapsed().as_secs_f64()
        );
    }
    let mut first = None;
    // The same call `bench/run-wasm.mjs … modes` times in V8 (`bench_trio_mode`).
    for mode in Mode::ALL {
        let (t, kept) = best_of(runs, &|| Ok(trio.mode_change(mode)))?;
        println!("mode:{} {t:.6} {kept}", mode.name());
        if mode == Mode::DeNovo {
            first = a.evaluate(store, mode).kept().iter_ones().next();
        }
    }
    // What a part offers the others for comp-het across parts: the whole genome as one part is
    // the sum of every part's evidence (JSON, as a worker message would carry it).
    let (t, candidates) = best_of(runs, &|| Ok(a.part_evidence(store, 0).size().0 as u64))?;
    println!("evidence {t:.6} {candidates}");
    let json = serde_json::to_vec(&a.part_evidence(store, 0)).map_err(|e| e.to_string())?;
    println!("evidence_bytes 0 {}", json.len());
    let i = first.unwrap_or(0);
    let (t, reasons) = best_of(runs, &|| {
        Ok(a.explain(store, i, Mode::Recessive)
            .iter()
            .map(|e| e.reasons.len() as u64)
            .sum())
    })?;
    println!("explain {t:.6} {reasons}");
    Ok(())
}

/// `family-demo DIR`: the demo family's VCF and PED.
fn family_demo(dir: &Path) -> Result<(), String> {
    let (vcf, ped) = enclave_bench::family::demo_family();
    for (name, text) in [("family.vcf", vcf), ("family.ped", ped)] {
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// `genome RECORDS SAMPLES`: the generator's text on standard output (a closed pipe is not an
/// error, so `| head` works).
fn genome_to_stdout(records: u64, samples: usize) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match write_genome_vcf(&mut out, &GenomeSpec::new(records, samples)).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// `shards FILE N RUNS`: a whole read, a plan of N shards, and each shard read, best of RUNS.
fn shards(path: &Path, n: usize, runs: u32) -> Result<(), String> {
    use std::rc::Rc;
    use wasm_core::formats::shards::{plan, read_shard};
    use wasm_core::formats::{ReadOptions, ReadSeek};
    use wasm_core::progress::Silent;
    let bytes: Rc<[u8]> = fs::read(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .into();
    let open = || -> Box<dyn ReadSeek> { Box::new(io::Cursor::new(Rc::clone(&bytes))) };
    let failed = |e: wasm_core::IngestError| format!("{}: {}", path.display(), e.report());
    let best = |f: &dyn Fn() -> Result<u64, String>| best_of(runs, f);
    let (t, records) = best(&|| {
        wasm_core::read_dataset(&bytes[..], None, &mut Silent)
            .map(|d| d.summary.records)
            .map_err(failed)
    })?;
    println!("whole {t:.6} {records}");
    let (t, _) = best(&|| {
        plan(open(), None, None, n)
            .map(|p| p.shards.len() as u64)
            .map_err(failed)
    })?;
    let planned = plan(open(), None, None, n).map_err(failed)?;
    println!("plan {t:.6} {}", planned.shards.len());
    if let Some(reason) = planned.single_reason {
        println!("# one shard: {reason}");
    }
    let (mut slowest, mut total) = (0f64, 0u64);
    for (k, spec) in planned.shards.iter().enumerate() {
        let (t, records) = best(&|| {
            read_shard(open(), None, spec, &ReadOptions::default(), &mut Silent)
                .map(|d| d.summary.records)
                .map_err(failed)
        })?;
        println!("shard{k} {t:.6} {records}");
        slowest = slowest.max(t);
        total += records;
    }
    println!("shards_max {slowest:.6} {total}");
    if total != records {
        return Err(format!(
            "the shards hold {total} records, the whole file {records}"
        ));
    }
    Ok(())
}

/// The fastest of `runs` calls of `f` (at least one), in seconds, with the last call's value.
fn best_of(runs: u32, f: &dyn Fn() -> Result<u64, String>) -> Result<(f64, u64), String> {
    let mut best = f64::INFINITY;
    let mut value = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        value = f()?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    Ok((best, value))
}
