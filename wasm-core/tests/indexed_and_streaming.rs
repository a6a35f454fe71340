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
use std::path::PathBuf;

use enclave_test_support::engine::vcf_lines;
use enclave_test_support::files::{shared_testdata, testdata_path};
use wasm_core::filter::{Filter, FilterErrorKind, Mode, NoFiles};
use wasm_core::formats::indexed::{IndexedFile, count_mismatches};
use wasm_core::formats::shards;
use wasm_core::formats::{ReadOptions, StreamFilter, estimate_memory, read_dataset_with};
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use wasm_core::regions::RegionSet;
use wasm_core::{Dataset, IngestError};

const TRIO: &str = "slivar/tests/ashk-trio.vcf.gz";

fn full(path: &str) -> Dataset {
    read_dataset(File::open(testdata_path(path)).unwrap(), None, &mut Silent).unwrap()
}

fn open_indexed() -> IndexedFile {
    let index = std::fs::read(testdata_path(&format!("{TRIO}.csi"))).unwrap();
    IndexedFile::open(
        Box::new(File::open(testdata_path(TRIO)).unwrap()),
        &index,
        None,
    )
    .unwrap()
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
    let size = std::fs::metadata(testdata_path(TRIO)).unwrap().len();
    for text in [
        "1:10000000-12000000",
        "2",
        "1:1-1000000,3:5000000-9000000",
        "X:1-2",
    ] {
        let set = RegionSet::parse(text).unwrap();
        let mut indexed = open_indexed();
        let got = indexed.query(&set).unwrap();
        let expected = vcf_lines(&ds, set.mask(&ds.store).iter_ones());
        // Same records; the index gives them in the order the regions name contigs, which
        // here is the file's order too.
        assert_eq!(vcf_lines(&got, 0..got.store.len()), expected, "{text}");
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
        File::open(testdata_path(path)).unwrap(),
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
            let expected = vcf_lines(&ds, pass.iter_ones());
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
                vcf_lines(&got, 0..got.store.len()),
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
        File::open(testdata_path(TRIO)).unwrap(),
        None,
        &ReadOptions {
            stream: Some(&spec),
            ..ReadOptions::default()
        },
        &mut Silent,
    )
    .unwrap_err();
    // The filter's own error, with the span the filter box puts its caret under.
    let IngestError::Filter(source) = &e else {
        panic!("expected the filter's error: {e:?}");
    };
    assert_eq!(source.kind, FilterErrorKind::UnknownField);
    assert_eq!(
        &spec.expression[source.span.start..source.span.end],
        "INFO/NOPE"
    );
    assert!(e.report().to_string().contains("NOPE"), "{}", e.report());
    let ds = full(TRIO);
    let checked = wasm_core::formats::check_stream_filter(&spec, &ds.store).unwrap_err();
    assert_eq!(checked.span, source.span);
}

#[test]
fn a_prefix_read_estimates_the_whole_store() {
    let ds = full(TRIO);
    let size = std::fs::metadata(testdata_path(TRIO)).unwrap().len();
    let prefix = read_dataset_with(
        File::open(testdata_path(TRIO)).unwrap(),
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

#[test]
fn shards_read_in_parallel_equal_one_read() {
    // A larger BGZF file with many blocks: the shared NA12878 gVCF snippet when present, else
    // the trio. Both have a bcftools/tabix index beside them.
    let shared = shared_testdata()
        .map(|dir| dir.join("bio2zarr/tests/data/vcf/NA12878.prod.chr20snippet.g.vcf.gz"))
        .filter(|file| file.is_file());
    let (data, index) = if let Some(shared) = shared {
        let tbi = PathBuf::from(format!("{}.tbi", shared.display()));
        (shared, tbi)
    } else {
        eprintln!("shards: ../shared/testdata absent, using the trio only");
        (testdata_path(TRIO), testdata_path(&format!("{TRIO}.csi")))
    };
    let whole = read_dataset(File::open(&data).unwrap(), None, &mut Silent).unwrap();
    let expected = vcf_lines(&whole, 0..whole.store.len());
    let qual_order = whole.store.order(wasm_core::store::SortKey::Qual, true);
    let index = std::fs::read(&index).unwrap();
    for n in [1, 2, 3, 8] {
        let plan =
            shards::plan(Box::new(File::open(&data).unwrap()), Some(&index), None, n).unwrap();
        assert!(!plan.shards.is_empty() && plan.shards.len() <= n);
        if n > 1 {
            assert!(plan.shards.len() > 1, "{n} shards asked, 1 given");
        }
        let mut got = Vec::new();
        let mut shards = Vec::new();
        for spec in &plan.shards {
            let data = Box::new(File::open(&data).unwrap());
            let shard =
                shards::read_shard(data, None, spec, &ReadOptions::default(), &mut Silent).unwrap();
            got.extend(vcf_lines(&shard, 0..shard.store.len()));
            shards.push(shard);
        }
        assert_eq!(got.len(), expected.len(), "{n} shards");
        assert!(got == expected, "{n} shards: records differ");
        // Filter counts add up; a page sorted by QUAL merges to the single-worker order.
        let count = |ds: &Dataset| {
            Filter::compile("QUAL>30 || FMT/DP>10", &ds.store, Mode::Include, &NoFiles)
                .unwrap()
                .evaluate(&ds.store)
                .pass
                .count_ones()
        };
        assert_eq!(shards.iter().map(count).sum::<u64>(), count(&whole));
        let orders: Vec<Vec<u32>> = shards
            .iter()
            .map(|s| s.store.order(wasm_core::store::SortKey::Qual, true))
            .collect();
        let stores: Vec<&wasm_core::store::VariantStore> =
            shards.iter().map(|s| &s.store).collect();
        let merged = wasm_core::store::merge_orders(
            &stores,
            &orders,
            wasm_core::store::SortKey::Qual,
            true,
            200,
        );
        let mut offset = 0u32;
        let global: Vec<u32> = {
            let mut bases = Vec::new();
            for s in &shards {
                bases.push(offset);
                offset += s.store.len() as u32;
            }
            merged.iter().map(|&(k, i)| bases[k] + i).collect()
        };
        assert_eq!(
            global,
            qual_order[..global.len()],
            "{n} shards: merged QUAL page"
        );
    }
}
