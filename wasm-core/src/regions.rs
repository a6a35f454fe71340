//! Region and gene-list restrictions: `chr1:100-200` strings, BED text, gene symbols.
//!
//! Both turn text a person typed or pasted into a [`Bitmap`] over the store's records, which the
//! app combines with the filter's bitmap ([`crate::filter`]). Where it sits: after ingest, beside
//! the filter; the gene list reads annotations through [`crate::annotation`].
//!
//! - [`RegionSet`]: intervals parsed from region strings or BED ([`RegionSet::parse`]), matched
//!   with `bcftools -r` overlap semantics ([`RegionSet::mask`]).
//! - [`GeneList`]: symbols ([`GeneList::parse`]), matched against annotation gene fields
//!   ([`GeneList::matches`], which also says which listed genes the file does not have).

mod genes;
mod parse;

use std::collections::HashMap;
use std::fmt;

use crate::bitmap::Bitmap;
use crate::store::{ColumnData, INT_MISSING, VariantStore};

pub use self::parse::OPEN_END;

/// A parse error naming the line and what was wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("line {line}: {message}")]
pub struct RegionError {
    pub line: usize,
    pub message: String,
}

/// One interval: 1-based, inclusive; `end` is [`OPEN_END`] when it runs to the contig's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub contig: String,
    pub start: u64,
    pub end: u64,
    /// For `a:b:100`-like items: the whole item, used as the contig name when only it exists.
    whole_item: Option<String>,
}

impl Region {
    pub fn new(contig: &str, start: u64, end: u64) -> Region {
        Region {
            contig: contig.to_string(),
            start,
            end,
            whole_item: None,
        }
    }
}

impl fmt::Display for Region {
    /// `chr1`, `chr1:100`, `chr1:100-200`, `chr1:100-`; names with `:` in braces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.contig.contains(':') {
            write!(f, "{{{}}}", self.contig)?;
        } else {
            f.write_str(&self.contig)?;
        }
        match (self.start, self.end) {
            (1, OPEN_END) => Ok(()),
            (s, OPEN_END) => write!(f, ":{s}-"),
            (s, e) if s == e => write!(f, ":{s}"),
            (s, e) => write!(f, ":{s}-{e}"),
        }
    }
}

/// A set of genomic intervals (1-based, inclusive).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionSet {
    regions: Vec<Region>,
}

impl RegionSet {
    /// Parses regions: one per line or comma-separated, `chr`, `chr:pos`, `chr:beg-end`,
    /// `chr:beg-`, or BED lines (`chr<TAB>start0<TAB>end`, 0-based half-open).
    ///
    /// Also: `chr:-end` (from 1), `{name:with:colons}:beg-end`, space-separated BED lines, and
    /// `chr<TAB>pos` (one 1-based position, as in a bcftools regions file). Blank lines, `#`
    /// comments, `track`/`browser` lines and a BED column-name header are skipped. Commas always
    /// separate regions, as in `bcftools -r`; `chr1:1,000-2,000` is an error that says so.
    ///
    /// ```
    /// use wasm_core::regions::RegionSet;
    /// let set = RegionSet::parse("chr1:100-200, chr2\nchr3\t999\t2000").unwrap();
    /// let shown: Vec<String> = set.regions().iter().map(|r| r.to_string()).collect();
    /// assert_eq!(shown, ["chr1:100-200", "chr2", "chr3:1000-2000"]);
    /// assert_eq!(RegionSet::parse("chr1:200-100").unwrap_err().line, 1);
    /// ```
    pub fn parse(text: &str) -> Result<RegionSet, RegionError> {
        Ok(RegionSet {
            regions: parse::regions(text)?,
        })
    }

    /// The regions, as given.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Records overlapping any region (a record spans POS..POS+len(REF)-1, as bcftools -r).
    ///
    /// Overlap is `bcftools -r`'s default (`--regions-overlap record`): a record is kept when any
    /// base of its span is inside a region, so a deletion starting before a region but reaching
    /// into it is kept. As in htslib, a record with `INFO/END ≥ POS` spans POS..END instead (gVCF
    /// blocks, symbolic structural variants).
    ///
    /// Contig names match exactly. When a region's contig is not in the file, the same name with
    /// `chr` added or removed is tried (`chr1` ↔ `1`, and `chrM` ↔ `MT`), so regions written
    /// for either naming convention work; bcftools would select nothing.
    ///
    /// Cost: sorting and merging the intervals per contig; one pass over the contig column for
    /// the records on a named contig, then a binary search per such record — O(n + k log m)
    /// for n records, k of them on the regions' contigs, and m regions; records need not be
    /// sorted.
    pub fn mask(&self, store: &VariantStore) -> Bitmap {
        let per_contig = self.intervals_for(store.contigs());
        if per_contig.iter().all(Vec::is_empty) {
            return Bitmap::zeros(store.len());
        }
        let named: Vec<bool> = per_contig.iter().map(|ivs| !ivs.is_empty()).collect();
        let mut mask = store
            .contig_codes()
            .bitmap(|c| named.get(c as usize).copied().unwrap_or(false));
        let end_field = end_column(store);
        mask.retain(|i| {
            let ivs = &per_contig[store.contig_of(i) as usize];
            let (pos, end) = span_with(store, i, end_field);
            overlaps(ivs, pos, end)
        });
        mask
    }

    /// The intervals that apply to each of `contigs` (a file's contig names, in its order):
    /// sorted, merged, 1-based inclusive. Names match as in [`RegionSet::mask`]: exactly, then
    /// as a whole `a:b:100` item, then with `chr` added or removed.
    pub fn intervals_for(&self, contigs: &[String]) -> Vec<Vec<(u64, u64)>> {
        let mut per_contig: Vec<Vec<(u64, u64)>> = vec![Vec::new(); contigs.len()];
        for (k, start, end) in self.assign(contigs) {
            per_contig[k].push((start, end));
        }
        for ivs in &mut per_contig {
            merge(ivs);
        }
        per_contig
    }

    /// Indices into `contigs` that the regions name, in the order the regions first name them
    /// (the order `bcftools view -r` reports contigs in).
    pub fn contig_order(&self, contigs: &[String]) -> Vec<usize> {
        let mut order: Vec<usize> = Vec::new();
        for (k, _, _) in self.assign(contigs) {
            if !order.contains(&k) {
                order.push(k);
            }
        }
        order
    }

    /// Each region's contig (an index into `contigs`) and interval, in the regions' order;
    /// regions whose contig is not there are left out.
    fn assign(&self, contigs: &[String]) -> Vec<(usize, u64, u64)> {
        let index: HashMap<&str, usize> = contigs
            .iter()
            .enumerate()
            .map(|(k, c)| (c.as_str(), k))
            .collect();
        self.regions
            .iter()
            .filter_map(|r| {
                // Exact name, then the whole `a:b:100` item as a name, then the `chr` alias.
                let whole = r.whole_item.as_deref().and_then(|w| index.get(w).copied());
                match (index.get(r.contig.as_str()).copied(), whole) {
                    (Some(k), _) => Some((k, r.start, r.end)),
                    (None, Some(k)) => Some((k, 1, OPEN_END)),
                    (None, None) => alias(&r.contig, &index).map(|k| (k, r.start, r.end)),
                }
            })
            .collect()
    }
}

/// Whether a record spanning `pos..=end` overlaps any of `ivs` (sorted and merged, as
/// [`RegionSet::intervals_for`] gives them).
pub fn overlaps(ivs: &[(u64, u64)], pos: u64, end: u64) -> bool {
    // First interval whose end reaches the record; it overlaps if it starts in time.
    let k = ivs.partition_point(|&(_, e)| e < pos);
    ivs.get(k).is_some_and(|&(s, _)| s <= end)
}

/// The bases record `i` covers, 1-based inclusive, as `bcftools -r` sees them: POS to
/// POS+len(REF)-1, or to `INFO/END` when that is present and not before POS.
pub fn record_span(store: &VariantStore, i: usize) -> (u64, u64) {
    span_with(store, i, end_column(store))
}

fn end_column(store: &VariantStore) -> Option<&crate::store::Ints> {
    match store.info.get("END").map(|f| &f.data) {
        Some(ColumnData::Integer(c)) => Some(c),
        _ => None,
    }
}

fn span_with(store: &VariantStore, i: usize, end_field: Option<&crate::store::Ints>) -> (u64, u64) {
    let pos = store.pos(i);
    let ref_len = store.reference(i).len().max(1) as u64;
    let mut end = pos.saturating_add(ref_len - 1);
    if let Some(c) = end_field
        && i < c.len()
        && let Some(e) = c.first(i)
        && e != INT_MISSING
        && let Ok(e) = u64::try_from(e)
        && e >= pos
    {
        end = e;
    }
    (pos, end)
}

/// The store's contig for a region name that is not in it: with `chr` added or removed.
fn alias(name: &str, index: &HashMap<&str, usize>) -> Option<usize> {
    let candidates = match name {
        "chrM" => vec!["MT".to_string(), "M".to_string()],
        "MT" | "M" => vec!["chrM".to_string()],
        _ => vec![match name.strip_prefix("chr") {
            Some(rest) => rest.to_string(),
            None => format!("chr{name}"),
        }],
    };
    candidates
        .iter()
        .find_map(|c| index.get(c.as_str()).copied())
}

/// Sorts intervals and merges overlapping or adjacent ones, so ends increase with starts.
fn merge(ivs: &mut Vec<(u64, u64)>) {
    ivs.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(ivs.len());
    for &(s, e) in ivs.iter() {
        match out.last_mut() {
            Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    *ivs = out;
}

/// A list of gene symbols.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GeneList {
    /// As written, without case-insensitive duplicates, in first-seen order.
    genes: Vec<String>,
}

/// What a gene list selects in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneMatches {
    /// Records annotated with any listed gene.
    pub mask: Bitmap,
    /// Per listed gene ([`GeneList::genes`] order), the number of records annotated with it.
    pub records: Vec<u64>,
    /// What was searched: `CSQ/SYMBOL`, `ANN/Gene_Name`, `GENEINFO`, …; empty when the file has
    /// no gene annotation at all.
    pub searched: Vec<String>,
}

impl GeneMatches {
    /// The listed genes no record is annotated with ("3 of 40 genes have no variants here").
    pub fn missing<'a>(&self, list: &'a GeneList) -> Vec<&'a str> {
        list.genes
            .iter()
            .zip(&self.records)
            .filter(|&(_, &n)| n == 0)
            .map(|(g, _)| g.as_str())
            .collect()
    }
}

impl GeneList {
    /// Parses symbols separated by newlines, commas, spaces or tabs (`#` starts a comment).
    ///
    /// ```
    /// use wasm_core::regions::GeneList;
    /// let list = GeneList::parse("BRCA1, brca2\nTP53 # tumour suppressor\nBRCA1").unwrap();
    /// assert_eq!(list.genes(), ["BRCA1", "brca2", "TP53"]);
    /// assert!(GeneList::parse("# nothing\n").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<GeneList, RegionError> {
        let mut genes: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            for g in line.split(|c: char| c == ',' || c.is_whitespace()) {
                if !g.is_empty() && seen.insert(g.to_ascii_uppercase()) {
                    genes.push(g.to_string());
                }
            }
        }
        if genes.is_empty() {
            return Err(RegionError {
                line: 1,
                message: "no gene symbols: enter symbols such as BRCA1, one per line or \
                          separated by commas or spaces"
                    .to_string(),
            });
        }
        Ok(GeneList { genes })
    }

    /// The listed symbols, as written (case-insensitive duplicates dropped).
    pub fn genes(&self) -> &[String] {
        &self.genes
    }

    /// Records annotated with any listed gene (CSQ `SYMBOL`, ANN `Gene_Name`, or INFO
    /// `GENE`/`GENEINFO`); case-insensitive.
    pub fn mask(&self, store: &VariantStore) -> Bitmap {
        self.matches(store).mask
    }

    /// The mask, per-gene record counts and the fields searched, in one pass over the file.
    ///
    /// A listed name matches, ignoring case, any gene or feature sub-field of any annotation
    /// entry — VEP `SYMBOL`, `Gene`, `Feature`; BCSQ `gene`, `transcript`; SnpEff `Gene_Name`,
    /// `Gene_ID`, `Feature_ID`; EFF `Gene_Name`, `Transcript(_ID)` — so Ensembl gene and
    /// transcript ids work as well as symbols (as `bcftools +split-vep -g` allows). The INFO
    /// fields `GENE` and `GENEINFO` (`SYMBOL:ID|SYMBOL2:ID`) are searched too when present.
    pub fn matches(&self, store: &VariantStore) -> GeneMatches {
        let (mask, records, searched) = genes::scan(store, &self.genes);
        GeneMatches {
            mask,
            records,
            searched,
        }
    }

    /// The listed genes no record is annotated with.
    pub fn missing(&self, store: &VariantStore) -> Vec<String> {
        let m = self.matches(store);
        m.missing(self).into_iter().map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FLOAT_MISSING, ValueType};

    /// Records `(contig, pos, ref, info text for CSQ or GENEINFO)`.
    fn store(records: &[(&str, u64, &str)]) -> VariantStore {
        let mut s = VariantStore::new(vec![]);
        s.info.declare("END", "1", ValueType::Integer, "End");
        for &(c, pos, reference) in records {
            let c = s.contig_id(c);
            s.begin_record(c, pos, b"", reference.as_bytes(), b"T", FLOAT_MISSING, &[])
                .unwrap();
            s.end_record();
        }
        s
    }

    fn ones(b: &Bitmap) -> Vec<usize> {
        b.iter_ones().collect()
    }

    #[test]
    fn mask_uses_record_spans() {
        let s = store(&[
            ("1", 90, "A"),
            ("1", 95, "ACGTACGT"), // 95..=102 reaches into 100-200
            ("1", 150, "A"),
            ("1", 200, "A"),
            ("1", 201, "A"),
            ("2", 150, "A"),
        ]);
        let set = RegionSet::parse("1:100-200").unwrap();
        assert_eq!(ones(&set.mask(&s)), [1, 2, 3]);
        assert_eq!(
            ones(&RegionSet::parse("1").unwrap().mask(&s)),
            [0, 1, 2, 3, 4]
        );
        assert_eq!(ones(&RegionSet::parse("1:201-").unwrap().mask(&s)), [4]);
        assert_eq!(ones(&RegionSet::parse("1:-94").unwrap().mask(&s)), [0]);
        assert_eq!(ones(&RegionSet::parse("1:102").unwrap().mask(&s)), [1]);
        assert_eq!(
            ones(&RegionSet::parse("2:150\n1:90").unwrap().mask(&s)),
            [0, 5]
        );
        // BED 0-based half-open: 149..150 is base 150.
        assert_eq!(
            ones(&RegionSet::parse("2\t149\t150").unwrap().mask(&s)),
            [5]
        );
        assert_eq!(
            ones(&RegionSet::parse("2\t150\t151").unwrap().mask(&s)),
            [0usize; 0]
        );
        assert_eq!(
            ones(&RegionSet::parse("3:1-100").unwrap().mask(&s)),
            [0usize; 0]
        );
    }

    #[test]
    fn overlapping_and_unsorted_regions_merge() {
        let s = store(&[
            ("1", 5, "A"),
            ("1", 15, "A"),
            ("1", 25, "A"),
            ("1", 35, "A"),
        ]);
        let set = RegionSet::parse("1:30-40,1:10-20,1:12-16,1:21-22").unwrap();
        assert_eq!(ones(&set.mask(&s)), [1, 3]);
    }

    #[test]
    fn info_end_extends_the_span() {
        let mut s = VariantStore::new(vec![]);
        s.info.declare("END", "1", ValueType::Integer, "End");
        let c = s.contig_id("1");
        let end = s.info.index_of("END").unwrap();
        s.begin_record(c, 100, b"", b"A", b"<DEL>", FLOAT_MISSING, &[])
            .unwrap();
        s.set_info_integers(end, &[500]).unwrap();
        s.end_record();
        s.begin_record(c, 600, b"", b"A", b"<DEL>", FLOAT_MISSING, &[])
            .unwrap();
        s.set_info_integers(end, &[10]).unwrap(); // END < POS: ignored, as htslib does
        s.end_record();
        assert_eq!(ones(&RegionSet::parse("1:400").unwrap().mask(&s)), [0]);
        assert_eq!(
            ones(&RegionSet::parse("1:601").unwrap().mask(&s)),
            [0usize; 0]
        );
        assert_eq!(ones(&RegionSet::parse("1:600").unwrap().mask(&s)), [1]);
    }

    #[test]
    fn chr_prefix_is_tried_when_the_name_is_absent() {
        let s = store(&[("chr1", 10, "A"), ("MT", 5, "A"), ("2", 7, "A")]);
        assert_eq!(ones(&RegionSet::parse("1:10").unwrap().mask(&s)), [0]);
        assert_eq!(ones(&RegionSet::parse("chrM").unwrap().mask(&s)), [1]);
        assert_eq!(ones(&RegionSet::parse("chr2:7").unwrap().mask(&s)), [2]);
        // Exact names win: with both `1` and `chr1` present, `1` is only `1`.
        let s = store(&[("chr1", 10, "A"), ("1", 10, "A")]);
        assert_eq!(ones(&RegionSet::parse("1:10").unwrap().mask(&s)), [1]);
    }

    #[test]
    fn contig_names_with_colons() {
        let s = store(&[
            ("1:1", 5, "A"),
            ("1", 1, "A"),
            ("HLA-A*01:01:01:01", 3, "A"),
        ]);
        // `1:1` is read as contig 1 position 1, which exists; braces select the other contig.
        assert_eq!(ones(&RegionSet::parse("1:1").unwrap().mask(&s)), [1]);
        assert_eq!(ones(&RegionSet::parse("{1:1}").unwrap().mask(&s)), [0]);
        assert_eq!(ones(&RegionSet::parse("{1:1}:5").unwrap().mask(&s)), [0]);
        // Only the whole item names a contig: it is used as one.
        assert_eq!(
            ones(&RegionSet::parse("HLA-A*01:01:01:01").unwrap().mask(&s)),
            [2]
        );
    }

    #[test]
    fn empty_store_and_display() {
        let s = VariantStore::new(vec![]);
        assert_eq!(RegionSet::parse("1").unwrap().mask(&s).len(), 0);
        let shown: Vec<String> = RegionSet::parse("{a:b}:5-,x:3")
            .unwrap()
            .regions()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["{a:b}:5-", "x:3"]);
    }

    const VEP: &str = "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature";

    fn annotated(values: &[(&str, Option<&str>)]) -> VariantStore {
        let mut s = VariantStore::new(vec![]);
        s.info.declare("CSQ", ".", ValueType::String, VEP);
        s.info
            .declare("GENEINFO", "1", ValueType::String, "Gene(s)");
        let c = s.contig_id("1");
        for (k, &(tag, v)) in values.iter().enumerate() {
            s.begin_record(c, k as u64 + 1, b"", b"A", b"T", FLOAT_MISSING, &[])
                .unwrap();
            if let Some(v) = v {
                let f = s.info.index_of(tag).unwrap();
                s.set_info_text(f, v.as_bytes()).unwrap();
            }
            s.end_record();
        }
        s
    }

    #[test]
    fn gene_list_matches_symbols_ids_and_geneinfo() {
        let s = annotated(&[
            (
                "CSQ",
                Some(
                    "T|missense_variant|MODERATE|BRCA1|ENSG1|ENST1,T|intron_variant|MODIFIER|NBR2|ENSG2|ENST2",
                ),
            ),
            ("CSQ", Some("T|intron_variant|MODIFIER||ENSG3|ENST3")),
            ("CSQ", None),
            ("GENEINFO", Some("TP53:7157|WRAP53:55135")),
            ("CSQ", Some("T|x|y|brca1%2Dlike|ENSG4|ENST4")),
        ]);
        let list = GeneList::parse("brca1\nENSG3, tp53  KRAS").unwrap();
        let m = list.matches(&s);
        assert_eq!(ones(&m.mask), [0, 1, 3]);
        assert_eq!(m.records, [1, 1, 1, 0]);
        assert_eq!(m.missing(&list), ["KRAS"]);
        assert_eq!(list.missing(&s), ["KRAS"]);
        assert_eq!(list.mask(&s), m.mask);
        assert_eq!(
            m.searched,
            ["CSQ/SYMBOL", "CSQ/Gene", "CSQ/Feature", "GENEINFO"]
        );
        // Percent-decoded before matching.
        let m = GeneList::parse("BRCA1-LIKE").unwrap().matches(&s);
        assert_eq!(ones(&m.mask), [4]);
    }

    #[test]
    fn a_gene_counts_once_per_record() {
        let s = annotated(&[(
            "CSQ",
            Some("T|a|b|BRCA1|G|T1,T|a|b|BRCA1|G|T2,T|a|b|BRCA1|G|T3"),
        )]);
        let m = GeneList::parse("BRCA1").unwrap().matches(&s);
        assert_eq!(m.records, [1]);
    }

    #[test]
    fn gene_list_on_a_file_without_annotation() {
        let s = store(&[("1", 1, "A")]);
        let list = GeneList::parse("BRCA1").unwrap();
        let m = list.matches(&s);
        assert_eq!(m.mask.count_ones(), 0);
        assert!(m.searched.is_empty());
        assert_eq!(m.missing(&list), ["BRCA1"]);
    }

    #[test]
    fn gene_list_parse_errors_on_empty() {
        let e = GeneList::parse(" , \n# x\n").unwrap_err();
        assert!(e.message.contains("no gene symbols"));
        assert_eq!(e.to_string().split(':').next(), Some("line 1"));
    }
}
