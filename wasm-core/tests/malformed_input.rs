//! Damaged and wrong files that a clinician might hand us: each must give an `Err` of the kind
//! that names the problem (`IngestError::kind`, `is_truncated`, the typed source) and, where one
//! applies, the line, record or byte offset — typed, and in the message a person reads — never a
//! panic, never a silently shortened dataset.
//!
//! Inputs are cut or built from the committed files in `testdata/` (see `testdata/README.md`).

// Native only: these read files from testdata/ and catch panics, which the browser build cannot.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{self, Cursor, Read};

use enclave_test_support::compress::{bgzip, block_offsets, gunzip};
use enclave_test_support::engine::read_from;
use enclave_test_support::files::testdata;
use enclave_test_support::rng::SplitMix64;
use wasm_core::formats::bgzf::BgzfError;
use wasm_core::formats::vcf_text::ParseError;
use wasm_core::formats::{
    BcfHeaderError, CompressionError, ErrorKind, HeaderError, NotVariant, RecordError, RecordKind,
};
use wasm_core::{Dataset, IngestError};

fn read(name: &str, bytes: &[u8]) -> Result<Dataset, IngestError> {
    read_from(name, Cursor::new(bytes), Some(bytes.len() as u64))
}

/// Asserts an error (printing the message a person reads) and returns it.
fn expect_err(name: &str, bytes: &[u8]) -> IngestError {
    match read(name, bytes) {
        Ok(ds) => panic!(
            "{name}: expected an error, but it loaded {} records with warnings {:?}",
            ds.summary.records, ds.summary.warnings
        ),
        Err(e) => {
            println!("{name}: {}", e.report());
            e
        }
    }
}

/// The message a person reads names the place (a location, an offset) the error is typed with.
fn assert_shows_where(name: &str, e: &IngestError, place: &str) {
    let msg = e.report().to_string();
    assert!(
        !place.is_empty() && msg.contains(place),
        "{name}: the message should name where ({place:?}): {msg}"
    );
}

const TRIO_BGZF: &str = "slivar/tests/ashk-trio.vcf.gz";
const KG_PLAIN_GZIP: &str = "vcfpy/tests/vcfs_from_the_wild/1kg.vcf.gz";
const KG_BCF: &str = "generated/derived/vcfpy.1kg.bcf";
const SMALL_VCF: &str = "vcfpy/tests/vcfs/full_vcf43.vcf";

#[test]
fn bgzf_cut_in_half() {
    let full = testdata(TRIO_BGZF);
    let cut = &full[..full.len() / 2];
    // The block the cut goes through: the last one starting before the end of what is left.
    let cut_block = block_offsets(&full)
        .into_iter()
        .rfind(|&at| at < cut.len())
        .expect("blocks") as u64;
    let e = expect_err("BGZF cut in half", cut);
    assert!(
        matches!(e, IngestError::Bgzf(BgzfError::Truncated { offset, .. }) if offset == cut_block),
        "expected the BGZF layer to name the cut block at byte offset {cut_block}: {e:?}"
    );
    assert!(e.is_truncated(), "{e:?}");
    assert_shows_where("BGZF cut in half", &e, &format!("byte offset {cut_block}"));
}

#[test]
fn bgzf_cut_at_a_block_boundary_mid_record() {
    // An interrupted download that ends exactly between two BGZF blocks: every block is intact,
    // the EOF marker is missing and the last line stops mid-record. Nothing may be dropped
    // silently: either an error, or a load whose warnings say the file looks truncated.
    let full = testdata(TRIO_BGZF);
    let blocks = block_offsets(&full);
    let cut = &full[..blocks[blocks.len() / 2]];
    let text = gunzip(cut);
    assert_ne!(
        text.last(),
        Some(&b'\n'),
        "the cut should fall inside a line"
    );
    match read("BGZF cut at a block boundary", cut) {
        Err(e) => {
            println!("BGZF cut at a block boundary: {}", e.report());
            assert!(
                e.is_truncated(),
                "the error should say the file is cut: {e:?}"
            );
            // Where the file ends: the cut record, or the end of the data.
            match &e {
                IngestError::Record { location, .. } => {
                    assert!(
                        location.line.is_some() && location.record.is_some(),
                        "{e:?}"
                    );
                    assert_shows_where("BGZF cut at a block boundary", &e, &location.to_string());
                }
                IngestError::Compression {
                    raw_offset,
                    source: CompressionError::MissingEofMarker,
                } => {
                    assert_eq!(*raw_offset, cut.len() as u64, "{e:?}");
                    assert_shows_where("BGZF cut at a block boundary", &e, &raw_offset.to_string());
                }
                _ => panic!("the error should say where the file ends: {e:?}"),
            }
        }
        Ok(ds) => {
            let warned = ds
                .summary
                .warnings
                .iter()
                .any(|w| w.contains("truncated") || w.contains("EOF"));
            assert!(
                warned,
                "a BGZF file without its EOF marker that ends mid-line loaded {} records with no truncation warning: {:?}",
                ds.summary.records, ds.summary.warnings
            );
        }
    }
}

#[test]
fn plain_gzip_cut_in_half() {
    let full = testdata(KG_PLAIN_GZIP);
    let cut = &full[..full.len() / 2];
    let e = expect_err("plain gzip cut in half", cut);
    let IngestError::Compression { raw_offset, .. } = e else {
        panic!("expected a compression error: {e:?}");
    };
    assert!(e.is_truncated(), "{e:?}");
    assert!(
        raw_offset > 0 && raw_offset <= cut.len() as u64,
        "the offset should be within what is left of the file: {e:?}"
    );
    assert_shows_where("plain gzip cut in half", &e, &format!("{raw_offset} bytes"));
}

/// Uncompressed BCF and the byte offsets where its records start (BCF 2.2 §6.3: after the magic
/// and the length-prefixed header text, each record is `l_shared`, `l_indiv`, then that many bytes).
fn bcf_and_record_starts() -> (Vec<u8>, Vec<usize>) {
    let raw = gunzip(&testdata(KG_BCF));
    assert!(raw.starts_with(b"BCF\x02"));
    let l_text = u32::from_le_bytes(raw[5..9].try_into().unwrap()) as usize;
    let mut at = 9 + l_text;
    let mut starts = Vec::new();
    while at + 8 <= raw.len() {
        starts.push(at);
        let l_shared = u32::from_le_bytes(raw[at..at + 4].try_into().unwrap()) as usize;
        let l_indiv = u32::from_le_bytes(raw[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 8 + l_shared + l_indiv;
    }
    assert_eq!(at, raw.len(), "the BCF's records should tile the stream");
    (raw, starts)
}

#[test]
fn bcf_truncated_mid_record() {
    let (raw, starts) = bcf_and_record_starts();
    assert!(starts.len() > 20);
    // Cut inside record 10 (1-based), both as a valid BGZF stream and uncompressed.
    let cut_at = (starts[9] + starts[10]) / 2;
    for (name, bytes) in [
        ("BGZF BCF truncated mid-record", bgzip(&raw[..cut_at])),
        (
            "uncompressed BCF truncated mid-record",
            raw[..cut_at].to_vec(),
        ),
    ] {
        let e = expect_err(name, &bytes);
        let loc = e
            .location()
            .unwrap_or_else(|| panic!("{name}: the error should name the record: {e:?}"));
        assert_eq!(loc.record, Some(10), "{name}: {e:?}");
        assert_eq!(e.kind(), ErrorKind::Record(RecordKind::Truncated), "{name}");
        assert!(e.is_truncated(), "{name}: {e:?}");
        assert_shows_where(name, &e, "record 10");
    }
}

#[test]
fn bcf_truncated_in_its_header() {
    let (raw, _) = bcf_and_record_starts();
    let e = expect_err("BCF truncated in its header", &bgzip(&raw[..200]));
    assert!(
        matches!(e, IngestError::BcfHeader(BcfHeaderError::Truncated)),
        "{e:?}"
    );
    assert!(e.is_truncated());
}

#[test]
fn plain_vcf_cut_mid_record() {
    let full = testdata(SMALL_VCF);
    // Cut right after the POS of the second record.
    let text = String::from_utf8(full.clone()).unwrap();
    let header_lines = text.lines().take_while(|l| l.starts_with('#')).count() as u64;
    let second = text.lines().nth(header_lines as usize + 1).unwrap();
    let start = text.find(second).unwrap();
    let pos_end = start + second.match_indices('\t').nth(1).unwrap().0;
    let e = expect_err("plain VCF cut mid-record", &full[..pos_end]);
    let loc = e
        .location()
        .unwrap_or_else(|| panic!("the error should say where: {e:?}"));
    assert_eq!(loc.line, Some(header_lines + 2), "{e:?}");
    assert_eq!(loc.record, Some(2), "{e:?}");
    assert_eq!(loc.offset, Some(start as u64), "{e:?}");
    // Cut short, and what is there has two of the eight columns.
    assert!(
        matches!(
            &e,
            IngestError::Record { source, .. }
                if matches!(**source, RecordError::Truncated(Some(ParseError::TooFewColumns(2))))
        ),
        "{e:?}"
    );
    assert_shows_where("plain VCF cut mid-record", &e, &loc.to_string());
}

#[test]
fn empty_file() {
    let e = expect_err("empty file", b"");
    assert!(
        matches!(e, IngestError::NotVariantFile(NotVariant::Empty)),
        "{e:?}"
    );
    // Empty after decompression too.
    let e = expect_err("empty BGZF", &bgzip(b""));
    assert!(
        matches!(e, IngestError::NotVariantFile(NotVariant::Empty)),
        "{e:?}"
    );
}

#[test]
fn random_bytes() {
    let mut rng = SplitMix64(0x5eed);
    let mut bytes: Vec<u8> = (0..64 * 1024).map(|_| rng.next() as u8).collect();
    bytes[0] = 0x42; // not a gzip magic by chance
    let e = expect_err("random bytes", &bytes);
    assert!(
        matches!(e, IngestError::NotVariantFile(NotVariant::Unknown(_))),
        "{e:?}"
    );
    // A gzip header followed by garbage: the damage is in the compressed data.
    bytes[..4].copy_from_slice(&[0x1f, 0x8b, 8, 0]);
    bytes[4..10].fill(0);
    let e = expect_err("gzip header then random bytes", &bytes);
    let IngestError::Compression {
        raw_offset,
        source: CompressionError::Inflate(_),
    } = e
    else {
        panic!("expected damaged compressed data: {e:?}");
    };
    assert!(raw_offset <= bytes.len() as u64, "{e:?}");
    assert_shows_where(
        "gzip header then random bytes",
        &e,
        &format!("{raw_offset} bytes"),
    );
}

#[test]
fn text_file_that_is_not_a_vcf() {
    let letter = b"Dear colleague,\nplease find attached the variants of our patient.\n";
    // What the file starts with is shown, so a person recognises it.
    let starts_with_the_letter = |e: &IngestError| {
        matches!(e, IngestError::NotVariantFile(NotVariant::Unknown(start))
            if start.starts_with("Dear colleague"))
    };
    let e = expect_err("a letter", letter);
    assert!(starts_with_the_letter(&e), "{e:?}");
    assert!(e.report().to_string().contains("Dear colleague"), "{e}");
    // The same, bgzipped: sniffing looks inside the compression.
    let e = expect_err("a bgzipped letter", &bgzip(letter));
    assert!(starts_with_the_letter(&e), "{e:?}");
}

#[test]
fn header_without_chrom_line() {
    let header = b"##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n";
    let e = expect_err("header only, no #CHROM", header);
    assert!(
        matches!(
            e,
            IngestError::Header {
                line: 3,
                source: HeaderError::MissingChromLine
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.location().and_then(|l| l.line), Some(3), "{e:?}");
    assert_shows_where("header only, no #CHROM", &e, "line 3");

    // Records straight after the meta lines: the error points at the first record line.
    let mut with_records = header.to_vec();
    with_records.extend_from_slice(b"1\t100\t.\tA\tC\t50\tPASS\tDP=3\n");
    let e = expect_err("records without #CHROM", &with_records);
    assert!(
        matches!(
            e,
            IngestError::Header {
                line: 4,
                source: HeaderError::NotAMetaLine
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.location().and_then(|l| l.line), Some(4), "{e:?}");
    assert_shows_where("records without #CHROM", &e, "line 4");
}

/// A VCF whose first record line never ends: `prefix`, then `A`s up to `len` bytes, then `\n`.
/// Generated on the fly, so the test holds only the engine's own buffer in memory.
struct EndlessLine {
    prefix: Cursor<Vec<u8>>,
    left: u64,
    newline_sent: bool,
}

impl Read for EndlessLine {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.prefix.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        if self.left > 0 {
            let n = buf
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            buf[..n].fill(b'A');
            self.left -= n as u64;
            return Ok(n);
        }
        if !self.newline_sent && !buf.is_empty() {
            self.newline_sent = true;
            buf[0] = b'\n';
            return Ok(1);
        }
        Ok(0)
    }
}

#[test]
fn line_longer_than_the_limit() {
    // MAX_LINE_BYTES is 256 MiB: the engine buffers that much before giving up, which costs about
    // a second and 256-512 MiB of memory here, so the real limit is tested (not a smaller copy).
    let limit = wasm_core::formats::vcf_text::MAX_LINE_BYTES as u64;
    let prefix =
        b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t100\t.\t"
            .to_vec();
    let reader = EndlessLine {
        prefix: Cursor::new(prefix),
        left: limit + (1 << 20),
        newline_sent: false,
    };
    let e = match read_from("line longer than the limit", reader, None) {
        Ok(ds) => panic!(
            "a {} MiB line loaded ({} records)",
            limit >> 20,
            ds.summary.records
        ),
        Err(e) => e,
    };
    println!("line longer than the limit: {}", e.report());
    assert_eq!(e.kind(), ErrorKind::Record(RecordKind::TooLong), "{e:?}");
    assert_eq!(e.location().and_then(|l| l.line), Some(3), "{e:?}");
    assert_shows_where("line longer than the limit", &e, "line 3");
}
