//! Annotations and region/gene restrictions on real annotated files, against the outputs their
//! authors' tools produce: `bcftools +split-vep` expected outputs from bcftools' own test suite
//! (VEP `CSQ`, bcftools `BCSQ`, gene lists), SnpEff `ANN` from igv.js' test data, legacy SnpEff
//! `EFF` from cyvcf2, and `bcftools view -r/-R` counts (skipped with a notice when bcftools is not
//! installed, failing under CI). Files: `testdata/annotation/` (see its `SOURCE.md`).

// Native only: reads files from testdata/ and runs bcftools.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use enclave_test_support::engine::read_from;
use enclave_test_support::files::{TempDir, testdata, testdata_dir};
use enclave_test_support::oracle::available;
use wasm_core::annotation::{
    Column, Schema, Style, SubfieldType, Summarizer, schemas, severity, summarize,
};
use wasm_core::regions::{GeneList, RegionSet};
use wasm_core::store::VariantStore;

const SPLIT_VEP: &str = "annotation/bcftools/test/split-vep";

fn load(rel: &str) -> VariantStore {
    let bytes = testdata(rel);
    let total = bytes.len() as u64;
    read_from(rel, bytes.as_slice(), Some(total))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .store
}

fn text(rel: &str) -> String {
    String::from_utf8(testdata(rel)).expect("expected outputs are text")
}

fn schema(store: &VariantStore, tag: &str) -> Schema {
    schemas(store)
        .into_iter()
        .find(|s| s.tag == tag)
        .unwrap_or_else(|| panic!("no {tag} schema"))
}

/// The values of one sub-field of record `i` as split-vep prints them: `.` for missing,
/// entries joined by `,`.
fn joined(c: &Column, i: usize) -> String {
    let parts: Vec<&str> = c
        .row(i)
        .iter()
        .map(|&id| if id == 0 { "." } else { c.text(id) })
        .collect();
    parts.join(",")
}

#[test]
fn vep_schema_matches_split_vep_list() {
    let store = load(&format!("{SPLIT_VEP}.vcf"));
    let all = schemas(&store);
    assert_eq!(all.len(), 1, "{all:?}");
    let csq = &all[0];
    assert_eq!((csq.tag.as_str(), csq.style), ("CSQ", Style::Vep));
    // `bcftools +split-vep -l split-vep.vcf` lists 84 sub-fields, SYMBOL fourth.
    assert_eq!(csq.subfields.len(), 84);
    assert_eq!(csq.index_of("SYMBOL"), Some(3));
    assert_eq!(csq.index_of("HGVSp"), Some(11));
    let ty = |n: &str| csq.subfields[csq.index_of(n).unwrap()].ty;
    assert_eq!(ty("gnomAD_NFE_AF"), SubfieldType::Float);
    assert_eq!(ty("MAX_AF"), SubfieldType::Float);
    assert_eq!(ty("DISTANCE"), SubfieldType::Integer);
    assert_eq!(ty("BIOTYPE"), SubfieldType::String);
}

/// split-vep.14.out: `+split-vep -c gnomAD_NFE_AF:real,ALLELE_NUM:int | query
/// -f'%POS\t%gnomAD_NFE_AF\t%ALLELE_NUM\n'` — every transcript's value, per record.
#[test]
fn extracted_columns_equal_split_vep_values_per_transcript() {
    let store = load(&format!("{SPLIT_VEP}.vcf"));
    let csq = schema(&store, "CSQ");
    let af = Column::extract(&store, &csq, csq.index_of("gnomAD_NFE_AF").unwrap());
    let allele = Column::extract(&store, &csq, csq.index_of("ALLELE_NUM").unwrap());
    let expected = text(&format!("{SPLIT_VEP}.14.out"));
    let lines: Vec<&str> = expected.lines().collect();
    assert_eq!(lines.len(), store.len());
    let mut numbers = 0;
    for (i, line) in lines.iter().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols[0], store.pos(i).to_string(), "record {i}");
        assert_eq!(joined(&allele, i), cols[2], "ALLELE_NUM of record {i}");
        // bcftools prints the floats it parsed; compare as numbers.
        let got = joined(&af, i);
        let (got, want): (Vec<&str>, Vec<&str>) =
            (got.split(',').collect(), cols[1].split(',').collect());
        assert_eq!(got.len(), want.len(), "record {i}: {got:?} vs {want:?}");
        for (g, w) in got.iter().zip(&want) {
            if *w == "." {
                assert_eq!(*g, ".", "record {i}");
            } else {
                let (g, w): (f64, f64) = (g.parse().unwrap(), w.parse().unwrap());
                assert!(
                    (g - w).abs() <= 1e-6 * w.abs().max(1e-6),
                    "record {i}: {g} vs {w}"
                );
                numbers += 1;
            }
        }
    }
    assert!(numbers > 100, "only {numbers} values compared");
}

/// split-vep.1.1.out: `+split-vep -c Consequence -s worst:missense+:worst` — the most severe
/// term of the worst transcript when it is missense or worse, `.` otherwise.
#[test]
fn most_severe_consequence_equals_split_vep_worst() {
    let store = load(&format!("{SPLIT_VEP}.vcf"));
    let csq = schema(&store, "CSQ");
    let summarizer = Summarizer::new(&store, &csq);
    let missense = severity("missense_variant").unwrap();
    let expected = text(&format!("{SPLIT_VEP}.1.1.out"));
    let mut severe = 0;
    for (i, line) in expected.lines().enumerate() {
        let (pos, want) = line.split_once('\t').unwrap();
        assert_eq!(pos, store.pos(i).to_string());
        let got = summarizer.summarize(i).unwrap();
        assert_eq!(got, summarize(&store, &csq, i).unwrap());
        let term = got.consequence.as_deref().unwrap_or(".");
        if want == "." {
            assert!(
                severity(term).is_none_or(|r| r > missense),
                "record {i}: {term}"
            );
        } else {
            assert_eq!(term, want, "record {i} at {pos}");
            severe += 1;
        }
    }
    assert_eq!(severe, 21);
}

#[test]
fn summary_of_a_stop_gained_record() {
    let store = load(&format!("{SPLIT_VEP}.vcf"));
    let csq = schema(&store, "CSQ");
    // The one stop_gained record of split-vep.1.1.out.
    let expected = text(&format!("{SPLIT_VEP}.1.1.out"));
    let i = expected
        .lines()
        .position(|l| l.ends_with("\tstop_gained"))
        .unwrap();
    let s = summarize(&store, &csq, i).unwrap();
    assert_eq!(s.consequence.as_deref(), Some("stop_gained"));
    assert_eq!(s.impact.as_deref(), Some("HIGH"));
    assert!(s.gene.is_some());
    let hgvs_p = s.hgvs_p.unwrap();
    assert!(
        hgvs_p.starts_with("ENSP") && hgvs_p.contains(":p."),
        "{hgvs_p}"
    );
    assert!(s.hgvs_c.unwrap().contains(":c."));
}

/// split-vep.vcf writes `p.Ala133%3D` for VEP's `p.Ala133=`.
#[test]
fn percent_encoded_hgvs_is_decoded() {
    let store = load(&format!("{SPLIT_VEP}.vcf"));
    let csq = schema(&store, "CSQ");
    let hgvsp = Column::extract(&store, &csq, csq.index_of("HGVSp").unwrap());
    assert!(
        hgvsp
            .dict
            .iter()
            .any(|v| v == "ENSP00000334393.3:p.Ala133=")
    );
    assert!(!hgvsp.dict.iter().any(|v| v.contains("%3D")));
}

/// split-vep.13.out: `+split-vep -f '%POS\t%BCSQ\n' -a BCSQ -A tab -d` — one line per entry.
#[test]
fn bcsq_entries_equal_split_vep_duplicated_rows() {
    let store = load(&format!("{SPLIT_VEP}.4.vcf"));
    let bcsq = schema(&store, "BCSQ");
    assert_eq!(bcsq.subfields.len(), 7);
    let columns: Vec<Column> = (0..7).map(|k| Column::extract(&store, &bcsq, k)).collect();
    let mut got = Vec::new();
    for i in 0..store.len() {
        for e in 0..columns[0].row(i).len() {
            let mut line = store.pos(i).to_string();
            for c in &columns {
                let id = c.row(i)[e];
                line.push('\t');
                line.push_str(if id == 0 { "." } else { c.text(id) });
            }
            got.push(line);
        }
    }
    let expected = text(&format!("{SPLIT_VEP}.13.out"));
    assert_eq!(got, expected.lines().collect::<Vec<_>>());
    // Impact derived from the consequence where BCSQ has none.
    let i = (0..store.len()).find(|&i| store.pos(i) == 69428).unwrap();
    let s = summarize(&store, &bcsq, i).unwrap();
    assert_eq!(
        (
            s.gene.as_deref(),
            s.consequence.as_deref(),
            s.impact.as_deref()
        ),
        (Some("OR4F5"), Some("missense"), Some("MODERATE"))
    );
}

/// split-vep.26.out: `+split-vep -f'%POS\n' -i'SYMBOL~"SAMD11"'`.
#[test]
fn gene_list_selects_split_vep_symbol_matches() {
    let store = load(&format!("{SPLIT_VEP}.vcf"));
    let list = GeneList::parse("samd11").unwrap();
    let m = list.matches(&store);
    let got: Vec<String> = m
        .mask
        .iter_ones()
        .map(|i| store.pos(i).to_string())
        .collect();
    let expected = text(&format!("{SPLIT_VEP}.26.out"));
    assert_eq!(got, expected.lines().collect::<Vec<_>>());
    assert_eq!(m.records, [21]);
    assert!(m.missing(&list).is_empty());
}

/// split-vep.gene-list.2.out: `+split-vep -d -f '%CHROM:%POS %Gene %Consequence\n' -g FILE`,
/// the same output for the symbol list and for the list mixing transcript ids and a symbol.
#[test]
fn gene_list_files_select_split_vep_records() {
    let store = load(&format!("{SPLIT_VEP}.gene-list.vcf"));
    let expected = text(&format!("{SPLIT_VEP}.gene-list.2.out"));
    let mut want: Vec<&str> = expected
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    want.dedup();
    for list in ["gene-list.txt", "mixed-list.txt"] {
        let list = GeneList::parse(&text(&format!("{SPLIT_VEP}.{list}"))).unwrap();
        let m = list.matches(&store);
        let got: Vec<String> = m
            .mask
            .iter_ones()
            .map(|i| format!("{}:{}", store.chrom(i), store.pos(i)))
            .collect();
        assert_eq!(got, want, "{:?}", list.genes());
        assert!(m.missing(&list).is_empty());
    }
    let list = GeneList::parse("RNF13 NOT_A_GENE\nLZTR1").unwrap();
    assert_eq!(list.missing(&store), ["NOT_A_GENE"]);
}

/// SnpEff sorts a record's ANN entries most severe impact first: the summary's impact is the
/// first entry's.
#[test]
fn snpeff_ann_summaries() {
    let store = load("annotation/igv.js/test/data/vcf/example-indels/example2.vcf");
    let ann = schema(&store, "ANN");
    assert_eq!(ann.style, Style::SnpEff);
    assert_eq!(ann.index_of("Gene_Name"), Some(3));
    let impact = Column::extract(&store, &ann, ann.index_of("Annotation_Impact").unwrap());
    let summarizer = Summarizer::new(&store, &ann);
    for i in 0..store.len() {
        let s = summarizer.summarize(i).unwrap();
        let first = impact.text(impact.row(i)[0]);
        assert_eq!(s.impact.as_deref(), Some(first), "record {i}");
    }
    let i = (0..store.len())
        .find(|&i| store.pos(i) == 10491292)
        .unwrap();
    let s = summarizer.summarize(i).unwrap();
    assert_eq!(s.gene.as_deref(), Some("LOC105378260"));
    assert_eq!(s.consequence.as_deref(), Some("frameshift_variant"));
    assert_eq!(s.impact.as_deref(), Some("HIGH"));
    assert_eq!(s.hgvs_c.as_deref(), Some("c.480dupT"));
    assert_eq!(s.hgvs_p.as_deref(), Some("p.Met161fs"));
    // `splice_region_variant&intron_variant` → the splice term.
    let consequences = Column::extract(&store, &ann, 1);
    let joined_terms = consequences.dict.iter().filter(|v| v.contains('&')).count();
    assert!(joined_terms >= 2);
    let m = GeneList::parse("bage2").unwrap().matches(&store);
    assert!(m.records[0] > 0);
    // dbSNP's GENEINFO is searched too.
    assert_eq!(
        m.searched,
        ["ANN/Gene_Name", "ANN/Gene_ID", "ANN/Feature_ID", "GENEINFO"]
    );
}

#[test]
fn legacy_snpeff_eff_summaries() {
    let store = load("cyvcf2/cyvcf2/tests/test.snpeff.bcf");
    let eff = schema(&store, "EFF");
    assert_eq!(eff.style, Style::SnpEff);
    // chr1:30548: EXON ranks above INTRON, UPSTREAM and DOWNSTREAM.
    let s = summarize(&store, &eff, 0).unwrap();
    assert_eq!(s.consequence.as_deref(), Some("EXON"));
    assert_eq!(s.gene.as_deref(), Some("MIR1302-10"));
    assert_eq!(s.impact.as_deref(), Some("MODIFIER"));
    // chr1:69871 NON_SYNONYMOUS_CODING in OR4F5.
    let s = summarize(&store, &eff, 9).unwrap();
    assert_eq!(
        (
            s.gene.as_deref(),
            s.consequence.as_deref(),
            s.impact.as_deref()
        ),
        (
            Some("OR4F5"),
            Some("NON_SYNONYMOUS_CODING"),
            Some("MODERATE")
        )
    );
    let genes = Column::extract(&store, &eff, eff.index_of("Gene_Name").unwrap());
    assert_eq!(genes.text(genes.row(0)[0]), "FAM138A");
}

// --- regions against bcftools view -r / -R ---------------------------------------------------

fn bcftools() -> Option<PathBuf> {
    available("region_masks_equal_bcftools_view_r", &["bcftools"])
        .then(|| PathBuf::from("bcftools"))
}

/// A BGZF copy of `src` with a CSI index, in `dir`.
fn indexed_copy(bin: &Path, src: &Path, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(format!("{name}.vcf.gz"));
    let run = |args: &[&std::ffi::OsStr]| {
        let st = Command::new(bin).args(args).status().unwrap();
        assert!(st.success(), "bcftools {args:?}");
    };
    run(&[
        "view".as_ref(),
        "-Oz".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        src.as_os_str(),
    ]);
    run(&["index".as_ref(), "-f".as_ref(), out.as_os_str()]);
    out
}

fn bcftools_count(bin: &Path, file: &Path, flag: &str, arg: &std::ffi::OsStr) -> u64 {
    let out = Command::new(bin)
        .args([
            "view".as_ref(),
            "-H".as_ref(),
            flag.as_ref(),
            arg,
            file.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.iter().filter(|&&b| b == b'\n').count() as u64
}

/// bcftools 1.16 has no `chr:-end` form, so that one is covered by the unit tests only.
#[test]
fn region_masks_equal_bcftools_view_r() {
    let Some(bin) = bcftools() else { return };
    let cases: &[(&str, &[&str])] = &[
        (
            // Indels, gVCF blocks with END, a <DEL> with END, two contigs.
            "bcftools/test/consensus.12.vcf",
            &[
                "1:13",
                "1:6-11",
                "1:61-",
                "2:205",
                "2:305-306",
                "2:311-319",
                "2:62-63",
                "1",
                "1:1-5,2:330-481",
                "2:200,2:210,2:211",
            ],
        ),
        (
            "annotation/bcftools/test/split-vep.vcf",
            &[
                "1:14464",
                "1:14000-15000",
                "1:860416-861213",
                "1:900000-",
                "1:14600,1:17000-17400",
            ],
        ),
    ];
    let mut selected = 0;
    for (rel, regions) in cases {
        let src = testdata_dir().join(rel);
        let store = load(rel);
        let name = rel.replace('/', "_");
        let dir = TempDir::new("regions");
        let gz = indexed_copy(&bin, &src, &dir, &name);
        for r in *regions {
            let want = bcftools_count(&bin, &gz, "-r", r.as_ref());
            let got = RegionSet::parse(r).unwrap().mask(&store).count_ones();
            assert_eq!(got, want, "{rel} -r {r}");
            selected += want;
        }
        // The same regions as one BED file (`-R x.bed`: 0-based, end exclusive).
        let bed_text: String = regions
            .iter()
            .flat_map(|r| r.split(','))
            .map(|r| {
                let set = RegionSet::parse(r).unwrap();
                let reg = &set.regions()[0];
                let end = reg.end.min(300_000_000);
                format!("{}\t{}\t{}\n", reg.contig, reg.start - 1, end)
            })
            .collect();
        let bed = gz.with_extension("bed");
        std::fs::write(&bed, &bed_text).unwrap();
        let want = bcftools_count(&bin, &gz, "-R", bed.as_os_str());
        let got = RegionSet::parse(&bed_text)
            .unwrap()
            .mask(&store)
            .count_ones();
        assert_eq!(got, want, "{rel} -R {bed_text}");
    }
    assert!(
        selected > 50,
        "the regions select too little to compare: {selected}"
    );
}
