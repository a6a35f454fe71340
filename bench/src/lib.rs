//! The work `cargo xtask bench` times, compiled twice from the same source: natively (the
//! `enclave-bench` binary) and for wasm32 (this crate's cdylib, driven by `bench/run-wasm.mjs`
//! under Node's V8, the browser's engine). The wasm module exports plain functions over its own
//! memory — no wasm-bindgen, so nothing but the work itself is measured.
//!
//! Inputs come from [`synthetic_vcf`]: deterministic, realistic in shape (SNPs and indels, INFO
//! DP/AF, three samples with GT:DP:GQ), any size.
//! The whole-genome files of the CLI rows come from [`genome`]; an inheritance mode change over
//! the three-sample one as a trio is [`modes`].

pub mod family;
pub mod genome;
pub mod inflate;
pub mod modes;

use std::io::{self, Read, Write};

use wasm_core::crypt4gh::{PlaintextReader, SecretKey};
use wasm_core::progress::Silent;

/// A VCF 4.2 text of `records` records over chr1–chr22 with three samples.
pub fn synthetic_vcf(records: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(records as usize * 120 + 2048);
    out.extend_from_slice(b"##fileformat=VCFv4.2\n");
    for c in 1..=22 {
        writeln!(out, "##contig=<ID=chr{c},length=250000000>").expect("vec");
    }
    out.extend_from_slice(
        b"##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\n",
    );
    let per_contig = records.div_ceil(22).max(1);
    let mut state = 0x5eed_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let bases = [b'A', b'C', b'G', b'T'];
    let genotypes = ["0/0", "0/1", "1/1", "0|1", "./."];
    let mut pos = 0u64;
    for i in 0..records {
        let contig = i / per_contig + 1;
        if i % per_contig == 0 {
            pos = 10_000;
        }
        let r = next();
        pos += 1 + r % 400;
        let reference = bases[(r >> 8) as usize % 4];
        let alt = bases[((r >> 10) as usize + 1 + (reference as usize)) % 4];
        let indel = r % 10 == 0;
        write!(out, "chr{contig}\t{pos}\t.\t{}", reference as char).expect("vec");
        if indel {
            write!(out, "{}", alt as char).expect("vec");
        }
        write!(
            out,
            "\t{}\t{}\t{}\tDP={};AF={:.3}\tGT:DP:GQ",
            alt as char,
            20 + r % 980,
            if r % 7 == 0 { "LowQual" } else { "PASS" },
            10 + (r >> 16) % 90,
            ((r >> 24) % 1000) as f64 / 1000.0,
        )
        .expect("vec");
        for s in 0..3 {
            let g = next();
            write!(
                out,
                "\t{}:{}:{}",
                genotypes[(g % 5) as usize],
                5 + (g >> 8) % 60,
                (g >> 16) % 99 + s
            )
            .expect("vec");
        }
        out.push(b'\n');
    }
    out
}

/// BGZF-compresses `text` (with the end-of-file block).
pub fn bgzip(text: &[u8]) -> io::Result<Vec<u8>> {
    let mut writer = noodles::bgzf::io::Writer::new(Vec::new());
    writer.write_all(text)?;
    writer.finish()
}

/// Decrypts all of `cipher` with `key`, discarding the plaintext; returns its length.
pub fn decrypt(cipher: &[u8], key: &SecretKey) -> io::Result<u64> {
    let mut reader = PlaintextReader::new(io::Cursor::new(cipher), key)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
    }
}

/// Reads `bytes` into a store (through decryption when `key` is given); returns the record count.
pub fn ingest(bytes: &[u8], key: Option<&SecretKey>) -> Result<u64, String> {
    let dataset = match key {
        Some(key) => wasm_core::read_encrypted_dataset(io::Cursor::new(bytes), key, &mut Silent),
        None => wasm_core::read_dataset(bytes, Some(bytes.len() as u64), &mut Silent),
    }
    .map_err(|e| e.report().to_string())?;
    Ok(dataset.summary.records)
}

#[cfg(target_arch = "wasm32")]
mod exports {
    //! The wasm module's interface: `bench_alloc` hands out buffers in linear memory; the other
    //! functions take (pointer, length) pairs and return a count, or `u64::MAX` on error.

    use super::*;

    fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        // SAFETY: the driver passes buffers it got from `bench_alloc` and filled, never freed.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    fn key(ptr: *const u8, len: usize) -> Option<SecretKey> {
        let bytes: [u8; 32] = slice(ptr, len).try_into().ok()?;
        Some(SecretKey::from_bytes(bytes))
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn bench_alloc(len: usize) -> *mut u8 {
        Vec::leak(vec![0u8; len]).as_mut_ptr()
    }

    /// Decrypts (cipher) with the raw 32-byte secret (key); returns plaintext bytes.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_decrypt(c: *const u8, c_len: usize, k: *const u8, k_len: usize) -> u64 {
        key(k, k_len)
            .and_then(|key| decrypt(slice(c, c_len), &key).ok())
            .unwrap_or(u64::MAX)
    }

    /// Ingests (data); with a 32-byte key (k_len 32) through decryption, plain when k_len is 0.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_ingest(d: *const u8, d_len: usize, k: *const u8, k_len: usize) -> u64 {
        let key = if k_len == 0 { None } else { key(k, k_len) };
        if k_len != 0 && key.is_none() {
            return u64::MAX;
        }
        ingest(slice(d, d_len), key.as_ref()).unwrap_or(u64::MAX)
    }
}
