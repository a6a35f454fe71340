//! The store's compact layouts give back exactly what was read: every column in every layout it
//! can take (fixed width with exceptions, sparse, ragged; 8- to 64-bit integers; rs numbers;
//! the genotype table; compressed text blocks), across truncation, appending after truncation,
//! shards merged by `store::merge_orders`, and an empty store.
//!
//! The oracle is the input itself: the records are written in the form the VCF exporter prints
//! (floats as htslib prints them, FORMAT keys some sample has), so `write_vcf_record` of each
//! record must equal its input line byte for byte.

use enclave_test_support::engine::vcf_line;
use wasm_core::formats::Warnings;
use wasm_core::formats::vcf_text::{Scratch, parse_record};
use wasm_core::progress::Silent;
use wasm_core::store::{SortKey, VariantStore, merge_orders};

const HEADER: &str = "##fileformat=VCFv4.3
##contig=<ID=chr1>
##contig=<ID=chr2>
##contig=<ID=chr3>
##FILTER=<ID=q10,Description=\"Quality below 10\">
##FILTER=<ID=s50,Description=\"Fewer than 50% of samples have data\">
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">
##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">
##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Long text: Format: Allele|Consequence|SYMBOL\">
##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbSNP\">
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2
";

/// Positions of the third contig start here: past `u32::MAX` when `long` (htslib's long
/// reference test files reach ~10^10).
fn third_contig_start(long: bool) -> u64 {
    if long { 10_000_000_000 } else { 5_000_000 }
}

/// Record `k` of `n`, in the exporter's own form.
fn line(k: usize, n: usize, long: bool) -> String {
    let contig = 1 + 3 * k / n;
    let pos = match contig {
        3 => third_contig_start(long) + k as u64 * 7,
        _ => 100 + k as u64 * 13,
    };
    let id = match k % 6 {
        0 => format!("rs{}", k + 1),
        1 => ".".into(),
        2 => format!("rs0{k}"),      // a leading zero: kept as text
        3 => "rs2139095042".into(),  // the u32 layout's marker value
        4 => format!("id{k};rs{k}"), // two IDs
        _ => "rs4294967296".into(),  // past u32: text
    };
    let reference = if k.is_multiple_of(13) {
        "ACGT"
    } else {
        ["A", "C", "G", "T"][k % 4]
    };
    let alt = if k.is_multiple_of(17) {
        "."
    } else if k.is_multiple_of(11) {
        "G,TT"
    } else {
        ["C", "G", "T", "A"][k % 4]
    };
    let n_alt = match alt {
        "." => 0,
        "G,TT" => 2,
        _ => 1,
    };
    let qual = if k.is_multiple_of(7) {
        ".".to_string()
    } else {
        format!("{}.5", k % 100)
    };
    let filter = match k % 9 {
        3 => ".",
        6 => "q10;s50",
        _ => "PASS",
    };
    // INFO/DP (Number=1): absent, missing or a value; AF one per ALT; CSQ on every third
    // record, long enough that the column is compressed; DB on some.
    let mut info = Vec::new();
    match k % 6 {
        0 => {}
        1 => info.push("DP=.".to_string()),
        _ => info.push(format!("DP={}", k % 300)),
    }
    if n_alt > 0 && !k.is_multiple_of(5) {
        let afs: Vec<String> = (0..n_alt)
            .map(|a| format!("0.{}", 1 + (k + a) % 9))
            .collect();
        info.push(format!("AF={}", afs.join(",")));
    }
    if k.is_multiple_of(3) {
        let entries: Vec<String> = (0..1 + k % 3)
            .map(|t| {
                let tx = format!("ENST{:011}.{t}", k * 3 + t);
                format!(
                    "C|missense_variant|GENE{}|{tx}|{tx}:c.{k}A>C|p.Lys{k}Asn",
                    k / 50
                )
            })
            .collect();
        info.push(format!("CSQ={}", entries.join(",")));
    }
    if k.is_multiple_of(8) {
        info.push("DB".into());
    }
    let info = if info.is_empty() {
        ".".to_string()
    } else {
        info.join(";")
    };
    let gt = |s: usize| match (k + s) % 7 {
        0 => "./.",
        _ if n_alt == 0 => "0/0",
        1 | 2 => "0/1",
        3 => "1/1",
        4 => "0|1",
        5 if n_alt == 2 => "1/2",
        5 => "1",
        _ => "0/0",
    };
    let ad = |s: usize| -> String {
        (0..=n_alt)
            .map(|a| ((k + s + a) % 40).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let samples = if k % 10 == 9 {
        // GT only.
        format!("GT\t{}\t{}", gt(0), gt(1))
    } else {
        // GQ missing in the first sample now and then (the second keeps the key present).
        let gq0 = if k % 4 == 1 {
            ".".to_string()
        } else {
            (k % 99).to_string()
        };
        format!(
            "GT:GQ:AD\t{}:{gq0}:{}\t{}:{}:{}",
            gt(0),
            ad(0),
            gt(1),
            (k + 1) % 99,
            ad(1)
        )
    };
    format!("chr{contig}\t{pos}\t{id}\t{reference}\t{alt}\t{qual}\t{filter}\t{info}\t{samples}")
}

fn lines(range: std::ops::Range<usize>, n: usize, long: bool) -> Vec<String> {
    range.map(|k| line(k, n, long)).collect()
}

fn read(lines: &[String]) -> VariantStore {
    let mut text = HEADER.to_string();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    let ds = wasm_core::read_dataset(text.as_bytes(), Some(text.len() as u64), &mut Silent)
        .expect("the test file reads");
    assert_eq!(ds.summary.warnings, Vec::<String>::new());
    ds.store
}

fn assert_gives_back(store: &VariantStore, lines: &[String]) {
    assert_eq!(store.len(), lines.len());
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(&vcf_line(store, i), l, "record {i}");
    }
}

fn layout<'a>(columns: &'a [wasm_core::store::ColumnBytes], name: &str) -> &'a str {
    &columns
        .iter()
        .find(|c| c.column == name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .layout
}

#[test]
fn every_layout_gives_back_the_records_it_was_given() {
    const N: usize = 6_000;
    for long in [false, true] {
        let input = lines(0..N, N, long);
        let store = read(&input);
        assert_gives_back(&store, &input);
        let columns = store.column_bytes();
        assert_eq!(layout(&columns, "CHROM"), "u8");
        assert_eq!(layout(&columns, "POS"), if long { "u64" } else { "u32" });
        assert_eq!(layout(&columns, "INFO/CSQ"), "blocks");
        assert_eq!(layout(&columns, "INFO/DP"), "i16 fixed(1)");
        assert_eq!(layout(&columns, "FORMAT/AD"), "i8 fixed(2)");
        // GT lives in the genotype codes; its FORMAT text column is never written.
        assert_eq!(layout(&columns, "FORMAT/GT"), "plain sparse");
        // A Number=1 field: absent, missing and present read back as such.
        let dp = ["DP".to_string()];
        let info = |i: usize| store.row(i, &dp, &[]).info[0].clone();
        assert_eq!(info(6), None);
        assert_eq!(info(7).as_deref(), Some("."));
        assert_eq!(info(8).as_deref(), Some("8"));
    }
}

#[test]
fn truncating_then_appending_equals_reading_once() {
    const N: usize = 5_000;
    for long in [false, true] {
        let input = lines(0..N, N, long);
        for keep in [0, 1, 1_023, 2_345, 4_999] {
            let mut store = read(&input);
            store.truncate(keep);
            assert_gives_back(&store, &input[..keep]);
            let mut scratch = Scratch::default();
            let mut warnings = Warnings::default();
            for l in &input[keep..] {
                parse_record(l.as_bytes(), &mut store, &mut scratch, &mut warnings).unwrap();
            }
            store.shrink_to_fit();
            assert_gives_back(&store, &input);
        }
    }
}

#[test]
fn merged_shards_sort_as_one_store_whatever_their_layouts() {
    const N: usize = 9_000;
    const SPLIT: usize = 5_900;
    let input = lines(0..N, N, true);
    let whole = read(&input);
    // The first shard's positions fit 32 bits and its CSQ is compressed; the second's positions
    // do not fit and its CSQ is small enough to stay plain.
    let (a, b) = (read(&input[..SPLIT]), read(&input[SPLIT..]));
    assert_eq!(layout(&a.column_bytes(), "POS"), "u32");
    assert_eq!(layout(&b.column_bytes(), "POS"), "u64");
    assert_eq!(layout(&a.column_bytes(), "INFO/CSQ"), "blocks");
    assert_eq!(layout(&b.column_bytes(), "INFO/CSQ"), "plain sparse");
    for key in [SortKey::Position, SortKey::Qual] {
        for descending in [false, true] {
            let orders = [a.order(key, descending), b.order(key, descending)];
            let merged = merge_orders(&[&a, &b], &orders, key, descending, N);
            let as_whole: Vec<u32> = merged
                .iter()
                .map(|&(shard, i)| i + if shard == 0 { 0 } else { SPLIT as u32 })
                .collect();
            assert_eq!(
                as_whole,
                whole.order(key, descending),
                "{key:?} {descending}"
            );
        }
    }
}

#[test]
fn an_empty_store() {
    let store = read(&[]);
    assert!(store.is_empty());
    assert!(store.heap_bytes() < 256, "{}", store.heap_bytes());
    assert_eq!(store.order(SortKey::Position, false), Vec::<u32>::new());
    let merged = merge_orders(&[&store], &[Vec::new()], SortKey::Qual, true, 10);
    assert!(merged.is_empty());
    let mut empty = VariantStore::new(vec!["s".into()]);
    empty.truncate(0);
    empty.shrink_to_fit();
    assert_eq!(empty.len(), 0);
    assert_eq!(
        empty.column_bytes().iter().map(|c| c.bytes).sum::<u64>() as usize,
        empty.heap_bytes()
    );
}

#[test]
fn hundreds_of_distinct_genotypes_and_polyploid_calls() {
    let mut s = VariantStore::new(vec!["a".into(), "b".into()]);
    let c = s.contig_id("1");
    let n = 700u32;
    for k in 0..n {
        s.begin_record(c, u64::from(k) + 1, b"", b"A", b"C", 0, &[])
            .unwrap();
        // Every record a new genotype: codes pass 8 bits (and the linear scan's reach).
        s.set_genotype(0, &[Some(k), Some(k + 1)], k.is_multiple_of(2), String::new);
        if k.is_multiple_of(100) {
            s.set_genotype(1, &[Some(0), Some(1), Some(1)], false, || "0/1/1".into());
        }
        s.end_record();
    }
    s.shrink_to_fit();
    for k in 0..n as usize {
        let sep = if k.is_multiple_of(2) { '|' } else { '/' };
        assert_eq!(s.genotype_text(k, 0), format!("{k}{sep}{}", k + 1));
        let b = if k.is_multiple_of(100) { "0/1/1" } else { "." };
        assert_eq!(s.genotype_text(k, 1), b);
    }
    let gt = s
        .column_bytes()
        .into_iter()
        .find(|c| c.column == "GT")
        .unwrap();
    assert!(gt.layout.starts_with("u16 codes"), "{}", gt.layout);
}
