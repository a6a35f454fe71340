//! `enclave-bench`: the native half of `cargo xtask bench`.
//!
//! - `prepare DIR RECORDS`: writes DIR/synth.vcf.gz (BGZF, [`synthetic_vcf`]), DIR/synth.vcf.gz.c4gh
//!   (encrypted for the fixed benchmark key), DIR/bench.key (that key's raw 32 secret bytes, for the wasm
//!   driver), DIR/bench.sec (the same key as an unprotected c4gh-v1 file, for the reference CLI).
//! - `native DIR RUNS`: prints `name seconds bytes` lines (the best of RUNS) for decryption and
//!   for ingest of the plain and the encrypted file.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

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
        _ => Err("usage: enclave-bench prepare DIR RECORDS | native DIR RUNS".into()),
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
    let plain = bgzip(&synthetic_vcf(records)).map_err(|e| io("bgzip", e))?;
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
    Ok(())
}

fn native(dir: &Path, runs: u32) -> Result<(), String> {
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let plain = read("synth.vcf.gz")?;
    let cipher = read("synth.vcf.gz.c4gh")?;
    let raw: [u8; 32] = read("bench.key")?
        .try_into()
        .map_err(|_| "bench.key must hold 32 bytes")?;
    let key = SecretKey::from_bytes(raw);
    let best = |f: &dyn Fn() -> Result<u64, String>| -> Result<(f64, u64), String> {
        let mut best = f64::INFINITY;
        let mut value = 0;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            value = f()?;
            best = best.min(started.elapsed().as_secs_f64());
        }
        Ok((best, value))
    };
    let (t, n) = best(&|| decrypt(&cipher, &key).map_err(|e| e.to_string()))?;
    println!("decrypt {t:.6} {n}");
    let (t, n) = best(&|| ingest(&plain, None))?;
    println!("ingest_plain {t:.6} {n}");
    let (t, n) = best(&|| ingest(&cipher, Some(&key)))?;
    println!("ingest_encrypted {t:.6} {n}");
    Ok(())
}
