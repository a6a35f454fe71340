//! Browser tests of the worker's family analysis ([`Session`] with a pedigree) in a dedicated
//! worker, on the demo's synthetic families (`static/demo/family.vcf` + `family.ped`): each
//! mode keeps the records the CLI keeps, modes join the filter as clauses whose "removed" add up
//! (their union's), the table pages over the kept records only, a refused PED names its kind
//! and line and leaves the pedigree in force, Windows line ends read the same, a row's
//! explanation says "fits" where the mode kept it, a pool's shards with every shard's
//! evidence keep what the whole file keeps (comp-het pairs across shards), and a record's place
//! in the table's order (where a compound het's partner link pages to) is where the table's
//! pages have it, in one worker and merged from a pool's shards.

use std::io::Cursor;

use app::protocol::{ClauseSource, FilterReport};
use app::session::Session;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::Summary;
use wasm_core::filter::Mode as FilterMode;
use wasm_core::inheritance::{self, InheritanceError, InheritanceErrorKind, Mode, Verdict};
use wasm_core::pedigree::{PedigreeErrorKind, Role};
use wasm_core::progress::Silent;
use wasm_core::read_dataset;
use wasm_core::store::SortKey;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const VCF: &[u8] = include_bytes!("../../static/demo/family.vcf");
const PED: &str = include_str!("../../static/demo/family.ped");
const RECORDS: u64 = 292;

/// The CLI's counts on the same files, gates on:
/// `enclave view --ped static/demo/family.ped --mode MODE -f tsv static/demo/family.vcf | wc -l`
const MODE_COUNT: [(Mode, u64); 8] = [
    (Mode::DeNovo, 2),
    (Mode::Dominant, 5),
    (Mode::Recessive, 7),
    (Mode::CompHet, 42),
    (Mode::XRecessive, 14),
    (Mode::XDominant, 4),
    (Mode::XDeNovo, 1),
    (Mode::MendelError, 5),
];
/// `… --mode recessive --mode comp-het --mode x-recessive …`
const RECESSIVE_UNION: u64 = 63;

fn session() -> Session {
    let dataset = read_dataset(Cursor::new(VCF), Some(VCF.len() as u64), &mut Silent).unwrap();
    Session::new(dataset)
}

fn with_pedigree(ped: &str) -> Session {
    let mut s = session();
    s.set_pedigree(Some(ped), inheritance::Options::default())
        .expect("the demo PED is valid")
        .expect("a pedigree is tied");
    s
}

/// The removed counts of the clauses that make the sum (all but single modes).
fn summed(report: &FilterReport) -> u64 {
    report
        .clauses
        .iter()
        .filter(|c| !matches!(c.source, ClauseSource::Mode(_)))
        .map(|c| c.removed)
        .sum()
}

#[wasm_bindgen_test]
fn each_mode_keeps_what_the_cli_keeps() {
    let mut s = with_pedigree(PED);
    for (mode, count) in MODE_COUNT {
        let report = s.choose_modes(vec![mode]).unwrap();
        assert_eq!(report.passing, count, "{}", mode.name());
        assert_eq!(report.total, RECORDS);
        let clause = report
            .clauses
            .iter()
            .find(|c| c.source == ClauseSource::Mode(mode))
            .expect("a clause per mode");
        assert_eq!(clause.removed, RECORDS - count, "{}", mode.name());
        assert_eq!(summed(&report), RECORDS - count);
        // The table pages over the kept records.
        assert_eq!(s.rows(0, 1000, SortKey::Position, false).total, count);
    }
    let union = s
        .choose_modes(vec![Mode::Recessive, Mode::CompHet, Mode::XRecessive])
        .unwrap();
    assert_eq!(union.passing, RECESSIVE_UNION);
    assert_eq!(summed(&union), RECORDS - RECESSIVE_UNION);
    // Each mode's clause says what it alone removes; the union removes less than any.
    for c in union
        .clauses
        .iter()
        .filter(|c| matches!(c.source, ClauseSource::Mode(_)))
    {
        assert!(c.removed >= RECORDS - RECESSIVE_UNION, "{}", c.text);
    }
    // No modes: every record again, no family clause.
    let none = s.choose_modes(Vec::new()).unwrap();
    assert_eq!(none.passing, RECORDS);
    assert!(none.clauses.is_empty());
}

#[wasm_bindgen_test]
fn modes_join_the_filter_and_stay_when_it_changes() {
    let mut s = with_pedigree(PED);
    // The rows comp-het keeps, alone.
    s.choose_modes(vec![Mode::CompHet]).unwrap();
    let comp_het: Vec<u64> = s
        .rows(0, 1000, SortKey::Position, false)
        .rows
        .iter()
        .map(|r| r.index)
        .collect();
    // An expression applied later keeps the mode: the records passing both.
    let both = s
        .filter("QUAL>=50", FilterMode::Include, None, None, &|| 0.0)
        .unwrap();
    let kept: Vec<u64> = s
        .rows(0, 1000, SortKey::Position, false)
        .rows
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(both.passing, kept.len() as u64);
    assert!(kept.iter().all(|i| comp_het.contains(i)));
    assert_eq!(summed(&both), RECORDS - both.passing);
    let mut expression_only = session();
    let alone = expression_only
        .filter("QUAL>=50", FilterMode::Include, None, None, &|| 0.0)
        .unwrap();
    assert!(both.passing <= alone.passing.min(comp_het.len() as u64));
    // Changing the modes keeps the expression.
    let dominant = s.choose_modes(vec![Mode::Dominant]).unwrap();
    assert_eq!(dominant.expression, "QUAL>=50");
    assert!(dominant.passing <= 5);
}

#[wasm_bindgen_test]
fn the_pedigree_names_families_roles_and_notices() {
    let mut s = session();
    let info = s
        .set_pedigree(Some(PED), inheritance::Options::default())
        .unwrap()
        .unwrap();
    let ids: Vec<&str> = info.families.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["quartet", "dominant"]);
    let samples = s.dataset().store.samples().to_vec();
    let role = |name: &str| {
        let k = samples.iter().position(|x| x == name).unwrap();
        info.roles[k].clone().map(|(_, r)| r)
    };
    assert_eq!(role("KID"), Some(Role::Proband));
    assert_eq!(role("MO"), Some(Role::Mother));
    assert_eq!(role("FA"), Some(Role::Father));
    assert_eq!(role("SIS"), Some(Role::Sibling));
    // Letting go of it: no modes any more.
    assert_eq!(
        s.set_pedigree(None, inheritance::Options::default()),
        Ok(None)
    );
    assert!(!s.has_pedigree());
}

#[wasm_bindgen_test]
fn a_refused_ped_names_its_line_and_the_pedigree_before_stays() {
    let mut s = with_pedigree(PED);
    s.choose_modes(vec![Mode::Dominant]).unwrap();
    let bad = [
        // Line 3: KID's father FA has sex 2.
        (
            "quartet\tFA\t0\t0\t2\t1\nquartet\tMO\t0\t0\t2\t1\nquartet\tKID\tFA\tMO\t1\t2\n",
            PedigreeErrorKind::FatherNotMale,
        ),
        (
            "quartet\tKID\t0\t0\t1\t2\nquartet\tKID\t0\t0\t1\t2\n",
            PedigreeErrorKind::Duplicate,
        ),
        (
            "quartet\tA\tB\t0\t1\t2\nquartet\tB\tA\t0\t1\t1\n",
            PedigreeErrorKind::OwnAncestor,
        ),
        ("x\tNOBODY\t0\t0\t1\t2\n", PedigreeErrorKind::NoSampleInFile),
    ];
    for (text, kind) in bad {
        let error = s
            .set_pedigree(Some(text), inheritance::Options::default())
            .expect_err(text);
        assert_eq!(
            error.kind(),
            InheritanceErrorKind::Pedigree(kind),
            "{text:?}"
        );
        if kind != PedigreeErrorKind::NoSampleInFile {
            let InheritanceError::Pedigree(p) = &error else {
                panic!("{error:?}")
            };
            assert!(p.line().is_some(), "{kind:?} names its line");
        }
        // The pedigree before still answers.
        assert!(s.has_pedigree());
        assert_eq!(s.choose_modes(vec![Mode::Dominant]).unwrap().passing, 5);
    }
}

#[wasm_bindgen_test]
fn windows_line_ends_read_the_same() {
    let mut unix = with_pedigree(PED);
    let mut windows = with_pedigree(&PED.replace('\n', "\r\n"));
    for (mode, count) in MODE_COUNT {
        assert_eq!(windows.choose_modes(vec![mode]).unwrap().passing, count);
        assert_eq!(unix.choose_modes(vec![mode]).unwrap().passing, count);
    }
}

#[wasm_bindgen_test]
fn a_kept_row_fits_and_a_removed_one_says_why() {
    let mut s = with_pedigree(PED);
    for (mode, _) in MODE_COUNT {
        s.choose_modes(vec![mode]).unwrap();
        let kept = s.rows(0, 1000, SortKey::Position, false).rows;
        let first = kept.first().expect("every mode has hits").index;
        let why = s.explain(first, &[mode]);
        assert!(
            why.iter()
                .any(|e| e.mode == mode && matches!(e.verdict, Verdict::Fits | Verdict::Possible)),
            "{}: {why:?}",
            mode.name()
        );
        if mode == Mode::CompHet {
            assert!(why.iter().any(|e| !e.partners.is_empty()));
        }
        // A record the mode did not keep: every family says no, with a reason.
        let kept_ids: Vec<u64> = kept.iter().map(|r| r.index).collect();
        let other = (0..RECORDS).find(|i| !kept_ids.contains(i)).unwrap();
        let why = s.explain(other, &[mode]);
        assert!(!why.is_empty());
        assert!(
            why.iter()
                .all(|e| e.verdict == Verdict::No && !e.reasons.is_empty())
        );
    }
    // Out of range: nothing, not a panic.
    assert!(s.explain(u64::MAX, &Mode::ALL).is_empty());
    assert!(session().explain(0, &Mode::ALL).is_empty());
}

/// The demo file cut into `n` parts of consecutive records, each with the header, as a pool's
/// shards hold it.
fn parts(n: usize) -> Vec<Session> {
    let text = std::str::from_utf8(VCF).unwrap();
    let (header, records): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with('#'));
    let size = records.len().div_ceil(n);
    records
        .chunks(size)
        .map(|chunk| {
            let part = format!("{}\n{}\n", header.join("\n"), chunk.join("\n"));
            let ds = read_dataset(Cursor::new(part.into_bytes()), None, &mut Silent).unwrap();
            Session::new(ds)
        })
        .collect()
}

#[wasm_bindgen_test]
fn a_pools_shards_with_merged_evidence_keep_what_the_whole_file_keeps() {
    for n in [2, 3, 5] {
        let mut shards = parts(n);
        for s in &mut shards {
            s.set_pedigree(Some(PED), inheritance::Options::default())
                .unwrap()
                .unwrap();
        }
        // The page's exchange: every shard's evidence, merged, handed back to each.
        let evidence = shards
            .iter()
            .enumerate()
            .map(|(k, s)| s.part_evidence(k as u32))
            .collect();
        let merged = inheritance::PartEvidence::merge(evidence);
        for (k, s) in shards.iter_mut().enumerate() {
            s.other_parts(k as u32, merged.clone());
        }
        for (mode, count) in MODE_COUNT {
            let kept: u64 = shards
                .iter_mut()
                .map(|s| s.choose_modes(vec![mode]).unwrap().passing)
                .sum();
            assert_eq!(kept, count, "{} on {n} shards", mode.name());
        }
        // A comp-het explanation names partners by their index in the whole file, where the
        // whole file's record has that position.
        let whole = session();
        for s in &mut shards {
            s.choose_modes(vec![Mode::CompHet]).unwrap();
            let page = s.rows(0, 1000, SortKey::Position, false);
            for row in &page.rows {
                for e in s.explain(row.index, &[Mode::CompHet]) {
                    for p in e.partners {
                        let r = whole.dataset().store.pos(p.record as usize);
                        assert_eq!(r, p.pos, "{p:?}");
                    }
                }
            }
        }
    }
}

/// The sort orders the table offers.
const ORDERS: [(SortKey, bool); 4] = [
    (SortKey::Position, false),
    (SortKey::Position, true),
    (SortKey::Qual, true),
    (SortKey::Qual, false),
];

#[wasm_bindgen_test]
fn a_record_is_located_where_the_tables_pages_have_it() {
    let mut s = with_pedigree(PED);
    s.choose_modes(vec![Mode::CompHet]).unwrap();
    for (sort, descending) in ORDERS {
        let page = s.rows(0, 1000, sort, descending);
        assert_eq!(page.total, 42);
        for (offset, row) in page.rows.iter().enumerate() {
            let (at, _) = s
                .locate(row.index, sort, descending)
                .expect("a kept record is in the table");
            assert_eq!(at, offset as u64, "{sort:?} {descending}");
        }
        // Every compound het's partner that is kept is found at its row; one the mode left
        // out is not in the table.
        for row in &page.rows {
            for e in s.explain(row.index, &[Mode::CompHet]) {
                for p in e.partners {
                    match s.locate(p.record, sort, descending) {
                        Some((at, _)) => assert_eq!(page.rows[at as usize].index, p.record),
                        None => assert!(page.rows.iter().all(|r| r.index != p.record)),
                    }
                }
            }
        }
    }
    // A record the modes leave out, and one past the file: not in the table, not a panic.
    let kept: Vec<u64> = s
        .rows(0, 1000, SortKey::Position, false)
        .rows
        .iter()
        .map(|r| r.index)
        .collect();
    let out = (0..RECORDS).find(|i| !kept.contains(i)).unwrap();
    assert_eq!(s.locate(out, SortKey::Position, false), None);
    assert_eq!(s.locate(RECORDS, SortKey::Position, false), None);
    assert_eq!(s.locate(u64::MAX, SortKey::Qual, true), None);
    // Without modes every record is in the table, at its place in file order.
    s.choose_modes(Vec::new()).unwrap();
    assert_eq!(
        s.locate(out, SortKey::Position, false).map(|(at, _)| at),
        Some(out)
    );
}

#[wasm_bindgen_test]
fn a_pools_shards_place_a_record_where_the_whole_file_does() {
    for n in [2, 3, 5] {
        let mut shards = parts(n);
        let summaries: Vec<Summary> = shards.iter().map(|s| s.dataset().summary.clone()).collect();
        let merged = Summary::merged(&summaries).unwrap();
        let ranks: Vec<Vec<u32>> = summaries.iter().map(|s| s.contig_ranks(&merged)).collect();
        let mut bases = vec![0u64];
        for s in &summaries {
            bases.push(bases.last().unwrap() + s.records);
        }
        let mut whole = with_pedigree(PED);
        for s in &mut shards {
            s.set_pedigree(Some(PED), inheritance::Options::default())
                .unwrap()
                .unwrap();
        }
        let evidence = shards
            .iter()
            .enumerate()
            .map(|(k, s)| s.part_evidence(k as u32))
            .collect();
        let evidence = inheritance::PartEvidence::merge(evidence);
        for (k, s) in shards.iter_mut().enumerate() {
            s.other_parts(k as u32, evidence.clone());
        }
        // No modes (every record), then comp-het (records kept in several shards).
        for modes in [Vec::new(), vec![Mode::CompHet]] {
            whole.choose_modes(modes.clone()).unwrap();
            for s in &mut shards {
                s.choose_modes(modes.clone()).unwrap();
            }
            for (sort, descending) in ORDERS {
                for record in 0..RECORDS {
                    let expected = whole.locate(record, sort, descending).map(|(at, _)| at);
                    // The page's side of `WorkerClient::locate`: the holding shard's offset,
                    // plus every other shard's records before it in the merged order.
                    let shard = bases.iter().rposition(|&b| b <= record).unwrap();
                    let local = shards[shard].locate(record - bases[shard], sort, descending);
                    let got = local.map(|(offset, key)| {
                        let key = app::shards::merged_key(key, &ranks[shard], sort);
                        offset
                            + (0..shards.len())
                                .filter(|&p| p != shard)
                                .map(|p| {
                                    shards[p].preceding(
                                        sort,
                                        descending,
                                        (shard as u32, key),
                                        p as u32,
                                        &ranks[p],
                                    )
                                })
                                .sum::<u64>()
                    });
                    assert_eq!(
                        got, expected,
                        "record {record}, {sort:?} {descending}, {n} shards, {modes:?}"
                    );
                }
            }
        }
    }
}
