//! One file read as shards by several workers (`formats::shards`) equals one read of it.
//!
//! - Every BGZF or uncompressed VCF in `testdata/`, as it is and re-written with tiny BGZF
//!   blocks (fixed, random, and one block per line so that blocks start exactly where records
//!   start), split into 1, 2, 3 and 7 shards: the shards' records, concatenated, are the single
//!   read's (every field), and filter pass counts add up. Other files (plain gzip, BCF) are one
//!   shard with a reason.
//! - A record longer than a block; more shards than blocks; a Crypt4GH file, with and without
//!   its index; the trio through its CSI; BCF ranges at record starts.
//! - Each shard reports progress up to its own total; a damaged block in shard k is an error of
//!   shard k naming the block's offset; a plan that does not fit the file is refused.

// Native only: these read files from disk.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{Cursor, Write};
use std::rc::Rc;

use enclave_test_support::compress::{bgzip_in, bgzip_per_line, gunzip};
use enclave_test_support::files::{files_under, testdata, testdata_dir};
use enclave_test_support::rng::SplitMix64;
use wasm_core::crypt4gh::{Encryptor, SecretKey};
use wasm_core::export::write_vcf_record;
use wasm_core::filter::{Filter, Mode, NoFiles};
use wasm_core::formats::bgzf::BgzfError;
use wasm_core::formats::shards::{
    self, ShardError, ShardPlan, ShardRange, ShardSpec, SingleReason, plan, read_shard,
};
use wasm_core::formats::{ReadOptions, ReadSeek, StreamFilter};
use wasm_core::progress::{Flow, Silent};
use wasm_core::{Dataset, IngestError, read_dataset};

// ---------------------------------------------------------------------------------------------
// Helpers

const SHARD_COUNTS: [usize; 4] = [1, 2, 3, 7];
/// Records a filter passes, counted per shard and in one read.
const EXPRESSION: &str = "QUAL>=30 || POS<5000";

fn reader(bytes: &Rc<[u8]>) -> Box<dyn ReadSeek> {
    Box::new(Cursor::new(Rc::clone(bytes)))
}

/// Every record as its VCF line, with INFO and FORMAT keys sorted: a store lists fields the
/// header does not declare in the order it first meets them, which differs between shards.
fn lines(ds: &Dataset) -> Vec<String> {
    (0..ds.store.len())
        .map(|i| {
            let mut out = Vec::new();
            write_vcf_record(&mut out, &ds.store, i).unwrap();
            let line = String::from_utf8_lossy(&out).into_owned();
            let mut columns: Vec<String> = line.split('\t').map(str::to_string).collect();
            if let Some(info) = columns.get_mut(7) {
                let mut items: Vec<&str> = info.split(';').collect();
                items.sort_unstable();
                *info = items.join(";");
            }
            if columns.len() > 9 {
                let keys: Vec<String> = columns[8].split(':').map(str::to_string).collect();
                let mut order: Vec<usize> = (0..keys.len()).collect();
                order.sort_by_key(|&k| &keys[k]);
                for column in &mut columns[8..] {
                    let values: Vec<&str> = column.split(':').collect();
                    *column = order
                        .iter()
                        .map(|&k| values.get(k).copied().unwrap_or(""))
                        .collect::<Vec<_>>()
                        .join(":");
                }
            }
            columns.join("\t")
        })
        .collect()
}

/// Records passing [`EXPRESSION`], or `None` when it does not compile for the file.
fn passing(ds: &Dataset) -> Option<u64> {
    Filter::compile(EXPRESSION, &ds.store, Mode::Include, &NoFiles)
        .ok()
        .map(|f| f.evaluate(&ds.store).pass.count_ones())
}

/// Reads every shard of `plan`, checking each one's progress; the datasets in plan order.
fn read_all(
    name: &str,
    bytes: &Rc<[u8]>,
    key: Option<&SecretKey>,
    plan: &ShardPlan,
) -> Vec<Dataset> {
    plan.shards
        .iter()
        .enumerate()
        .map(|(k, spec)| {
            // The page posts the spec to a worker: it survives serialisation.
            let posted: ShardSpec =
                serde_json::from_str(&serde_json::to_string(spec).unwrap()).unwrap();
            assert_eq!(&posted, spec);
            let total = spec.raw_bytes();
            let mut reports = Vec::new();
            let mut progress = |done: u64, of: Option<u64>| {
                reports.push((done, of));
                Flow::Continue
            };
            let ds = read_shard(
                reader(bytes),
                key,
                &posted,
                &ReadOptions::default(),
                &mut progress,
            )
            .unwrap_or_else(|e| panic!("{name}: shard {k} of {}: {e}", plan.shards.len()));
            assert!(
                reports
                    .iter()
                    .all(|&(done, of)| of == Some(total) && done <= total),
                "{name}: shard {k}: progress {reports:?} beyond its total {total}"
            );
            assert_eq!(
                reports.last(),
                Some(&(total, Some(total))),
                "{name}: shard {k}: progress ends at its total"
            );
            ds
        })
        .collect()
}

/// Splits `bytes` into 1, 2, 3 and 7 shards and checks they equal `expected` (one read).
fn check_shards(name: &str, bytes: &[u8], key: Option<&SecretKey>, expected: &Dataset) -> usize {
    let bytes: Rc<[u8]> = bytes.into();
    let want = lines(expected);
    let want_pass = passing(expected);
    let mut most = 0;
    for n in SHARD_COUNTS {
        let plan = plan(reader(&bytes), None, key, n)
            .unwrap_or_else(|e| panic!("{name}: plan of {n}: {e}"));
        assert!(
            !plan.shards.is_empty() && plan.shards.len() <= n,
            "{name}: {n} asked, {} planned",
            plan.shards.len()
        );
        if plan.shards.len() == 1 && n > 1 {
            assert!(plan.single_reason.is_some(), "{name}: one shard, no reason");
        }
        most = most.max(plan.shards.len());
        let shards = read_all(name, &bytes, key, &plan);
        let got: Vec<String> = shards.iter().flat_map(lines).collect();
        if got != want {
            let at = got.iter().zip(&want).take_while(|(a, b)| a == b).count();
            panic!(
                "{name}, {n} shards ({:?}): {} records, one read {}; first difference at record {at}: {:?} vs {:?}",
                plan.shards.iter().map(|s| s.range).collect::<Vec<_>>(),
                got.len(),
                want.len(),
                got.get(at),
                want.get(at)
            );
        }
        if let Some(want_pass) = want_pass {
            let got_pass: u64 = shards.iter().map(|s| passing(s).unwrap()).sum();
            assert_eq!(
                got_pass, want_pass,
                "{name}, {n} shards: filter pass counts"
            );
        }
        let records: u64 = shards.iter().map(|s| s.summary.records).sum();
        assert_eq!(records, expected.summary.records, "{name}, {n} shards");
        // The first shard counts the header, so the text adds up to a whole read's.
        let text: u64 = shards.iter().map(|s| s.summary.uncompressed_bytes).sum();
        assert_eq!(
            text, expected.summary.uncompressed_bytes,
            "{name}, {n} shards: uncompressed bytes"
        );
    }
    most
}

// ---------------------------------------------------------------------------------------------
// Every file

#[test]
fn every_vcf_in_testdata_in_shards_equals_one_read() {
    let files = files_under(&testdata_dir());
    let (mut checked, mut several, mut split) = (0, 0, 0);
    for path in files {
        let name = path
            .strip_prefix(testdata_dir())
            .unwrap()
            .display()
            .to_string();
        let bytes = std::fs::read(&path).unwrap();
        let Ok(whole) = read_dataset(&bytes[..], None, &mut Silent) else {
            continue; // not a variant file, encrypted, or one of the must-fail files
        };
        use wasm_core::formats::{Compression, Payload};
        let summary = &whole.summary;
        // As it is: BGZF and text split; plain gzip and BCF are one shard, with the reason.
        let most = check_shards(&name, &bytes, None, &whole);
        if summary.compression == Compression::Gzip || summary.payload == Payload::Bcf {
            let plan = plan(reader(&bytes.clone().into()), None, None, 3).unwrap();
            assert_eq!(plan.shards.len(), 1, "{name}");
            let reason = if summary.compression == Compression::Gzip {
                SingleReason::PlainGzip
            } else {
                SingleReason::BcfWithoutIndex
            };
            assert_eq!(plan.single_reason, Some(reason), "{name}");
            assert!(!reason.to_string().is_empty());
            continue;
        }
        checked += 1;
        // Re-written: uncompressed, tiny blocks (records straddle blocks), random block
        // sizes, and one block per line (blocks start exactly at records).
        let text = match summary.compression {
            Compression::Bgzf => gunzip(&bytes),
            _ => bytes.clone(),
        };
        let mut rng = SplitMix64(name.len() as u64);
        let variants = [
            ("uncompressed", text.clone()),
            ("37-byte blocks", bgzip_in(&text, || 37).0),
            ("random blocks", bgzip_in(&text, || rng.size(300)).0),
            ("a block per line", bgzip_per_line(&text)),
        ];
        let mut most = most;
        for (how, variant) in variants {
            most = most.max(check_shards(
                &format!("{name} ({how})"),
                &variant,
                None,
                &whole,
            ));
        }
        if summary.records > 1 {
            several += 1;
            split += usize::from(most > 1);
        }
    }
    println!(
        "{checked} BGZF / text VCF files; {split} of the {several} with several records split"
    );
    assert!(checked > 700, "only {checked} files checked");
    assert_eq!(split, several, "every file of several records splits");
}

// ---------------------------------------------------------------------------------------------
// Boundaries

/// A VCF with `records` records of a few hundred bytes, and one of `long` bytes at `long_at`.
fn synthetic(records: usize, long_at: usize, long: usize) -> Vec<u8> {
    let mut out = b"##fileformat=VCFv4.2\n##contig=<ID=chr1,length=100000000>\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
##INFO=<ID=NOTE,Number=1,Type=String,Description=\"Long text\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
        .to_vec();
    let mut rng = SplitMix64(7);
    for i in 0..records {
        let note = if i == long_at {
            "x".repeat(long)
        } else {
            "y".repeat(rng.size(300))
        };
        writeln!(
            out,
            "chr1\t{}\t.\tA\tG\t{}\tPASS\tDP={};NOTE={note}\tGT\t0/1",
            1000 + i * 10,
            rng.below(60),
            rng.below(100)
        )
        .unwrap();
    }
    out
}

#[test]
fn a_record_longer_than_a_block_is_read_once() {
    // 200 KB of INFO in record 150: more than three full 64 KiB blocks.
    let text = synthetic(400, 150, 200_000);
    let whole = read_dataset(&text[..], None, &mut Silent).unwrap();
    assert_eq!(whole.summary.records, 400);
    for (how, bytes) in [
        ("64 KiB blocks", bgzip_in(&text, || 0xff00).0),
        ("1000-byte blocks", bgzip_in(&text, || 1000).0),
        ("a block per line", bgzip_per_line(&text)),
        ("uncompressed", text.clone()),
    ] {
        let most = check_shards(how, &bytes, None, &whole);
        assert!(most > 2, "{how}: {most} shards");
    }
}

#[test]
fn shards_start_exactly_at_block_starts_that_are_record_starts() {
    let text = synthetic(300, usize::MAX, 0);
    let whole = read_dataset(&text[..], None, &mut Silent).unwrap();
    let bytes: Rc<[u8]> = bgzip_per_line(&text).into();
    check_shards("a block per line", &bytes, None, &whole);
    // Every cut lands on a block start, where a record starts: nothing may be skipped there.
    let plan = plan(reader(&bytes), None, None, 7).unwrap();
    assert_eq!(plan.shards.len(), 7);
    for spec in &plan.shards[1..] {
        let ShardRange::Bgzf { start, .. } = spec.range else {
            panic!("{spec:?}")
        };
        assert_eq!(start & 0xffff, 0, "{spec:?} starts inside a block");
    }
}

#[test]
fn more_shards_than_blocks() {
    // Three blocks of records: at most three shards, which still equal one read.
    let text = synthetic(60, usize::MAX, 0);
    let header_len = text
        .split_inclusive(|&b| b == b'\n')
        .take_while(|l| l.starts_with(b"#"))
        .map(<[u8]>::len)
        .sum::<usize>();
    let third = (text.len() - header_len).div_ceil(3);
    let mut sizes = [header_len, third, third, third].into_iter();
    let (bytes, _) = bgzip_in(&text, move || sizes.next().unwrap_or(0xff00));
    let whole = read_dataset(&text[..], None, &mut Silent).unwrap();
    let plan = plan(reader(&bytes.clone().into()), None, None, 7).unwrap();
    assert!((2..=3).contains(&plan.shards.len()), "{plan:?}");
    check_shards("three blocks", &bytes, None, &whole);
    // A file whose records fit in one block is one shard, and says why.
    let (one, _) = bgzip_in(&text, || 0xff00);
    let plan = shards::plan(reader(&one.into()), None, None, 4).unwrap();
    assert_eq!(plan.shards.len(), 1);
    assert_eq!(plan.single_reason, Some(SingleReason::TooSmall));
}

// ---------------------------------------------------------------------------------------------
// Crypt4GH, indexes, BCF

fn encrypt(plain: &[u8], key: &SecretKey) -> Vec<u8> {
    let mut enc = Encryptor::new(Vec::new(), Some(key), &[*key.public()], None).unwrap();
    enc.write_all(plain).unwrap();
    enc.finish().unwrap()
}

#[test]
fn crypt4gh_files_split_on_their_plaintext() {
    let key = SecretKey::from_bytes([7; 32]);
    let text = synthetic(2000, 1000, 100_000);
    let whole = read_dataset(&text[..], None, &mut Silent).unwrap();
    let (tiny, _) = bgzip_in(&text, || 500);
    for (how, plain) in [("BGZF", tiny), ("uncompressed", text)] {
        let cipher = encrypt(&plain, &key);
        let most = check_shards(&format!("Crypt4GH {how}"), &cipher, Some(&key), &whole);
        assert_eq!(most, 7, "{how}");
        for shard in read_all(
            how,
            &cipher.clone().into(),
            Some(&key),
            &plan(reader(&cipher.into()), None, Some(&key), 2).unwrap(),
        ) {
            assert!(shard.summary.encrypted);
        }
    }
    // Without the key: the same error as a whole read.
    let cipher: Rc<[u8]> = encrypt(b"##fileformat=VCFv4.2\n", &key).into();
    assert!(matches!(
        plan(reader(&cipher), None, None, 2),
        Err(IngestError::Encrypted)
    ));
}

#[test]
fn a_crypt4gh_file_from_another_implementation_with_and_without_its_index() {
    let dir = "crypt4gh/htsget-rs/data";
    let key = SecretKey::parse(&testdata(&format!("{dir}/c4gh/keys/bob.sec")), None).unwrap();
    let cipher = testdata(&format!("{dir}/c4gh/sample1-bcbio-cancer.vcf.gz.c4gh"));
    let plain = testdata(&format!("{dir}/vcf/sample1-bcbio-cancer.vcf.gz"));
    let whole = read_dataset(&plain[..], None, &mut Silent).unwrap();
    check_shards("htsget-rs Crypt4GH", &cipher, Some(&key), &whole);
    let index = testdata(&format!("{dir}/c4gh/sample1-bcbio-cancer.vcf.gz.tbi"));
    let cipher: Rc<[u8]> = cipher.into();
    for n in SHARD_COUNTS {
        let plan = plan(reader(&cipher), Some(&index), Some(&key), n).unwrap();
        let got: Vec<String> = read_all("indexed", &cipher, Some(&key), &plan)
            .iter()
            .flat_map(lines)
            .collect();
        assert_eq!(got, lines(&whole), "{n} shards through the index");
    }
}

#[test]
fn the_trio_through_its_index() {
    let bytes: Rc<[u8]> = testdata("slivar/tests/ashk-trio.vcf.gz").into();
    let index = testdata("slivar/tests/ashk-trio.vcf.gz.csi");
    let whole = read_dataset(&bytes[..], None, &mut Silent).unwrap();
    for n in [2, 3, 7] {
        let plan = plan(reader(&bytes), Some(&index), None, n).unwrap();
        assert!(plan.shards.len() > 1, "{n}: {plan:?}");
        let shards = read_all("trio, indexed", &bytes, None, &plan);
        let got: Vec<String> = shards.iter().flat_map(lines).collect();
        assert!(got == lines(&whole), "{n} shards through the index");
        let pass: u64 = shards.iter().map(|s| passing(s).unwrap()).sum();
        assert_eq!(Some(pass), passing(&whole));
    }
}

#[test]
fn bcf_ranges_at_record_starts_equal_one_read() {
    // BCF splits only where an index says records start. Here the starts are found by walking
    // the records (BCF 2.2 §6.3: l_shared, l_indiv, then that many bytes) of a BCF re-written
    // with small blocks, and turned into virtual positions as an index holds them.
    let bcf = testdata("generated/derived/vcfpy.1kg.bcf");
    let whole = read_dataset(&bcf[..], None, &mut Silent).unwrap();
    let raw = gunzip(&bcf);
    let l_text = u32::from_le_bytes(raw[5..9].try_into().unwrap()) as usize;
    let mut starts = Vec::new();
    let mut at = 9 + l_text;
    while at < raw.len() {
        starts.push(at);
        let l_shared = u32::from_le_bytes(raw[at..at + 4].try_into().unwrap()) as usize;
        let l_indiv = u32::from_le_bytes(raw[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 8 + l_shared + l_indiv;
    }
    let (bytes, blocks) = bgzip_in(&raw, || 3000);
    let virtual_position = |offset: usize| {
        let k = blocks.partition_point(|&(_, text_at)| text_at <= offset) - 1;
        (blocks[k].0 << 16) | (offset - blocks[k].1) as u64
    };
    let bytes: Rc<[u8]> = bytes.into();
    for n in [2, 3, 7] {
        let cuts: Vec<u64> = (0..n)
            .map(|k| virtual_position(starts[starts.len() * k / n]))
            .collect();
        let plan = ShardPlan {
            shards: cuts
                .iter()
                .enumerate()
                .map(|(k, &start)| ShardSpec {
                    range: ShardRange::Bgzf {
                        start,
                        end: cuts.get(k + 1).copied(),
                    },
                    data_bytes: bytes.len() as u64,
                })
                .collect(),
            single_reason: None,
        };
        let got: Vec<String> = read_all("BCF", &bytes, None, &plan)
            .iter()
            .flat_map(lines)
            .collect();
        assert!(got == lines(&whole), "BCF in {n} shards");
    }
}

// ---------------------------------------------------------------------------------------------
// Options, errors

#[test]
fn streaming_filter_mode_per_shard() {
    let text = synthetic(3000, usize::MAX, 0);
    let whole = read_dataset(&text[..], None, &mut Silent).unwrap();
    let want = passing(&whole).unwrap();
    let bytes: Rc<[u8]> = bgzip_in(&text, || 4000).0.into();
    let filter = StreamFilter {
        expression: EXPRESSION.into(),
        batch: Some(100),
        ..StreamFilter::default()
    };
    let options = ReadOptions {
        stream: Some(&filter),
        ..ReadOptions::default()
    };
    let plan = plan(reader(&bytes), None, None, 3).unwrap();
    let mut kept = 0;
    let mut scanned = 0;
    for spec in &plan.shards {
        let ds = read_shard(reader(&bytes), None, spec, &options, &mut Silent).unwrap();
        kept += ds.summary.records;
        scanned += ds.summary.scanned.unwrap();
    }
    assert_eq!((kept, scanned), (want, 3000));
}

#[test]
fn a_damaged_block_is_an_error_of_its_shard_naming_its_offset() {
    let text = synthetic(3000, usize::MAX, 0);
    let (bytes, blocks) = bgzip_in(&text, || 2000);
    let intact: Rc<[u8]> = bytes.clone().into();
    let plan = plan(reader(&intact), None, None, 3).unwrap();
    assert_eq!(plan.shards.len(), 3);
    let ShardRange::Bgzf {
        start,
        end: Some(end),
    } = plan.shards[1].range
    else {
        panic!("{plan:?}")
    };
    // A block well inside shard 1: flip a byte of its compressed data.
    let inside: Vec<u64> = blocks
        .iter()
        .map(|&(offset, _)| offset)
        .filter(|&offset| offset > start >> 16 && offset < end >> 16)
        .collect();
    let damaged_at = inside[inside.len() / 2];
    let mut damaged = bytes;
    damaged[damaged_at as usize + 30] ^= 0x55;
    let damaged: Rc<[u8]> = damaged.into();
    for (k, spec) in plan.shards.iter().enumerate() {
        let result = read_shard(
            reader(&damaged),
            None,
            spec,
            &ReadOptions::default(),
            &mut Silent,
        );
        if k != 1 {
            assert!(result.is_ok(), "shard {k}: {:?}", result.err());
            continue;
        }
        let e = result.expect_err("shard 1 holds the damaged block");
        match &e {
            IngestError::Bgzf(
                BgzfError::CrcMismatch { offset, .. }
                | BgzfError::Deflate { offset, .. }
                | BgzfError::IsizeMismatch { offset, .. },
            ) => assert_eq!(*offset, damaged_at, "{e}"),
            other => panic!("expected a damaged-block error: {other:?}"),
        }
        assert!(
            e.to_string().contains(&format!("byte offset {damaged_at}")),
            "{e}"
        );
    }
}

#[test]
fn a_record_error_names_the_shard() {
    let mut text = synthetic(1000, usize::MAX, 0);
    // Record 700 gets a POS that is not a number.
    let line_start = text
        .split_inclusive(|&b| b == b'\n')
        .scan(0, |at, l| {
            let here = *at;
            *at += l.len();
            Some((here, l))
        })
        .filter(|(_, l)| !l.starts_with(b"#"))
        .nth(699)
        .unwrap()
        .0;
    text[line_start + 5] = b'Z';
    let bytes: Rc<[u8]> = text.into();
    let plan = plan(reader(&bytes), None, None, 2).unwrap();
    let ShardRange::Text { start_offset, .. } = plan.shards[1].range else {
        panic!("{plan:?}")
    };
    assert!(
        start_offset < line_start as u64,
        "the bad record is in shard 1"
    );
    let e = read_shard(
        reader(&bytes),
        None,
        &plan.shards[1],
        &ReadOptions::default(),
        &mut Silent,
    )
    .unwrap_err();
    let location = e.location().expect("located");
    assert_eq!(location.shard_offset, Some(start_offset), "{e}");
    assert_eq!(location.offset, Some(line_start as u64), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("of the shard at byte {start_offset}")),
        "{e}"
    );
}

#[test]
fn a_plan_that_does_not_fit_the_file_is_refused() {
    let text = synthetic(500, usize::MAX, 0);
    let bytes: Rc<[u8]> = bgzip_in(&text, || 1000).0.into();
    let plan = plan(reader(&bytes), None, None, 3).unwrap();
    let read = |bytes: &Rc<[u8]>, spec: &ShardSpec| {
        read_shard(
            reader(bytes),
            None,
            spec,
            &ReadOptions::default(),
            &mut Silent,
        )
    };
    // Another file.
    let other: Rc<[u8]> = bgzip_in(&text, || 999).0.into();
    assert!(matches!(
        read(&other, &plan.shards[0]),
        Err(IngestError::Shard(ShardError::OtherSize { .. }))
    ));
    // An end that is not a record start: inside a record, and at no block at all.
    let ShardRange::Bgzf {
        start,
        end: Some(end),
    } = plan.shards[0].range
    else {
        panic!("{plan:?}")
    };
    for end in [end + 5, end + (3 << 16)] {
        let spec = ShardSpec {
            range: ShardRange::Bgzf {
                start,
                end: Some(end),
            },
            data_bytes: bytes.len() as u64,
        };
        let e = read(&bytes, &spec).unwrap_err();
        assert!(
            matches!(e, IngestError::Shard(ShardError::EndNotARecordStart { .. })),
            "{e:?}"
        );
    }
    // A start inside the header.
    let spec = ShardSpec {
        range: ShardRange::Bgzf {
            start: 10,
            end: None,
        },
        data_bytes: bytes.len() as u64,
    };
    assert!(matches!(
        read(&bytes, &spec),
        Err(IngestError::Shard(ShardError::StartInHeader { .. }))
    ));
    // Uncompressed text: an end inside a line.
    let text: Rc<[u8]> = text.into();
    let plan = shards::plan(reader(&text), None, None, 2).unwrap();
    let ShardRange::Text {
        start_offset,
        end_offset: Some(end),
    } = plan.shards[0].range
    else {
        panic!("{plan:?}")
    };
    let spec = ShardSpec {
        range: ShardRange::Text {
            start_offset,
            end_offset: Some(end + 3),
        },
        data_bytes: text.len() as u64,
    };
    assert!(matches!(
        read(&text, &spec),
        Err(IngestError::Shard(ShardError::EndNotARecordStart { .. }))
    ));
}
