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
pub mod genotype;
pub mod ints;
pub mod lists;
pub mod text;
pub mod widening;

use std::collections::HashMap;

pub use self::column::{ColumnData, FLOAT_MISSING, INT_MISSING, Ragged, ValueType, format_float};
pub use self::ints::Ints;
pub use self::lists::Lists;
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

/// Header metadata of one INFO or FORMAT field, and its values.
#[derive(Debug, Clone)]
pub struct Field {
    pub key: String,
    /// The header's `Number=` as written (`1`, `A`, `R`, `G`, `.`, …).
    pub number: String,
    pub ty: ValueType,
    pub description: String,
    /// Whether the header declared it (undeclared fields are read as String, as bcftools does).
    pub declared: bool,
    pub data: ColumnData,
}

/// A set of fields addressed by key, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    fields: Vec<Field>,
    index: HashMap<String, usize>,
}

impl Fields {
    /// Declares a field from the header.
    pub fn declare(&mut self, key: &str, number: &str, ty: ValueType, description: &str) {
        if self.index.contains_key(key) {
            return;
        }
        self.index.insert(key.to_string(), self.fields.len());
        self.fields.push(Field {
            key: key.to_string(),
            number: number.to_string(),
            ty,
            description: description.to_string(),
            declared: true,
            data: ColumnData::new(ty),
        });
    }

    /// The field's index, declaring an undeclared one as `String` on first sight.
    pub fn resolve(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        self.declare(key, ".", ValueType::String, "");
        let i = self.fields.len() - 1;
        self.fields[i].declared = false;
        i
    }

    pub fn get(&self, key: &str) -> Option<&Field> {
        self.index.get(key).map(|&i| &self.fields[i])
    }

    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The field at index `i` (from [`Fields::index_of`]).
    pub fn field(&self, i: usize) -> &Field {
        &self.fields[i]
    }

    pub fn key(&self, i: usize) -> &str {
        &self.fields[i].key
    }

    pub fn type_of(&self, i: usize) -> ValueType {
        self.fields[i].ty
    }

    pub fn iter(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn at(&mut self, i: usize) -> &mut Field {
        &mut self.fields[i]
    }

    fn pad_all(&mut self, rows: usize) {
        for f in &mut self.fields {
            f.data.pad_to(rows);
        }
    }

    fn truncate(&mut self, rows: usize) {
        for f in &mut self.fields {
            f.data.truncate(rows);
        }
    }

    fn column_bytes(&self, section: &str, out: &mut Vec<ColumnBytes>) {
        for f in &self.fields {
            out.push(ColumnBytes::new(
                format!("{section}/{}", f.key),
                f.data.heap_bytes(),
                f.data.layout_name(),
            ));
        }
    }

    fn shrink_to_fit(&mut self) {
        for f in &mut self.fields {
            f.data.shrink_to_fit();
        }
    }
}

/// Where a value goes: the field's index and the row's type-checked storage.
fn slot<'a>(
    fields: &'a mut Fields,
    section: &'static str,
    unit: &'static str,
    i: usize,
    row: usize,
    given: ValueType,
) -> Result<&'a mut ColumnData, StoreError> {
    let f = fields.at(i);
    let compatible = f.ty == given
        || (matches!(f.ty, ValueType::String | ValueType::Character)
            && matches!(given, ValueType::String | ValueType::Character));
    if !compatible {
        return Err(StoreError::TypeMismatch {
            section,
            key: f.key.clone(),
            declared: f.ty,
            given,
        });
    }
    if f.data.len() > row {
        return Err(StoreError::DuplicateField {
            section,
            key: f.key.clone(),
            unit,
        });
    }
    f.data.pad_to(row);
    Ok(&mut f.data)
}

/// The number of an `rs` ID as dbSNP writes it (`rs` and 1–10 digits without a leading zero,
/// below 2^32), which the store keeps as a number.
fn rs_number(id: &[u8]) -> Option<u32> {
    let digits = id.strip_prefix(b"rs")?;
    if digits.is_empty() || digits.len() > 10 || digits[0] == b'0' {
        return None;
    }
    let mut n = 0u64;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    u32::try_from(n).ok()
}

/// An ID as text: borrowed from the store, or rebuilt from its rs number. Dereferences to the
/// bytes (empty for `.`).
#[derive(Debug, Clone, Copy)]
pub enum IdText<'a> {
    Text(&'a [u8]),
    Rs { bytes: [u8; 12], len: u8 },
}

impl IdText<'_> {
    fn rs(n: u32) -> Self {
        // `rs` and the digits of n, written without allocating (export calls this per record).
        let mut digits = [0u8; 10];
        let mut k = digits.len();
        let mut rest = n;
        loop {
            k -= 1;
            digits[k] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let mut bytes = [0u8; 12];
        bytes[..2].copy_from_slice(b"rs");
        let len = 2 + digits.len() - k;
        bytes[2..len].copy_from_slice(&digits[k..]);
        IdText::Rs {
            bytes,
            len: len as u8,
        }
    }
}

impl std::ops::Deref for IdText<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            IdText::Text(t) => t,
            IdText::Rs { bytes, len } => &bytes[..usize::from(*len)],
        }
    }
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

    /// Bytes the store holds on the heap (for the memory budget and the benchmark): the sum of
    /// [`VariantStore::column_bytes`].
    pub fn heap_bytes(&self) -> usize {
        self.column_bytes().iter().map(|c| c.bytes as usize).sum()
    }

    /// Heap bytes per column (capacities, so call it after [`VariantStore::shrink_to_fit`] for
    /// numbers that do not depend on how the columns grew): `CHROM`, `POS`, …, `INFO/<key>`,
    /// `GT`, `FORMAT/<key>`, in that order.
    pub fn column_bytes(&self) -> Vec<ColumnBytes> {
        let int = |w: &Widening| format!("u{}", w.width() * 8);
        let mut out = vec![
            ColumnBytes::new("CHROM", self.chrom.heap_bytes(), int(&self.chrom)),
            ColumnBytes::new("POS", self.pos.heap_bytes(), int(&self.pos)),
            ColumnBytes::new(
                "ID",
                self.rs_ids.heap_bytes() + self.ids.heap_bytes(),
                format!(
                    "rs numbers {}, text {}",
                    self.rs_ids.layout_name(),
                    self.ids.layout_name()
                ),
            ),
            ColumnBytes::new("REF", self.refs.heap_bytes(), self.refs.layout_name()),
            ColumnBytes::new("ALT", self.alts.heap_bytes(), self.alts.layout_name()),
            ColumnBytes::new("QUAL", self.qual.capacity() * 4, "f32".into()),
            ColumnBytes::new(
                "FILTER",
                self.filters.heap_bytes(),
                self.filters.layout_name(),
            ),
        ];
        self.info.column_bytes("INFO", &mut out);
        // The table of distinct genotypes: its values and the lookup map (key, code, control).
        let table = self.gt_values.capacity() * 4 + self.gt_codes.capacity() * 9;
        out.push(ColumnBytes::new(
            "GT",
            self.gt.heap_bytes() + table,
            format!(
                "{} codes, {} genotypes",
                int(&self.gt),
                self.gt_values.len()
            ),
        ));
        self.format.column_bytes("FORMAT", &mut out);
        out
    }

    /// FILTER as VCF text.
    pub fn filter_text(&self, i: usize) -> String {
        let ids = self.filters.get(i);
        if ids.is_empty() {
            return ".".to_string();
        }
        let names: Vec<&str> = ids
            .iter()
            .map(|&f| self.filter_names[f as usize].as_str())
            .collect();
        names.join(";")
    }

    /// INFO as VCF text, in the header's field order.
    pub fn info_text(&self, i: usize) -> String {
        let mut parts = Vec::new();
        for f in self.info.iter() {
            match (&f.data, f.data.format(i)) {
                (ColumnData::Flag(_), Some(_)) => parts.push(f.key.clone()),
                (_, Some(v)) => parts.push(format!("{}={}", f.key, v)),
                _ => {}
            }
        }
        if parts.is_empty() {
            ".".to_string()
        } else {
            parts.join(";")
        }
    }

    /// The record in display form.
    pub fn row(&self, i: usize, info_keys: &[String], format_keys: &[String]) -> Row {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let dot = |b: &[u8]| {
            if b.is_empty() {
                ".".to_string()
            } else {
                text(b)
            }
        };
        Row {
            index: i as u64,
            chrom: self.chrom(i).to_string(),
            pos: self.pos(i),
            id: dot(&self.id(i)),
            reference: text(self.reference(i)),
            alt: dot(self.alts(i)),
            qual: self.qual(i).map(f64::from),
            filter: self.filter_text(i),
            info: info_keys
                .iter()
                .map(|k| {
                    self.info
                        .get(k)
                        .and_then(|f| f.data.format(i))
                        .map(|v| if v.is_empty() { "✓".to_string() } else { v })
                })
                .collect(),
            info_text: self.info_text(i),
            samples: (0..self.samples.len())
                .map(|s| SampleCell {
                    gt: self.genotype_text(i, s),
                    values: format_keys
                        .iter()
                        .map(|k| {
                            self.format
                                .get(k)
                                .and_then(|f| f.data.format(i * self.samples.len() + s))
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// INFO keys worth a table column: well-known ones present in the file, then others.
    pub fn key_info_fields(&self, max: usize) -> Vec<String> {
        const PREFERRED: &[&str] = &[
            "DP",
            "AF",
            "AC",
            "AN",
            "MQ",
            "QD",
            "FS",
            "SOR",
            "gnomAD_AF",
            "gnomADg_AF",
            "CLNSIG",
            "END",
            "SVTYPE",
        ];
        let present = |f: &Field| (0..self.len()).take(10_000).any(|i| f.data.is_present(i));
        let mut out: Vec<String> = PREFERRED
            .iter()
            .filter(|k| self.info.get(k).is_some_and(present))
            .map(|k| k.to_string())
            .collect();
        for f in self.info.iter() {
            if out.len() >= max {
                break;
            }
            // Long free-text annotations (CSQ, ANN) get their own view with the filter work.
            let long = matches!(f.key.as_str(), "CSQ" | "ANN" | "EFF" | "BCSQ");
            if !long && !out.contains(&f.key) && present(f) {
                out.push(f.key.clone());
            }
        }
        out.truncate(max);
        out
    }

    /// FORMAT keys shown beside each genotype.
    pub fn key_format_fields(&self) -> Vec<String> {
        ["DP", "GQ", "AD"]
            .iter()
            .filter(|k| self.format.get(k).is_some())
            .map(|k| k.to_string())
            .collect()
    }

    /// Row order for a sort.
    pub fn order(&self, by: SortKey, descending: bool) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..self.len() as u32).collect();
        match by {
            SortKey::Position => {
                // Files are almost always sorted already: check in one pass before sorting.
                let key = |i: usize| (self.contig_of(i), self.pos(i));
                if !(1..self.len()).all(|i| key(i - 1) <= key(i)) {
                    idx.sort_by_key(|&i| key(i as usize));
                }
            }
            SortKey::Qual => {
                // Missing QUAL sorts last in both directions.
                idx.sort_by(|&a, &b| {
                    let (qa, qb) = (self.qual(a as usize), self.qual(b as usize));
                    match (qa, qb) {
                        (Some(x), Some(y)) => {
                            let o = x.total_cmp(&y);
                            if descending { o.reverse() } else { o }
                        }
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => std::cmp::Ordering::Equal,
                    }
                });
                return idx;
            }
        }
        if descending {
            idx.reverse();
        }
        idx
    }
}

/// The first `limit` records of several stores (shards of one file, in file order) in the order
/// one store holding them all would give ([`VariantStore::order`]): a k-way merge of each
/// shard's own `order(key, descending)`. Returns `(shard, index in that shard)` pairs.
///
/// Ties keep file order, as the single sort does (for `Position` descending, reversed file
/// order). Position compares contig ids, which agree between shards when the header declares
/// the contigs (shards are built from the same header).
pub fn merge_orders(
    stores: &[&VariantStore],
    orders: &[Vec<u32>],
    key: SortKey,
    descending: bool,
    limit: usize,
) -> Vec<(usize, u32)> {
    use std::cmp::Ordering;
    let mut next = vec![0usize; orders.len()];
    let mut out = Vec::with_capacity(limit.min(1 << 20));
    let compare = |(ka, a): (usize, u32), (kb, b): (usize, u32)| -> Ordering {
        let (sa, sb) = (stores[ka], stores[kb]);
        let (a, b) = (a as usize, b as usize);
        let file_order = (ka, a).cmp(&(kb, b));
        match key {
            SortKey::Position => {
                let o = (sa.contig_of(a), sa.pos(a))
                    .cmp(&(sb.contig_of(b), sb.pos(b)))
                    .then(file_order);
                if descending { o.reverse() } else { o }
            }
            SortKey::Qual => match (sa.qual(a), sb.qual(b)) {
                (Some(x), Some(y)) => {
                    let o = x.total_cmp(&y);
                    (if descending { o.reverse() } else { o }).then(file_order)
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => file_order,
            },
        }
    };
    while out.len() < limit {
        let mut best: Option<(usize, u32)> = None;
        for (k, order) in orders.iter().enumerate() {
            if let Some(&i) = order.get(next[k])
                && best.is_none_or(|b| compare((k, i), b) == Ordering::Less)
            {
                best = Some((k, i));
            }
        }
        let Some((k, i)) = best else { break };
        next[k] += 1;
        out.push((k, i));
    }
    out
}

/// Heap bytes of one column of the store ([`VariantStore::column_bytes`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnBytes {
    /// `CHROM`, `POS`, `ID`, `REF`, `ALT`, `QUAL`, `FILTER`, `INFO/<key>`, `GT`, `FORMAT/<key>`.
    pub column: String,
    pub bytes: u64,
    /// How it is held: `u32`, `fixed(1)`, `sparse`, `ragged`, `blocks`, …
    pub layout: String,
}

impl ColumnBytes {
    fn new(column: impl Into<String>, bytes: usize, layout: String) -> Self {
        Self {
            column: column.into(),
            bytes: bytes as u64,
            layout,
        }
    }
}

/// What the table can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    Position,
    Qual,
}

/// One record in display form, sent to the UI for visible rows only.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Index in file order.
    pub index: u64,
    pub chrom: String,
    pub pos: u64,
    pub id: String,
    pub reference: String,
    pub alt: String,
    pub qual: Option<f64>,
    pub filter: String,
    /// Values of the key INFO fields, in the order asked.
    pub info: Vec<Option<String>>,
    /// The whole INFO column as VCF text.
    pub info_text: String,
    pub samples: Vec<SampleCell>,
}

/// One sample's genotype and key FORMAT values in a row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleCell {
    pub gt: String,
    pub values: Vec<Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_records() -> VariantStore {
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
    fn rows_render_as_vcf_text() {
        let s = two_records();
        let r = s.row(0, &["DP".into()], &["GQ".into()]);
        assert_eq!(
            (r.chrom.as_str(), r.pos, r.alt.as_str()),
            ("chr1", 100, "G,T")
        );
        assert_eq!(r.info, vec![Some("12".to_string())]);
        assert_eq!(r.samples[0].gt, "0/1");
        assert_eq!(r.samples[1].gt, ".");
        assert_eq!(r.samples[0].values, vec![None]);
        assert_eq!(r.samples[1].values, vec![Some("50".to_string())]);
        let r = s.row(1, &["DP".into()], &[]);
        assert_eq!(
            (r.id.as_str(), r.alt.as_str(), r.filter.as_str(), r.qual),
            (".", ".", ".", None)
        );
        assert_eq!(r.info, vec![None]);
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
    fn position_order_sorts_an_unsorted_store_and_keeps_a_sorted_one() {
        let mut s = VariantStore::new(vec!["a".into()]);
        let c1 = s.contig_id("1");
        let c2 = s.contig_id("2");
        for (c, p) in [(c2, 5), (c1, 300), (c1, 7)] {
            s.begin_record(c, p, b"", b"A", b"C", FLOAT_MISSING, &[])
                .unwrap();
            s.end_record();
        }
        assert_eq!(s.order(SortKey::Position, false), vec![2, 1, 0]);
        assert_eq!(two_records().order(SortKey::Position, false), vec![0, 1]);
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

    #[test]
    fn rs_ids_are_numbers_and_other_ids_text() {
        for (id, number) in [
            (&b"rs1"[..], Some(1)),
            (b"rs4294967295", Some(u32::MAX)),
            (b"rs4294967296", None),
            (b"rs01", None),
            (b"rs", None),
            (b"rs12a", None),
            (b"RS12", None),
            (b"rs1;rs2", None),
            (b"", None),
        ] {
            assert_eq!(rs_number(id), number, "{}", String::from_utf8_lossy(id));
            if let Some(n) = number {
                assert_eq!(&*IdText::rs(n), id);
            }
        }
        assert_eq!(&*IdText::rs(0), b"rs0");
    }

    #[test]
    fn sorts_by_qual_with_missing_last() {
        let s = two_records();
        assert_eq!(s.order(SortKey::Qual, true), vec![0, 1]);
        assert_eq!(s.order(SortKey::Qual, false), vec![0, 1]);
        assert_eq!(s.order(SortKey::Position, true), vec![1, 0]);
    }
}
