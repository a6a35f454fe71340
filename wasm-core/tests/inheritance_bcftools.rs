//! `mendel-error` and `de-novo` with the gates off against bcftools 1.16, run live (CLINICAL.md
//! §3: `bcftools +mendelian -m x` lists 91 sites on the GIAB trio, `+trio-dnm2 --use-NAIVE`
//! 88), on the demo trio and every trio of the shared corpus (bcftools' and slivar's test
//! files). bcftools is cheap, so it runs here through test-support's oracle runner: skipped
//! with a notice when missing, a failure under CI.
//!
//! Where Enclave decides otherwise (sex-aware chrX ploidy), docs/INHERITANCE.md says why and
//! the cases below name the differences they expect.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use enclave_test_support::engine::read_from;
use enclave_test_support::files::{self, TempDir};
use enclave_test_support::oracle;
use wasm_core::Dataset;
use wasm_core::inheritance::{Analysis, Build, Gates, Mode, Options};
use wasm_core::pedigree::Pedigree;

/// CHROM, POS, REF, ALT: positions repeat at multi-allelic sites split over lines.
type Site = (String, u64, String, String);

fn load(path: &Path) -> Dataset {
    let bytes = files::read(path);
    read_from(
        &path.display().to_string(),
        &bytes[..],
        Some(bytes.len() as u64),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn analysis(ds: &Dataset, ped: &[u8]) -> Analysis {
    let build = Build::of_summary(&ds.summary).or(Some(Build::GRCh37));
    let pedigree = Pedigree::parse(ped).expect("the PED parses");
    Analysis::new(
        &ds.store,
        &pedigree,
        Options {
            gates: Gates::off(),
            lenient: false,
            build,
        },
    )
    .expect("the analysis starts")
}

fn enclave(ds: &Dataset, a: &Analysis, mode: Mode) -> BTreeSet<Site> {
    a.evaluate(&ds.store, mode)
        .kept()
        .iter_ones()
        .map(|i| {
            let s = &ds.store;
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            let alt = if s.alts(i).is_empty() {
                ".".into()
            } else {
                text(s.alts(i))
            };
            (s.chrom(i).to_string(), s.pos(i), text(s.reference(i)), alt)
        })
        .collect()
}

/// `bcftools ARGS FILE | bcftools query -i INCLUDE -f '%CHROM\t%POS\t%REF\t%ALT\n'`.
fn bcftools_sites(args: &[&str], file: &Path, include: Option<&str>) -> BTreeSet<Site> {
    let mut first = Command::new("bcftools")
        .args(args)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bcftools runs");
    let mut query = Command::new("bcftools");
    query.arg("query");
    if let Some(i) = include {
        query.args(["-i", i]);
    }
    let out = query
        .args(["-f", "%CHROM\t%POS\t%REF\t%ALT\n", "-"])
        .stdin(first.stdout.take().expect("piped"))
        .output()
        .expect("bcftools query runs");
    let done = first.wait_with_output().expect("bcftools ends");
    let stderr = String::from_utf8_lossy(&done.stderr);
    if stderr.contains("No complete trios found") {
        // A file whose PED pairs no child with both parents: nothing to list.
        return BTreeSet::new();
    }
    assert!(
        done.status.success(),
        "bcftools {args:?} {}: {stderr}",
        file.display()
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("text")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_string(),
                f[1].parse().expect("a position"),
                f[2].to_string(),
                f[3].to_string(),
            )
        })
        .collect()
}

/// A trio file of the corpus with its PED (written into `dir` when made here).
struct Case {
    vcf: PathBuf,
    ped: PathBuf,
    /// Sites where Enclave's sex-aware ploidy is expected to decide otherwise than bcftools.
    differ: &'static [(&'static str, u64, &'static str, &'static str)],
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut out = vec![Case {
        vcf: files::workspace_root().join("static/demo/trio.vcf.gz"),
        ped: files::workspace_root().join("static/demo/trio-affected-kid.ped"),
        differ: &[],
    }];
    let Some(shared) = files::shared_testdata_or_skip("inheritance_bcftools (shared trios)") else {
        return out;
    };
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        files::write(&p, text.as_bytes());
        p
    };
    let bt = shared.join("bcftools/test");
    let sl = shared.join("slivar/tests");
    // mendelian.vcf has no PED: the child's sex is not known (its chrX calls are both haploid
    // and diploid), so ploidy is read from the calls, as bcftools does.
    out.push(Case {
        vcf: bt.join("mendelian.vcf"),
        ped: write(
            "mendelian.ped",
            "f child1 dad1 mom1 0 2\nf dad1 0 0 1 1\nf mom1 0 0 2 1\n",
        ),
        differ: &[],
    });
    out.push(Case {
        vcf: bt.join("trio.vcf"),
        ped: bt.join("trio.ped"),
        differ: &[],
    });
    out.push(Case {
        vcf: bt.join("trio-stats.vcf"),
        ped: bt.join("trio-stats.ped"),
        differ: &[],
    });
    // No PED either: the proband's sex is not known (haploid and diploid chrX calls).
    let dnm_ped = write(
        "trio-dnm.ped",
        "f proband father mother 0 2\nf father 0 0 1 1\nf mother 0 0 2 1\n",
    );
    for k in 1..=11 {
        let vcf = bt.join(format!("trio-dnm/trio-dnm.{k}.vcf"));
        if vcf.is_file() {
            out.push(Case {
                vcf,
                ped: dnm_ped.clone(),
                differ: &[],
            });
        }
    }
    for (vcf, ped) in [
        ("ashk-trio.vcf.gz", "ashk-trio.ped"),
        ("comphet.vcf", "ashk-trio.ped"),
        ("with-bcsq.vcf", "ashk-trio.ped"),
        ("comphet.csq.vcf", "comphet.csq.ped"),
        ("comphet-test-case.vcf", "comphet-test-case.ped"),
        ("bug.vcf", "bug.ped"),
        ("test.vcf", "testa.ped"),
    ] {
        out.push(Case {
            vcf: sl.join(vcf),
            ped: sl.join(ped),
            differ: &[],
        });
    }
    out
}

#[test]
fn mendel_errors_are_the_sites_bcftools_mendelian_lists() {
    if !oracle::available(
        "mendel_errors_are_the_sites_bcftools_mendelian_lists",
        &["bcftools"],
    ) {
        return;
    }
    let dir = TempDir::new("inheritance-bcftools");
    let mut compared = 0;
    for case in cases(dir.path()) {
        let ds = load(&case.vcf);
        let a = analysis(&ds, &files::read(&case.ped));
        let ours = enclave(&ds, &a, Mode::MendelError);
        let theirs = bcftools_sites(
            &[
                "+mendelian",
                "-m",
                "x",
                "-r",
                "GRCh37",
                "-p",
                &case.ped.to_string_lossy(),
            ],
            &case.vcf,
            None,
        );
        let expected: BTreeSet<Site> = theirs.symmetric_difference(&ours).cloned().collect();
        let allowed: BTreeSet<Site> = case
            .differ
            .iter()
            .map(|&(c, p, r, a)| (c.to_string(), p, r.to_string(), a.to_string()))
            .collect();
        assert_eq!(
            expected,
            allowed,
            "{}: Enclave and bcftools +mendelian differ (bcftools {} sites, Enclave {})",
            case.vcf.display(),
            theirs.len(),
            ours.len()
        );
        if case.vcf.ends_with("trio.vcf.gz") {
            assert_eq!(ours.len(), 91, "the GIAB trio has 91 Mendelian errors");
        }
        compared += 1;
    }
    assert!(compared >= 1);
}

#[test]
fn de_novo_is_the_de_novo_share_of_trio_dnm2_naive() {
    if !oracle::available(
        "de_novo_is_the_de_novo_share_of_trio_dnm2_naive",
        &["bcftools"],
    ) {
        return;
    }
    let vcf = files::workspace_root().join("static/demo/trio.vcf.gz");
    let ped = files::workspace_root().join("static/demo/trio-affected-kid.ped");
    let ds = load(&vcf);
    let a = analysis(&ds, &files::read(&ped));
    let dnm = bcftools_sites(
        &["+trio-dnm2", "--use-NAIVE", "-P", &ped.to_string_lossy()],
        &vcf,
        Some("FMT/DNM[0]=1"),
    );
    assert_eq!(dnm.len(), 88, "trio-dnm2 --use-NAIVE on the GIAB trio");
    let de_novo = enclave(&ds, &a, Mode::DeNovo);
    let mendel = enclave(&ds, &a, Mode::MendelError);
    // Every de novo of Enclave is one of the naive caller's; the naive caller's others are
    // Mendel errors Enclave classes otherwise (a parent carries the allele: loss of
    // heterozygosity, uniparental disomy, a lost parental allele, `0/1` from `1/1` × `1/1`),
    // each explained by a parent that carries it.
    assert!(
        de_novo.is_subset(&dnm),
        "{:?}",
        de_novo.difference(&dnm).collect::<Vec<_>>()
    );
    assert!(!de_novo.is_empty());
    for site in dnm.difference(&de_novo) {
        assert!(
            mendel.contains(site),
            "{site:?}: a naive de novo that is no Mendel error"
        );
        let i = (0..ds.store.len())
            .find(|&i| {
                ds.store.chrom(i) == site.0
                    && ds.store.pos(i) == site.1
                    && ds.store.reference(i) == site.2.as_bytes()
            })
            .expect("the site is in the file");
        let e = &a.explain(&ds.store, i, Mode::DeNovo)[0];
        assert!(
            e.reasons.iter().any(|r| matches!(
                r.code,
                wasm_core::inheritance::ReasonCode::ParentCarries
                    | wasm_core::inheritance::ReasonCode::AffectedLacks
            )),
            "{site:?}: {:?}",
            e.reasons
        );
    }
    eprintln!(
        "GIAB trio: trio-dnm2 --use-NAIVE {} sites, Enclave de-novo {}, mendel-error {}",
        dnm.len(),
        de_novo.len(),
        mendel.len()
    );
}
