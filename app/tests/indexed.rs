//! Browser tests of opening files with their index, and of streaming mode, in a real dedicated
//! worker through the same [`app::worker::load_with`] the worker runs for `Request::Open`:
//!
//! - the trio with bcftools' default CSI (TOOLCHAIN.md pitfall 3: its binning overflows a
//!   32-bit `usize`, so this must work in wasm32) and with a tabix `.tbi`: the overview comes
//!   before any record is read and equals the full read's per-contig counts;
//! - a region query through the index equals the full read masked by the same regions, and
//!   reads a small part of the file;
//! - an index of another file, or not an index at all, is reported (naming both files) and the
//!   file loads without it; an index made for another version of the file loads, with a warning;
//! - a small budget opens the file in streaming mode, and a scan keeps exactly the records the
//!   full read plus the filter keeps; a wrong expression is rejected before any scan;
//! - a Crypt4GH file with its plaintext's index;
//! - a read that passes the memory ceiling ends in streaming mode or a clear error, never a trap.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use app::blob_reader::BlobReader;
use app::protocol::{Envelope, FilterRejection, KeyMaterial, Request};
use app::worker::source::{Source, SourceError};
use app::worker::{IndexInput, LoadOptions, Note, Opened, load_with};
use enclave_test_support::blob::blob;
use enclave_test_support::compress::gunzip;
use enclave_test_support::engine::vcf_lines;
use enclave_test_support::testdata_bytes;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::Dataset;
use wasm_core::crypt4gh::keys::Kdf;
use wasm_core::crypt4gh::{Encryptor, SecretKey};
use wasm_core::filter::{Filter, FilterErrorKind, Mode, NoFiles};
use wasm_core::formats::indexed::Overview;
use wasm_core::progress::{Flow, Silent};
use wasm_core::read_dataset;
use wasm_core::regions::RegionSet;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// The Genome in a Bottle Ashkenazi trio (slivar's test data): 9,940 records on contigs 1 and 2.
const TRIO: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz");
/// Its CSI, as `bcftools index` writes it by default.
const TRIO_CSI: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz.csi");
/// Its tabix index (`tabix -p vcf`; see data/SOURCE.txt).
const TRIO_TBI: &[u8] = include_bytes!("data/ashk-trio.vcf.gz.tbi");
/// The CSI of the trio without its last record (see data/SOURCE.txt).
const MINUS_LAST_CSI: &[u8] = include_bytes!("data/ashk-trio.minus-last.vcf.gz.csi");
/// Another file's tabix index (htsget-rs test data).
const OTHER_TBI: &[u8] =
    testdata_bytes!("crypt4gh/htsget-rs/data/c4gh/sample1-bcbio-cancer.vcf.gz.tbi");

const SALT: &[u8] = &[7; 32];
const DATA_NAME: &str = "ashk-trio.vcf.gz";

fn full() -> Dataset {
    let reader = BlobReader::new(blob(TRIO)).unwrap();
    let size = reader.size();
    read_dataset(reader, Some(size), &mut Silent).unwrap()
}

/// The records of a shown session: those passing its filter, in file order.
fn shown_lines(
    session: &app::session::Session,
    passing: Option<&wasm_core::bitmap::Bitmap>,
) -> Vec<String> {
    let ds = session.dataset();
    match passing {
        Some(p) => vcf_lines(ds, p.iter_ones()),
        None => vcf_lines(ds, 0..ds.store.len()),
    }
}

fn options(index: Option<(&[u8], &str)>) -> LoadOptions {
    LoadOptions {
        index: index.map(|(bytes, name)| IndexInput {
            blob: blob(bytes),
            name: name.to_string(),
        }),
        data_name: DATA_NAME.into(),
        ..LoadOptions::default()
    }
}

/// Streaming mode on the trio: a budget of 1 byte, a 64 KiB prefix.
fn streaming(index: Option<(&[u8], &str)>) -> LoadOptions {
    LoadOptions {
        memory_budget: 1,
        prefix_bytes: 64 << 10,
        ..options(index)
    }
}

/// Opens `data` and returns the outcome, the notes, and what happened in order: `overview`,
/// `index rejected: …`, `progress`.
fn open(
    data: &[u8],
    key: Option<KeyMaterial>,
    options: &LoadOptions,
) -> (Opened, Vec<Note>, Vec<String>) {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let mut notes = Vec::new();
    let mut note = |n: Note| {
        log.borrow_mut().push(match &n {
            Note::Overview(_) => "overview".to_string(),
            Note::IndexRejected(m) => format!("index rejected: {m}"),
            Note::Shards(specs) => format!("shards: {}", specs.len()),
        });
        notes.push(n);
    };
    let mut progress = |_: u64, _: Option<u64>| {
        log.borrow_mut().push("progress".into());
        Flow::Continue
    };
    let opened = load_with(blob(data), SALT, key, options, &mut note, &mut progress)
        .unwrap_or_else(|e| panic!("the file did not open: {e}"));
    let log = log.borrow().clone();
    (opened, notes, log)
}

fn loaded(opened: Opened) -> Box<app::session::Session> {
    match opened {
        Opened::Loaded { session, .. } => session,
        other => panic!("expected the file to load, got {other:?}"),
    }
}

fn source(opened: Opened) -> Box<Source> {
    match opened {
        Opened::Streaming { source } => source,
        other => panic!("expected streaming mode, got {other:?}"),
    }
}

fn overview(notes: &[Note]) -> &Overview {
    match notes {
        [Note::Overview(o)] => o,
        other => panic!("expected one overview note, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn the_overview_comes_first_and_equals_the_full_read_with_csi_and_tbi() {
    let ds = full();
    assert_eq!(ds.summary.records, 9940);
    for (bytes, name) in [
        (TRIO_CSI, "ashk-trio.vcf.gz.csi"),
        (TRIO_TBI, "ashk-trio.vcf.gz.tbi"),
    ] {
        let (opened, notes, log) = open(TRIO, None, &options(Some((bytes, name))));
        let o = overview(&notes);
        assert_eq!(o.records, Some(9940), "{name}");
        assert_eq!(o.samples, ds.summary.samples, "{name}");
        // The index's counts are the file's, contig by contig.
        let from_index: Vec<(String, u64)> = o
            .contigs
            .iter()
            .filter_map(|c| c.records.filter(|&n| n > 0).map(|n| (c.name.clone(), n)))
            .collect();
        let from_file: Vec<(String, u64)> = ds
            .summary
            .contigs
            .iter()
            .filter(|c| c.records > 0)
            .map(|c| (c.name.clone(), c.records))
            .collect();
        assert_eq!(from_index, from_file, "{name}");
        assert_eq!(from_file, [("1".to_string(), 9350), ("2".to_string(), 590)]);
        // Told before a single record was read.
        assert_eq!(
            log.first().map(String::as_str),
            Some("overview"),
            "{name}: {log:?}"
        );
        let session = loaded(opened);
        assert_eq!(session.dataset().summary.records, 9940, "{name}");
        assert!(
            !session
                .dataset()
                .summary
                .warnings
                .iter()
                .any(|w| w.contains("does not match")),
            "{name}: {:?}",
            session.dataset().summary.warnings
        );
    }
}

#[wasm_bindgen_test]
fn region_queries_equal_the_masked_full_read_and_read_little() {
    let ds = full();
    for (bytes, name) in [(TRIO_CSI, "trio.csi"), (TRIO_TBI, "trio.tbi")] {
        let (opened, _, _) = open(TRIO, None, &streaming(Some((bytes, name))));
        let mut source = source(opened);
        assert!(source.is_indexed());
        for text in [
            "1:10000000-12000000",
            "2",
            "1:1-1000000,chr2:5000000-9000000",
            "X:1-2",
        ] {
            let set = RegionSet::parse(text).unwrap();
            let shown = source
                .region(text)
                .unwrap_or_else(|e| panic!("{name} {text}: {e:?}"));
            let expected = vcf_lines(&ds, set.mask(&ds.store).iter_ones());
            assert_eq!(shown_lines(&shown.session, None), expected, "{name} {text}");
            assert_eq!(
                shown.summary.records as usize,
                expected.len(),
                "{name} {text}"
            );
            if text == "1:10000000-12000000" {
                assert_eq!(shown.summary.records, 166);
                assert!(
                    shown.summary.bytes_read * 3 < TRIO.len() as u64,
                    "{name}: read {} of {}",
                    shown.summary.bytes_read,
                    TRIO.len()
                );
            }
        }
        match source.region("1:200-100") {
            Err(SourceError::Rejected(FilterRejection::Regions { error })) => {
                assert_eq!(error.line, 1)
            }
            other => panic!("a reversed region: {:?}", other.map(|s| s.summary)),
        }
    }
}

#[wasm_bindgen_test]
fn an_index_that_does_not_fit_is_reported_and_the_file_loads_without_it() {
    for (bytes, name, says) in [
        (
            OTHER_TBI,
            "other.vcf.gz.tbi",
            "does not match the data file",
        ),
        (
            &b"not an index at all"[..],
            "notes.vcf.gz.csi",
            "not a tabix",
        ),
    ] {
        let (opened, notes, _) = open(TRIO, None, &options(Some((bytes, name))));
        match notes.as_slice() {
            [Note::IndexRejected(message)] => {
                assert!(message.contains(name), "{message}");
                assert!(message.contains(DATA_NAME), "{message}");
                assert!(message.contains(says), "{message}");
                assert!(message.contains("read without it"), "{message}");
            }
            other => panic!("{name}: expected the index to be rejected, got {other:?}"),
        }
        assert_eq!(loaded(opened).dataset().summary.records, 9940, "{name}");
    }
    // An index made for another version of the file opens, and its counts give it away.
    let (opened, notes, _) = open(
        TRIO,
        None,
        &options(Some((MINUS_LAST_CSI, "ashk-trio.minus-last.csi"))),
    );
    assert_eq!(overview(&notes).records, Some(9939));
    let session = loaded(opened);
    let warning = &session.dataset().summary.warnings[0];
    assert!(warning.contains("does not match the data"), "{warning}");
    assert!(warning.contains("contig 2"), "{warning}");
    assert!(
        warning.contains("589") && warning.contains("590"),
        "{warning}"
    );
}

/// Records of the full read passing `expression` and overlapping `regions`.
fn expected(ds: &Dataset, expression: &str, mode: Mode, regions: Option<&str>) -> Vec<String> {
    let mut pass = if expression.is_empty() {
        wasm_core::bitmap::Bitmap::ones(ds.store.len())
    } else {
        Filter::compile(expression, &ds.store, mode, &NoFiles)
            .unwrap()
            .evaluate(&ds.store)
            .pass
    };
    if let Some(r) = regions {
        pass.and_with(&RegionSet::parse(r).unwrap().mask(&ds.store));
    }
    vcf_lines(ds, pass.iter_ones())
}

#[wasm_bindgen_test]
fn a_small_budget_opens_in_streaming_mode_and_a_scan_keeps_what_the_filter_keeps() {
    let ds = full();
    for index in [None, Some((TRIO_CSI, "trio.csi"))] {
        let (opened, _, _) = open(TRIO, None, &streaming(index));
        let mut source = source(opened);
        // The estimate from a 64 KiB prefix (or the index's exact count) is about the real store.
        assert!(source.estimate.bytes > source.budget);
        let ratio = source.estimate.bytes as f64 / ds.summary.store_bytes as f64;
        assert!((0.4..2.5).contains(&ratio), "estimate {ratio}");
        assert_eq!(source.estimate.exact_records, index.is_some());
        assert!(source.summary().partial);
        // Nothing is shown before a scan.
        assert_eq!(source.empty().session.dataset().store.len(), 0);
        for (expression, mode, regions) in [
            ("QUAL>50", Mode::Include, None),
            ("GT=\"het\"", Mode::Exclude, None),
            ("", Mode::Include, Some("2")),
            (
                "QUAL>20",
                Mode::Include,
                Some("1:10000000-12000000,2:1-3000000"),
            ),
        ] {
            let label = format!("{expression} {regions:?} index {}", index.is_some());
            let spec = source.check(expression, mode, regions).unwrap();
            let shown = source.scan(&spec, &mut Silent).unwrap();
            let want = expected(&ds, expression, mode, regions);
            assert_eq!(shown.summary.records as usize, want.len(), "{label}");
            let passing = shown.session.passing();
            assert_eq!(passing as usize, want.len(), "{label}");
            // Through the index only the regions' records are scanned; otherwise all.
            match (index, regions) {
                (Some(_), Some(r)) => {
                    let in_regions = expected(&ds, "", Mode::Include, Some(r)).len() as u64;
                    assert_eq!(shown.summary.scanned, Some(in_regions), "{label}");
                }
                _ => assert_eq!(shown.summary.scanned, Some(9940), "{label}"),
            }
            let mut session = shown.session;
            let page = session.rows(0, 1000, wasm_core::store::SortKey::Position, false);
            assert_eq!(page.total as usize, want.len(), "{label}");
        }
        // A wrong expression is rejected before anything is read, with its span.
        match source.check("QUAL>10 && INFO/NOPE>3", Mode::Include, None) {
            Err(SourceError::Rejected(FilterRejection::Expression { error })) => {
                assert_eq!(error.span.start, 11, "{error:?}");
                assert!(error.message.contains("NOPE"), "{error:?}");
            }
            other => panic!("a wrong expression: {other:?}"),
        }
        // A flag alone compiles (it keeps nothing, as in bcftools) with a warning, which comes
        // back with what the scan shows: a whole-file scan, and regions through the index.
        for regions in [None, Some("2")] {
            let checked = source.check("DB", Mode::Include, regions).unwrap();
            let kinds: Vec<_> = checked.warnings.iter().map(|w| w.kind).collect();
            assert_eq!(kinds, [FilterErrorKind::NotACondition], "{regions:?}");
            let shown = source.scan(&checked, &mut Silent).unwrap();
            assert_eq!(shown.summary.records, 0, "{regions:?}");
            assert_eq!(shown.warnings, checked.warnings, "{regions:?}");
        }
        let checked = source.check("QUAL>50", Mode::Include, None).unwrap();
        assert!(checked.warnings.is_empty(), "{:?}", checked.warnings);
        // An empty filter shows nothing rather than the whole file.
        let spec = source.check("", Mode::Include, None).unwrap();
        let shown = source.scan(&spec, &mut Silent).unwrap();
        assert_eq!(shown.summary.records, 0);
        assert_eq!(shown.summary.scanned, None);
    }
    // Within the budget the same file loads whole.
    let (opened, _, _) = open(TRIO, None, &options(None));
    assert_eq!(loaded(opened).dataset().summary.records, 9940);
}

#[wasm_bindgen_test]
fn the_scanned_records_match_the_full_read_line_for_line() {
    let ds = full();
    let (opened, _, _) = open(TRIO, None, &streaming(None));
    let mut source = source(opened);
    let spec = source
        .check("QUAL>50 && GT[0]=\"het\"", Mode::Include, None)
        .unwrap();
    let shown = source.scan(&spec, &mut Silent).unwrap();
    assert_eq!(
        shown_lines(&shown.session, None),
        expected(&ds, "QUAL>50 && GT[0]=\"het\"", Mode::Include, None)
    );
}

/// `plain` encrypted for a fresh key; the key's file text (no passphrase).
fn encrypt(plain: &[u8]) -> (Vec<u8>, String) {
    let key = SecretKey::generate().unwrap();
    let mut out = Encryptor::new(Vec::new(), None, &[*key.public()], None).unwrap();
    out.write_all(plain).unwrap();
    let cipher = out.finish().unwrap();
    (cipher, key.to_file(Kdf::None, None, None).unwrap())
}

#[wasm_bindgen_test]
fn an_encrypted_file_opens_with_its_plaintext_index() {
    let ds = full();
    let (cipher, key_text) = encrypt(TRIO);
    let key = || {
        Some(KeyMaterial {
            key_file: key_text.clone(),
            passphrase: None,
        })
    };
    let with_index = options(Some((TRIO_CSI, "ashk-trio.vcf.gz.csi")));
    // Without the key nothing is read, the index neither.
    let (opened, notes, _) = open(&cipher, None, &with_index);
    assert!(matches!(opened, Opened::KeyRequired), "{opened:?}");
    assert!(notes.is_empty());
    // With it: the overview, then the whole file.
    let (opened, notes, _) = open(&cipher, key(), &with_index);
    let o = overview(&notes);
    assert!(o.encrypted);
    assert_eq!(o.records, Some(9940));
    let session = loaded(opened);
    assert_eq!(session.dataset().summary.records, 9940);
    assert!(session.dataset().summary.encrypted);
    // In streaming mode: a region through the index, and a scan, both decrypting.
    let (opened, _, _) = open(
        &cipher,
        key(),
        &streaming(Some((TRIO_CSI, "ashk-trio.vcf.gz.csi"))),
    );
    let mut source = source(opened);
    let shown = source.region("1:10000000-12000000").unwrap();
    assert_eq!(
        shown_lines(&shown.session, None),
        expected(&ds, "", Mode::Include, Some("1:10000000-12000000"))
    );
    let spec = source.check("QUAL>50", Mode::Include, None).unwrap();
    let shown = source.scan(&spec, &mut Silent).unwrap();
    assert_eq!(shown.summary.scanned, Some(9940));
    assert_eq!(
        shown_lines(&shown.session, None),
        expected(&ds, "QUAL>50", Mode::Include, None)
    );
}

#[wasm_bindgen_test]
fn passing_the_memory_ceiling_ends_in_streaming_mode_or_a_clear_error() {
    // The trio as VCF text (several MB), so the reader reports progress as it goes.
    let text = gunzip(TRIO);
    let ceiling_passed = LoadOptions {
        prefix_bytes: 64 << 10,
        memory_ceiling: 1,
        ..options(None)
    };
    // The whole read stops at once and the file opens in streaming mode instead.
    let (opened, _, _) = open(&text, None, &ceiling_passed);
    let mut source = source(opened);
    assert!(source.estimate.bytes > source.budget);
    // A scan past the ceiling is a clear failure.
    let spec = source.check("QUAL>50", Mode::Include, None).unwrap();
    match source.scan(&spec, &mut Silent) {
        Err(SourceError::Failed(message)) => {
            assert!(
                message.contains("more memory than this browser tab"),
                "{message}"
            )
        }
        other => panic!(
            "expected a memory failure, got {:?}",
            other.map(|s| s.summary)
        ),
    }
}

#[wasm_bindgen_test]
fn the_index_travels_beside_the_data_in_the_envelope() {
    let request = Request::Open {
        job: 5,
        salt: SALT.to_vec(),
        name_hint: DATA_NAME.into(),
        key: None,
        index_name: Some("ashk-trio.vcf.gz.csi".into()),
        memory_budget: Some(50_000_000),
        shards: 4,
    };
    let js = Envelope::with_file(&request, blob(b"data"))
        .with_index(Some(blob(TRIO_CSI)))
        .to_js()
        .unwrap();
    let back = Envelope::<Request>::from_js(&js).unwrap();
    assert_eq!(back.msg, request);
    assert_eq!(back.file.map(|b| b.size()), Some(4.0));
    assert_eq!(back.index.map(|b| b.size()), Some(TRIO_CSI.len() as f64));
    // Without an index there is none.
    let js = Envelope::with_file(&request, blob(b"data"))
        .to_js()
        .unwrap();
    assert!(Envelope::<Request>::from_js(&js).unwrap().index.is_none());
}
