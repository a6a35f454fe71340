//! The worker's answer to `Request::Stats` ([`app::worker::stats::answer`]) and the page's merge
//! of a pool's parts ([`app::worker_client::stats::merge_parts`]), in a dedicated worker in
//! Chromium, on the GIAB trio (9,940 records):
//!
//! - one worker holding the file answers bcftools 1.24's numbers: the `bcftools stats` text of
//!   its answer is the committed pysam 0.24.1 output (`testdata/expected/bcftools-stats/
//!   trio.txt`) line for line but the provenance, and for the records passing `GT="het"` that
//!   of `bcftools view -i 'GT="het"' | bcftools stats` (`trio-het.txt`);
//! - the file read as 2, 3 and 5 shards (through its CSI index, and by BGZF blocks), each
//!   answering for its own records, merges into the one worker's numbers, whole and filtered;
//! - with the demo's PED, the trio's Mendelian errors are bcftools +mendelian's 91 sites
//!   (CLINICAL.md §3) on one worker and merged over shards; a PED that does not parse leaves
//!   the trios out and says why, and the rest of the numbers stand.

use app::blob_reader::BlobReader;
use app::protocol::{Event, StatsPart, StatsScope};
use app::session::Session;
use app::worker::read_shard;
use app::worker::shard_plan;
use app::worker::stats::answer;
use app::worker_client::QcReport;
use app::worker_client::stats::merge_parts;
use enclave_test_support::blob::blob;
use enclave_test_support::testdata_bytes;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::filter::Mode;
use wasm_core::formats::indexed::IndexedFile;
use wasm_core::formats::shards;
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use wasm_core::stats::text;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const TRIO: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz");
const TRIO_CSI: &[u8] = testdata_bytes!("slivar/tests/ashk-trio.vcf.gz.csi");
const EXPECTED_TRIO: &str = include_str!("../../testdata/expected/bcftools-stats/trio.txt");
const EXPECTED_HET: &str = include_str!("../../testdata/expected/bcftools-stats/trio-het.txt");
const PED: &str = include_str!("../../static/demo/trio-affected-kid.ped");

fn whole() -> Session {
    let reader = BlobReader::new(blob(TRIO)).unwrap();
    let size = reader.size();
    Session::new(read_dataset(reader, Some(size), &mut Silent).unwrap())
}

fn sharded(index: Option<&[u8]>, n: u32) -> Vec<Session> {
    let data = blob(TRIO);
    let mut file = index.map(|index| {
        IndexedFile::open(
            Box::new(BlobReader::new(data.clone()).unwrap()),
            index,
            None,
        )
        .unwrap()
    });
    let (mut plan, _) = shard_plan(&data, file.as_mut(), None, n, 1);
    if plan.is_empty() {
        let reader = BlobReader::new(data.clone()).unwrap();
        plan = shards::plan(Box::new(reader), None, None, 1)
            .unwrap()
            .shards;
    }
    plan.iter()
        .map(|spec| Session::new(read_shard(&data, None, spec, &mut Silent).unwrap()))
        .collect()
}

fn part(session: &Session, scope: StatsScope, ped: Option<&str>) -> StatsPart {
    match answer(7, session, scope, ped) {
        Event::Stats { job, part } => {
            assert_eq!(job, 7);
            *part
        }
        other => panic!("not a Stats answer: {other:?}"),
    }
}

fn report(sessions: &[Session], scope: StatsScope, ped: Option<&str>) -> QcReport {
    let parts = sessions.iter().map(|s| part(s, scope, ped)).collect();
    merge_parts(scope, parts).expect("parts")
}

/// bcftools stats text without its provenance lines and file name.
fn body(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with("# This file") && !l.starts_with("# The command"))
        .filter(|l| !l.starts_with("ID\t"))
        .collect()
}

fn bcftools_text(r: &QcReport) -> String {
    let provenance = text::Provenance {
        producer: "test".into(),
        command: "test".into(),
        file: "trio.vcf.gz".into(),
    };
    let mut out = Vec::new();
    text::write(&mut out, &r.bcftools, &provenance).unwrap();
    String::from_utf8(out).unwrap()
}

fn filter(sessions: &mut [Session], expression: &str) {
    for s in sessions {
        s.filter(expression, Mode::Include, None, None, &|| 0.0)
            .expect("the filter applies");
    }
}

/// Two reports count the same: bcftools text, and the QC beyond it but the float sums (added
/// in another order by a merge).
fn assert_same(a: &QcReport, b: &QcReport, what: &str) {
    assert!(
        bcftools_text(a) == bcftools_text(b),
        "{what}: bcftools text differs"
    );
    assert_eq!(a.records, b.records, "{what}");
    let strip = |r: &QcReport| {
        let mut qc = r.qc.clone();
        for ab in qc.allele_balance.iter_mut().flatten() {
            assert!(ab.mean.is_some());
            ab.sum = 0.0;
            ab.mean = ab.mean.map(|m| (m * 1e9).round());
        }
        qc
    };
    assert_eq!(strip(a), strip(b), "{what}");
}

#[wasm_bindgen_test]
fn one_worker_answers_bcftools_numbers_whole_and_filtered() {
    let mut one = [whole()];
    let r = report(&one, StatsScope::Whole, None);
    assert_eq!(r.records, 9940);
    assert_eq!(body(&bcftools_text(&r)), body(EXPECTED_TRIO));
    assert!(r.qc.trios.is_empty() && r.trio_problem.is_none());
    // Filtered without a filter in force: every record.
    assert_eq!(report(&one, StatsScope::Filtered, None).records, 9940);
    filter(&mut one, "GT=\"het\"");
    let f = report(&one, StatsScope::Filtered, None);
    assert_eq!(f.records, 8178);
    assert_eq!(body(&bcftools_text(&f)), body(EXPECTED_HET));
    // The whole scope ignores the filter.
    assert_eq!(report(&one, StatsScope::Whole, None).records, 9940);
}

#[wasm_bindgen_test]
fn shards_merge_into_one_workers_numbers() {
    let mut one = [whole()];
    let want = report(&one, StatsScope::Whole, Some(PED));
    filter(&mut one, "GT=\"het\" && QUAL>100");
    let want_filtered = report(&one, StatsScope::Filtered, Some(PED));
    assert!(want_filtered.records < want.records);
    for (index, n) in [(Some(TRIO_CSI), 2), (Some(TRIO_CSI), 5), (None, 3)] {
        let mut parts = sharded(index, n);
        assert!(parts.len() > 1, "{n} shards planned");
        let what = format!("{} shards, index {}", parts.len(), index.is_some());
        assert_same(&report(&parts, StatsScope::Whole, Some(PED)), &want, &what);
        filter(&mut parts, "GT=\"het\" && QUAL>100");
        let got = report(&parts, StatsScope::Filtered, Some(PED));
        assert_same(&got, &want_filtered, &format!("{what}, filtered"));
        assert_eq!(got.qc.trios, want_filtered.qc.trios, "{what}");
    }
}

#[wasm_bindgen_test]
fn a_ped_gives_the_trios_numbers_or_says_why_not() {
    let one = [whole()];
    let r = report(&one, StatsScope::Whole, Some(PED));
    assert_eq!(r.trio_problem, None);
    assert_eq!(r.qc.trios.len(), 1);
    let t = &r.qc.trios[0];
    assert_eq!(
        (t.child.as_str(), t.father.as_str(), t.mother.as_str()),
        ("HG002", "HG003", "HG004")
    );
    assert_eq!(
        t.mendel_errors, 91,
        "bcftools +mendelian's sites (CLINICAL.md §3)"
    );
    assert_eq!(t.mendel_error_rate, Some(91.0 / t.sites as f64));
    let bad = report(&one, StatsScope::Whole, Some("fam kid dad\n"));
    assert!(bad.qc.trios.is_empty());
    assert!(
        bad.trio_problem.is_some(),
        "a PED of too few columns is named"
    );
    assert_eq!(bad.bcftools, r.bcftools, "the rest of the numbers stand");
}
