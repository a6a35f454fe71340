//! Property: reading a file through a reader that returns random short chunks gives exactly what
//! reading it at once gives. In the browser, bytes arrive in whatever slices `Blob.slice` and the
//! decompressors hand over, so no parser may assume a line, a BGZF block or a BCF record arrives
//! whole. A small deterministic PRNG (splitmix64) replaces a property-testing crate; each case
//! prints its seed, so a failure can be replayed.

// Native only: these read files from testdata/ and catch panics, which the browser build cannot.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{self, Cursor, Read};

use enclave_test_support::{engine::read_from, files::testdata, rng::SplitMix64};

/// Hands out `bytes` in random chunks: mostly 1–16 bytes, sometimes up to 4 KiB, never more than
/// the caller asked for and never 0 before the end.
struct ChunkedReader<'a> {
    bytes: &'a [u8],
    at: usize,
    rng: SplitMix64,
}

impl Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let max = if self.rng.next().is_multiple_of(8) {
            4096
        } else {
            16
        };
        let n = self
            .rng
            .size(max)
            .min(buf.len())
            .min(self.bytes.len() - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Everything a user could see of a read: the summary and every record as VCF text, or the error.
fn render(reader: impl Read, total: u64) -> String {
    let ds = match read_from("chunked read", reader, Some(total)) {
        Err(e) => return format!("error: {e}"),
        Ok(ds) => ds,
    };
    let s = &ds.summary;
    let mut out = format!(
        "{:?} {:?} {} records={} samples={:?} contigs={:?} bytes_read={} uncompressed={} warnings={:?}\n",
        s.compression, s.payload, s.file_format, s.records, s.samples, s.contigs, s.bytes_read, s.uncompressed_bytes, s.warnings
    )
    .into_bytes();
    wasm_core::export::write_tsv(&mut out, &ds.store, 0..ds.store.len()).expect("in memory");
    for i in 0..ds.store.len() {
        wasm_core::export::write_vcf_record(&mut out, &ds.store, i).expect("in memory");
        out.push(b'\n');
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn first_difference(a: &str, b: &str) -> String {
    for (k, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  at once: {x}\n  chunked: {y}", k + 1);
        }
    }
    format!(
        "one output is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

fn check(name: &str, bytes: &[u8], seeds: &[u64]) {
    let whole = render(Cursor::new(bytes), bytes.len() as u64);
    for &seed in seeds {
        let chunked = render(
            ChunkedReader {
                bytes,
                at: 0,
                rng: SplitMix64(seed),
            },
            bytes.len() as u64,
        );
        assert!(
            whole == chunked,
            "{name}, seed {seed}: chunked reading differs from reading at once, {}",
            first_difference(&whole, &chunked)
        );
    }
    let first: String = whole
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect();
    println!("{name}: {} seeds agree ({first}…)", seeds.len());
}

#[test]
fn plain_vcf_in_random_chunks() {
    check(
        "plain VCF",
        &testdata("vcfpy/tests/vcfs/full_vcf43.vcf"),
        &[1, 2, 3, 4, 5, 6, 7, 8],
    );
    check(
        "sites-only VCF",
        &testdata("vcfpy/tests/vcfs_from_the_wild/1kg.sites.vcf"),
        &[11, 12, 13],
    );
}

#[test]
fn bgzf_vcf_in_random_chunks() {
    check(
        "BGZF VCF",
        &testdata("vcfpy/tests/vcfs/full_vcf43.vcf.gz"),
        &[21, 22, 23, 24, 25],
    );
    check(
        "BGZF trio VCF",
        &testdata("slivar/tests/ashk-trio.vcf.gz"),
        &[26],
    );
}

#[test]
fn plain_gzip_vcf_in_random_chunks() {
    check(
        "plain-gzip VCF",
        &testdata("vcfpy/tests/vcfs_from_the_wild/1kg.vcf.gz"),
        &[31, 32],
    );
}

#[test]
fn bcf_in_random_chunks() {
    check(
        "BCF",
        &testdata("cyvcf2/cyvcf2/tests/test.snpeff.bcf"),
        &[41, 42, 43, 44],
    );
    check(
        "BCF, 629 samples",
        &testdata("generated/derived/vcfpy.1kg.bcf"),
        &[45],
    );
}

#[test]
fn errors_are_the_same_in_random_chunks() {
    // A bad record reports the same line, record and offset however the bytes arrive.
    let mut bytes = testdata("vcfpy/tests/vcfs/full_vcf43.vcf");
    let text = String::from_utf8(bytes.clone()).unwrap();
    let last_record = text.trim_end().rfind('\n').unwrap() + 1;
    bytes.truncate(last_record);
    bytes.extend_from_slice(b"20\tnot-a-position\t.\tA\tC\t.\tPASS\t.\n");
    let whole = render(Cursor::new(&bytes), bytes.len() as u64);
    assert!(
        whole.starts_with("error: "),
        "the bad POS should be an error: {whole}"
    );
    check("VCF with a bad record", &bytes, &[51, 52, 53, 54]);
}
