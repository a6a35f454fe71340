//! Browser tests of the worker side, in a real dedicated worker (where `FileReaderSync` exists):
//! [`BlobReader`] returns exactly the blob's bytes under random seeks and chunk sizes, and the
//! engine reads VCF (plain, gzip, BGZF) through it; malformed blobs give errors, not panics.

use std::io::{Read, Seek, SeekFrom};

use app::blob_reader::BlobReader;
use app::worker::OpenError;
use enclave_test_support::blob::blob;
use enclave_test_support::compress::gzip;
use enclave_test_support::rng::SplitMix64;
use enclave_test_support::testdata_bytes;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::progress::Silent;
use wasm_core::read_dataset;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const VCF: &[u8] = testdata_bytes!("vcfpy/tests/vcfs/full_vcf43.vcf");
const VCF_BGZF: &[u8] = testdata_bytes!("vcfpy/tests/vcfs/full_vcf43.vcf.gz");

#[wasm_bindgen_test]
fn reading_whole_blobs_in_any_chunk_size_gives_their_bytes() {
    let mut rng = SplitMix64(0x9e37_79b9_7f4a_7c15);
    let noise = rng.bytes(300_000);
    // Tiny chunks only on small inputs: each chunk is one `FileReaderSync` call.
    let cases: [(&[u8], &[u32]); 4] = [
        (VCF, &[1, 7, 64, 4096, 1 << 20]),
        (VCF_BGZF, &[1, 13, 4096]),
        (&noise, &[4093, 65_536, 1 << 20]),
        (&[], &[1, 4096]),
    ];
    for (bytes, chunks) in cases {
        for &chunk in chunks {
            let mut reader = BlobReader::with_chunk_size(blob(bytes), chunk).unwrap();
            assert_eq!(reader.size(), bytes.len() as u64);
            let mut out = Vec::new();
            reader.read_to_end(&mut out).unwrap();
            assert!(
                out == bytes,
                "chunk {chunk}: {} bytes read of {}",
                out.len(),
                bytes.len()
            );
        }
    }
}

#[wasm_bindgen_test]
fn random_seeks_and_reads_match_the_bytes() {
    let mut rng = SplitMix64(42);
    let bytes = rng.bytes(200_000);
    let size = bytes.len() as u64;
    for chunk in [3, 1000, 65_536] {
        let mut reader = BlobReader::with_chunk_size(blob(&bytes), chunk).unwrap();
        let mut position = 0u64;
        for _ in 0..300 {
            let target = rng.below(size + 10);
            let at = match rng.below(3) {
                0 => reader.seek(SeekFrom::Start(target)).unwrap(),
                1 => reader
                    .seek(SeekFrom::End(target as i64 - size as i64))
                    .unwrap(),
                _ => reader
                    .seek(SeekFrom::Current(target as i64 - position as i64))
                    .unwrap(),
            };
            assert_eq!(at, target);
            let mut buf = vec![0u8; rng.below(5000) as usize + 1];
            let n = reader.read(&mut buf).unwrap();
            let start = target.min(size) as usize;
            let expected = &bytes[start..(start + buf.len()).min(bytes.len())];
            assert!(n > 0 || expected.is_empty(), "read nothing at {target}");
            assert_eq!(
                &buf[..n],
                &expected[..n],
                "at offset {target}, chunk {chunk}"
            );
            position = target + n as u64;
            assert_eq!(reader.stream_position().unwrap(), position);
        }
        assert!(
            reader
                .seek(SeekFrom::Current(-(position as i64) - 1))
                .is_err()
        );
        assert!(reader.seek(SeekFrom::End(-(size as i64) - 1)).is_err());
    }
}

#[wasm_bindgen_test]
fn read_range_reads_exactly_the_range() {
    let reader = BlobReader::new(blob(VCF)).unwrap();
    assert_eq!(reader.read_range(0, 16).unwrap(), &VCF[..16]);
    assert_eq!(reader.read_range(100, 250).unwrap(), &VCF[100..250]);
    // Clamped to the end, like the fingerprint's tail of a small file.
    assert_eq!(
        reader.read_range(VCF.len() as u64 - 5, u64::MAX).unwrap(),
        &VCF[VCF.len() - 5..]
    );
    assert!(
        reader
            .read_range(u64::MAX - 1, u64::MAX)
            .unwrap()
            .is_empty()
    );
}

#[wasm_bindgen_test]
fn the_engine_reads_plain_gzip_and_bgzf_blobs() {
    let gz = gzip(VCF);
    for (name, bytes) in [("plain", VCF), ("bgzf", VCF_BGZF), ("gzip", &gz[..])] {
        for chunk in [5, wasm_core_default_chunk()] {
            let reader = BlobReader::with_chunk_size(blob(bytes), chunk).unwrap();
            let total = reader.size();
            let dataset = read_dataset(reader, Some(total), &mut Silent)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(dataset.summary.records, 5, "{name}");
            assert_eq!(
                dataset.summary.samples,
                ["NA00001", "NA00002", "NA00003"],
                "{name}"
            );
            assert_eq!(dataset.summary.bytes_read, bytes.len() as u64, "{name}");
            assert_eq!(dataset.store.len(), 5);
        }
    }
}

fn wasm_core_default_chunk() -> u32 {
    app::blob_reader::DEFAULT_CHUNK
}

#[wasm_bindgen_test]
fn malformed_blobs_are_errors_not_panics() {
    let read = |bytes: &[u8]| {
        let reader = BlobReader::with_chunk_size(blob(bytes), 100).unwrap();
        let total = reader.size();
        read_dataset(reader, Some(total), &mut Silent)
    };
    assert!(read(b"hello\n").is_err());
    assert!(read(b"").is_err());
    // A BGZF file cut in half.
    assert!(read(&VCF_BGZF[..VCF_BGZF.len() / 2]).is_err());
    // A record with too few columns: the error says where.
    let text = String::from_utf8(VCF.to_vec()).unwrap();
    let broken = text.replacen("20\t17330\t.\tT\tA\t3\tq10", "20\t17330\t.\tT", 1);
    assert_ne!(text, broken);
    let error = read(broken.as_bytes()).expect_err("a record with too few columns");
    let location = error.location().expect("a location");
    assert_eq!(location.record, Some(2), "{error}");
    assert!(location.line.is_some(), "{error}");
    // What the page shows of it is the whole cause chain, not only the outer message.
    let source = std::error::Error::source(&error).expect("a record error has its cause");
    let shown = match app::worker::load(blob(broken.as_bytes()), &[7; 32], None, &mut Silent) {
        Err(OpenError::Ingest(e)) => {
            assert_eq!(e.kind(), error.kind(), "{}", e.report());
            OpenError::Ingest(e).to_string()
        }
        other => panic!("a record with too few columns: {other:?}"),
    };
    assert_eq!(shown, error.report().to_string());
    assert!(shown.contains(&source.to_string()), "{shown}");
}
