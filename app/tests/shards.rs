//! A file held as shards answers as one worker holding it whole: the merges the page does for a
//! pool load ([`app::shards`], [`wasm_core::Summary::merged`]) over real shards read through the
//! worker's own [`app::worker::read_shard`], against one [`Session`] of the whole file:
//!
//! - the summary (records, per-contig counts, samples) and the schema;
//! - filter reports (passing, total, per-clause counts), with expressions, regions and both modes;
//! - pages of rows in every sort order, before and after a filter, at the first page, in the
//!   middle, across shard boundaries and past the end — rows, their file-order index and their
//!   annotation summaries;
//! - a lead load asked for several workers plans the shards and reads the first one only, with
//!   the index or without it (BGZF blocks); uncompressed text splits at lines; plain gzip is read
//!   by one worker and the summary says why; a part planned for another file is refused;
//! - a field the header does not declare, first seen in a later part of the file, filters as in
//!   the whole file once the shards that lack it add it absent ([`absent_fields`]);
//! - a Crypt4GH file splits by its plaintext (index or blocks) like the plain file, and a wrong
//!   key is named.
//!
//! Shard counts 1, 2, 3 and 5 over the trio (9,940 records, CSI, tabix and no index). The worker messaging
//! of a pool is tested end to end (e2e/indexed.test.mjs, `?workers=`).

use std::cell::RefCell;

use app::blob_reader::BlobReader;
use app::protocol::FilterReport;
use app::protocol::ShardSpec;
use app::session::Session;
use app::shards::{absent_fields, merge_reports, merge_rows, merge_schemas, plan_page};
use app::worker::{IndexInput, LoadOptions, Note, Opened, load_with, read_shard, shard_plan};
use enclave_test_support::blob::blob;
use enclave_test_support::compress::{gunzip, gzip};
use enclave_test_support::testdata_bytes;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::crypt4gh::SecretKey;
use wasm_core::filter::Mode;
use wasm_core::formats::indexed::IndexedFile;
use wasm_core::formats::shards;
use wasm_core::progress::Silent;
use wasm_core::store::SortKey;
use wasm_core::{Summary, read_dataset};
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const TRIO: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz");
const TRIO_CSI: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz.csi");
const TRIO_TBI: &[u8] = include_bytes!("data/ashk-trio.vcf.gz.tbi");

fn whole() -> Session {
    let reader = BlobReader::new(blob(TRIO)).unwrap();
    let size = reader.size();
    Session::new(read_dataset(reader, Some(size), &mut Silent).unwrap())
}

/// The plan a lead worker makes for up to `n` workers (the whole file as one part when it
/// plans none), with the trio's `index` or without one.
fn plan_for(data: &Blob, index: Option<&[u8]>, key: Option<&SecretKey>, n: u32) -> Vec<ShardSpec> {
    let mut file = index.map(|index| {
        IndexedFile::open(Box::new(BlobReader::new(data.clone()).unwrap()), index, key).unwrap()
    });
    let (plan, reason) = shard_plan(data, file.as_mut(), key, n, 1);
    if !plan.is_empty() {
        assert!(plan.len() <= n as usize);
        assert_eq!(reason, None);
        return plan;
    }
    let reader = BlobReader::new(data.clone()).unwrap();
    shards::plan(Box::new(reader), None, key, 1).unwrap().shards
}

/// The trio read as up to `n` shards, split by `index` or without one.
fn sharded(index: Option<&[u8]>, n: u32) -> Vec<Session> {
    let data = blob(TRIO);
    plan_for(&data, index, None, n)
        .iter()
        .map(|spec| Session::new(read_shard(&data, None, spec, &mut Silent).unwrap()))
        .collect()
}

fn summaries(shards: &[Session]) -> Vec<Summary> {
    shards.iter().map(|s| s.dataset().summary.clone()).collect()
}

/// A page of the sharded dataset, merged as the page's `WorkerClient::rows` merges it.
fn sharded_page(
    shards: &mut [Session],
    offset: u64,
    limit: u32,
    sort: SortKey,
    descending: bool,
) -> (
    u64,
    Vec<wasm_core::store::Row>,
    Vec<Option<wasm_core::annotation::Summary>>,
) {
    let parts = summaries(shards);
    let merged = Summary::merged(&parts).unwrap();
    let ranks: Vec<Vec<u32>> = parts.iter().map(|s| s.contig_ranks(&merged)).collect();
    let mut bases = Vec::new();
    let mut before = 0;
    for s in &parts {
        bases.push(before);
        before += s.records;
    }
    let end = offset + u64::from(limit);
    let mut total = 0;
    let keys: Vec<Vec<f64>> = shards
        .iter_mut()
        .map(|s| {
            let (t, k) = s.keys(end, sort, descending);
            total += t;
            k
        })
        .collect();
    let plan = plan_page(&keys, &ranks, sort, descending, offset, limit);
    let columns = (
        shards[0].info_keys().to_vec(),
        shards[0].format_keys().to_vec(),
    );
    let mut annotated = false;
    let rows: Vec<Vec<_>> = shards
        .iter_mut()
        .zip(&plan.ranges)
        .map(|(s, &(offset, limit))| {
            s.set_columns(columns.0.clone(), columns.1.clone());
            let page = s.rows(offset, limit, sort, descending);
            annotated |= !page.annotations.is_empty();
            let mut annotations = page.annotations.into_iter();
            page.rows
                .into_iter()
                .map(|row| (row, annotations.next().flatten()))
                .collect()
        })
        .collect();
    // As the page does: no annotation field, no summaries.
    let (rows, annotations): (Vec<_>, Vec<_>) = merge_rows(&plan, rows, &bases).into_iter().unzip();
    (
        total,
        rows,
        if annotated { annotations } else { Vec::new() },
    )
}

fn without_time(mut report: FilterReport) -> FilterReport {
    report.millis = 0.0;
    report
}

/// Applies a filter to the whole file and to its shards: the merged report must be the
/// whole file's (timing aside).
fn assert_filter_equal(
    single: &mut Session,
    shards: &mut [Session],
    (expression, mode, regions): (&str, Mode, Option<&str>),
    label: &str,
) {
    let want = single
        .filter(expression, mode, regions, None, &|| 0.0)
        .unwrap();
    let reports: Vec<FilterReport> = shards
        .iter_mut()
        .map(|s| s.filter(expression, mode, regions, None, &|| 0.0).unwrap())
        .collect();
    assert_eq!(
        without_time(merge_reports(&reports).unwrap()),
        without_time(want),
        "{label}, {expression:?} {mode:?} {regions:?}"
    );
}

#[wasm_bindgen_test]
fn summary_and_schema_equal_the_whole_read() {
    let single = whole();
    for index in [Some(TRIO_CSI), Some(TRIO_TBI), None] {
        for n in [1, 2, 3, 5] {
            let shards = sharded(index, n);
            assert!(n == 1 || shards.len() > 1, "{n} shards asked, one planned");
            let merged = Summary::merged(&summaries(&shards)).unwrap();
            let want = &single.dataset().summary;
            assert_eq!(merged.records, want.records, "{n} shards");
            assert_eq!(merged.contigs, want.contigs, "{n} shards");
            assert_eq!(merged.samples, want.samples);
            assert_eq!(merged.warnings, want.warnings);
            // The first shard counts the header, the others their records: the file's text.
            assert_eq!(
                merged.uncompressed_bytes, want.uncompressed_bytes,
                "{n} shards"
            );
            let schemas: Vec<_> = shards.iter().map(Session::schema).collect();
            let mut got = merge_schemas(&schemas);
            let mut expected = single.schema();
            got.filters.sort();
            expected.filters.sort();
            assert_eq!(got, expected, "{n} shards");
        }
    }
}

#[wasm_bindgen_test]
fn filters_and_pages_equal_the_whole_read() {
    let single = RefCell::new(whole());
    let filters: [(&str, Mode, Option<&str>); 5] = [
        ("", Mode::Include, None),
        ("QUAL>30", Mode::Include, None),
        ("QUAL>30 && INFO/DP>20", Mode::Exclude, None),
        ("", Mode::Include, Some("1:1000000-30000000\n2")),
        ("GT[0]=\"het\"", Mode::Include, Some("2:1-100000000")),
    ];
    let pages: [(u64, u32); 6] = [
        (0, 50),
        (37, 100),
        (3000, 1000),
        (4970, 60),
        (9900, 100),
        (20000, 10),
    ];
    for (index, n) in [
        (Some(TRIO_CSI), 2),
        (Some(TRIO_CSI), 3),
        (Some(TRIO_CSI), 5),
        (None, 3),
    ] {
        let mut shards = sharded(index, n);
        for (expression, mode, regions) in filters {
            assert_filter_equal(
                &mut single.borrow_mut(),
                &mut shards,
                (expression, mode, regions),
                &format!("{n} shards (index: {})", index.is_some()),
            );
            for sort in [SortKey::Position, SortKey::Qual] {
                for descending in [false, true] {
                    for (offset, limit) in pages {
                        let want = single.borrow_mut().rows(offset, limit, sort, descending);
                        let (total, rows, annotations) =
                            sharded_page(&mut shards, offset, limit, sort, descending);
                        let label = format!(
                            "{n} shards (index: {}), {expression:?} {regions:?}, {sort:?} desc={descending}, \
                             page {offset}+{limit}",
                            index.is_some()
                        );
                        assert_eq!(total, want.total, "{label}");
                        assert_eq!(rows, want.rows, "{label}");
                        assert_eq!(annotations, want.annotations, "{label}");
                    }
                }
            }
        }
    }
}

#[wasm_bindgen_test]
fn a_filters_warnings_are_merged_once() {
    let mut single = whole();
    let mut shards = sharded(Some(TRIO_CSI), 3);
    // `DB` alone never holds (as in bcftools) and warns, in every shard.
    for expression in ["QUAL>30 && DB", "DB || QUAL>30"] {
        assert_filter_equal(
            &mut single,
            &mut shards,
            (expression, Mode::Include, None),
            "3 shards",
        );
        let reports: Vec<FilterReport> = shards
            .iter_mut()
            .map(|s| {
                s.filter(expression, Mode::Include, None, None, &|| 0.0)
                    .unwrap()
            })
            .collect();
        assert!(
            reports.iter().all(|r| r.warnings.len() == 1),
            "{expression}"
        );
        assert_eq!(
            merge_reports(&reports).unwrap().warnings,
            reports[0].warnings
        );
    }
}

/// A lead load asked for 3 workers, with `index` or without one: the plan it notes.
fn lead_load(data: &Blob, index: Option<&[u8]>) -> (Opened, Vec<ShardSpec>, Vec<String>) {
    let options = LoadOptions {
        index: index.map(|index| IndexInput {
            blob: blob(index),
            name: "ashk-trio.vcf.gz.csi".into(),
        }),
        prefix_bytes: 4096,
        shards: 3,
        min_shard_bytes: 1,
        ..LoadOptions::default()
    };
    let mut plan = Vec::new();
    let opened = load_with(
        data.clone(),
        &[1; 32],
        None,
        &options,
        &mut |note| {
            if let Note::Shards(specs) = note {
                plan = specs;
            }
        },
        &mut Silent,
    )
    .unwrap();
    let warnings = match &opened {
        Opened::Loaded { session, .. } => session.dataset().summary.warnings.clone(),
        other => panic!("expected a load, got {other:?}"),
    };
    (opened, plan, warnings)
}

#[wasm_bindgen_test]
fn a_lead_load_plans_the_shards_and_reads_the_first() {
    for index in [Some(TRIO_CSI), None] {
        let (opened, plan, _) = lead_load(&blob(TRIO), index);
        assert_eq!(plan.len(), 3, "index: {}", index.is_some());
        // Each shard reports its progress, ending at its own total.
        let mut reports = Vec::new();
        let mut progress = |done: u64, total: Option<u64>| {
            reports.push((done, total));
            wasm_core::progress::Flow::Continue
        };
        read_shard(&blob(TRIO), None, &plan[1], &mut progress).unwrap();
        let &(done, total) = reports.last().unwrap();
        assert_eq!(Some(done), total);
        assert!(done > 0);
        let Opened::Loaded { session, .. } = opened else {
            unreachable!()
        };
        let first = read_shard(&blob(TRIO), None, &plan[0], &mut Silent).unwrap();
        assert_eq!(session.dataset().summary.records, first.summary.records);
        assert!(first.summary.records < 9_940);
        // The shards cover the file once: their counts add up to the whole.
        let total: u64 = plan
            .iter()
            .map(|spec| {
                read_shard(&blob(TRIO), None, spec, &mut Silent)
                    .unwrap()
                    .summary
                    .records
            })
            .sum();
        assert_eq!(total, 9_940);
    }
}

#[wasm_bindgen_test]
fn uncompressed_text_splits_and_plain_gzip_says_why_it_does_not() {
    let text = gunzip(TRIO);
    // Uncompressed VCF splits at newlines.
    let (_, plan, warnings) = lead_load(&blob(&text), None);
    assert_eq!(plan.len(), 3);
    assert!(
        warnings.iter().all(|w| !w.contains("one worker")),
        "{warnings:?}"
    );
    let records: u64 = plan
        .iter()
        .map(|spec| {
            read_shard(&blob(&text), None, spec, &mut Silent)
                .unwrap()
                .summary
                .records
        })
        .sum();
    assert_eq!(records, 9_940);
    // Plain gzip is one deflate stream: one worker, and the summary says why.
    let gz = gzip(&text);
    let (opened, plan, warnings) = lead_load(&blob(&gz), None);
    assert!(plan.is_empty());
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("read by one worker") && w.contains("plain gzip")),
        "{warnings:?}"
    );
    let Opened::Loaded { session, .. } = opened else {
        unreachable!()
    };
    assert_eq!(session.dataset().summary.records, 9_940);
}

#[wasm_bindgen_test]
fn a_shard_of_another_file_is_refused() {
    let plan = plan_for(&blob(TRIO), None, None, 2);
    let text = gunzip(TRIO);
    // Another size, then another container of the same size.
    let shorter = blob(&TRIO[..TRIO.len() - 100]);
    let error = read_shard(&shorter, None, &plan[1], &mut Silent).unwrap_err();
    assert!(
        error.to_string().contains("planned for a file of"),
        "{error}"
    );
    let same_size = blob(&text[..TRIO.len()]);
    let error = read_shard(&same_size, None, &plan[1], &mut Silent).unwrap_err();
    assert!(
        error.to_string().contains("plan the shards of this file"),
        "{error}"
    );
}

#[wasm_bindgen_test]
fn an_encrypted_file_splits_like_its_plaintext() {
    use std::io::Write;
    use wasm_core::crypt4gh::keys::Kdf;
    use wasm_core::crypt4gh::{Encryptor, SecretKey};

    let secret = SecretKey::generate().unwrap();
    let mut out = Encryptor::new(Vec::new(), None, &[*secret.public()], None).unwrap();
    out.write_all(TRIO).unwrap();
    let cipher = blob(&out.finish().unwrap());
    let key_file = secret.to_file(Kdf::None, None, None).unwrap();
    let material = || {
        Some(app::protocol::KeyMaterial {
            key_file: key_file.clone(),
            passphrase: None,
        })
    };
    let mut single = whole();
    // The plan comes from the index over the plaintext, or from its blocks, as the lead makes it.
    for index in [Some(TRIO_CSI), None] {
        let plan = plan_for(&cipher, index, Some(&secret), 3);
        assert_eq!(plan.len(), 3);
        let mut shards: Vec<Session> = plan
            .iter()
            .map(|spec| Session::new(read_shard(&cipher, material(), spec, &mut Silent).unwrap()))
            .collect();
        let merged = Summary::merged(&summaries(&shards)).unwrap();
        assert_eq!(merged.records, single.dataset().summary.records);
        assert_eq!(merged.contigs, single.dataset().summary.contigs);
        assert!(merged.encrypted);
        let (total, rows, _) = sharded_page(&mut shards, 4960, 40, SortKey::Position, false);
        let want = single.rows(4960, 40, SortKey::Position, false);
        assert_eq!((total, rows), (want.total, want.rows));
    }
    let plan = plan_for(&cipher, None, Some(&secret), 3);
    // A wrong key is named, not a crash.
    let other = SecretKey::generate()
        .unwrap()
        .to_file(Kdf::None, None, None)
        .unwrap();
    let wrong = Some(app::protocol::KeyMaterial {
        key_file: other,
        passphrase: None,
    });
    let error = read_shard(&cipher, wrong, &plan[1], &mut Silent).unwrap_err();
    assert!(
        error.to_string().contains("recipient") || error.to_string().contains("key"),
        "{error}"
    );
}

#[wasm_bindgen_test]
fn fields_first_seen_in_a_later_shard_filter_as_in_the_whole_file() {
    let mut text = String::from(
        "##fileformat=VCFv4.2\n##contig=<ID=chr1>\n\
         ##INFO=<ID=DP,Number=1,Type=Integer,Description=\"depth\">\n\
         ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"genotype\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n",
    );
    // INFO/LATE and FORMAT/ZZ are undeclared and only occur in the last part of the file.
    for i in 0..600 {
        let mut info = format!("DP={}", i % 50);
        if i >= 450 {
            info += &format!(";LATE=x{}", i % 3);
        }
        let (format, sample) = if i >= 500 {
            ("GT:ZZ", format!("0/1:{}", i % 7))
        } else {
            ("GT", "0/1".to_string())
        };
        text += &format!(
            "chr1\t{}\t.\tA\tC\t{}\tPASS\t{info}\t{format}\t{sample}\n",
            1000 + i,
            i % 60
        );
    }
    let data = blob(text.as_bytes());
    let plan = plan_for(&data, None, None, 3);
    assert_eq!(plan.len(), 3);
    let mut shards: Vec<Session> = plan
        .iter()
        .map(|spec| Session::new(read_shard(&data, None, spec, &mut Silent).unwrap()))
        .collect();
    let reader = BlobReader::new(data.clone()).unwrap();
    let size = reader.size();
    let mut single = Session::new(read_dataset(reader, Some(size), &mut Silent).unwrap());

    let schemas: Vec<_> = shards.iter().map(Session::schema).collect();
    let absent = absent_fields(&schemas);
    assert_eq!(absent[0].info, ["LATE"]);
    assert_eq!(absent[0].format, ["ZZ"]);
    assert!(absent[2].info.is_empty() && absent[2].format.is_empty());
    // As read, the first part does not know the field, so a pool could not apply the filter.
    assert!(
        shards[0]
            .filter("INFO/LATE=\"x1\"", Mode::Include, None, None, &|| 0.0)
            .is_err()
    );
    for (shard, absent) in shards.iter_mut().zip(&absent) {
        shard.add_absent_fields(absent);
        // Adding them twice changes nothing.
        shard.add_absent_fields(absent);
    }
    for expression in [
        "INFO/LATE=\"x1\"",
        "LATE!=\"x1\"",
        "INFO/LATE=\".\"",
        "FMT/ZZ=\"3\"",
        "QUAL>30 && INFO/LATE=\"x2\" && DP<25",
    ] {
        for mode in [Mode::Include, Mode::Exclude] {
            assert_filter_equal(
                &mut single,
                &mut shards,
                (expression, mode, None),
                "undeclared fields",
            );
        }
    }
    // Every part now knows every field, and together they describe the whole file.
    let schemas: Vec<_> = shards.iter().map(Session::schema).collect();
    assert!(
        absent_fields(&schemas)
            .iter()
            .all(|a| a.info.is_empty() && a.format.is_empty())
    );
    assert_eq!(merge_schemas(&schemas).info, single.schema().info);
    assert_eq!(merge_schemas(&schemas).format, single.schema().format);
}

/// The pedigree check over a pool: each shard's counts (what its worker answers
/// `Request::PedigreeCheck` with), merged and finished in the page as
/// `WorkerClient::pedigree_check` does, equal the check of the whole file, with the demo
/// trio's PED; over 1, 2 and 3 shards.
#[wasm_bindgen_test]
fn the_pedigree_check_of_the_shards_is_the_whole_files() {
    use app::worker::pedigree_tally_of;
    use app::worker_client::pedigree_check::finish;
    use wasm_core::pedigree::Pedigree;
    use wasm_core::pedigree_check::{self, CheckParams, Declared};

    let ped = Pedigree::parse(include_bytes!("../../static/demo/trio.ped")).unwrap();
    let whole = whole();
    let expected = pedigree_check::check(
        whole.dataset(),
        Some(&Declared::from_pedigree(&ped)),
        &CheckParams::default(),
    );
    // The trio is related as its PED says: the test compares a check with findings.
    assert!(
        expected
            .pairs
            .iter()
            .any(|p| p.relatedness.is_some_and(|r| r > 0.4))
    );
    for n in [1, 2, 3] {
        let shards = sharded(Some(TRIO_CSI), n);
        assert_eq!(shards.len(), n as usize);
        let tallies = shards
            .iter()
            .map(|s| pedigree_tally_of(s.dataset()))
            .collect();
        let report = finish(tallies, Some(&ped)).unwrap();
        assert_eq!(report.parts, n);
        assert_eq!(report.check, expected, "{n} shards");
    }
}
