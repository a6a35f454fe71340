//! The engine's whole-genome paths on the trio (`testdata/slivar/tests/ashk-trio.vcf.gz`, 9,940
//! records, with bcftools' CSI):
//! - the index overview gives every contig's count before any record is read, and equals a full
//!   read's counts;
//! - a region query through the index equals the full read masked by the same regions, and
//!   reads a small part of the file;
//! - streaming filter mode keeps exactly the records a full read plus the filter keeps, across
//!   batch boundaries, for VCF and BCF;
//! - a prefix read stops early and its memory estimate extrapolates to the full store's size.

use std::fs::File;
use std::path::{Path, PathBuf};

use wasm_core::Dataset;
use wasm_core::export::write_vcf_record;
use wasm_core::filter::{Filter, Mode, NoFiles};
use wasm_core::formats::indexed::{IndexedFile, count_mismatches};
use wasm_core::formats::{ReadOptions, StreamFilter, estimate_memory, read_dataset_with};
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use wasm_core::regions::RegionSet;

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(path)
}

const TRIO: &str = "slivar/tests/ashk-trio.vcf.gz";

fn full(path: &str) -> Dataset {
    read_dataset(File::open(testdata(path)).unwrap(), None, &mut Silent).unwrap()
}

fn lines(ds: &Dataset, rows: impl Iterator<Item = usize>) -> Vec<String> {
    rows.map(|i| {
        let mut out = Vec::new();
        write_vcf_record(&mut out, &ds.store, i).unwrap();
        String::from_utf8(out).unwrap()
    })
    .collect()
}

fn open_indexed() -> IndexedFile {
    let index = std::fs::read(testdata(&format!("{TRIO}.csi"))).unwrap();
    IndexedFile::open(Box::new(File::open(testdata(TRIO)).unwrap()), &index, None).unwrap()
}

#[test]
fn overview_counts_equal_a_full_read() {
    let indexed = open_indexed();
    let overview = indexed.overview();
    let ds = full(TRIO);
    assert_eq!(overview.records, Some(ds.summary.records));
    assert_eq!(overview.samples, ds.summary.samples);
    assert!(count_mismatches(&overview, &ds.summary.contigs).is_empty());
    assert!(
        overview
            .contigs
            .iter()
            .any(|c| c.name == "1" && c.length.is_some())
    );
    // Only the header was read to get here.
    assert!(indexed.bytes_read() < 200_000, "{}", indexed.bytes_read());
    // A file with other counts is reported contig by contig.
    let mut other = ds.summary.contigs.clone();
    other[0].records += 1;
    let diff = count_mismatches(&overview, &other);
    assert_eq!(diff.len(), 1, "{diff:?}");
}

#[test]
fn region_query_equals_the_masked_full_read_and_reads_little() {
    let ds = full(TRIO);
    let size = std::fs::metadata(testdata(TRIO)).unwrap().len();
    for text in [
        "1:10000000-12000000",
        "2",
        "1:1-1000000,3:5000000-9000000",
        "X:1-2",
    ] {
        let set = RegionSet::parse(text).unwrap();
        let mut indexed = open_indexed();
        let got = indexed.query(&set).unwrap();
        let expected = lines(&ds, set.mask(&ds.store).iter_ones());
        // Same records; the index gives them in the order the regions name contigs, which
        // here is the file's order too.
        assert_eq!(lines(&got, 0..got.store.len()), expected, "{text}");
        if text == "1:10000000-12000000" {
            assert_eq!(got.summary.records, 166);
            assert!(
                indexed.bytes_read() * 3 < size,
                "read {} of {size}",
                indexed.bytes_read()
            );
        }
    }
}

fn streamed(path: &str, filter: &StreamFilter) -> Dataset {
    read_dataset_with(
        File::open(testdata(path)).unwrap(),
        None,
        &ReadOptions {
            stream: Some(filter),
            ..ReadOptions::default()
        },
        &mut Silent,
    )
    .unwrap()
}

#[test]
fn streaming_keeps_what_the_filter_passes() {
    let bcf = "htslib/test/tabix/vcf_file.bcf";
    for path in [TRIO, bcf] {
        let ds = full(path);
        for (expression, mode, regions, batch) in [
            ("QUAL>50", Mode::Include, None, None),
            ("QUAL>50", Mode::Include, None, Some(1000)),
            ("GT=\"het\"", Mode::Exclude, None, Some(7)),
            ("", Mode::Include, Some("1:1-20000000"), Some(1)),
            ("QUAL>20", Mode::Include, Some("2,3"), Some(333)),
        ] {
            let spec = StreamFilter {
                expression: expression.into(),
                mode,
                regions: regions.map(|r| RegionSet::parse(r).unwrap()),
                batch,
            };
            let got = streamed(path, &spec);
            let mut pass = if expression.is_empty() {
                wasm_core::bitmap::Bitmap::ones(ds.store.len())
            } else {
                Filter::compile(expression, &ds.store, mode, &NoFiles)
                    .unwrap()
                    .evaluate(&ds.store)
                    .pass
            };
            if let Some(set) = &spec.regions {
                pass.and_with(&set.mask(&ds.store));
            }
            let expected = lines(&ds, pass.iter_ones());
            assert_eq!(
                got.summary.scanned,
                Some(ds.summary.records),
                "{path} {expression}"
            );
            assert_eq!(
                got.summary.records as usize,
                expected.len(),
                "{path} {expression}"
            );
            assert_eq!(
                lines(&got, 0..got.store.len()),
                expected,
                "{path} {expression}"
            );
            assert!(got.summary.store_bytes <= ds.summary.store_bytes);
        }
    }
}

#[test]
fn a_wrong_streaming_expression_is_reported() {
    let spec = StreamFilter {
        expression: "INFO/NOPE>3".into(),
        ..StreamFilter::default()
    };
    let e = read_dataset_with(
        File::open(testdata(TRIO)).unwrap(),
        None,
        &ReadOptions {
            stream: Some(&spec),
            ..ReadOptions::default()
        },
        &mut Silent,
    )
    .unwrap_err();
    assert!(e.to_string().contains("NOPE"), "{e}");
    let ds = full(TRIO);
    assert!(wasm_core::formats::check_stream_filter(&spec, &ds.store).is_err());
}

#[test]
fn a_prefix_read_estimates_the_whole_store() {
    let ds = full(TRIO);
    let size = std::fs::metadata(testdata(TRIO)).unwrap().len();
    let prefix = read_dataset_with(
        File::open(testdata(TRIO)).unwrap(),
        Some(size),
        &ReadOptions {
            raw_limit: Some(size / 4),
            ..ReadOptions::default()
        },
        &mut Silent,
    )
    .unwrap();
    assert!(prefix.summary.partial);
    assert!(prefix.summary.records > 0 && prefix.summary.records < ds.summary.records);
    let guess = estimate_memory(&prefix, size, None);
    assert!(!guess.exact_records);
    let ratio = guess.bytes as f64 / ds.summary.store_bytes as f64;
    assert!(
        (0.6..1.6).contains(&ratio),
        "estimate {} vs {}",
        guess.bytes,
        ds.summary.store_bytes
    );
    let exact = estimate_memory(&prefix, size, Some(ds.summary.records));
    assert_eq!(exact.records, ds.summary.records);
    let ratio = exact.bytes as f64 / ds.summary.store_bytes as f64;
    assert!(
        (0.7..1.4).contains(&ratio),
        "estimate {} vs {}",
        exact.bytes,
        ds.summary.store_bytes
    );
}
