//! The genes of every record, for `comp-het` (CLINICAL.md §2): two het variants pair only
//! within one gene.
//!
//! Genes come from the annotations that name them: VEP `SYMBOL`, else `Gene`; bcftools `BCSQ`
//! `gene`; SnpEff `Gene_Name`, else `Gene_ID`. A `BCSQ` whose header the annotation reader does
//! not parse (bcftools 1.10+'s `'[*]consequence|gene|…'`, the demo trio's) is read in bcftools
//! csq's fixed layout, the gene second. [`Genes::new`] reads them in one pass over each
//! annotation's text when the pedigree arrives ([`super::Analysis::new`]); `comp-het`'s
//! candidates, pairing, evidence and explanations then look genes up by record.

use std::collections::HashMap;

use crate::annotation::{self, Interner};
use crate::bitmap::Bitmap;
use crate::store::{Ragged, TextColumn, TextReader, VariantStore};

/// The genes of every record.
#[derive(Debug, Clone)]
pub struct Genes {
    per_record: Ragged<u32>,
    /// The records in some gene: the only ones that can pair.
    pub in_gene: Bitmap,
    names: Vec<String>,
    /// `CSQ/SYMBOL`, … — the sub-fields read, empty when the file has no gene annotation.
    pub source: Vec<String>,
}

impl Genes {
    /// Reads every record's genes in one forward pass over each annotation's text.
    ///
    /// Each value is interned by its raw bytes in its annotation's own dictionary, and a
    /// dictionary id is given its gene id once, when first seen: a record costs a scan of its
    /// text and a hash probe per entry, with no allocation (the gene index is built when the
    /// pedigree arrives, so its cost is the pedigree's, not the first comp-het tick's).
    pub fn new(store: &VariantStore) -> Genes {
        let mut sources: Vec<Source<'_>> = Vec::new();
        let mut source = Vec::new();
        for schema in annotation::schemas(store) {
            let main = ["SYMBOL", "Gene_Name", "gene"]
                .iter()
                .find_map(|n| schema.index_of(n).map(|k| (k, *n)));
            let fallback = ["Gene", "Gene_ID"]
                .iter()
                .find_map(|n| schema.index_of(n).map(|k| (k, *n)));
            let Some((k, name)) = main.or(fallback) else {
                continue;
            };
            source.push(format!("{}/{name}", schema.tag));
            let second = fallback.map(|(f, _)| f).filter(|&f| f != k);
            // A schema whose text the store lacks names no gene in any record.
            if let Some(text) = annotation::text_column(store, &schema.tag) {
                sources.push(Source::new(text, schema.is_legacy_eff(), [Some(k), second]));
            }
        }
        // bcftools csq writes `consequence|gene|transcript|…` whatever its header says.
        if source.is_empty()
            && let Some(text) = annotation::text_column(store, "BCSQ")
        {
            source.push("BCSQ/gene".into());
            sources.push(Source::new(text, false, [Some(1), None]));
        }
        let mut names: Vec<String> = Vec::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut scratch = Vec::new();
        let mut per_record = Ragged::default();
        let mut row: Vec<u32> = Vec::new();
        for i in 0..store.len() {
            row.clear();
            for s in &mut sources {
                s.genes_of(i, &mut scratch, &mut names, &mut ids, &mut row);
            }
            per_record.push(&row);
        }
        let in_gene = Bitmap::from_fn(store.len(), |i| {
            i < per_record.len() && !per_record.get(i).is_empty()
        });
        Genes {
            per_record,
            in_gene,
            names,
            source,
        }
    }

    /// Gene ids of record `i`.
    pub fn of(&self, i: usize) -> &[u32] {
        if i < self.per_record.len() {
            self.per_record.get(i)
        } else {
            &[]
        }
    }

    pub fn name(&self, gene: u32) -> &str {
        &self.names[gene as usize]
    }

    /// Every gene's name, by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// One annotation field's text read for genes: the sub-field naming the gene and its fallback
/// (used where the first is missing), and the values seen so far with their gene ids.
struct Source<'a> {
    reader: TextReader<'a>,
    legacy: bool,
    want: [Option<usize>; 2],
    dict: Interner,
    /// Gene id of each dictionary id; `u32::MAX` until first seen (id 0, missing, never is).
    gene_of: Vec<u32>,
}

impl<'a> Source<'a> {
    fn new(text: &'a TextColumn, legacy: bool, want: [Option<usize>; 2]) -> Self {
        Source {
            reader: text.reader(),
            legacy,
            want,
            dict: Interner::new(),
            gene_of: vec![u32::MAX],
        }
    }

    /// Adds the genes record `i` names here to `row` (each once), interning new names into
    /// `names` / `ids`, which every source shares so one gene has one id.
    fn genes_of(
        &mut self,
        i: usize,
        scratch: &mut Vec<u8>,
        names: &mut Vec<String>,
        ids: &mut HashMap<String, u32>,
        row: &mut Vec<u32>,
    ) {
        if i >= self.reader.len() {
            return;
        }
        for entry in annotation::entries(self.reader.get(i)) {
            let [main, fallback] = annotation::pick(entry, self.legacy, &self.want);
            let mut local = self.dict.intern_raw(main, scratch);
            if local == 0 {
                local = self.dict.intern_raw(fallback, scratch);
            }
            if local == 0 {
                continue;
            }
            let at = local as usize;
            if at >= self.gene_of.len() {
                self.gene_of.resize(at + 1, u32::MAX);
            }
            if self.gene_of[at] == u32::MAX {
                let text = self.dict.text(local);
                let next = names.len() as u32;
                self.gene_of[at] = *ids.entry(text.to_string()).or_insert_with(|| {
                    names.push(text.to_string());
                    next
                });
            }
            let gene = self.gene_of[at];
            if !row.contains(&gene) {
                row.push(gene);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Column;
    use crate::progress::Silent;

    // Not `enclave_test_support`: linking it into the library's tests brings serde_json's
    // `PartialEq` impls, which make other modules' `assert_eq!(…, [])` ambiguous.
    fn testdata(rel: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata")
            .join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The shared corpus as `enclave_test_support::files::shared_testdata` finds it.
    fn shared_testdata() -> Option<std::path::PathBuf> {
        let dir = match std::env::var_os("ENCLAVE_SHARED_TESTDATA") {
            Some(dir) if !dir.is_empty() => std::path::PathBuf::from(dir),
            _ => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"),
        };
        dir.is_dir().then_some(dir)
    }

    /// The per-record parse `Genes::new` replaced: each gene sub-field extracted as its own
    /// [`Column`] (one pass per sub-field), `BCSQ` split entry by entry, names interned through
    /// a map of owned strings. Gives each record's gene names and every name in id order.
    fn by_columns(store: &VariantStore) -> (Vec<Vec<String>>, Vec<String>, Vec<String>) {
        let mut names: Vec<String> = Vec::new();
        let mut sources = Vec::new();
        let mut source = Vec::new();
        for schema in annotation::schemas(store) {
            let main = ["SYMBOL", "Gene_Name", "gene"]
                .iter()
                .find_map(|n| schema.index_of(n).map(|k| (k, *n)));
            let fallback = ["Gene", "Gene_ID"]
                .iter()
                .find_map(|n| schema.index_of(n).map(|k| (k, *n)));
            let Some((k, name)) = main.or(fallback) else {
                continue;
            };
            source.push(format!("{}/{name}", schema.tag));
            let second = fallback
                .filter(|&(f, _)| f != k)
                .map(|(f, _)| Column::extract(store, &schema, f));
            sources.push((Column::extract(store, &schema, k), second));
        }
        let bcsq = if sources.is_empty() {
            annotation::text_column(store, "BCSQ")
        } else {
            None
        };
        if bcsq.is_some() {
            source.push("BCSQ/gene".into());
        }
        let mut rows = Vec::new();
        for i in 0..store.len() {
            let mut row: Vec<String> = Vec::new();
            let mut add = |text: String| {
                if !names.contains(&text) {
                    names.push(text.clone());
                }
                if !row.contains(&text) {
                    row.push(text);
                }
            };
            if let Some(text) = bcsq {
                for entry in annotation::entries(&annotation::row(text, i)) {
                    match annotation::fields(entry, false).nth(1) {
                        Some(raw) if !annotation::is_missing(raw) => {
                            let mut decoded = Vec::new();
                            annotation::decode_into(raw, &mut decoded);
                            add(String::from_utf8_lossy(&decoded).into_owned());
                        }
                        _ => {}
                    }
                }
            }
            for (main, fallback) in &sources {
                for (e, &id) in main.row(i).iter().enumerate() {
                    let text = if id != 0 {
                        main.text(id)
                    } else {
                        match fallback.as_ref().and_then(|f| f.row(i).get(e)) {
                            Some(&g) if g != 0 => fallback.as_ref().map_or("", |f| f.text(g)),
                            _ => continue,
                        }
                    };
                    add(text.to_string());
                }
            }
            rows.push(row);
        }
        (rows, names, source)
    }

    fn check(name: &str, bytes: &[u8]) -> usize {
        let ds = crate::read_dataset(bytes, None, &mut Silent).expect(name);
        let genes = Genes::new(&ds.store);
        let (rows, names, source) = by_columns(&ds.store);
        assert_eq!(genes.source, source, "{name}: sources");
        assert_eq!(
            genes.names(),
            &names[..],
            "{name}: gene ids in first-seen order"
        );
        for (i, row) in rows.iter().enumerate() {
            let got: Vec<&str> = genes.of(i).iter().map(|&g| genes.name(g)).collect();
            assert_eq!(got, *row, "{name}: record {i}");
            assert_eq!(genes.in_gene.get(i), !row.is_empty(), "{name}: record {i}");
        }
        rows.iter().filter(|r| !r.is_empty()).count()
    }

    #[test]
    fn one_pass_equals_the_per_field_parse_on_csq_ann_and_bcsq() {
        for (file, tag) in [
            ("annotation/bcftools/test/split-vep.vcf", "CSQ"),
            ("inheritance/comphet-auto-unaffected-parents.vcf", "CSQ"),
            ("annotation/bcftools/test/split-vep.4.vcf", "BCSQ"),
            (
                "annotation/igv.js/test/data/vcf/example-indels/example2.vcf",
                "ANN",
            ),
        ] {
            let in_genes = check(file, &testdata(file));
            assert!(in_genes > 0, "{file}: no record named a gene in {tag}");
        }
        // bcftools csq's BCSQ read in its fixed layout; a file with both ANN and CSQ.
        if let Some(shared) = shared_testdata() {
            for file in ["slivar/tests/comphet.vcf", "slivar/tests/test.vcf"] {
                let bytes = std::fs::read(shared.join(file)).expect(file);
                assert!(check(file, &bytes) > 0, "{file}: no record named a gene");
            }
        }
    }

    #[test]
    fn fallback_sub_field_missing_values_and_percent_encoding() {
        let vcf = "##fileformat=VCFv4.2\n\
            ##contig=<ID=1>\n\
            ##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL|Gene\">\n\
            #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\
            1\t1\t.\tA\tG\t.\t.\tCSQ=G|missense_variant|AB%2CC|ENSG1,G|intron_variant||ENSG2,G|x|AB%2CC|ENSG1\n\
            1\t2\t.\tA\tG\t.\t.\tCSQ=G|x|.|.,G|y|D|ENSG3,G|z\n\
            1\t3\t.\tA\tG\t.\t.\t.\n\
            1\t4\t.\tA\tG\t.\t.\tCSQ=G|x|ENSG2|ENSG9\n";
        assert_eq!(check("literal", vcf.as_bytes()), 3);
        let ds = crate::read_dataset(vcf.as_bytes(), None, &mut Silent).unwrap();
        let genes = Genes::new(&ds.store);
        let names = |i| -> Vec<&str> { genes.of(i).iter().map(|&g| genes.name(g)).collect() };
        assert_eq!(names(0), ["AB,C", "ENSG2"]);
        assert_eq!(names(1), ["D"]);
        assert!(names(2).is_empty());
        // A fallback id in one record and a SYMBOL in another are one gene when they read alike.
        assert_eq!(genes.of(3), &genes.of(0)[1..]);
    }
}
