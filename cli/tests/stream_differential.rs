//! Streaming against the whole read: `enclave view` / `query` print each batch of records as it
//! is parsed (and, on several threads, parts of the file in parallel, written in file order),
//! and must print exactly what reading the whole file first prints (`--batch 0`): the same
//! standard output, the same messages, the same exit status.
//!
//! Small batches (`--batch 1`, `--batch 7`) and parts (`--threads 3`) put boundaries
//! everywhere: records straddling BGZF blocks and part cuts, batches where no record passes,
//! `query`'s per-sample `[...]` selection, fields the header does not declare first met in a
//! later batch or part, BCF, plain gzip, Crypt4GH, the benchmark genome. A file that cannot be
//! read fails with the whole read's message (line, record, offset) after printing exactly the
//! records before the bad one, whatever the batch size.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use enclave_test_support::compress::bgzip;
use enclave_test_support::files::{TempDir, files_under, testdata_dir};
use enclave_test_support::process::{Program, Run, on_two_workers, run};

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

/// Reading the whole file first, as before streaming: the reference.
const WHOLE: &[&str] = &["--batch", "0"];

/// Streamed readings compared with it: one thread in tiny batches, parts in parallel in tiny
/// batches, and the defaults.
const STREAMED: &[&[&str]] = &[
    &["--threads", "1", "--batch", "1"],
    &["--threads", "1", "--batch", "7"],
    &["--threads", "3", "--batch", "5"],
    &[],
];

/// Every command shape: TSV, VCF lines, filters both ways, `query` with and without per-sample
/// selection.
const COMMANDS: &[&[&str]] = &[
    &["view", "-f", "tsv"],
    &["view", "-f", "vcf"],
    &["view", "-f", "tsv", "-i", "QUAL>30"],
    &["view", "-f", "vcf", "-e", r#"GT="het""#],
    &["query", "-f", r"%CHROM\t%POS\t%REF\t%INFO[\t%SAMPLE=%GT]\n"],
    &[
        "query",
        "-f",
        r"%CHROM\t%POS[\t%SAMPLE=%GT]\n",
        "-i",
        r#"GT="het""#,
    ],
    &[
        "query",
        "-f",
        r"%CHROM\t%POS[\t%SAMPLE:%TGT]\n",
        "-e",
        r#"GT="ref""#,
    ],
];

/// Files of `testdata/` every command runs on: plain, BGZF and plain-gzip VCF, BCF, sites
/// only, hundreds of samples, a contig the header lacks, annotations.
const CURATED: &[&str] = &[
    "vcfpy/tests/vcfs/full_vcf43.vcf",
    "vcfpy/tests/vcfs/full_vcf43.vcf.gz",
    "vcfpy/tests/vcfs/full_vcf43_no_samples.vcf",
    "vcfpy/tests/vcfs_from_the_wild/1kg.vcf.gz",
    "vcfpy/tests/vcfs_from_the_wild/1kg.sites.vcf",
    "generated/derived/vcfpy.1kg.bcf",
    "slivar/tests/ashk-trio.vcf.gz",
    "cyvcf2/cyvcf2/tests/test.snpeff.bcf",
    "cyvcf2/cyvcf2/tests/seg.vcf.gz",
    "htslib/test/tabix/vcf_file.bcf",
    "htslib/test/formatcols.vcf",
    "bcftools/test/consensus.12.vcf",
    "annotation/bcftools/test/split-vep.vcf",
];

fn enclave<S: AsRef<OsStr>>(command: &[&str], mode: &[&str], extra: &[S], file: &Path) -> Run {
    run(Command::new(ENCLAVE.0)
        .args(command)
        .args(mode)
        .args(extra)
        .arg(file))
}

fn shown(command: &[&str], mode: &[&str]) -> String {
    command
        .iter()
        .chain(mode)
        .map(|a| {
            if a.contains(' ') || a.contains('"') {
                format!("'{a}'")
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first line where two outputs differ.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a: Vec<&[u8]> = a.split(|&c| c == b'\n').collect();
    let b: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
    let k = (0..a.len().max(b.len()))
        .find(|&k| a.get(k) != b.get(k))
        .unwrap_or(0);
    let show = |l: Option<&&[u8]>| {
        l.map_or("(none)".to_string(), |l| {
            String::from_utf8_lossy(&l[..l.len().min(100)]).into_owned()
        })
    };
    format!(
        "line {}: whole {:?} / streamed {:?} ({} vs {} lines)",
        k + 1,
        show(a.get(k)),
        show(b.get(k)),
        a.len() - 1,
        b.len() - 1
    )
}

/// What a whole read of `file` gives for `command`, and every streamed mode's difference from it
/// (empty when they agree). When the whole read fails, the streamed modes must fail with the same
/// message and print the same records as each other (those before the failure).
fn compare<S: AsRef<OsStr>>(file: &Path, command: &[&str], extra: &[S]) -> (Run, String) {
    compare_in(STREAMED, file, command, extra)
}

/// [`compare`] with the streamed `modes` given.
fn compare_in<S: AsRef<OsStr>>(
    modes: &[&[&str]],
    file: &Path,
    command: &[&str],
    extra: &[S],
) -> (Run, String) {
    let whole = enclave(command, WHOLE, extra, file);
    let mut problems = String::new();
    assert!(
        !whole.crashed() && !whole.timed_out,
        "{} {}: {}",
        shown(command, WHOLE),
        file.display(),
        whole.stderr
    );
    let mut first_streamed: Option<Vec<u8>> = None;
    for mode in modes {
        let s = enclave(command, mode, extra, file);
        let what = format!("{} {}", shown(command, mode), file.display());
        if s.code != whole.code || s.stderr != whole.stderr {
            let _ = writeln!(
                problems,
                "{what}: exit {:?} / {:?}, stderr {:?} / {:?}",
                whole.code, s.code, whole.stderr, s.stderr
            );
            continue;
        }
        let expected = match (whole.ok(), &first_streamed) {
            (true, _) => &whole.stdout,
            (false, Some(first)) => first,
            (false, None) => {
                first_streamed = Some(s.stdout);
                continue;
            }
        };
        if &s.stdout != expected {
            let _ = writeln!(
                problems,
                "{what}: {}",
                first_difference(expected, &s.stdout)
            );
        }
    }
    (whole, problems)
}

fn assert_no_problems(problems: Vec<String>) {
    let problems: String = problems.concat();
    assert!(problems.is_empty(), "streamed output differs:\n{problems}");
}

#[test]
fn curated_files_stream_like_a_whole_read_for_every_command() {
    let jobs: Vec<(&str, &[&str])> = CURATED
        .iter()
        .flat_map(|f| COMMANDS.iter().map(move |c| (*f, *c)))
        .collect();
    let mut printed = 0;
    let results = on_two_workers(&jobs, |(file, command)| {
        let (whole, problems) = compare(&testdata_dir().join(file), command, &[] as &[&str]);
        (whole.ok() && !whole.stdout.is_empty(), problems)
    });
    for (ok, _) in &results {
        printed += usize::from(*ok);
    }
    // Most pairs print something: the comparison is not between empty outputs.
    assert!(
        printed * 4 > jobs.len() * 3,
        "only {printed} of {} printed records",
        jobs.len()
    );
    assert_no_problems(results.into_iter().map(|(_, p)| p).collect());
}

/// Every VCF / BCF file of `testdata/`, hts-specs' must-fail files included: the same output, or
/// the same error after the same records.
#[test]
fn every_testdata_file_streams_like_a_whole_read() {
    let files: Vec<PathBuf> = files_under(&testdata_dir())
        .into_iter()
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".vcf") || name.ends_with(".vcf.gz") || name.ends_with(".bcf")
        })
        .collect();
    assert!(files.len() > 500, "testdata has its VCF corpus");
    // Single records and tiny parts: the most boundaries for the fewest runs.
    let modes: &[&[&str]] = &[STREAMED[0], &["--threads", "3", "--batch", "2"]];
    let results = on_two_workers(&files, |file| {
        let vcf = ["view", "-f", "vcf"];
        let (whole, mut problems) = compare_in(modes, file, &vcf, &[] as &[&str]);
        if whole.ok() && !file.to_string_lossy().contains("/failed/") {
            problems += &compare_in(modes, file, COMMANDS[5], &[] as &[&str]).1;
        }
        (whole.ok(), problems)
    });
    let failing = results.iter().filter(|(ok, _)| !ok).count();
    // hts-specs' must-fail files exercise the error path.
    assert!(failing > 50, "only {failing} files fail to read");
    assert_no_problems(results.into_iter().map(|(_, p)| p).collect());
}

/// A genome file from the benchmark's generator, BGZF (noodles' blocks) and uncompressed.
fn genome(dir: &Path, records: u64, samples: usize) -> (PathBuf, PathBuf) {
    let spec = enclave_bench::genome::GenomeSpec::new(records, samples);
    let mut text = Vec::new();
    enclave_bench::genome::write_genome_vcf(&mut text, &spec).expect("the genome generator");
    let plain = dir.join(format!("genome.{samples}s.vcf"));
    fs::write(&plain, &text).expect("write the genome");
    let bgzf = dir.join(format!("genome.{samples}s.vcf.gz"));
    fs::write(&bgzf, bgzip(&text)).expect("write the genome");
    (plain, bgzf)
}

#[test]
fn the_benchmark_genome_streams_like_a_whole_read() {
    let dir = TempDir::new("stream-genome");
    let mut files = Vec::new();
    for samples in [1, 3] {
        let (plain, bgzf) = genome(&dir, 3000, samples);
        files.extend([plain, bgzf]);
    }
    let bench: &[&str] = &[
        "query",
        "-i",
        r#"QUAL>30 && INFO/DP>10 && GT="het""#,
        "-f",
        r"%CHROM\t%POS\n",
    ];
    let vep: &[&str] = &[
        "view",
        "-f",
        "vcf",
        "-i",
        r#"CSQ/IMPACT="HIGH" || CSQ/Consequence~"missense""#,
    ];
    let jobs: Vec<(&PathBuf, &[&str])> = files
        .iter()
        .flat_map(|f| COMMANDS.iter().chain([&bench, &vep]).map(move |c| (f, *c)))
        .collect();
    let results = on_two_workers(&jobs, |(file, command)| {
        let (whole, problems) = compare(file, command, &[] as &[&str]);
        assert!(
            whole.ok() && !whole.stdout.is_empty(),
            "{} {}: {}",
            shown(command, WHOLE),
            file.display(),
            whole.stderr
        );
        problems
    });
    assert_no_problems(results);
}

/// A header that declares neither `XU`, `XV` (INFO) nor `XF` (FORMAT); records show `XU` and
/// `XF` from the 30th to the 99th, then none until the 150th, from which `XV` comes written
/// before `XU`: they are first met in a later batch, and a part starting between the 100th and
/// the 150th record would, on its own, meet `XV` before `XU`.
fn undeclared(records: usize) -> Vec<u8> {
    let mut v = b"##fileformat=VCFv4.2\n##contig=<ID=1,length=1000000>\n\
##INFO=<ID=DP,Number=1,Type=Integer,Description=\"depth\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"genotype\">\n\
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"quality\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ta\tb\n"
        .to_vec();
    for k in 0..records {
        let pos = 100 + 10 * k;
        let (info, format, a, b) = match k {
            _ if k < 30 || (100..150).contains(&k) => {
                (format!("DP={k}"), "GT:GQ", "0/1:30", "0/0:20")
            }
            _ if k >= 150 && k % 5 == 0 => (format!("XV=w{k};XU=q{k}"), "GT", "0/1", "1/1"),
            _ if k % 3 == 0 => (format!("XU=u{k};DP={k}"), "GT:XF:GQ", "0/1:x:30", "1/1:y:5"),
            _ if k % 3 == 1 => (format!("DP={k};XU=v{k}"), "GT:GQ:XF", "1/1:9:z", "0/1:8:."),
            _ => (format!("DP={k}"), "GT:GQ", "0/0:40", "0/1:50"),
        };
        let qual = 10 + (k * 7) % 50;
        writeln!(
            v,
            "1\t{pos}\t.\tA\tG\t{qual}\tPASS\t{info}\t{format}\t{a}\t{b}"
        )
        .unwrap();
    }
    v
}

#[test]
fn fields_the_header_lacks_first_met_in_a_later_batch() {
    let dir = TempDir::new("stream-undeclared");
    let plain = dir.join("undeclared.vcf");
    let text = undeclared(200);
    fs::write(&plain, &text).unwrap();
    let bgzf = dir.join("undeclared.vcf.gz");
    fs::write(&bgzf, bgzip(&text)).unwrap();
    let commands: &[&[&str]] = &[
        // INFO order and FORMAT keys follow the order fields were first met.
        &["view", "-f", "vcf"],
        &["query", "-f", r"%POS\t%INFO[\t%GT]\n"],
        // Names only the records declare: the file is read whole first, as before.
        &["query", "-f", r"%POS\t%XU[\t%XF]\n"],
        &["view", "-f", "tsv", "-i", r#"XU~"^u""#],
        &["query", "-f", r"%POS[\t%SAMPLE=%XF]\n", "-i", r#"XF="z""#],
        // A name no record has either: the whole read's error.
        &["view", "-f", "tsv", "-i", r#"XX="u""#],
    ];
    for file in [&plain, &bgzf] {
        for command in commands {
            let (whole, problems) = compare(file, command, &[] as &[&str]);
            assert!(problems.is_empty(), "{problems}");
            let printed = !whole.stdout.is_empty();
            let unknown = command.last() == Some(&r#"XX="u""#);
            assert_eq!(whole.ok() && printed, !unknown, "{command:?}");
        }
    }
    // The comparison covers the undeclared fields: they are printed, in the order a whole read
    // first met them (the store's, not the line's).
    let vcf = enclave(&["view", "-f", "vcf"], WHOLE, &[] as &[&str], &plain);
    let vcf = String::from_utf8_lossy(&vcf.stdout);
    assert!(
        vcf.contains("\tDP=30;XU=u30\tGT:GQ:XF\t0/1:30:x\t1/1:5:y\n"),
        "{vcf}"
    );
    assert!(vcf.contains("\tXU=q150;XV=w150\tGT\t"), "{vcf}");
}

/// A VCF of `records` records whose record number `bad` (1-based) has an unreadable position.
fn with_bad_record(records: usize, bad: Option<usize>) -> Vec<u8> {
    let mut v = b"##fileformat=VCFv4.2\n##contig=<ID=1>\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"genotype\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts\n"
        .to_vec();
    for k in 1..=records {
        if Some(k) == bad {
            v.extend_from_slice(b"1\tnot-a-position\t.\tA\tC\t50\tPASS\t.\tGT\t0/1\n");
        } else {
            writeln!(v, "1\t{}\t.\tA\tC\t{}\tPASS\t.\tGT\t0/1", k * 10, k % 60).unwrap();
        }
    }
    v
}

#[test]
fn a_bad_record_fails_after_printing_the_records_before_it() {
    let dir = TempDir::new("stream-bad-record");
    let (records, bad) = (4000, 2371);
    let text = with_bad_record(records, Some(bad));
    // The records before the bad one, as a file of their own.
    let before = with_bad_record(bad - 1, None);
    let plain = dir.join("bad.vcf");
    fs::write(&plain, &text).unwrap();
    let bgzf = dir.join("bad.vcf.gz");
    fs::write(&bgzf, bgzip(&text)).unwrap();
    let good = dir.join("before.vcf");
    fs::write(&good, &before).unwrap();
    let header_lines = 4;
    for file in [&plain, &bgzf] {
        for command in [COMMANDS[1], COMMANDS[2], COMMANDS[5]] {
            let expected = enclave(command, WHOLE, &[] as &[&str], &good);
            assert!(expected.ok());
            let whole = enclave(command, WHOLE, &[] as &[&str], file);
            assert!(!whole.ok() && whole.stdout.is_empty());
            assert!(
                whole
                    .stderr
                    .contains(&format!("line {}", header_lines + bad)),
                "the message names the line: {}",
                whole.stderr
            );
            for mode in STREAMED {
                let s = enclave(command, mode, &[] as &[&str], file);
                let what = format!("{} {}", shown(command, mode), file.display());
                assert_eq!(s.code, whole.code, "{what}: the exit status");
                assert_eq!(s.stderr, whole.stderr, "{what}: the message");
                assert!(
                    s.stdout == expected.stdout,
                    "{what}: the records before the bad one: {}",
                    first_difference(&expected.stdout, &s.stdout)
                );
            }
        }
    }
}

#[test]
fn a_truncated_file_fails_in_every_mode() {
    let dir = TempDir::new("stream-truncated");
    let (_, bgzf) = genome(&dir, 3000, 1);
    let bytes = fs::read(&bgzf).unwrap();
    let full = enclave(&["view", "-f", "vcf"], WHOLE, &[] as &[&str], &bgzf);
    assert!(full.ok());
    // Cut inside a block, and at a block boundary in the middle of a record (no end-of-file
    // marker: the last block's record is incomplete).
    let mut blocks = vec![0];
    while let Some(&at) = blocks.last().filter(|&&at| at + 18 <= bytes.len()) {
        // SAM spec §4.1: BSIZE, the block's size minus one, at bytes 16-17.
        let bsize = u16::from_le_bytes([bytes[at + 16], bytes[at + 17]]) as usize;
        blocks.push(at + bsize + 1);
    }
    let boundary = blocks[blocks.len() * 2 / 3];
    let cuts = [bytes.len() * 2 / 3, boundary];
    for (k, cut) in cuts.into_iter().enumerate() {
        let cut_file = dir.join(format!("cut{k}.vcf.gz"));
        fs::write(&cut_file, &bytes[..cut]).unwrap();
        let (whole, problems) = compare(&cut_file, &["view", "-f", "vcf"], &[] as &[&str]);
        assert!(problems.is_empty(), "{problems}");
        assert!(
            !whole.ok(),
            "a truncated file is an error: {}",
            whole.stderr
        );
        for mode in STREAMED {
            let s = enclave(&["view", "-f", "vcf"], mode, &[] as &[&str], &cut_file);
            assert!(
                full.stdout.starts_with(&s.stdout),
                "{}: what is printed before the error is the file's start",
                shown(&["view"], mode)
            );
        }
    }
}

#[test]
fn crypt4gh_files_stream_like_a_whole_read() {
    let htsget = testdata_dir().join("crypt4gh/htsget-rs/data/c4gh");
    let bob: Vec<OsString> = vec!["--key".into(), htsget.join("keys/bob.sec").into()];
    for name in [
        "sample1-bcbio-cancer.vcf.gz.c4gh",
        "sample1-bcbio-cancer.bcf.c4gh",
    ] {
        for command in COMMANDS {
            let (whole, problems) = compare(&htsget.join(name), command, &bob);
            assert!(whole.ok(), "{name}: {}", whole.stderr);
            assert!(problems.is_empty(), "{problems}");
        }
    }
    // A larger file, encrypted here, which splits into parts on its plaintext.
    let dir = TempDir::new("stream-crypt4gh");
    let (_, bgzf) = genome(&dir, 3000, 3);
    let keygen = Command::new(ENCLAVE.0)
        .args(["keygen", "--no-passphrase", "-o"])
        .arg(dir.join("me"))
        .output()
        .unwrap();
    assert!(keygen.status.success());
    let encrypted = dir.join("genome.vcf.gz.c4gh");
    let encrypt = Command::new(ENCLAVE.0)
        .arg("encrypt")
        .arg("--recipient")
        .arg(dir.join("me.pub"))
        .arg("-o")
        .arg(&encrypted)
        .arg(&bgzf)
        .output()
        .unwrap();
    assert!(encrypt.status.success());
    let me: Vec<OsString> = vec!["--key".into(), dir.join("me.sec").into()];
    for command in COMMANDS {
        let (whole, problems) = compare(&encrypted, command, &me);
        assert!(whole.ok(), "{}", whole.stderr);
        assert!(problems.is_empty(), "{problems}");
        let plain = enclave(command, WHOLE, &[] as &[&str], &bgzf);
        assert!(plain.stdout == whole.stdout, "reads like its plaintext");
    }
}

#[test]
fn a_filter_warning_is_printed_once_however_many_batches_and_parts() {
    // A bare flag where a condition belongs compiles (it never holds) with a warning.
    let trio = testdata_dir().join("slivar/tests/ashk-trio.vcf.gz");
    let command = &["view", "-f", "tsv", "-e", "DB"];
    let (whole, problems) = compare(&trio, command, &[] as &[&str]);
    assert!(problems.is_empty(), "{problems}");
    assert!(whole.ok() && !whole.stdout.is_empty(), "{}", whole.stderr);
    assert_eq!(
        whole.stderr.matches("warning:").count(),
        1,
        "{}",
        whole.stderr
    );
}
