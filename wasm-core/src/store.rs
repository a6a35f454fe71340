//! The columnar variant store.
//!
//! One column per field: contig ids, positions, ids, REF, ALT, QUAL, FILTER ids, typed INFO
//! columns, packed genotypes and typed per-sample FORMAT columns. Never one heap object per
//! record. Parsers ([`crate::formats`]) append records through [`VariantStore::begin_record`],
//! the `set_*` methods and [`VariantStore::end_record`]; the UI reads rows with
//! [`VariantStore::row`].
//!
//! Each column takes the smallest layout its values allow (docs/ARCHITECTURE.md lists them with
//! their measured bytes): contig ids and positions in the narrowest integer that holds them
//! ([`widening`]); ID as an rs number when it is one; REF, ALT, FILTER and the INFO / FORMAT
//! numbers as [`lists`] (fixed width with exceptions, sparse, or ragged; integers in 8, 16 or
//! 32 bits, [`ints`]); genotypes as codes into a table of the distinct packed genotypes; long
//! text compressed in blocks ([`text`]).

pub mod column;
pub mod column_bytes;
pub mod fields;
pub mod genotype;
pub mod id;
pub mod ints;
pub mod lists;
pub mod order;
pub mod row;
pub mod text;
pub mod widening;

use std::collections::HashMap;

pub use self::column::{ColumnData, FLOAT_MISSING, INT_MISSING, Ragged, ValueType, format_float};
pub use self::column_bytes::ColumnBytes;
use self::fields::slot;
pub use self::fields::{Field, Fields};
pub use self::id::IdText;
use self::id::rs_number;
pub use self::ints::Ints;
pub use self::lists::Lists;
pub use self::order::{SortKey, merge_orders};
pub use self::row::{Row, SampleCell};
pub use self::text::{TextColumn, TextReader};
pub use self::widening::Widening;

/// Errors when a record does not fit the store.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreError {
    #[error("{section} field {key} appears twice in one {unit}")]
    DuplicateField {
        section: &'static str,
        key: String,
        unit: &'static str,
    },
    #[error(
        "{section} field {key} is declared as {declared:?} in the header but given as {given:?}"
    )]
    TypeMismatch {
        section: &'static str,
        key: String,
        declared: ValueType,
        given: ValueType,
    },
    #[error("more than 65,535 distinct FILTER names")]
    TooManyFilters,
    #[error("the store is full: more than 4 GiB of {what}; open a smaller region or use an index")]
    Full { what: &'static str },
}

/// Genotype codes below this many distinct genotypes are found by a linear scan.
const GT_SCAN: usize = 16;

/// The columnar store of one dataset.
#[derive(Debug, Clone)]
pub struct VariantStore {
    contigs: Vec<String>,
    contig_index: HashMap<String, u32>,
    /// Contig ids.
    chrom: Widening,
    pos: Widening,
    /// IDs of the form `rs<n>` ([`rs_number`]), as `n`.
    rs_ids: Lists<u32>,
    /// Every other ID, as text (empty for `.` and for rs IDs).
    ids: Lists<u8>,
    refs: Lists<u8>,
    /// ALT alleles joined by `,`; empty when ALT is `.`.
    alts: Lists<u8>,
    /// QUAL as f32 bits, [`FLOAT_MISSING`] for `.`.
    qual: Vec<u32>,
    filters: Lists<u16>,
    filter_names: Vec<String>,
    filter_index: HashMap<String, u16>,
    pub info: Fields,
    samples: Vec<String>,
    /// Genotype codes, `records × samples`: indexes into `gt_values`.
    gt: Widening,
    /// The distinct packed genotypes (see [`genotype`]); code 0 is [`genotype::ABSENT`].
    gt_values: Vec<u32>,
    gt_codes: HashMap<u32, u32>,
    gt_overflow: HashMap<u64, String>,
    pub format: Fields,
}

impl Default for VariantStore {
    fn default() -> Self {
        Self {
            contigs: Vec::new(),
            contig_index: HashMap::new(),
            chrom: Widening::default(),
            pos: Widening::default(),
            rs_ids: Lists::default(),
            ids: Lists::default(),
            refs: Lists::default(),
            alts: Lists::default(),
            qual: Vec::new(),
            filters: Lists::default(),
            filter_names: Vec::new(),
            filter_index: HashMap::new(),
            info: Fields::default(),
            samples: Vec::new(),
            gt: Widening::default(),
            gt_values: vec![genotype::ABSENT],
            gt_codes: HashMap::from([(genotype::ABSENT, 0)]),
            gt_overflow: HashMap::new(),
            format: Fields::default(),
        }
    }
}

impl VariantStore {
    /// A store for the given sample names.
    pub fn new(samples: Vec<String>) -> Self {
        Self {
            samples,
            ..Self::default()
        }
    }

    /// Registers a contig (header order first); returns its id.
    pub fn contig_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.contig_index.get(name) {
            return id;
        }
        let id = self.contigs.len() as u32;
        self.contigs.push(name.to_string());
        self.contig_index.insert(name.to_string(), id);
        id
    }

    /// Registers a FILTER name; returns its id.
    pub fn filter_id(&mut self, name: &str) -> Result<u16, StoreError> {
        if let Some(&id) = self.filter_index.get(name) {
            return Ok(id);
        }
        let id = u16::try_from(self.filter_names.len()).map_err(|_| StoreError::TooManyFilters)?;
        self.filter_names.push(name.to_string());
        self.filter_index.insert(name.to_string(), id);
        Ok(id)
    }

    /// Starts a record. `id` and `alts` are VCF text (`""` for `.`); `qual` is f32 bits.
    #[allow(clippy::too_many_arguments)]
    pub fn begin_record(
        &mut self,
        contig: u32,
        pos: u64,
        id: &[u8],
        reference: &[u8],
        alts: &[u8],
        qual: u32,
        filters: &[u16],
    ) -> Result<(), StoreError> {
        let text = id.len() + reference.len() + alts.len();
        if !self.alts.fits(text) || !self.refs.fits(text) || !self.ids.fits(text) {
            return Err(StoreError::Full {
                what: "allele text",
            });
        }
        // FORMAT rows are record × sample cells, numbered in 32 bits.
        let cells = self.samples.len();
        if (self.len() as u64 + 1) * cells as u64 >= u64::from(u32::MAX) {
            return Err(StoreError::Full {
                what: "sample cells",
            });
        }
        self.chrom.push(u64::from(contig));
        self.pos.push(pos);
        match rs_number(id) {
            Some(n) => {
                self.rs_ids.push(&[n]);
                self.ids.push(&[]);
            }
            None => {
                self.rs_ids.push(&[]);
                self.ids.push(id);
            }
        }
        self.refs.push(reference);
        self.alts.push(alts);
        self.qual.push(qual);
        self.filters.push(filters);
        self.gt.push_n(0, cells);
        Ok(())
    }

    /// Index of the record being built.
    fn current(&self) -> usize {
        self.qual.len() - 1
    }

    fn cell(&self, sample: usize) -> usize {
        self.current() * self.samples.len() + sample
    }

    pub fn set_info_integers(&mut self, field: usize, values: &[i32]) -> Result<(), StoreError> {
        let row = self.current();
        match slot(
            &mut self.info,
            "INFO",
            "record",
            field,
            row,
            ValueType::Integer,
        )? {
            ColumnData::Integer(c) if c.fits(values.len()) => c.push(values),
            ColumnData::Integer(_) => {
                return Err(StoreError::Full {
                    what: "INFO values",
                });
            }
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    pub fn set_info_floats(&mut self, field: usize, values: &[u32]) -> Result<(), StoreError> {
        let row = self.current();
        match slot(
            &mut self.info,
            "INFO",
            "record",
            field,
            row,
            ValueType::Float,
        )? {
            ColumnData::Float(c) if c.fits(values.len()) => c.push(values),
            ColumnData::Float(_) => {
                return Err(StoreError::Full {
                    what: "INFO values",
                });
            }
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    pub fn set_info_flag(&mut self, field: usize) -> Result<(), StoreError> {
        let row = self.current();
        match slot(
            &mut self.info,
            "INFO",
            "record",
            field,
            row,
            ValueType::Flag,
        )? {
            ColumnData::Flag(c) => c.push(true),
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    pub fn set_info_text(&mut self, field: usize, text: &[u8]) -> Result<(), StoreError> {
        let row = self.current();
        match slot(
            &mut self.info,
            "INFO",
            "record",
            field,
            row,
            ValueType::String,
        )? {
            ColumnData::Text(c) => {
                if !c.fits(text.len()) {
                    return Err(StoreError::Full { what: "INFO text" });
                }
                c.push(text)
            }
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    /// Sets the genotype of `sample` in the current record. `text` is called only for the rare
    /// genotypes that do not pack (ploidy > 2), which are kept as text.
    pub fn set_genotype(
        &mut self,
        sample: usize,
        alleles: &[genotype::Allele],
        phased: bool,
        text: impl FnOnce() -> String,
    ) {
        let cell = self.cell(sample);
        let packed = match genotype::pack(alleles, phased) {
            Some(p) => p,
            None => {
                self.gt_overflow.insert(cell as u64, text());
                genotype::OVERFLOW
            }
        };
        let code = self.code_of_genotype(packed);
        self.gt.set(cell, u64::from(code));
    }

    /// The code of a packed genotype, added to the table on first sight.
    fn code_of_genotype(&mut self, packed: u32) -> u32 {
        if self.gt_values.len() <= GT_SCAN {
            if let Some(k) = self.gt_values.iter().position(|&v| v == packed) {
                return k as u32;
            }
        } else if let Some(&k) = self.gt_codes.get(&packed) {
            return k;
        }
        let code = self.gt_values.len() as u32;
        self.gt_values.push(packed);
        self.gt_codes.insert(packed, code);
        code
    }

    pub fn set_format_integers(
        &mut self,
        field: usize,
        sample: usize,
        values: &[i32],
    ) -> Result<(), StoreError> {
        let row = self.cell(sample);
        match slot(
            &mut self.format,
            "FORMAT",
            "sample",
            field,
            row,
            ValueType::Integer,
        )? {
            ColumnData::Integer(c) if c.fits(values.len()) => c.push(values),
            ColumnData::Integer(_) => {
                return Err(StoreError::Full {
                    what: "FORMAT values",
                });
            }
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    pub fn set_format_floats(
        &mut self,
        field: usize,
        sample: usize,
        values: &[u32],
    ) -> Result<(), StoreError> {
        let row = self.cell(sample);
        match slot(
            &mut self.format,
            "FORMAT",
            "sample",
            field,
            row,
            ValueType::Float,
        )? {
            ColumnData::Float(c) if c.fits(values.len()) => c.push(values),
            ColumnData::Float(_) => {
                return Err(StoreError::Full {
                    what: "FORMAT values",
                });
            }
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    pub fn set_format_text(
        &mut self,
        field: usize,
        sample: usize,
        text: &[u8],
    ) -> Result<(), StoreError> {
        let row = self.cell(sample);
        match slot(
            &mut self.format,
            "FORMAT",
            "sample",
            field,
            row,
            ValueType::String,
        )? {
            ColumnData::Text(c) => {
                if !c.fits(text.len()) {
                    return Err(StoreError::Full {
                        what: "FORMAT text",
                    });
                }
                c.push(text)
            }
            _ => unreachable!("slot checked the type"),
        }
        Ok(())
    }

    /// Finishes the current record: absent fields become empty rows.
    pub fn end_record(&mut self) {
        let n = self.len();
        self.info.pad_all(n);
        self.format.pad_all(n * self.samples.len());
    }

    pub fn len(&self) -> usize {
        self.qual.len()
    }

    /// Adds INFO and FORMAT fields by key, undeclared (read as String, as on first sight in a
    /// record) and absent from every record; keys already known are left as they are. A pool's
    /// shard learns this way of fields first seen in another part of the same file.
    pub fn add_absent_fields(&mut self, info: &[String], format: &[String]) {
        for key in info {
            self.info.resolve(key);
        }
        for key in format {
            self.format.resolve(key);
        }
        let n = self.len();
        self.info.pad_all(n);
        self.format.pad_all(n * self.samples.len());
    }

    /// Keeps the first `len` records, as if the later ones were never added (a reader drops a
    /// record it parsed but does not want). Contig and FILTER names stay registered.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        self.chrom.truncate(len);
        self.pos.truncate(len);
        self.rs_ids.truncate(len);
        self.ids.truncate(len);
        self.refs.truncate(len);
        self.alts.truncate(len);
        self.qual.truncate(len);
        self.filters.truncate(len);
        self.info.truncate(len);
        let cells = len * self.samples.len();
        self.gt.truncate(cells);
        self.gt_overflow.retain(|&cell, _| cell < cells as u64);
        self.format.truncate(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.qual.is_empty()
    }

    pub fn samples(&self) -> &[String] {
        &self.samples
    }

    pub fn contigs(&self) -> &[String] {
        &self.contigs
    }

    pub fn filter_names(&self) -> &[String] {
        &self.filter_names
    }

    pub fn contig_of(&self, i: usize) -> u32 {
        self.chrom.get(i) as u32
    }

    pub fn chrom(&self, i: usize) -> &str {
        &self.contigs[self.contig_of(i) as usize]
    }

    pub fn pos(&self, i: usize) -> u64 {
        self.pos.get(i)
    }

    /// ID as VCF text; empty for `.`.
    pub fn id(&self, i: usize) -> IdText<'_> {
        match self.rs_ids.get(i) {
            [n] => IdText::rs(*n),
            _ => IdText::Text(self.ids.get(i)),
        }
    }

    pub fn reference(&self, i: usize) -> &[u8] {
        self.refs.get(i)
    }

    /// ALT alleles, comma-joined; empty for `.`.
    pub fn alts(&self, i: usize) -> &[u8] {
        self.alts.get(i)
    }

    pub fn alt_alleles(&self, i: usize) -> impl Iterator<Item = &[u8]> {
        let a = self.alts.get(i);
        a.split(|&b| b == b',').filter(move |_| !a.is_empty())
    }

    pub fn qual(&self, i: usize) -> Option<f32> {
        let b = self.qual[i];
        (b != FLOAT_MISSING).then(|| f32::from_bits(b))
    }

    /// QUAL of every record as `f32` bits ([`FLOAT_MISSING`] when missing), for column scans.
    pub fn qual_bits(&self) -> &[u32] {
        &self.qual
    }

    /// The contig id of every record ([`Self::contig_of`]), for column scans.
    pub fn contig_codes(&self) -> &Widening {
        &self.chrom
    }

    /// POS of every record, for column scans.
    pub fn positions(&self) -> &Widening {
        &self.pos
    }

    /// Genotype codes, `records × samples` ([`Self::genotype_code`]), for column scans.
    pub fn genotype_codes(&self) -> &Widening {
        &self.gt
    }

    pub fn filter_ids(&self, i: usize) -> &[u16] {
        self.filters.get(i)
    }

    /// Packed genotype of `sample` in record `i`.
    #[inline]
    pub fn genotype(&self, i: usize, sample: usize) -> u32 {
        self.gt_values[self.genotype_code(i, sample) as usize]
    }

    /// The code of `sample`'s genotype in record `i`: its index in
    /// [`VariantStore::genotype_values`]. Kernels judge each distinct genotype once by code.
    #[inline]
    pub fn genotype_code(&self, i: usize, sample: usize) -> u32 {
        self.gt.get(i * self.samples.len() + sample) as u32
    }

    /// The distinct packed genotypes of the store, by code (code 0 is [`genotype::ABSENT`]).
    pub fn genotype_values(&self) -> &[u32] {
        &self.gt_values
    }

    /// Genotype text of `sample` in record `i`.
    pub fn genotype_text(&self, i: usize, sample: usize) -> String {
        let cell = i * self.samples.len() + sample;
        match self.genotype(i, sample) {
            genotype::OVERFLOW => self
                .gt_overflow
                .get(&(cell as u64))
                .cloned()
                .unwrap_or_default(),
            p => genotype::format(p),
        }
    }

    /// Keeps the text columns the store has plain, never LZ4 blocks ([`text`]): for a batch
    /// that lives only until it is printed ([`crate::formats::sink`]), where compressing costs
    /// time and saves nothing. A field first seen later gets the usual column.
    pub fn keep_text_plain(&mut self) {
        self.info.keep_text_plain();
        self.format.keep_text_plain();
    }

    /// Releases growth slack once loading is done (columns grow by doubling).
    pub fn shrink_to_fit(&mut self) {
        self.chrom.shrink_to_fit();
        self.pos.shrink_to_fit();
        self.rs_ids.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.refs.shrink_to_fit();
        self.alts.shrink_to_fit();
        self.qual.shrink_to_fit();
        self.filters.shrink_to_fit();
        self.info.shrink_to_fit();
        self.gt.shrink_to_fit();
        self.gt_values.shrink_to_fit();
        self.format.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two records of two samples: chr1:100 rs1 A>G,T QUAL 30 PASS DP=12, a 0/1, b GQ=50;
    /// chr1:200 C with nothing else.
    pub(crate) fn two_records() -> VariantStore {
        let mut s = VariantStore::new(vec!["a".into(), "b".into()]);
        s.info.declare("DP", "1", ValueType::Integer, "depth");
        s.format.declare("GQ", "1", ValueType::Integer, "gq");
        let c = s.contig_id("chr1");
        let pass = s.filter_id("PASS").unwrap();
        s.begin_record(c, 100, b"rs1", b"A", b"G,T", 30f32.to_bits(), &[pass])
            .unwrap();
        let dp = s.info.resolve("DP");
        s.set_info_integers(dp, &[12]).unwrap();
        s.set_genotype(0, &[Some(0), Some(1)], false, || "0/1".into());
        let gq = s.format.resolve("GQ");
        s.set_format_integers(gq, 1, &[50]).unwrap();
        s.end_record();
        s.begin_record(c, 200, b"", b"C", b"", FLOAT_MISSING, &[])
            .unwrap();
        s.end_record();
        s
    }

    #[test]
    fn duplicate_and_mistyped_fields_are_errors() {
        let mut s = two_records();
        s.begin_record(0, 300, b"", b"A", b"C", FLOAT_MISSING, &[])
            .unwrap();
        let dp = s.info.resolve("DP");
        s.set_info_integers(dp, &[1]).unwrap();
        assert!(matches!(
            s.set_info_integers(dp, &[2]),
            Err(StoreError::DuplicateField { .. })
        ));
        assert!(matches!(
            s.set_info_flag(dp),
            Err(StoreError::TypeMismatch { .. })
        ));
    }

    #[test]
    fn polyploid_genotypes_are_kept_as_text() {
        let mut s = VariantStore::new(vec!["a".into()]);
        let c = s.contig_id("1");
        s.begin_record(c, 1, b"", b"A", b"C", FLOAT_MISSING, &[])
            .unwrap();
        s.set_genotype(0, &[Some(0), Some(1), Some(1)], false, || "0/1/1".into());
        s.end_record();
        assert_eq!(s.genotype_text(0, 0), "0/1/1");
    }
}
