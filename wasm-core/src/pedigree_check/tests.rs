//! The pedigree check on literal genotypes: counts worked out by hand for the sex ratio and
//! the relatedness formula, and each bad input (no chrX, one sample, no depth, no build).

use super::*;
use crate::formats::Dataset;

fn dataset(text: &str) -> Dataset {
    crate::read_dataset(
        std::io::Cursor::new(text.as_bytes().to_vec()),
        None,
        &mut crate::progress::Silent,
    )
    .expect("literal VCF reads")
}

/// PED rows of one family, `(individual, father, mother, sex)`, read by the pedigree's reader.
fn ped(rows: &[(&str, &str, &str, &str)]) -> Declared {
    let text: String = rows
        .iter()
        .map(|&(id, father, mother, sex)| format!("fam\t{id}\t{father}\t{mother}\t{sex}\t0\n"))
        .collect();
    Declared::from_pedigree(&crate::pedigree::Pedigree::parse(text.as_bytes()).expect("test PED"))
}

fn vcf(contigs: &str, samples: &[&str], body: &[&str]) -> String {
    let mut t = String::from("##fileformat=VCFv4.2\n");
    t.push_str(contigs);
    t.push_str(
        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
         ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
         ##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n\
         #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
    );
    for s in samples {
        t.push('\t');
        t.push_str(s);
    }
    t.push('\n');
    for line in body {
        t.push_str(&line.replace(' ', "\t"));
        t.push('\n');
    }
    t
}

const GRCH38: &str = "##contig=<ID=chr1,length=248956422,assembly=GRCh38>\n\
                      ##contig=<ID=chrX,length=156040895,assembly=GRCh38>\n\
                      ##contig=<ID=chrY,length=57227415,assembly=GRCh38>\n";

fn lenient_sex() -> CheckParams {
    let mut p = CheckParams::default();
    p.sex.min_informative = 1;
    p
}

/// Each chrX record exercises one site or genotype rule; the counts below are worked out by
/// hand from the comments.
fn sex_file() -> Dataset {
    dataset(&vcf(
        GRCH38,
        &["M1", "F1", "M2"],
        &[
            // In the GRCh38 PAR1 (10,001-2,781,479): left out.
            "chrX 100000 . A G . . . GT:DP 0/1:20 0/1:20 0/1:20",
            // M1 hom-alt (haploid), F1 het, M2 hom-alt.
            "chrX 3000000 . A G . . . GT:DP 1:20 0/1:20 1/1:20",
            // M1 hom-ref, F1 hom-alt, M2 below depth 7.
            "chrX 3000100 . C T . . . GT:DP 0:20 1/1:30 1:5",
            // Call rate 1/3 < 0.5: left out.
            "chrX 3000200 . G A . . . GT:DP ./.:20 ./.:20 1:20",
            // Not an SNV (peddy would count this insertion): left out.
            "chrX 3000300 . T TA . . . GT:DP 0/1:20 0/1:20 0/1:20",
            // Multiallelic: left out.
            "chrX 3000400 . A C,G . . . GT:DP 1:20 1/2:20 2:20",
            // No alternate allele (frequency 0 < 0.01): left out.
            "chrX 3000500 . A C . . . GT:DP 0:20 0/0:20 0:20",
            // M1 depth 3 and M2 no depth are filtered; F1 depth 7 is kept (het).
            "chrX 3000600 . A C . . . GT:DP 0/1:3 0/1:7 0/1:.",
            // No depth at all at this site: no filter (M1 hom-alt, F1 het, M2 hom-alt).
            "chrX 3000700 . A C . . . GT 1 0/1 1",
            // chrY outside its PARs: M1 and M2 called with the alternate allele, F1 missing.
            "chrY 3000000 . A G . . . GT:DP 1:20 .:20 1:20",
            // An autosome: not read by the sex check.
            "chr1 1000 . A G . . . GT:DP 0/1:20 0/1:20 0/1:20",
        ],
    ))
}

#[test]
fn sex_counts_ratio_and_prediction() {
    let ds = sex_file();
    let declared = ped(&[
        ("M1", "0", "0", "1"),
        ("F1", "0", "0", "1"),
        ("M2", "0", "0", "2"),
    ]);
    let r = check(&ds, Some(&declared), &lenient_sex());
    assert_eq!(r.build, Some(Build::GRCh38));
    assert_eq!(r.depth_source, DepthSource::Dp);
    assert_eq!(r.x_sites, 4);
    assert_eq!(r.y_sites, 1);
    let row = |s: &str| r.sex.iter().find(|x| x.sample == s).unwrap().clone();
    let (m1, f1, m2) = (row("M1"), row("F1"), row("M2"));
    assert_eq!((m1.hom_ref, m1.het, m1.hom_alt), (1, 0, 2));
    assert_eq!((f1.hom_ref, f1.het, f1.hom_alt), (0, 3, 1));
    assert_eq!((m2.hom_ref, m2.het, m2.hom_alt), (0, 0, 2));
    assert_eq!((m1.het_ratio, m1.predicted), (Some(0.0), Sex::Male));
    assert_eq!((f1.het_ratio, f1.predicted), (Some(3.0), Sex::Female));
    assert_eq!(m2.predicted, Sex::Male);
    assert_eq!((m1.y_called, m1.y_alt, f1.y_called), (1, 1, 0));
    // F1 declared male and M2 declared female: two warnings with their numbers.
    assert!(!m1.mismatch && f1.mismatch && m2.mismatch);
    let sex_warnings: Vec<&CheckWarning> = r
        .warnings
        .iter()
        .filter(|w| matches!(w, CheckWarning::Sex { .. }))
        .collect();
    assert_eq!(sex_warnings.len(), 2);
    assert!(matches!(
        sex_warnings[0],
        CheckWarning::Sex { sample, declared: Sex::Male, predicted: Sex::Female, het: 3, hom_alt: 1, .. }
            if sample == "F1"
    ));
    assert!(r.notices.contains(&CheckNotice::DepthFromDp));
    // With the default minimum of 10 informative genotypes, four sites say nothing.
    let strict = check(&ds, Some(&declared), &CheckParams::default());
    assert!(strict.sex.iter().all(|s| s.predicted == Sex::Unknown));
    assert!(strict.sex.iter().all(|s| !s.mismatch));
    assert_eq!(strict.sex[1].het_ratio, Some(3.0));
}

#[test]
fn no_chrx_means_unknown_sex_not_female() {
    let ds = dataset(&vcf(
        GRCH38,
        &["A", "B"],
        &["chr1 1000 . A G . . . GT:DP 0/1:20 1/1:20"],
    ));
    let declared = ped(&[("A", "0", "0", "2"), ("B", "0", "0", "1")]);
    let r = check(&ds, Some(&declared), &lenient_sex());
    assert!(r.notices.contains(&CheckNotice::NoChrX));
    for s in &r.sex {
        assert_eq!(s.predicted, Sex::Unknown);
        assert_eq!(s.het_ratio, None);
        assert!(!s.mismatch);
    }
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // chrX present but nothing usable on it is said differently.
    let ds = dataset(&vcf(
        GRCH38,
        &["A", "B"],
        &["chrX 100000 . A G . . . GT:DP 0/1:20 1:20"],
    ));
    let r = check(&ds, None, &lenient_sex());
    assert!(r.notices.contains(&CheckNotice::NoXSites { records: 1 }));
    assert!(r.sex.iter().all(|s| s.predicted == Sex::Unknown));
}

#[test]
fn one_sample_has_no_pairs() {
    let ds = dataset(&vcf(
        GRCH38,
        &["ONLY"],
        &[
            "chr1 1000 . A G . . . GT:DP 0/1:20",
            "chrX 3000000 . A G . . . GT:DP 1:20",
        ],
    ));
    let r = check(&ds, Some(&ped(&[("ONLY", "0", "0", "1")])), &lenient_sex());
    assert!(r.pairs.is_empty());
    assert!(r.notices.contains(&CheckNotice::OneSample));
    assert_eq!(r.sex.len(), 1);
    assert_eq!(r.sex[0].hom_alt, 1);
    // No samples at all: a notice, no panic.
    let ds = dataset(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t1\t.\tA\tG\t.\t.\t.\n",
    );
    let r = check(&ds, None, &CheckParams::default());
    assert!(r.notices.contains(&CheckNotice::NoSamples));
    assert!(r.sex.is_empty() && r.pairs.is_empty());
}

#[test]
fn no_genotypes_is_one_notice() {
    // Samples without FORMAT/GT, and samples whose every GT is missing: one notice saying so,
    // not a list of consequences (no depth, no chrX site, no autosomal site).
    let no_gt = "##fileformat=VCFv4.2\n\
        ##contig=<ID=chr1,length=248956422,assembly=GRCh38>\n\
        ##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n\
        chr1\t100\t.\tA\tG\t.\t.\t.\tDP\t20\t30\n";
    let all_missing = vcf(
        GRCH38,
        &["A", "B"],
        &[
            "chr1 100 . A G . . . GT:DP ./.:20 .:30",
            "chrX 3000000 . A G . . . GT ./. ./.",
        ],
    );
    let declared = ped(&[("A", "0", "0", "1"), ("B", "0", "0", "2")]);
    for (what, text) in [("no GT", no_gt.to_string()), ("all missing", all_missing)] {
        let r = check(&dataset(&text), Some(&declared), &CheckParams::default());
        let expected = [CheckNotice::NoGenotypes];
        assert_eq!(r.notices, expected, "{what}");
        assert!(r.warnings.is_empty(), "{what}: {:?}", r.warnings);
        assert!(
            r.sex
                .iter()
                .all(|s| s.predicted == Sex::Unknown && !s.mismatch)
        );
        assert_eq!(r.pairs.len(), 1, "{what}");
        assert_eq!(
            r.pairs[0].predicted,
            PredictedRelation::Undetermined,
            "{what}"
        );
    }
    // One called allele is enough to go on (and then the other notices say what is missing).
    let one = vcf(
        GRCH38,
        &["A", "B"],
        &["chr1 100 . A G . . . GT:DP ./1:20 ./.:30"],
    );
    let r = check(&dataset(&one), Some(&declared), &CheckParams::default());
    assert!(
        !r.notices.contains(&CheckNotice::NoGenotypes),
        "{:?}",
        r.notices
    );
    assert!(r.notices.contains(&CheckNotice::NoChrX));
}

#[test]
fn a_ped_naming_no_sample_compares_nothing() {
    let ds = dataset(&vcf(
        GRCH38,
        &["A", "B"],
        &[
            "chr1 100 . A G . . . GT:AD 0/1:5,5 1/1:0,9",
            "chrX 3000000 . A G . . . GT:AD 1:0,9 0/1:5,5",
        ],
    ));
    let strangers = ped(&[("X1", "0", "0", "1"), ("X2", "X1", "0", "2")]);
    let r = check(&ds, Some(&strangers), &lenient_sex());
    assert!(r.notices.contains(&CheckNotice::NoPedigreeSampleInFile));
    assert!(r.notices.contains(&CheckNotice::NotSequenced {
        samples: vec!["X1".into(), "X2".into()]
    }));
    // Every sample is missing from the PED: said once, not as a list of all of them.
    assert!(
        !r.notices
            .iter()
            .any(|n| matches!(n, CheckNotice::NotInPedigree { .. }))
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(r.sex.iter().all(|s| s.declared.is_none() && !s.mismatch));
    assert_eq!(r.pairs[0].expected, DeclaredRelation::NotInPedigree);
}

#[test]
fn no_depth_field_skips_the_filters_with_a_notice() {
    let text = "##fileformat=VCFv4.2\n\
        ##contig=<ID=chrX,length=156040895,assembly=GRCh38>\n\
        ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n\
        chrX\t3000000\t.\tA\tG\t.\t.\t.\tGT\t1\t0/1\n\
        chrX\t3000100\t.\tA\tG\t.\t.\t.\tGT\t0\t1/1\n";
    let r = check(&dataset(text), None, &lenient_sex());
    assert_eq!(r.depth_source, DepthSource::None);
    assert!(r.notices.contains(&CheckNotice::NoDepth));
    assert!(r.notices.contains(&CheckNotice::NoPedigree));
    assert_eq!((r.sex[0].hom_ref, r.sex[0].hom_alt), (1, 1));
    assert_eq!((r.sex[1].het, r.sex[1].hom_alt), (1, 1));
}

#[test]
fn unknown_build_leaves_out_either_builds_pars() {
    // X:2,750,000 is pseudo-autosomal in GRCh38 only; X:2,700,000 is past GRCh37's PAR1.
    let body = [
        "X 2750000 . A G . . . GT:DP 0/1:20 1:20",
        "X 3000000 . A G . . . GT:DP 0/1:20 1:20",
    ];
    let unknown = dataset(&vcf("##contig=<ID=X>\n", &["F", "M"], &body));
    let r = check(&unknown, None, &lenient_sex());
    assert_eq!(r.build, None);
    assert!(r.notices.contains(&CheckNotice::BuildUnknown));
    assert_eq!(r.x_sites, 1);
    // The same records in a GRCh37 file (found by chrX's length): both are read.
    let b37 = dataset(&vcf(
        "##contig=<ID=X,length=155270560>\n",
        &["F", "M"],
        &body,
    ));
    let r = check(&b37, None, &lenient_sex());
    assert_eq!(r.build, Some(Build::GRCh37));
    assert!(!r.notices.contains(&CheckNotice::BuildUnknown));
    assert_eq!(r.x_sites, 2);
    assert_eq!((r.sex[0].het, r.sex[1].hom_alt), (2, 2));
}

/// Relatedness by hand. Sites used (classes after the allele-balance rule):
///
/// | site | A | B | C |
/// |---|---|---|---|
/// | s1 | hom-ref | hom-alt | het |
/// | s2 | het | het | — (AB 0.9) |
/// | s3 | hom-alt | hom-alt | hom-ref |
/// | s4 | het | hom-ref | het |
/// | s9 | — (het without AD) | het | hom-ref |
///
/// hets A 2, B 2, C 2. A–B: n 4, IBS0 1 (s1), IBS2 2 (s2, s3), shared 1 → (1 − 2)/2 = −0.5.
/// A–C: n 3, IBS0 1 (s3), IBS2 1 (s4), shared 1 → −0.5. B–C: n 4, IBS0 1 (s3), IBS2 0,
/// shared 0 → −1.
#[test]
fn relatedness_by_hand() {
    let ds = dataset(&vcf(
        GRCH38,
        &["A", "B", "C"],
        &[
            "chr1 100 . A G . . . GT:AD 0/0:10,0 1/1:0,10 0/1:5,5",
            "chr1 200 . A G . . . GT:AD 0/1:5,5 0/1:4,6 0/1:1,9",
            "chr1 300 . A G . . . GT:AD 1/1:0,9 1/1:0,9 0/0:9,0",
            "chr1 400 . C T . . . GT:AD 0/1:5,5 0/0:9,0 0/1:5,5",
            // Call rate 2/3 < 0.8: left out.
            "chr1 500 . C T . . . GT:AD 0/0:9,0 ./.:. 0/1:5,5",
            // Multiallelic, then chrX: left out.
            "chr1 600 . A C,G . . . GT:AD 0/1:5,5,0 0/2:5,0,5 1/2:0,5,5",
            "chrX 3000000 . A G . . . GT:AD 0/1:5,5 0/1:5,5 0/1:5,5",
            // No alternate allele: left out.
            "chr1 800 . A G . . . GT:AD 0/0:9,0 0/0:9,0 0/0:9,0",
            "chr1 900 . A G . . . GT:AD 0/1:. 0/1:5,5 0/0:10,0",
        ],
    ));
    let r = check(&ds, None, &CheckParams::default());
    assert_eq!(r.relatedness_sites, 5);
    assert_eq!(r.hets_off_balance, vec![1, 0, 1]);
    let pair = |a: u32, b: u32| r.pairs.iter().find(|p| p.a == a && p.b == b).unwrap();
    let ab = pair(0, 1);
    assert_eq!((ab.n, ab.ibs0, ab.ibs2, ab.shared_hets), (4, 1, 2, 1));
    assert_eq!((ab.hets_a, ab.hets_b, ab.relatedness), (2, 2, Some(-0.5)));
    let ac = pair(0, 2);
    assert_eq!((ac.n, ac.ibs0, ac.ibs2, ac.shared_hets), (3, 1, 1, 1));
    assert_eq!(ac.relatedness, Some(-0.5));
    let bc = pair(1, 2);
    assert_eq!((bc.n, bc.ibs0, bc.ibs2, bc.shared_hets), (4, 1, 0, 0));
    assert_eq!(bc.relatedness, Some(-1.0));
    // Five sites are too few to predict anything: no warning, a notice.
    assert!(
        r.pairs
            .iter()
            .all(|p| p.predicted == PredictedRelation::Undetermined)
    );
    assert!(r.notices.contains(&CheckNotice::TooFewSites {
        pairs: 3,
        needed: 500
    }));
    // Past the work limit every k-th site is read, and said: 3 pairs × 1 word of sites over a
    // limit of 1 word reads every third of the 5 sites (s1, s4).
    let mut params = CheckParams::default();
    params.relatedness.max_pair_words = 1;
    let r = check(&ds, None, &params);
    assert_eq!((r.relatedness_step, r.relatedness_sites), (3, 2));
    assert!(r.notices.contains(&CheckNotice::Thinned {
        step: 3,
        sites: 2,
        candidates: 5
    }));
    let ab = r.pairs.iter().find(|p| p.a == 0 && p.b == 1).unwrap();
    assert_eq!((ab.n, ab.ibs0, ab.ibs2, ab.shared_hets), (2, 1, 0, 0));
}

#[test]
fn predictions_from_the_numbers() {
    let p = RelatednessParams::default();
    let counts = |n, ibs0| PairCounts {
        n,
        ibs0,
        ibs2: 0,
        shared_hets: 0,
    };
    use PredictedRelation as R;
    assert_eq!(
        predict_relation(&counts(1000, 5), Some(0.98), &p),
        R::Duplicate
    );
    assert_eq!(
        predict_relation(&counts(1000, 11), Some(0.5), &p),
        R::ParentChild
    );
    // IBS0/n = 0.012 is not below 0.012.
    assert_eq!(
        predict_relation(&counts(1000, 12), Some(0.5), &p),
        R::Siblings
    );
    assert_eq!(
        predict_relation(&counts(1000, 40), Some(0.25), &p),
        R::SecondDegree
    );
    assert_eq!(
        predict_relation(&counts(1000, 60), Some(0.125), &p),
        R::ThirdDegree
    );
    assert_eq!(
        predict_relation(&counts(1000, 80), Some(0.01), &p),
        R::Unrelated
    );
    assert_eq!(
        predict_relation(&counts(99, 0), Some(0.5), &p),
        R::Undetermined
    );
    assert_eq!(
        predict_relation(&counts(1000, 0), None, &p),
        R::Undetermined
    );
}

#[test]
fn tallies_of_parts_add_up_to_the_whole() {
    let whole = sex_file();
    let lines: Vec<&str> = vec![
        "chrX 3000000 . A G . . . GT:DP 1:20 0/1:20 1/1:20",
        "chrX 3000100 . C T . . . GT:DP 0:20 1/1:30 1:5",
        "chrX 3000600 . A C . . . GT:DP 0/1:3 0/1:7 0/1:.",
        "chrX 3000700 . A C . . . GT 1 0/1 1",
        "chrY 3000000 . A G . . . GT:DP 1:20 .:20 1:20",
    ];
    let (first, second) = lines.split_at(2);
    let params = lenient_sex();
    let mut t = tally(
        &dataset(&vcf(GRCH38, &["M1", "F1", "M2"], first)).store,
        Some(Build::GRCh38),
        &params,
    );
    t.add(&tally(
        &dataset(&vcf(GRCH38, &["M1", "F1", "M2"], second)).store,
        Some(Build::GRCh38),
        &params,
    ));
    let parts = finish(&t, None, &params);
    let whole = check(&whole, None, &params);
    assert_eq!(parts.sex, whole.sex);
    assert_eq!(parts.x_sites, whole.x_sites);
}

/// A tally of two samples with one pair's counts, as `finish` receives it.
fn two_sample_tally(pair: PairCounts, hets: [u64; 2]) -> Tally {
    let mut relatedness = RelatednessTally {
        samples: 2,
        pairs: vec![pair],
        hets: hets.to_vec(),
        hets_off_balance: vec![0, 0],
        step: 1,
        ..RelatednessTally::default()
    };
    relatedness.candidate_sites = pair.n;
    relatedness.sites = pair.n;
    Tally {
        samples: vec!["A".into(), "B".into()],
        build: Some(Build::GRCh38),
        regions: SexRegions::of(Build::GRCh38),
        depth_source: DepthSource::Ad,
        genotypes_called: true,
        sex: SexTally {
            samples: vec![SexCounts::default(); 2],
            ..SexTally::default()
        },
        relatedness,
    }
}

#[test]
fn negative_relatedness_of_unrelated_samples_is_no_warning() {
    let unrelated = ped(&[("A", "0", "0", "1"), ("B", "0", "0", "2")]);
    let params = CheckParams::default();
    // (shared − 2·IBS0) / min(hets) = (100 − 160) / 120 = −0.5: different ancestries.
    let far = PairCounts {
        n: 1000,
        ibs0: 80,
        ibs2: 400,
        shared_hets: 100,
    };
    let r = finish(
        &two_sample_tally(far, [120, 150]),
        Some(&unrelated),
        &params,
    );
    assert_eq!(r.pairs[0].relatedness, Some(-0.5));
    assert_eq!(r.pairs[0].predicted, PredictedRelation::Unrelated);
    // The plot's coordinates as fractions of the shared sites.
    assert_eq!(
        (r.pairs[0].ibs0_fraction(), r.pairs[0].ibs2_fraction()),
        (0.08, 0.4)
    );
    assert!(
        r.warnings.is_empty() && !r.pairs[0].flagged,
        "{:?}",
        r.warnings
    );
    // (130 − 40) / 120 = 0.75 with IBS0/n 0.02: first degree, which the PED does not say.
    let close = PairCounts {
        n: 1000,
        ibs0: 20,
        ibs2: 600,
        shared_hets: 130,
    };
    let r = finish(
        &two_sample_tally(close, [120, 150]),
        Some(&unrelated),
        &params,
    );
    assert_eq!(r.pairs[0].predicted, PredictedRelation::Siblings);
    assert!(r.pairs[0].flagged);
    assert!(matches!(
        &r.warnings[..],
        [CheckWarning::Relatedness { expected: DeclaredRelation::Unrelated, expected_relatedness, relatedness, .. }]
            if *expected_relatedness == 0.0 && *relatedness == 0.75
    ));
    // Declared full siblings and seen unrelated: expected 0.5, observed −0.5 read as 0.
    let sibs = ped(&[
        ("P1", "0", "0", "1"),
        ("P2", "0", "0", "2"),
        ("A", "P1", "P2", "1"),
        ("B", "P1", "P2", "2"),
    ]);
    let r = finish(&two_sample_tally(far, [120, 150]), Some(&sibs), &params);
    assert!(matches!(
        &r.warnings[..],
        [CheckWarning::Relatedness {
            expected: DeclaredRelation::FullSiblings,
            ..
        }]
    ));
    // The notices name the PED's members that were not sequenced.
    assert!(r.notices.contains(&CheckNotice::NotSequenced {
        samples: vec!["P1".into(), "P2".into()]
    }));
}

#[test]
fn samples_missing_from_the_ped_are_checked_as_unrelated() {
    // B is not in the PED: expected unrelated, so a parent–child pair is a warning.
    let only_a = ped(&[("A", "0", "0", "1")]);
    let parent_child = PairCounts {
        n: 1000,
        ibs0: 2,
        ibs2: 600,
        shared_hets: 60,
    };
    let r = finish(
        &two_sample_tally(parent_child, [120, 130]),
        Some(&only_a),
        &CheckParams::default(),
    );
    assert_eq!(r.pairs[0].expected, DeclaredRelation::NotInPedigree);
    assert_eq!(r.pairs[0].expected_relatedness, None);
    assert!(matches!(
        &r.warnings[..],
        [CheckWarning::UnexpectedParentChild {
            expected: DeclaredRelation::NotInPedigree,
            ..
        }]
    ));
    assert!(r.notices.contains(&CheckNotice::NotInPedigree {
        samples: vec!["B".into()]
    }));
    assert_eq!(r.sex[1].declared, None);
    // Without any PED the same pair is predicted, not warned.
    let r = finish(
        &two_sample_tally(parent_child, [120, 130]),
        None,
        &CheckParams::default(),
    );
    assert_eq!(r.pairs[0].predicted, PredictedRelation::ParentChild);
    assert_eq!(r.pairs[0].expected, DeclaredRelation::Unknown);
    assert!(r.warnings.is_empty());
}

#[test]
fn too_many_samples_for_pairs_is_a_notice() {
    let ds = dataset(&vcf(
        GRCH38,
        &["A", "B", "C"],
        &["chr1 100 . A G . . . GT:AD 0/1:5,5 0/1:5,5 0/0:9,0"],
    ));
    let mut params = CheckParams::default();
    params.relatedness.max_samples = 2;
    let r = check(&ds, None, &params);
    assert!(r.pairs.is_empty());
    assert_eq!(r.pairs_total, 0);
    assert!(
        r.notices
            .contains(&CheckNotice::TooManySamples { samples: 3, max: 2 })
    );
    assert_eq!(r.sex.len(), 3);
    // A tally that does not fit its samples (a damaged message from a worker) is read the same.
    let mut t = tally(&ds.store, Some(Build::GRCh38), &CheckParams::default());
    t.relatedness.hets.pop();
    let r = finish(&t, None, &CheckParams::default());
    assert!(r.pairs.is_empty());
    // Nothing shared: fractions of 0, not NaN.
    let none = finish(
        &two_sample_tally(PairCounts::default(), [0, 0]),
        None,
        &CheckParams::default(),
    );
    assert_eq!(
        (none.pairs[0].ibs0_fraction(), none.pairs[0].ibs2_fraction()),
        (0.0, 0.0)
    );
}
