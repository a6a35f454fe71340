//! Region queries through an index: `enclave query -r REGION` against `bcftools view -H -r
//! REGION` (the same records, in the same order, compared by CHROM, POS, ID, REF and ALT), with tabix and CSI indexes, VCF and BCF, plain and
//! Crypt4GH-encrypted, and what happens when the index does not fit its data.
//!
//! - `local_files`: htslib's tabix tests (`testdata/htslib/test/tabix`: a two-contig VCF, a VCF
//!   with a contig past 2^29 that only CSI can index) and its long-reference test
//!   (`testdata/htslib/test/longrefs/index.vcf`, positions past 2^33), bgzipped and indexed here
//!   with bgzip, tabix and bcftools, each also as BCF and as a Crypt4GH file beside the plain
//!   index. Regions: every contig, every record's position, windows around records, stretches
//!   between them, and lists across contigs.
//! - `shared_sweep`: every VCF / BCF with a `.tbi` or `.csi` beside it under
//!   `../shared/testdata` (skipped with a notice when it is absent; CI has it).
//! - `mismatched_indexes`: another file's index, an index of a re-compressed copy, a shortened
//!   data file, a BED file's index, a tabix index for BCF: each is refused with a message that
//!   says the index does not match, never wrong records.
//!
//! bcftools, bgzip and tabix are the oracles; without them the tests skip with a notice, except
//! under `CI`, where they must be present.

use std::path::{Path, PathBuf};
use std::process::Command;

use enclave_test_support::files::{TempDir, shared_testdata_or_skip, workspace_root};
use enclave_test_support::oracle::available;
use enclave_test_support::process::{Program, Run, on_two_workers, run};

const ENCLAVE: Program = Program(env!("CARGO_BIN_EXE_enclave"));

/// The fields that identify a record.
const FORMAT: &str = "%CHROM\t%POS\t%ID\t%REF\t%ALT\n";

/// The oracles of these tests; without them a test is skipped, except under CI.
const TOOLS: [&str; 3] = ["bcftools", "bgzip", "tabix"];

fn sh(cmd: &mut Command) -> Run {
    let r = run(cmd);
    assert!(!r.timed_out, "{cmd:?} timed out");
    r
}

fn must(cmd: &mut Command) -> Vec<u8> {
    let r = sh(cmd);
    assert!(r.ok(), "{cmd:?} failed: {}", r.stderr);
    r.stdout
}

/// A data file to query, the plaintext bcftools reads, and the key when encrypted.
struct Target {
    data: PathBuf,
    plain: PathBuf,
    key: Option<PathBuf>,
}

/// `enclave query -r` on the target against `bcftools view -H -r` on its plaintext. (Not
/// `bcftools query -r`: in 1.16 it leaves out records that only overlap through `INFO/END`,
/// which `view -r` keeps, as documented for `--regions-overlap 1`.)
fn compare(target: &Target, region: &str) -> Result<usize, String> {
    let mut oracle = sh(Command::new("bcftools")
        .args(["view", "-H", "-r", region])
        .arg(&target.plain));
    oracle.stdout = first_columns(&oracle.stdout, 5);
    let mut cmd = Command::new(ENCLAVE);
    cmd.args(["query", "-f", FORMAT, "-r", region]);
    if let Some(key) = &target.key {
        cmd.arg("--key").arg(key);
    }
    let ours = sh(cmd.arg(&target.data));
    if ours.crashed() {
        return Err(format!("enclave crashed on -r {region}: {}", ours.stderr));
    }
    if !oracle.ok() {
        // bcftools cannot answer (a contig it does not know, …): Enclave may answer or refuse,
        // but must not crash (checked above).
        return Ok(0);
    }
    if !ours.ok() {
        return Err(format!("enclave failed on -r {region}: {}", ours.stderr));
    }
    if ours.stdout != oracle.stdout {
        return Err(format!(
            "-r {region}: enclave gave {} lines, bcftools {}\n--- enclave\n{}\n--- bcftools\n{}",
            ours.stdout.split(|&b| b == b'\n').count() - 1,
            oracle.stdout.split(|&b| b == b'\n').count() - 1,
            head(&ours.stdout),
            head(&oracle.stdout)
        ));
    }
    Ok(oracle.stdout.iter().filter(|&&b| b == b'\n').count())
}

/// The first `n` tab-separated columns of each line.
fn first_columns(text: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4);
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let cols: Vec<&[u8]> = line.splitn(n + 1, |&b| b == b'\t').take(n).collect();
        out.extend_from_slice(&cols.join(&b'\t'));
        out.push(b'\n');
    }
    out
}

fn head(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .lines()
        .take(8)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Regions that probe a file: every contig whole, each record's position (at most `per_file`
/// records, spread evenly), windows around them, the gaps between neighbours, and lists.
fn regions_for(plain: &Path, per_file: usize) -> Vec<String> {
    let text = must(
        Command::new("bcftools")
            .args(["query", "-f", "%CHROM\t%POS\t%REF\n"])
            .arg(plain),
    );
    let records: Vec<(String, u64, u64)> = String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let chrom = f.next()?.to_string();
            let pos = f.next()?.parse().ok()?;
            let len = f.next()?.len() as u64;
            Some((chrom, pos, len))
        })
        .collect();
    let mut contigs: Vec<&str> = Vec::new();
    for (c, _, _) in &records {
        if !contigs.contains(&c.as_str()) {
            contigs.push(c);
        }
    }
    let braced = |c: &str| {
        if c.contains(':') {
            format!("{{{c}}}")
        } else {
            c.to_string()
        }
    };
    let mut regions: Vec<String> = contigs.iter().map(|c| braced(c)).collect();
    let step = (records.len() / per_file.max(1)).max(1);
    for k in (0..records.len()).step_by(step) {
        let (c, pos, len) = &records[k];
        let c = braced(c);
        regions.push(format!("{c}:{pos}"));
        regions.push(format!(
            "{c}:{}-{}",
            pos.saturating_sub(5000).max(1),
            pos + 5000
        ));
        // Only the last base of a deletion: kept because its span reaches in.
        regions.push(format!("{c}:{}", pos + len.saturating_sub(1)));
        if let Some((next_c, next_pos, _)) = records.get(k + 1)
            && next_c == &records[k].0
            && *next_pos > pos + len
        {
            regions.push(format!("{c}:{}-{}", pos + len, next_pos - 1));
        }
    }
    if contigs.len() > 1 {
        // Across contigs, the later one first: bcftools reports in the order regions name them.
        let last = braced(contigs[contigs.len() - 1]);
        let first = braced(contigs[0]);
        regions.push(format!("{last},{first}:1-1000000000"));
    }
    regions
}

/// bgzips `vcf` into `dir`, then makes: NAME.vcf.gz + .tbi (when tabix can), NAME.csi.vcf.gz +
/// .csi, NAME.bcf + .csi, and Crypt4GH copies of each beside its plaintext's index.
fn prepare(dir: &Path, vcf: &Path, key: &Path, public: &Path) -> Vec<Target> {
    let name = vcf
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let mut targets = Vec::new();
    let gz = dir.join(format!("{name}.vcf.gz"));
    std::fs::write(&gz, must(Command::new("bgzip").arg("-c").arg(vcf))).expect("write");
    let csi = dir.join(format!("{name}.csi.vcf.gz"));
    std::fs::copy(&gz, &csi).expect("copy");
    let bcf = dir.join(format!("{name}.bcf"));
    // BCF cannot hold positions past 2^31 (htslib/test/longrefs): then there is no BCF target.
    let bcf_made = sh(Command::new("bcftools")
        .args(["view", "-Ob", "-o"])
        .arg(&bcf)
        .arg(vcf))
    .ok();
    let mut indexed = Vec::new();
    // Tabix cannot index contigs past 2^29: then that file has no .tbi (and is not a target).
    if sh(Command::new("tabix").args(["-f", "-p", "vcf"]).arg(&gz)).ok() {
        indexed.push(gz);
    }
    must(
        Command::new("tabix")
            .args(["-f", "-C", "-p", "vcf"])
            .arg(&csi),
    );
    indexed.push(csi);
    if bcf_made {
        must(Command::new("bcftools").args(["index", "-f"]).arg(&bcf));
        indexed.push(bcf);
    }
    for plain in indexed {
        let encrypted = PathBuf::from(format!("{}.c4gh", plain.display()));
        must(
            Command::new(ENCLAVE)
                .arg("encrypt")
                .arg("--recipient")
                .arg(public)
                .arg("-o")
                .arg(&encrypted)
                .arg(&plain),
        );
        targets.push(Target {
            data: plain.clone(),
            plain: plain.clone(),
            key: None,
        });
        targets.push(Target {
            data: encrypted,
            plain,
            key: Some(key.to_path_buf()),
        });
    }
    targets
}

fn keypair(dir: &Path) -> (PathBuf, PathBuf) {
    let stem = dir.join("reader");
    must(
        Command::new(ENCLAVE)
            .args(["keygen", "--no-passphrase", "-o"])
            .arg(&stem),
    );
    (
        PathBuf::from(format!("{}.sec", stem.display())),
        PathBuf::from(format!("{}.pub", stem.display())),
    )
}

/// Shared files whose index was made for another version of the data: Enclave must refuse
/// them as mismatched (htslib reads on from wherever the index points).
const MISMATCHED: &[(&str, &str)] = &[(
    "vcfanno/tests/id-test/small.vcf.gz",
    "its .tbi puts the first record at byte 90 of the header (this file's records start at 169)",
)];

/// Every target with each of its regions.
fn pairs<'a>(targets: &'a [Target], regions: &[Vec<String>]) -> Vec<(&'a Target, String)> {
    targets
        .iter()
        .zip(regions)
        .flat_map(|(t, rs)| rs.iter().map(move |r| (t, r.clone())))
        .collect()
}

/// Runs every (target, region) pair on two workers; panics listing every difference.
fn check_all(jobs: Vec<(&Target, String)>) -> usize {
    let results = on_two_workers(&jobs, |(target, region)| {
        let known = MISMATCHED.iter().any(|(f, _)| target.data.ends_with(f));
        if known {
            let r = sh(Command::new(ENCLAVE)
                .args(["query", "-f", FORMAT, "-r", region])
                .arg(&target.data));
            return if !r.ok() && r.stderr.contains("does not match") {
                Ok(0)
            } else {
                Err(format!(
                    "{}: a mismatched index was not refused: {}",
                    target.data.display(),
                    r.stderr
                ))
            };
        }
        compare(target, region).map_err(|e| format!("{}: {e}", target.data.display()))
    });
    let mut failures = Vec::new();
    let mut records = 0;
    for r in results {
        match r {
            Ok(n) => records += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} region queries differ from bcftools:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n\n")
    );
    records
}

#[test]
fn local_files() {
    if !available("local_files", &TOOLS) {
        return;
    }
    let dir = TempDir::new("regions-local");
    let (key, public) = keypair(&dir);
    let sources = [
        "testdata/htslib/test/tabix/vcf_file.vcf",
        "testdata/htslib/test/tabix/large_chr.vcf",
        "testdata/htslib/test/longrefs/index.vcf",
    ];
    let mut targets = Vec::new();
    let mut regions = Vec::new();
    for source in sources {
        let vcf = workspace_root().join(source);
        let made = prepare(&dir, &vcf, &key, &public);
        let probes = regions_for(&made[0].plain, 40);
        for t in made {
            targets.push(t);
            regions.push(probes.clone());
        }
    }
    // htslib's own expectations, as its tabix.tst runs them.
    regions[0].extend([
        "1:3000151-3000151".to_string(),
        "2:3199812-3199812".to_string(),
    ]);
    let jobs = pairs(&targets, &regions);
    let n = jobs.len();
    let records = check_all(jobs);
    eprintln!(
        "local_files: {n} region queries over {} files (tbi, csi, bcf; plain and Crypt4GH) equal bcftools ({records} records)",
        targets.len()
    );
    // The long-reference file really was queried past 2^32.
    let long = targets
        .iter()
        .find(|t| t.data.ends_with("index.csi.vcf.gz"))
        .expect("longrefs target");
    assert!(compare(long, "1:10010000100-10010000105").expect("same") == 6);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Indexed VCF / BCF files under `dir`, each with its index.
fn indexed_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            indexed_files(&path, out);
            continue;
        }
        let name = path.to_string_lossy();
        let data_like =
            name.ends_with(".vcf.gz") || name.ends_with(".bcf") || name.ends_with(".vcf.bgz");
        let has_index = ["csi", "tbi"]
            .iter()
            .any(|ext| Path::new(&format!("{name}.{ext}")).is_file());
        if data_like && has_index {
            out.push(path);
        }
    }
}

#[test]
fn shared_sweep() {
    let Some(shared) = shared_testdata_or_skip("shared_sweep") else {
        return;
    };
    if !available("shared_sweep", &TOOLS) {
        return;
    }
    let mut files = Vec::new();
    indexed_files(&shared, &mut files);
    let mut targets = Vec::new();
    let mut regions = Vec::new();
    let mut skipped = Vec::new();
    for file in files {
        // Only files bcftools reads through their index are oracles.
        let listed = sh(Command::new("bcftools").args(["index", "-s"]).arg(&file));
        if !listed.ok() || listed.stdout.is_empty() {
            skipped.push(file.display().to_string());
            continue;
        }
        regions.push(regions_for(&file, 6));
        targets.push(Target {
            data: file.clone(),
            plain: file,
            key: None,
        });
    }
    let jobs = pairs(&targets, &regions);
    let n = jobs.len();
    let records = check_all(jobs);
    eprintln!(
        "shared_sweep: {n} region queries over {} indexed files equal bcftools ({records} records); {} files bcftools cannot list through their index were skipped",
        targets.len(),
        skipped.len()
    );
    assert!(
        targets.len() >= 30,
        "expected dozens of indexed files, found {}",
        targets.len()
    );
}

/// `enclave view -r` with `--index`: the message, and that nothing is printed.
fn refused(data: &Path, index: &Path) -> String {
    let r = sh(Command::new(ENCLAVE)
        .args(["view", "-r", "1"])
        .arg("--index")
        .arg(index)
        .arg(data));
    assert!(
        !r.ok() && !r.crashed(),
        "{}: expected a refusal, got {:?}",
        data.display(),
        r.stderr
    );
    assert!(r.stdout.is_empty(), "records printed despite the error");
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    r.stderr
}

#[test]
fn mismatched_indexes() {
    if !available("mismatched_indexes", &TOOLS) {
        return;
    }
    let dir = TempDir::new("regions-mismatch");
    let vcf = workspace_root().join("testdata/htslib/test/tabix/vcf_file.vcf");
    let gz = dir.join("a.vcf.gz");
    std::fs::write(&gz, must(Command::new("bgzip").arg("-c").arg(&vcf))).expect("write");
    must(Command::new("tabix").args(["-p", "vcf"]).arg(&gz));
    let tbi = dir.join("a.vcf.gz.tbi");

    // Another file's index (the trio's CSI).
    let trio = workspace_root().join("testdata/slivar/tests/ashk-trio.vcf.gz");
    let e = refused(
        &gz,
        &workspace_root().join("testdata/slivar/tests/ashk-trio.vcf.gz.csi"),
    );
    assert!(e.contains("does not match"), "{e}");
    let e = refused(&trio, &tbi);
    assert!(e.contains("does not match"), "{e}");

    // The same records re-compressed with other block sizes: offsets point elsewhere.
    let recompressed = dir.join("b.vcf.gz");
    let text = must(Command::new("bgzip").args(["-dc"]).arg(&gz));
    let mut with_comment = b"".to_vec();
    let split = text
        .windows(7)
        .position(|w| w == b"#CHROM\t")
        .expect("#CHROM");
    with_comment.extend_from_slice(&text[..split]);
    with_comment.extend_from_slice(b"##comment=a longer header moves every record\n");
    with_comment.extend_from_slice(&text[split..]);
    let plain = dir.join("b.vcf");
    std::fs::write(&plain, &with_comment).expect("write");
    std::fs::write(
        &recompressed,
        must(Command::new("bgzip").arg("-c").arg(&plain)),
    )
    .expect("write");
    let e = refused(&recompressed, &tbi);
    assert!(e.contains("does not match"), "{e}");

    // A shortened data file.
    let bytes = std::fs::read(&gz).expect("read");
    let short = dir.join("short.vcf.gz");
    std::fs::write(&short, &bytes[..bytes.len() / 2]).expect("write");
    let e = refused(&short, &tbi);
    assert!(
        e.contains("does not match") || e.contains("truncated") || e.contains("damaged"),
        "{e}"
    );

    // A BED file's tabix index.
    let bed = dir.join("x.bed");
    std::fs::write(&bed, "1\t100\t200\n").expect("write");
    let bed_gz = dir.join("x.bed.gz");
    std::fs::write(&bed_gz, must(Command::new("bgzip").arg("-c").arg(&bed))).expect("write");
    must(Command::new("tabix").args(["-p", "bed"]).arg(&bed_gz));
    let e = refused(&gz, &dir.join("x.bed.gz.tbi"));
    assert!(e.contains("not for a VCF"), "{e}");

    // A tabix index given for BCF; a file that is not an index.
    let bcf = workspace_root().join("testdata/htslib/test/tabix/vcf_file.bcf");
    let e = refused(&bcf, &tbi);
    assert!(e.contains("BCF files use .csi"), "{e}");
    let e = refused(&gz, &vcf);
    assert!(e.contains("not a tabix"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
