//! Typed columns for INFO and FORMAT fields.
//!
//! A column holds one field for every row of the store (a row is a record for INFO, a
//! record × sample cell for FORMAT). Each row has zero or more values, and an empty row means the
//! field was absent. Missing values inside a vector use BCF's sentinels (`i32::MIN` for integers,
//! [`FLOAT_MISSING`] for floats). No per-row heap objects: numbers are [`Lists`] (fixed width,
//! sparse or ragged, whichever is smallest; integers in 8, 16 or 32 bits, [`Ints`]), text is a [`TextColumn`] (compressed in blocks when
//! large), flags a [`BitColumn`]. [`Ragged`] is the offsets-and-values building block.

use super::ints::Ints;
use super::lists::Lists;
use super::text::TextColumn;

/// BCF 2.2 §6.3.3: the missing-float bit pattern (a signalling NaN).
pub const FLOAT_MISSING: u32 = 0x7F80_0001;
/// BCF 2.2 §6.3.3: the missing-integer sentinel.
pub const INT_MISSING: i32 = i32::MIN;

/// Values of many rows in one buffer, delimited by offsets.
#[derive(Debug, Clone)]
pub struct Ragged<T> {
    offsets: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy> Default for Ragged<T> {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            values: Vec::new(),
        }
    }
}

impl<T: Copy> Ragged<T> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one row.
    pub fn push(&mut self, row: &[T]) {
        self.values.extend_from_slice(row);
        self.offsets.push(self.values.len() as u32);
    }

    /// Appends `n` empty rows.
    pub fn push_empty(&mut self, n: usize) {
        let end = self.values.len() as u32;
        self.offsets.extend(std::iter::repeat_n(end, n));
    }

    /// The values of row `i`.
    pub fn get(&self, i: usize) -> &[T] {
        let start = self.offsets[i] as usize;
        let end = self.offsets[i + 1] as usize;
        &self.values[start..end]
    }

    /// Bytes held, for the memory budget.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 4 + self.values.capacity() * std::mem::size_of::<T>()
    }

    pub fn shrink_to_fit(&mut self) {
        self.offsets.shrink_to_fit();
        self.values.shrink_to_fit();
    }

    /// Keeps the first `rows` rows.
    pub fn truncate(&mut self, rows: usize) {
        if rows < self.len() {
            self.offsets.truncate(rows + 1);
            self.values.truncate(self.offsets[rows] as usize);
        }
    }

    /// Whether another `n` values still fit under the 32-bit offsets.
    pub fn fits(&self, n: usize) -> bool {
        (self.values.len() as u64 + n as u64) <= u64::from(u32::MAX)
    }
}

/// A growable bit set, one bit per row.
#[derive(Debug, Clone, Default)]
pub struct BitColumn {
    words: Vec<u64>,
    len: usize,
}

impl BitColumn {
    pub fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if bit {
            self.words[self.len / 64] |= 1 << (self.len % 64);
        }
        self.len += 1;
    }

    pub fn push_n(&mut self, bit: bool, n: usize) {
        for _ in 0..n {
            self.push(bit);
        }
    }

    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// Keeps the first `len` bits.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.words.truncate(len.div_ceil(64));
        if let Some(last) = self.words.last_mut()
            && !len.is_multiple_of(64)
        {
            *last &= (1u64 << (len % 64)) - 1;
        }
        self.len = len;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    pub fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
    }
}

/// The value type of a column, from the header's `Type=` (VCF 4.3 §1.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ValueType {
    Integer,
    Float,
    Flag,
    Character,
    String,
}

/// One field's values for every row.
#[derive(Debug, Clone)]
pub enum ColumnData {
    Integer(Ints),
    /// Floats as f32 bits.
    Float(Lists<u32>),
    Flag(BitColumn),
    /// Character and String values: the row's raw text (comma-joined for vectors).
    Text(TextColumn),
}

impl ColumnData {
    pub fn new(ty: ValueType) -> Self {
        match ty {
            ValueType::Integer => Self::Integer(Ints::default()),
            ValueType::Float => Self::Float(Lists::default()),
            ValueType::Flag => Self::Flag(BitColumn::default()),
            ValueType::Character | ValueType::String => Self::Text(TextColumn::default()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Integer(c) => c.len(),
            Self::Float(c) => c.len(),
            Self::Flag(c) => c.len(),
            Self::Text(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pads with absent rows up to `rows`.
    pub fn pad_to(&mut self, rows: usize) {
        let n = rows.saturating_sub(self.len());
        if n == 0 {
            return;
        }
        match self {
            Self::Integer(c) => c.push_empty(n),
            Self::Float(c) => c.push_empty(n),
            Self::Flag(c) => c.push_n(false, n),
            Self::Text(c) => c.push_empty(n),
        }
    }

    /// Keeps the first `rows` rows.
    pub fn truncate(&mut self, rows: usize) {
        match self {
            Self::Integer(c) => c.truncate(rows),
            Self::Float(c) => c.truncate(rows),
            Self::Flag(c) => c.truncate(rows),
            Self::Text(c) => c.truncate(rows),
        }
    }

    pub fn shrink_to_fit(&mut self) {
        match self {
            Self::Integer(c) => c.shrink_to_fit(),
            Self::Float(c) => c.shrink_to_fit(),
            Self::Flag(c) => c.shrink_to_fit(),
            Self::Text(c) => c.shrink_to_fit(),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::Integer(c) => c.heap_bytes(),
            Self::Float(c) => c.heap_bytes(),
            Self::Flag(c) => c.heap_bytes(),
            Self::Text(c) => c.heap_bytes(),
        }
    }

    /// Whether row `i` has the field.
    pub fn is_present(&self, i: usize) -> bool {
        match self {
            Self::Integer(c) => c.count(i) > 0,
            Self::Float(c) => !c.get(i).is_empty(),
            Self::Flag(c) => c.get(i),
            Self::Text(c) => c.is_present(i),
        }
    }

    /// How the column is laid out (`fixed(1)`, `sparse`, `ragged`, `bits`, `plain …`,
    /// `blocks`), for the memory breakdown.
    pub fn layout_name(&self) -> String {
        match self {
            Self::Integer(c) => c.layout_name(),
            Self::Float(c) => c.layout_name(),
            Self::Flag(_) => "bits".into(),
            Self::Text(c) => c.layout_name(),
        }
    }

    /// Row `i` as VCF text (`None` when absent). Flags render as an empty string.
    pub fn format(&self, i: usize) -> Option<String> {
        if !self.is_present(i) {
            return None;
        }
        Some(match self {
            Self::Integer(c) => c.with(i, |values| {
                join(values.iter().map(|&v| {
                    if v == INT_MISSING {
                        ".".to_string()
                    } else {
                        v.to_string()
                    }
                }))
            }),
            Self::Float(c) => join(c.get(i).iter().map(|&bits| format_float(bits))),
            Self::Flag(_) => String::new(),
            Self::Text(c) => String::from_utf8_lossy(&c.get(i)).into_owned(),
        })
    }

    /// The first value of row `i` as a number, for sorting and display.
    pub fn first_number(&self, i: usize) -> Option<f64> {
        match self {
            Self::Integer(c) => c.first(i).filter(|&v| v != INT_MISSING).map(f64::from),
            Self::Float(c) => c
                .get(i)
                .first()
                .filter(|&&b| b != FLOAT_MISSING)
                .map(|&b| f64::from(f32::from_bits(b))),
            _ => None,
        }
    }
}

fn join(parts: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for (k, p) in parts.enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&p);
    }
    out
}

/// Formats a float as bcftools does for display: up to 6 significant digits, `.` when missing.
pub fn format_float(bits: u32) -> String {
    if bits == FLOAT_MISSING {
        return ".".to_string();
    }
    let v = f32::from_bits(bits);
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "Inf".to_string()
        } else {
            "-Inf".to_string()
        };
    }
    format_g(f64::from(v))
}

/// `%g`-like formatting (6 significant digits, trailing zeros trimmed).
pub fn format_g(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let exp = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        let s = format!("{:.5e}", v);
        // Rust prints `1.50000e-7`; trim the mantissa and pad the exponent like C.
        let (mant, e) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = trim_zeros(mant);
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", e.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    trim_zeros(&format!("{:.*}", decimals, v)).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows() {
        let mut r = Ragged::<i32>::default();
        r.push(&[1, 2]);
        r.push_empty(2);
        r.push(&[3]);
        assert_eq!(r.len(), 4);
        assert_eq!(r.get(0), &[1, 2]);
        assert!(r.get(1).is_empty());
        assert_eq!(r.get(3), &[3]);
    }

    #[test]
    fn bits() {
        let mut b = BitColumn::default();
        for i in 0..130 {
            b.push(i % 3 == 0);
        }
        assert!(b.get(129) && !b.get(128) && b.get(0));
        assert_eq!(b.len(), 130);
    }

    #[test]
    fn floats_print_like_printf_g() {
        assert_eq!(format_g(0.5), "0.5");
        assert_eq!(format_g(29.6), "29.6");
        assert_eq!(format_g(1234567.0), "1.23457e+06");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(0.00001), "1e-05");
        assert_eq!(format_g(100.0), "100");
        assert_eq!(format_float(FLOAT_MISSING), ".");
    }

    #[test]
    fn column_formats_missing_and_vectors() {
        let mut c = ColumnData::new(ValueType::Integer);
        if let ColumnData::Integer(r) = &mut c {
            r.push(&[5, INT_MISSING]);
        }
        c.pad_to(3);
        assert_eq!(c.format(0).as_deref(), Some("5,."));
        assert_eq!(c.format(2), None);
        assert_eq!(c.first_number(0), Some(5.0));
    }
}
