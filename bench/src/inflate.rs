//! The deflate backends a BGZF block could be inflated with, timed over the same file natively
//! (`enclave-bench inflate FILE RUNS`) and as wasm32 in V8 (`node bench/run-wasm.mjs MODULE DIR
//! RUNS inflate [FILE]`): how `wasm_core::formats::bgzf` chose its backend (BENCHMARKS.md,
//! "Deflate backend").
//!
//! Each [`Kernel`] walks every block of a BGZF file and inflates it into a reused buffer; the
//! raw backends skip the CRC32 (timed on its own by [`crc32_all`]), the engine's kernels do the
//! whole job (header, inflate, CRC32, ISIZE). Every backend's output is first checked block by
//! block against the trailers ([`verify`]), so a fast wrong decoder cannot win.

use std::io::Read;

use wasm_core::formats::bgzf::{self, BgzfReader, MAX_ISIZE, TRAILER_LEN};

/// What is timed: one inflate backend, or one of the engine's ways to read a whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// zlib-rs (noodles-bgzf's and flate2's backend), one reused `Inflate`.
    ZlibRs,
    /// zlib-rs with a fresh `Inflate` per block, as noodles-bgzf 0.52 does.
    ZlibRsFresh,
    /// zune-inflate (allocates its output per block: its API returns a `Vec`).
    ZuneInflate,
    /// miniz_oxide, one reused `DecompressorOxide`.
    MinizOxide,
    /// libdeflate through `libdeflater` (C; native only here).
    Libdeflate,
    /// `bgzf::inflate_block`: header, inflate, CRC32 and ISIZE checks.
    EngineBlocks,
    /// `bgzf::BgzfReader` read to the end through 256 KiB reads, as ingest reads it.
    EngineReader,
    /// `noodles::bgzf::io::Reader` read the same way (what ingest used before).
    NoodlesReader,
}

impl Kernel {
    pub const ALL: [Kernel; 8] = [
        Kernel::ZlibRs,
        Kernel::ZlibRsFresh,
        Kernel::ZuneInflate,
        Kernel::MinizOxide,
        Kernel::Libdeflate,
        Kernel::EngineBlocks,
        Kernel::EngineReader,
        Kernel::NoodlesReader,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kernel::ZlibRs => "inflate_zlib_rs",
            Kernel::ZlibRsFresh => "inflate_zlib_rs_fresh_state",
            Kernel::ZuneInflate => "inflate_zune_inflate",
            Kernel::MinizOxide => "inflate_miniz_oxide",
            Kernel::Libdeflate => "inflate_libdeflate",
            Kernel::EngineBlocks => "engine_inflate_block",
            Kernel::EngineReader => "engine_bgzf_reader",
            Kernel::NoodlesReader => "noodles_bgzf_reader",
        }
    }

    /// The raw inflate backends, which [`verify`] checks.
    pub fn is_backend(self) -> bool {
        matches!(
            self,
            Kernel::ZlibRs
                | Kernel::ZlibRsFresh
                | Kernel::ZuneInflate
                | Kernel::MinizOxide
                | Kernel::Libdeflate
        )
    }

    /// The index the wasm driver passes.
    pub fn from_index(i: u32) -> Option<Kernel> {
        Self::ALL.get(i as usize).copied()
    }
}

/// A CRC32 implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crc {
    Crc32fast,
    ZlibRs,
    Libdeflate,
}

impl Crc {
    pub const ALL: [Crc; 3] = [Crc::Crc32fast, Crc::ZlibRs, Crc::Libdeflate];

    pub fn name(self) -> &'static str {
        match self {
            Crc::Crc32fast => "crc32_crc32fast",
            Crc::ZlibRs => "crc32_zlib_rs",
            Crc::Libdeflate => "crc32_libdeflate",
        }
    }

    pub fn from_index(i: u32) -> Option<Crc> {
        Self::ALL.get(i as usize).copied()
    }

    fn hash(self, bytes: &[u8]) -> Result<u32, String> {
        match self {
            Crc::Crc32fast => Ok(crc32fast::hash(bytes)),
            Crc::ZlibRs => Ok(zlib_rs::crc32::crc32(0, bytes)),
            #[cfg(not(target_arch = "wasm32"))]
            Crc::Libdeflate => Ok(libdeflater::crc32(bytes)),
            #[cfg(target_arch = "wasm32")]
            Crc::Libdeflate => Err(unavailable()),
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn unavailable() -> String {
    "libdeflate is not built for wasm32 here (no C compiler for wasm32)".into()
}

/// One block of the file: its deflate data and trailer values.
struct Block<'a> {
    cdata: &'a [u8],
    crc: u32,
    isize: usize,
}

/// Walks the blocks of a BGZF file held in memory.
fn blocks(bgzf: &[u8]) -> impl Iterator<Item = Result<Block<'_>, String>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        if at >= bgzf.len() {
            return None;
        }
        let rest = &bgzf[at..];
        let header = match bgzf::parse_header(rest) {
            Ok(header) => header,
            Err(e) => return Some(Err(e.offset_by(at as u64).to_string())),
        };
        let Some(block) = rest.get(..header.block_size) else {
            return Some(Err(format!("truncated block at {at}")));
        };
        at += header.block_size;
        let trailer = &block[block.len() - TRAILER_LEN..];
        let word = |i: usize| {
            u32::from_le_bytes([trailer[i], trailer[i + 1], trailer[i + 2], trailer[i + 3]])
        };
        Some(Ok(Block {
            cdata: &block[header.deflate_range()],
            crc: word(0),
            isize: word(4) as usize,
        }))
    })
}

/// A raw deflate backend with its reused state.
enum Backend {
    ZlibRs(zlib_rs::Inflate),
    ZlibRsFresh,
    Zune,
    Miniz(Box<miniz_oxide::inflate::core::DecompressorOxide>),
    #[cfg(not(target_arch = "wasm32"))]
    Libdeflate(libdeflater::Decompressor),
}

impl Backend {
    fn new(kernel: Kernel) -> Result<Self, String> {
        Ok(match kernel {
            Kernel::ZlibRs => Backend::ZlibRs(zlib_rs::Inflate::new(false, 15)),
            Kernel::ZlibRsFresh => Backend::ZlibRsFresh,
            Kernel::ZuneInflate => Backend::Zune,
            Kernel::MinizOxide => Backend::Miniz(Box::default()),
            #[cfg(not(target_arch = "wasm32"))]
            Kernel::Libdeflate => Backend::Libdeflate(libdeflater::Decompressor::new()),
            #[cfg(target_arch = "wasm32")]
            Kernel::Libdeflate => return Err(unavailable()),
            other => return Err(format!("{} is not a raw backend", other.name())),
        })
    }

    /// Inflates `block` into `buf` (`MAX_ISIZE` bytes); returns the output's length. zune-inflate
    /// returns its own `Vec`, which replaces `buf` (its allocation is part of its cost).
    fn inflate(&mut self, block: &Block, buf: &mut Vec<u8>) -> Result<usize, String> {
        let n = match self {
            Backend::ZlibRs(state) => {
                state.reset(false);
                zlib_rs_inflate(state, block.cdata, buf)?
            }
            Backend::ZlibRsFresh => {
                let mut state = zlib_rs::Inflate::new(false, 15);
                zlib_rs_inflate(&mut state, block.cdata, buf)?
            }
            Backend::Zune => {
                // Room past ISIZE for its fast loop's sloppy copies (at most 296 bytes), so it
                // never grows (and copies) its output near the end of a block.
                let options = zune_inflate::DeflateOptions::default()
                    .set_size_hint(block.isize + 512)
                    .set_limit(MAX_ISIZE);
                let out = zune_inflate::DeflateDecoder::new_with_options(block.cdata, options)
                    .decode_deflate()
                    .map_err(|e| format!("zune-inflate: {e:?}"))?;
                *buf = out;
                buf.len()
            }
            Backend::Miniz(state) => {
                use miniz_oxide::inflate::TINFLStatus;
                use miniz_oxide::inflate::core::{decompress, inflate_flags};
                state.init();
                let (status, _, n) = decompress(
                    state,
                    block.cdata,
                    buf,
                    0,
                    inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
                );
                if status != TINFLStatus::Done {
                    return Err(format!("miniz_oxide: {status:?}"));
                }
                n
            }
            #[cfg(not(target_arch = "wasm32"))]
            Backend::Libdeflate(state) => state
                .deflate_decompress(block.cdata, buf)
                .map_err(|e| format!("libdeflate: {e}"))?,
        };
        Ok(n)
    }
}

fn zlib_rs_inflate(
    state: &mut zlib_rs::Inflate,
    cdata: &[u8],
    buf: &mut [u8],
) -> Result<usize, String> {
    match state.decompress(cdata, buf, zlib_rs::InflateFlush::Finish) {
        Ok(zlib_rs::Status::StreamEnd) => Ok(state.total_out() as usize),
        other => Err(format!("zlib-rs: {other:?}")),
    }
}

/// Runs `kernel` over the whole BGZF file `bgzf`; returns the uncompressed bytes produced.
pub fn run(kernel: Kernel, bgzf: &[u8]) -> Result<u64, String> {
    let mut buf = vec![0u8; MAX_ISIZE];
    let mut total = 0u64;
    match kernel {
        Kernel::EngineBlocks => {
            let mut at = 0usize;
            while at < bgzf.len() {
                let header = bgzf::inflate_block(&bgzf[at..], &mut buf)
                    .map_err(|e| e.offset_by(at as u64).to_string())?;
                at += header.block_size;
                total += buf.len() as u64;
            }
        }
        Kernel::EngineReader => total = read_all(BgzfReader::new(bgzf))?,
        Kernel::NoodlesReader => total = read_all(noodles::bgzf::io::Reader::new(bgzf))?,
        _ => {
            let mut backend = Backend::new(kernel)?;
            for block in blocks(bgzf) {
                let block = block?;
                if buf.len() < MAX_ISIZE {
                    buf.resize(MAX_ISIZE, 0);
                }
                total += backend.inflate(&block, &mut buf)? as u64;
            }
        }
    }
    Ok(total)
}

/// Reads `reader` to the end in 256 KiB reads (ingest's `BufReader` size); returns the bytes.
fn read_all(mut reader: impl Read) -> Result<u64, String> {
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Checks that the raw backend `kernel` inflates every block to exactly ISIZE bytes with the
/// trailer's CRC32; returns the uncompressed bytes.
pub fn verify(kernel: Kernel, bgzf: &[u8]) -> Result<u64, String> {
    let mut backend = Backend::new(kernel)?;
    let mut buf = vec![0u8; MAX_ISIZE];
    let mut total = 0u64;
    for (i, block) in blocks(bgzf).enumerate() {
        let block = block?;
        if buf.len() < MAX_ISIZE {
            buf.resize(MAX_ISIZE, 0);
        }
        let n = backend.inflate(&block, &mut buf)?;
        if n != block.isize || crc32fast::hash(&buf[..n]) != block.crc {
            return Err(format!("{}: block {i} inflated wrongly", kernel.name()));
        }
        total += n as u64;
    }
    Ok(total)
}

/// The whole uncompressed content of `bgzf` (for timing CRC32 on realistic bytes).
pub fn decode(bgzf: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    BgzfReader::new(bgzf)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// CRC32 of `plain` in BGZF-sized pieces (65 280 bytes, as htslib fills blocks), the
/// way a reader checks each block; returns the pieces' CRCs folded by XOR.
pub fn crc32_all(crc: Crc, plain: &[u8]) -> Result<u32, String> {
    let mut acc = 0u32;
    for piece in plain.chunks(0xff00) {
        acc ^= crc.hash(piece)?;
    }
    Ok(acc)
}

/// `enclave-bench inflate FILE RUNS`: checks every raw backend, then times each kernel and each
/// CRC32 implementation `runs` times, in interleaved rounds (so a busy moment on a shared machine
/// hits all of them alike), and prints `name seconds bytes MB/s MB/s(cpu)` per kernel: the best
/// wall-clock time, and the rate by this thread's CPU time (Linux `schedstat`), which time spent
/// waiting for a core does not inflate. MB/s are of uncompressed bytes.
#[cfg(not(target_arch = "wasm32"))]
pub fn native(file: &std::path::Path, runs: u32) -> Result<(), String> {
    use std::time::Instant;
    let bgzf = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let plain = decode(&bgzf)?;
    let bytes = plain.len() as u64;
    let expected_crc = u64::from(crc32_all(Crc::Crc32fast, &plain)?);
    for kernel in Kernel::ALL.into_iter().filter(|k| k.is_backend()) {
        if verify(kernel, &bgzf)? != bytes {
            return Err(format!("{} produced the wrong length", kernel.name()));
        }
    }
    type Job<'a> = (&'static str, Box<dyn Fn() -> Result<u64, String> + 'a>, u64);
    let mut jobs: Vec<Job> = Vec::new();
    for kernel in Kernel::ALL {
        let bgzf = &bgzf;
        jobs.push((kernel.name(), Box::new(move || run(kernel, bgzf)), bytes));
    }
    for crc in Crc::ALL {
        let plain = &plain;
        jobs.push((
            crc.name(),
            Box::new(move || crc32_all(crc, plain).map(u64::from)),
            expected_crc,
        ));
    }
    let mut best = vec![(f64::INFINITY, f64::INFINITY); jobs.len()];
    for _ in 0..runs.max(1) {
        for (i, (name, job, expected)) in jobs.iter().enumerate() {
            let (cpu0, started) = (thread_cpu_seconds(), Instant::now());
            let value = job()?;
            let wall = started.elapsed().as_secs_f64();
            let cpu = thread_cpu_seconds().zip(cpu0).map_or(wall, |(b, a)| b - a);
            if value != *expected {
                return Err(format!("{name} gave {value}, expected {expected}"));
            }
            best[i] = (best[i].0.min(wall), best[i].1.min(cpu));
        }
    }
    for ((name, ..), (wall, cpu)) in jobs.iter().zip(best) {
        let rate = |s: f64| bytes as f64 / s / 1e6;
        println!(
            "{name} {wall:.6} {bytes} {:.0} {:.0}",
            rate(wall),
            rate(cpu)
        );
    }
    Ok(())
}

/// CPU time of the calling thread (Linux: `/proc/thread-self/schedstat`, nanoseconds on a CPU).
#[cfg(not(target_arch = "wasm32"))]
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

#[cfg(target_arch = "wasm32")]
mod exports {
    //! For `bench/run-wasm.mjs … inflate`: (pointer, length) pairs from `bench_alloc`; counts
    //! back, `u64::MAX` on error.

    use super::*;

    fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        // SAFETY: the driver passes buffers it got from `bench_alloc` and filled, never freed.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    /// Runs kernel `kernel` (an index into `Kernel::ALL`) over the BGZF file; returns its bytes.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_inflate(d: *const u8, d_len: usize, kernel: u32) -> u64 {
        Kernel::from_index(kernel)
            .ok_or_else(|| "no such kernel".to_string())
            .and_then(|k| run(k, slice(d, d_len)))
            .unwrap_or(u64::MAX)
    }

    /// Checks raw backend `kernel` block by block; returns the bytes.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_inflate_verify(d: *const u8, d_len: usize, kernel: u32) -> u64 {
        Kernel::from_index(kernel)
            .ok_or_else(|| "no such kernel".to_string())
            .and_then(|k| verify(k, slice(d, d_len)))
            .unwrap_or(u64::MAX)
    }

    /// The file's uncompressed bytes in a leaked buffer (its length is what `bench_inflate`
    /// returns); null on error.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_decode(d: *const u8, d_len: usize) -> *mut u8 {
        decode(slice(d, d_len)).map_or(std::ptr::null_mut(), |v| Vec::leak(v).as_mut_ptr())
    }

    /// CRC32 implementation `crc` (an index into `Crc::ALL`) over the bytes, in block pieces.
    #[unsafe(no_mangle)]
    pub extern "C" fn bench_crc32(p: *const u8, p_len: usize, crc: u32) -> u64 {
        Crc::from_index(crc)
            .ok_or_else(|| "no such CRC".to_string())
            .and_then(|c| crc32_all(c, slice(p, p_len)))
            .map_or(u64::MAX, u64::from)
    }
}
