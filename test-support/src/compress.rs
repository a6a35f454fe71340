//! Compressed inputs made in the tests: plain gzip ([`gzip`], [`gunzip`]), BGZF as noodles
//! writes it ([`bgzip`]), and BGZF built block by block ([`block`], [`stored_block`],
//! [`bgzip_in`], [`bgzip_per_line`]) to put block boundaries where a test needs them, with the
//! ground truth of where blocks start ([`block_offsets`]).
//!
//! BGZF (SAM/BAM spec §4.1): gzip members with an extra field `BC` holding BSIZE (the block's
//! size minus 1), at most 64 KiB each, ended by a fixed empty block ([`EOF_MARKER`]). The
//! builders here are written from the spec, independently of the engine's reader.

use std::io::{Read, Write};

/// The empty block that ends a BGZF file (SAM/BAM spec §4.1.2).
pub const EOF_MARKER: [u8; 28] = [
    0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0, 0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0,
    0, 0,
];

/// The most plain bytes one block holds (ISIZE ≤ 65,536).
pub const MAX_BLOCK_DATA: usize = 65_536;

/// Plain gzip (one member), as `gzip` writes it.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// The decompressed bytes of gzip or BGZF (all members).
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// BGZF as noodles writes it: blocks of just under 64 KiB of text, then the end-of-file marker.
pub fn bgzip(bytes: &[u8]) -> Vec<u8> {
    let mut writer = noodles::bgzf::io::Writer::new(Vec::new());
    writer.write_all(bytes).expect("in memory");
    writer.finish().expect("in memory")
}

/// One BGZF block holding `deflate` (raw deflate data) that inflates to `plain`: header with the
/// `BC` field, the data, CRC32 and ISIZE.
pub fn block_with(deflate: &[u8], plain: &[u8]) -> Vec<u8> {
    let bsize = u16::try_from(18 + deflate.len() + 8 - 1).expect("a block under 64 KiB");
    let mut b = vec![
        0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
    ];
    b.extend_from_slice(&bsize.to_le_bytes());
    b.extend_from_slice(deflate);
    let mut crc = flate2::Crc::new();
    crc.update(plain);
    b.extend_from_slice(&crc.sum().to_le_bytes());
    b.extend_from_slice(&(plain.len() as u32).to_le_bytes());
    b
}

/// One BGZF block of `plain` (at most [`MAX_BLOCK_DATA`] bytes) compressed with deflate at
/// `level` (flate2's 0–9).
pub fn block_at(plain: &[u8], level: u32) -> Vec<u8> {
    assert!(
        plain.len() <= MAX_BLOCK_DATA,
        "{} bytes in one block",
        plain.len()
    );
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
    enc.write_all(plain).expect("in memory");
    block_with(&enc.finish().expect("in memory"), plain)
}

/// One BGZF block of `plain`, compressed at deflate's default level.
pub fn block(plain: &[u8]) -> Vec<u8> {
    block_at(plain, flate2::Compression::default().level())
}

/// One BGZF block of `plain` as one stored (uncompressed) deflate block (RFC 1951 §3.2.4): its
/// bytes appear verbatim inside the compressed data.
pub fn stored_block(plain: &[u8]) -> Vec<u8> {
    let len = u16::try_from(plain.len()).expect("a stored block holds under 64 KiB");
    let mut deflate = vec![0x01];
    deflate.extend_from_slice(&len.to_le_bytes());
    deflate.extend_from_slice(&(!len).to_le_bytes());
    deflate.extend_from_slice(plain);
    block_with(&deflate, plain)
}

/// `text` as BGZF whose blocks hold the numbers of bytes `sizes` gives in turn (each clamped to
/// 1..=65,280), compressed fast, then the end-of-file marker. Returns the file and, per block,
/// its offset in the file and the offset in `text` its data starts at.
pub fn bgzip_in(text: &[u8], mut sizes: impl FnMut() -> usize) -> (Vec<u8>, Vec<(u64, usize)>) {
    let mut out = Vec::new();
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let n = sizes().clamp(1, 0xff00).min(text.len() - at);
        blocks.push((out.len() as u64, at));
        out.extend_from_slice(&block_at(
            &text[at..at + n],
            flate2::Compression::fast().level(),
        ));
        at += n;
    }
    out.extend_from_slice(&EOF_MARKER);
    (out, blocks)
}

/// `text` as BGZF with one block per line (a longer line split over several), so every block
/// starts a record.
pub fn bgzip_per_line(text: &[u8]) -> Vec<u8> {
    let mut ends = text
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::len)
        .collect::<Vec<_>>()
        .into_iter();
    let mut left = 0usize;
    bgzip_in(text, move || {
        if left == 0 {
            left = ends.next().unwrap_or(1);
        }
        let n = left.min(0xff00);
        left -= n;
        n
    })
    .0
}

/// The offsets of the blocks of a whole, valid BGZF file, by a walk from 0 over BSIZE (the
/// ground truth for block searches); the walk must end exactly at the end.
pub fn block_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let header = &bytes[at..];
        assert!(
            header.len() >= 18 && header[..4] == [0x1f, 0x8b, 8, 4] && header[12..14] == *b"BC",
            "no BGZF block header at byte {at}"
        );
        offsets.push(at);
        at += usize::from(u16::from_le_bytes([header[16], header[17]])) + 1;
    }
    assert_eq!(at, bytes.len(), "the walk over the blocks ends at the end");
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> Vec<u8> {
        (0..3000)
            .flat_map(|k| format!("chr1\t{k}\t.\tA\tG\n").into_bytes())
            .collect()
    }

    #[test]
    fn every_builder_decompresses_to_its_input() {
        let text = text();
        assert_eq!(gunzip(&gzip(&text)), text);
        assert_eq!(gunzip(&bgzip(&text)), text);
        assert_eq!(gunzip(&bgzip_per_line(&text)), text);
        let (file, blocks) = bgzip_in(&text, || 1000);
        assert_eq!(gunzip(&file), text);
        assert_eq!(blocks.len(), text.len().div_ceil(1000));
        let offsets = block_offsets(&file);
        // The blocks of the text, then the end-of-file marker.
        assert_eq!(offsets.len(), blocks.len() + 1);
        assert!(blocks.iter().zip(&offsets).all(|(b, &o)| b.0 == o as u64));
        assert!(blocks.iter().enumerate().all(|(k, b)| b.1 == k * 1000));
        assert!(file.ends_with(&EOF_MARKER));
        let one = [stored_block(b"stored text"), block(b" and deflated")].concat();
        assert_eq!(gunzip(&one), b"stored text and deflated");
        assert!(one.windows(11).any(|w| w == b"stored text"));
    }

    #[test]
    fn one_block_per_line() {
        let text = text();
        let file = bgzip_per_line(&text);
        assert_eq!(block_offsets(&file).len(), 3000 + 1);
        // A line longer than a block is split over several.
        let long = [vec![b'x'; 0xff00 + 10], b"\n".to_vec()].concat();
        assert_eq!(block_offsets(&bgzip_per_line(&long)).len(), 2 + 1);
    }

    #[test]
    fn the_eof_marker_is_an_empty_block() {
        assert_eq!(block(b"").len(), EOF_MARKER.len());
        assert_eq!(gunzip(&EOF_MARKER), b"");
        assert_eq!(block_offsets(&EOF_MARKER), [0]);
    }
}
