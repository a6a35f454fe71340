//! `formats::bgzf` against noodles-bgzf and against damaged and adversarial files.
//!
//! - Every BGZF file under `testdata/` (and `../shared/testdata` when present) decodes to the
//!   same bytes as noodles' reader.
//! - A flipped byte, a cut file or plain gzip is a typed error naming the block's offset: never
//!   a panic, never other bytes.
//! - `find_block_start` finds exactly the next true block start from any offset, also when
//!   header-like bytes sit inside compressed data.
//! - Virtual positions and `seek_virtual` agree with noodles' `virtual_position` and `seek`.

// Native only: these read files from disk and compare with noodles over std::fs.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{self, BufRead, Cursor, Read, Write};

use enclave_test_support::compress::{
    bgzip as noodles_bgzip, block, block_offsets, block_with, gzip, stored_block,
};
use enclave_test_support::files::{files_under, shared_testdata_or_skip, testdata_dir};
use enclave_test_support::rng::SplitMix64;
use wasm_core::formats::bgzf::{
    BgzfError, BgzfReader, EOF_MARKER, HeaderProblem, find_block_start, find_block_start_in,
    inflate_block, parse_header,
};

// ---------------------------------------------------------------------------------------------
// Helpers

/// VCF-like text of about `len` bytes, deterministic in `seed`.
fn text(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mut out = Vec::with_capacity(len + 200);
    let mut pos = 1000u64;
    while out.len() < len {
        pos += rng.below(500) + 1;
        let bases = [b'A', b'C', b'G', b'T'];
        let r = bases[rng.below(4) as usize] as char;
        let a = bases[rng.below(4) as usize] as char;
        writeln!(
            out,
            "chr{}\t{pos}\t.\t{r}\t{a}\t{}\tPASS\tDP={};AF={:.3}\tGT:DP\t0/1:{}\t1/1:{}",
            rng.below(22) + 1,
            rng.below(1000),
            rng.below(100),
            rng.below(1000) as f64 / 1000.0,
            rng.below(60),
            rng.below(60)
        )
        .expect("vec");
    }
    out
}

/// The smallest block start ≥ `from`.
fn next_start(starts: &[usize], from: usize) -> Option<usize> {
    starts.iter().copied().find(|&s| s >= from)
}

fn ours(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    BgzfReader::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

fn noodles_decode(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    noodles::bgzf::io::Reader::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// Reads to the end or the first error: the bytes delivered before it, and the error.
fn read_until_error(bytes: &[u8]) -> (Vec<u8>, Option<io::Error>) {
    let mut reader = BgzfReader::new(bytes);
    let mut got = Vec::new();
    let mut buf = [0u8; 1000];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (got, None),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return (got, Some(e)),
        }
    }
}

/// The typed error inside an `io::Error` from the reader; checks its kind and message.
fn typed(e: &io::Error) -> BgzfError {
    assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
    let inner = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<BgzfError>())
        .unwrap_or_else(|| panic!("not a BgzfError inside: {e:?}"))
        .clone();
    let message = e.to_string();
    assert!(
        message.contains(&format!("byte offset {}", inner.offset())),
        "the message names the offset: {message}"
    );
    inner
}

/// A small file of many short blocks: 1–3 KiB of text each, then the EOF marker.
fn small_multi_block_file() -> (Vec<u8>, Vec<u8>) {
    let mut rng = SplitMix64(7);
    let mut file = Vec::new();
    let mut plain = Vec::new();
    for i in 0..12 {
        let chunk = text(1000 + rng.below(2000) as usize, i);
        file.extend_from_slice(&block(&chunk));
        plain.extend_from_slice(&chunk);
    }
    file.extend_from_slice(&EOF_MARKER);
    (file, plain)
}

fn starts_as_bgzf(bytes: &[u8]) -> bool {
    bytes.len() >= 18 && parse_header(bytes).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Conformance with noodles

#[test]
fn every_bgzf_file_in_testdata_decodes_like_noodles() {
    let files = files_under(&testdata_dir());
    let mut compared = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("readable");
        if !starts_as_bgzf(&bytes) {
            continue;
        }
        let expected = noodles_decode(&bytes)
            .unwrap_or_else(|e| panic!("{}: noodles fails: {e}", path.display()));
        let got = ours(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(got == expected, "{}: bytes differ", path.display());
        compared += 1;
    }
    // .vcf.gz, .bcf, .tbi/.csi indexes (BGZF too), BAM.
    assert!(compared >= 10, "only {compared} BGZF files found");
    println!("{compared} BGZF files under testdata/ decode like noodles");
}

#[test]
fn every_bgzf_file_in_shared_testdata_decodes_like_noodles() {
    let Some(shared) =
        shared_testdata_or_skip("every_bgzf_file_in_shared_testdata_decodes_like_noodles")
    else {
        return;
    };
    let files = files_under(&shared);
    let (mut compared, mut noodles_rejects) = (0, Vec::new());
    for path in &files {
        let name = path.to_string_lossy();
        if !(name.ends_with(".gz") || name.ends_with(".bgz") || name.ends_with(".bcf")) {
            continue;
        }
        let bytes = std::fs::read(path).expect("readable");
        if !starts_as_bgzf(&bytes) {
            continue;
        }
        match noodles_decode(&bytes) {
            Ok(expected) => {
                let got = ours(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(got == expected, "{}: bytes differ", path.display());
                compared += 1;
            }
            Err(e) => {
                // Not readable as BGZF by noodles: ours must refuse it too, with a typed error.
                let ours =
                    ours(&bytes).expect_err(&format!("{name}: noodles fails ({e}), we don't"));
                typed(&ours);
                noodles_rejects.push(name.to_string());
            }
        }
    }
    assert!(compared >= 20, "only {compared} BGZF files found");
    println!(
        "{compared} BGZF files under shared/testdata decode like noodles; {} rejected by both: {noodles_rejects:?}",
        noodles_rejects.len()
    );
}

#[test]
fn short_reads_from_the_source_change_nothing() {
    /// Hands out at most 1–16 bytes a read, as a `Blob` reader or a decryptor may.
    struct Trickle<'a>(&'a [u8], SplitMix64);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.size(16).min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let plain = text(300_000, 3);
    let file = noodles_bgzip(&plain);
    let mut got = Vec::new();
    BgzfReader::new(Trickle(&file, SplitMix64(1)))
        .read_to_end(&mut got)
        .expect("valid");
    assert!(got == plain);
}

#[test]
fn concatenated_files_read_through_the_inner_eof_marker() {
    let (a, b) = (text(70_000, 1), text(5_000, 2));
    let file = [noodles_bgzip(&a), noodles_bgzip(&b)].concat();
    let expected = [a, b].concat();
    assert!(noodles_decode(&file).expect("noodles reads it") == expected);
    let mut reader = BgzfReader::new(&file[..]);
    let mut got = Vec::new();
    reader.read_to_end(&mut got).expect("valid");
    assert!(got == expected);
    assert!(reader.ended_with_eof_marker());
}

#[test]
fn eof_marker_is_reported_only_when_the_file_ends_with_it() {
    let plain = text(100_000, 5);
    let file = noodles_bgzip(&plain);
    let mut reader = BgzfReader::new(&file[..]);
    std::io::copy(&mut reader, &mut io::sink()).expect("valid");
    assert!(reader.ended_with_eof_marker());

    // Cut at the last block boundary: every byte there, but no marker.
    let cut = &file[..file.len() - EOF_MARKER.len()];
    let mut reader = BgzfReader::new(cut);
    let mut got = Vec::new();
    reader
        .read_to_end(&mut got)
        .expect("a block boundary is a clean end");
    assert!(got == plain);
    assert!(!reader.ended_with_eof_marker());
}

// ---------------------------------------------------------------------------------------------
// Damaged input

#[test]
fn flipped_deflate_crc_and_isize_bytes_name_their_block() {
    let plain = text(300_000, 11);
    let file = noodles_bgzip(&plain);
    let starts = block_offsets(&file);
    let (k, at) = (2, starts[2]);
    let header = parse_header(&file[at..]).expect("valid");
    let end = at + header.block_size;
    let good_prefix: Vec<u8> = {
        let mut prefix = Vec::new();
        for &s in &starts[..k] {
            let mut out = Vec::new();
            inflate_block(&file[s..], &mut out).expect("valid");
            prefix.extend_from_slice(&out);
        }
        prefix
    };

    let cases = [
        ("deflate data", at + header.header_len + 5000, 0x10),
        ("CRC32", end - 8, 0x01),
        ("ISIZE", end - 4, 0x01),
    ];
    for (what, byte, mask) in cases {
        let mut bad = file.clone();
        bad[byte] ^= mask;
        let (got, err) = read_until_error(&bad);
        let err = err.unwrap_or_else(|| panic!("a flipped {what} byte went unnoticed"));
        let e = typed(&err);
        assert_eq!(e.offset(), at as u64, "{what}: {e}");
        match what {
            "deflate data" => assert!(
                matches!(
                    e,
                    BgzfError::CrcMismatch { .. }
                        | BgzfError::Deflate { .. }
                        | BgzfError::IsizeMismatch { .. }
                ),
                "{e}"
            ),
            "CRC32" => assert!(matches!(e, BgzfError::CrcMismatch { .. }), "{e}"),
            _ => assert!(
                matches!(e, BgzfError::IsizeMismatch { expected, actual, .. } if expected != actual as u32),
                "{e}"
            ),
        }
        assert!(
            got == good_prefix,
            "{what}: only the blocks before it were delivered"
        );
        // The slice API says the same, relative to the block.
        let mut out = Vec::new();
        let slice_err = inflate_block(&bad[at..], &mut out).expect_err("damaged");
        assert_eq!(slice_err.offset_by(at as u64), e);
    }
}

#[test]
fn every_flipped_byte_is_caught_or_harmless() {
    // Every byte of a small file, flipped: the original bytes come out (MTIME, XFL, OS and
    // FTEXT do not matter) or a typed error does. Never other bytes, never a panic.
    let mut file = Vec::new();
    let mut plain = Vec::new();
    for i in 0..3 {
        let chunk = text(600, i);
        file.extend_from_slice(&block(&chunk));
        plain.extend_from_slice(&chunk);
    }
    file.extend_from_slice(&EOF_MARKER);
    let mut caught = 0;
    for i in 0..file.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = file.clone();
            bad[i] ^= mask;
            match ours(&bad) {
                Ok(got) => assert!(got == plain, "byte {i} ^ {mask:#x}: other bytes came out"),
                Err(e) => {
                    typed(&e);
                    caught += 1;
                }
            }
        }
    }
    assert!(caught > file.len(), "most flips are errors ({caught})");
}

#[test]
fn random_damage_to_deflate_data_never_panics_or_passes() {
    // Blocks compressed at several levels (stored, fixed and dynamic Huffman codes), damaged at
    // 1–8 random bytes of their deflate data, or given random deflate data: the decoder must say
    // so, never panic and never hand back bytes that do not match the trailer.
    let mut blocks = Vec::new();
    for (i, level) in [0u32, 1, 6, 9].into_iter().enumerate() {
        let plain = text(3000 + 9000 * i, 50 + i as u64);
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
        enc.write_all(&plain).expect("vec");
        blocks.push((block_with(&enc.finish().expect("vec"), &plain), plain));
    }
    let mut rng = SplitMix64(2024);
    let mut out = Vec::new();
    let mut rejected = 0;
    for round in 0..20_000 {
        let (good, plain) = &blocks[round % blocks.len()];
        let mut bad = good.clone();
        let data = 18..bad.len() - 8;
        if round % 10 == 9 {
            for b in &mut bad[data] {
                *b = rng.next() as u8;
            }
        } else {
            for _ in 0..rng.size(8) {
                let at = data.start + rng.below(data.len() as u64) as usize;
                bad[at] ^= rng.size(255) as u8;
            }
        }
        match inflate_block(&bad, &mut out) {
            Ok(_) => assert!(
                out == *plain,
                "round {round}: other bytes passed the checks"
            ),
            Err(e) => {
                assert_eq!(e.offset(), 0);
                rejected += 1;
            }
        }
    }
    assert!(
        rejected > 19_800,
        "{rejected} of 20 000 damaged blocks rejected"
    );
    // Random bytes as a whole file: an error or nothing, and no block start found in them.
    for seed in 0..200 {
        let mut rng = SplitMix64(seed);
        let mut junk: Vec<u8> = (0..rng.size(5000)).map(|_| rng.next() as u8).collect();
        // A valid first header, so the reader gets past it into the random bytes.
        let n = EOF_MARKER.len().min(junk.len());
        junk[..n].copy_from_slice(&EOF_MARKER[..n]);
        if let Err(e) = ours(&junk) {
            typed(&e);
        }
        assert_eq!(find_block_start(&junk, 1), None, "seed {seed}");
    }
}

#[test]
fn a_cut_file_is_a_truncation_error_unless_cut_between_blocks() {
    let (file, _) = small_multi_block_file();
    let starts = block_offsets(&file);
    for len in 1..file.len() {
        let cut = &file[..len];
        match ours(cut) {
            Ok(got) => {
                assert!(
                    starts.contains(&len),
                    "cut at {len} inside a block read cleanly"
                );
                let expected = noodles_decode(cut).expect("noodles reads a boundary cut");
                assert!(got == expected);
            }
            Err(e) => {
                let e = typed(&e);
                let block = starts.iter().rev().find(|&&s| s < len).copied();
                assert!(!starts.contains(&len), "cut at {len} is a boundary: {e}");
                assert_eq!(Some(e.offset() as usize), block, "cut at {len}: {e}");
                assert!(
                    matches!(e, BgzfError::Truncated { available, .. } if available == (len - e.offset() as usize) as u64),
                    "cut at {len}: {e}"
                );
            }
        }
    }
}

#[test]
fn plain_gzip_and_trailing_garbage_are_not_bgzf() {
    let plain = text(10_000, 9);
    let gz = gzip(&plain);
    let e = typed(&ours(&gz).expect_err("plain gzip"));
    assert_eq!(
        e,
        BgzfError::NotBgzf {
            offset: 0,
            problem: HeaderProblem::NoExtraField
        }
    );

    // A gzip extra field without BC.
    let mut other = EOF_MARKER;
    other[12..14].copy_from_slice(b"XY");
    let e = typed(&ours(&other).expect_err("no BC"));
    assert!(matches!(
        e,
        BgzfError::NotBgzf {
            offset: 0,
            problem: HeaderProblem::NoBcSubfield
        }
    ));

    // A valid file followed by text: the error names where the text starts.
    let file = noodles_bgzip(&plain);
    let junk = [&file[..], b"this is not a block header"].concat();
    let (got, err) = read_until_error(&junk);
    assert!(got == plain);
    let e = typed(&err.expect("junk is an error"));
    assert_eq!(e.offset(), file.len() as u64);

    // After an error the reader keeps failing instead of reading from a misaligned place.
    let mut reader = BgzfReader::new(&gz[..]);
    assert!(reader.read(&mut [0; 10]).is_err());
    assert!(reader.read(&mut [0; 10]).is_err());
}

#[test]
fn inflate_block_reports_truncated_and_oversized_blocks() {
    let chunk = text(2000, 4);
    let b = block(&chunk);
    let mut out = Vec::new();
    let header = inflate_block(&b, &mut out).expect("valid");
    assert!(out == chunk);
    assert_eq!(header.block_size, b.len());
    assert!(matches!(
        inflate_block(&b[..b.len() - 1], &mut out),
        Err(BgzfError::Truncated { offset: 0, .. })
    ));
    // ISIZE above 64 KiB can never be BGZF.
    let mut big = b.clone();
    let n = big.len();
    big[n - 2] = 0x02;
    assert!(matches!(
        inflate_block(&big, &mut out),
        Err(BgzfError::NotBgzf {
            problem: HeaderProblem::IsizeTooLarge(_),
            ..
        })
    ));
}

// ---------------------------------------------------------------------------------------------
// Block boundaries without an index

#[test]
fn find_block_start_from_every_offset_of_a_small_file() {
    let (file, _) = small_multi_block_file();
    let starts = block_offsets(&file);
    assert!(starts.len() > 10);
    let mut cursor = Cursor::new(&file);
    for from in 0..=file.len() + 2 {
        let expected = next_start(&starts, from);
        assert_eq!(find_block_start(&file, from), expected, "from {from}");
        if from % 97 == 0 {
            let in_reader = find_block_start_in(&mut cursor, from as u64).expect("in memory");
            assert_eq!(in_reader, expected.map(|s| s as u64), "reader, from {from}");
        }
    }
}

#[test]
fn find_block_start_at_random_offsets_of_a_larger_file() {
    // Noodles' blocks of a 3 MB text (about 50 blocks), checked against its own positions too.
    let file = noodles_bgzip(&text(3_000_000, 21));
    let starts = block_offsets(&file);
    let mut noodles_starts = vec![0usize];
    let mut reader = noodles::bgzf::io::Reader::new(&file[..]);
    loop {
        let n = reader.fill_buf().expect("valid").len();
        if n == 0 {
            break;
        }
        reader.consume(n);
        noodles_starts.push((u64::from(reader.virtual_position()) >> 16) as usize);
    }
    noodles_starts.dedup();
    // noodles ends on the position after the last data block; the walk also lists the marker.
    assert_eq!(noodles_starts[..], starts[..noodles_starts.len()]);

    let mut rng = SplitMix64(99);
    let mut cursor = Cursor::new(&file);
    for _ in 0..300 {
        let from = rng.below(file.len() as u64 + 1) as usize;
        let expected = next_start(&starts, from);
        assert_eq!(find_block_start(&file, from), expected, "from {from}");
        assert_eq!(
            find_block_start_in(&mut cursor, from as u64).expect("in memory"),
            expected.map(|s| s as u64),
            "reader, from {from}"
        );
    }
}

#[test]
fn header_bytes_inside_compressed_data_are_not_block_starts() {
    // The middle block is a stored deflate block, so its data appears verbatim: it carries
    // (1) a header with a BSIZE that leads nowhere, (2) a header whose BSIZE lands exactly on
    // the next true block (so only the CRC check can reject it), (3) a whole EOF marker.
    let first = block(&text(3000, 1));
    let last = block(&text(3000, 2));
    let mut payload = text(200, 3);
    let fake1 = payload.len();
    payload.extend_from_slice(&EOF_MARKER[..16]);
    payload.extend_from_slice(&[0x00, 0x10]); // BSIZE 4096
    payload.extend_from_slice(&text(300, 4));
    let fake2 = payload.len();
    payload.extend_from_slice(&EOF_MARKER[..16]);
    let fake2_bsize_at = payload.len();
    payload.extend_from_slice(&[0, 0]); // BSIZE, set below
    payload.extend_from_slice(&text(400, 5));
    let fake3 = payload.len();
    payload.extend_from_slice(&EOF_MARKER);
    payload.extend_from_slice(&text(500, 6));
    // The stored block's data starts after its 18-byte header and 5 bytes of deflate framing;
    // its trailer follows the data. Point fake2 at the block after it.
    let data_at = first.len() + 18 + 5;
    let middle_end = data_at + payload.len() + 8;
    let fake2_bsize = (middle_end - (data_at + fake2) - 1) as u16;
    payload[fake2_bsize_at..fake2_bsize_at + 2].copy_from_slice(&fake2_bsize.to_le_bytes());
    let middle = stored_block(&payload);
    let file = [&first[..], &middle, &last, &EOF_MARKER].concat();
    assert_eq!(first.len() + middle.len(), middle_end);

    let starts = block_offsets(&file);
    assert_eq!(starts.len(), 4);
    // The fakes really look like headers, and fake2 chains to a true block.
    for fake in [fake1, fake2, fake3] {
        assert!(
            parse_header(&file[data_at + fake..]).is_ok(),
            "fake at {fake}"
        );
    }
    let fake2_header = parse_header(&file[data_at + fake2..]).expect("parses");
    assert_eq!(data_at + fake2 + fake2_header.block_size, middle_end);
    // The file itself is valid, and noodles agrees on its content.
    assert!(ours(&file).expect("valid") == noodles_decode(&file).expect("valid"));

    let mut cursor = Cursor::new(&file);
    for from in 0..=file.len() {
        let expected = next_start(&starts, from);
        assert_eq!(find_block_start(&file, from), expected, "from {from}");
        assert_eq!(
            find_block_start_in(&mut cursor, from as u64).expect("in memory"),
            expected.map(|s| s as u64),
            "reader, from {from}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Virtual positions

/// Reads `file` with both readers in the same sequence of read sizes, comparing bytes and
/// virtual positions after every read; returns the positions seen.
fn read_in_lockstep(file: &[u8]) -> Vec<u64> {
    let mut ours = BgzfReader::new(file);
    let mut theirs = noodles::bgzf::io::Reader::new(file);
    assert_eq!(
        ours.virtual_position(),
        u64::from(theirs.virtual_position())
    );
    let sizes = [1usize, 100, 70_000, 7, 65_536, 3000, 40_000, 65_279, 2];
    let mut positions = Vec::new();
    let (mut a, mut b) = (vec![0u8; 70_000], vec![0u8; 70_000]);
    for i in 0.. {
        let size = sizes[i % sizes.len()];
        let n = ours.read(&mut a[..size]).expect("valid");
        let m = theirs.read(&mut b[..size]).expect("valid");
        assert_eq!(n, m, "read {i} of {size}");
        assert!(a[..n] == b[..m]);
        let vpos = ours.virtual_position();
        assert_eq!(vpos, u64::from(theirs.virtual_position()), "after read {i}");
        assert_eq!(ours.block_offset(), vpos >> 16);
        positions.push(vpos);
        if n == 0 {
            break;
        }
    }
    positions
}

#[test]
fn virtual_positions_match_noodles_while_reading() {
    let file = noodles_bgzip(&text(1_000_000, 31));
    let positions = read_in_lockstep(&file);
    assert!(positions.len() > 30);
    let (small, _) = small_multi_block_file();
    read_in_lockstep(&small);
}

#[test]
fn seek_virtual_matches_noodles_seek() {
    let file = noodles_bgzip(&text(1_000_000, 41));
    let mut positions = read_in_lockstep(&file);
    // Also the EOF marker and positions inside the first block.
    positions.extend([0, 5, 65_000, ((file.len() - EOF_MARKER.len()) as u64) << 16]);
    let mut ours = BgzfReader::new(Cursor::new(&file));
    let mut theirs = noodles::bgzf::io::Reader::new(Cursor::new(&file));
    let (mut a, mut b) = (vec![0u8; 5000], vec![0u8; 5000]);
    for &vpos in positions.iter().rev() {
        ours.seek_virtual(vpos).expect("seekable");
        theirs
            .seek(noodles::bgzf::VirtualPosition::from(vpos))
            .expect("seekable");
        assert_eq!(
            ours.virtual_position(),
            u64::from(theirs.virtual_position()),
            "after seeking to {vpos:#x}"
        );
        let n = ours.read(&mut a).expect("valid");
        let m = theirs.read(&mut b).expect("valid");
        assert!(a[..n] == b[..m], "bytes at {vpos:#x}");
        assert_eq!(
            ours.virtual_position(),
            u64::from(theirs.virtual_position())
        );
    }
    // Past the end of a block: an error for both, and ours says where.
    let mut first = Vec::new();
    inflate_block(&file, &mut first).expect("valid");
    let past = first.len() as u64 + 1;
    let e = ours.seek_virtual(past).expect_err("past the block");
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    assert!(e.to_string().contains("byte offset 0"), "{e}");
    assert!(
        theirs
            .seek(noodles::bgzf::VirtualPosition::from(past))
            .is_err()
    );
    // A seek clears an earlier error.
    let mut bad = file.clone();
    bad[100] ^= 0xff;
    let mut reader = BgzfReader::new(Cursor::new(&bad));
    assert!(reader.read(&mut a).is_err());
    let second = block_offsets(&file)[1] as u64;
    reader.seek_virtual(second << 16).expect("a good block");
    assert!(reader.read(&mut a).expect("readable") > 0);
}
