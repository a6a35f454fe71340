//! [`Lists`]: a list of values per row, in the layout that costs the fewest bytes for the
//! lengths the rows actually have.
//!
//! Most VCF fields have the same number of values in almost every record (`Number=1` INFO/DP,
//! `Number=A` INFO/AF at a bi-allelic site, `Number=G` FORMAT/PL of a diploid bi-allelic call,
//! a one-base REF), so a per-row offset (4 bytes) would cost as much as the value itself. Three
//! layouts, all without a heap object per row:
//! - **fixed** (`width` w ≥ 1): w slots per row. A row with exactly w values whose first value is
//!   not [`Slot::MARK`] lives in its slots; any other row (absent, or another length) has MARK in
//!   its first slot and, when present, is kept in a sorted side list of exceptions (its row
//!   number and values).
//! - **sparse** (fixed with w = 0): no slots; every present row is an exception. For fields that
//!   most rows lack (FORMAT/GT's text column, `INFO/END`).
//! - **ragged**: one offset per row into one value buffer, for rows of many lengths.
//!
//! Rows start sparse. Each column counts its rows by length ([`Shape`]) and moves to the
//! cheapest layout when it has grown past a checkpoint (1,024 rows, then each doubling) and the
//! current one costs a quarter more than the best; [`Lists::shrink_to_fit`] (end of loading)
//! settles on the cheapest. A move copies every row once, so the moves cost O(rows) in total.
//! An empty row means absent, as before.

use super::column::Ragged;
use crate::bitmap::{Bitmap, word};

/// A value type a [`Lists`] can hold, with the marker of its fixed layout.
pub trait Slot: Copy + PartialEq + std::fmt::Debug {
    /// In a fixed layout's first slot: the row is absent or kept among the exceptions. A real
    /// value equal to it is stored as an exception, so no value is reserved.
    const MARK: Self;
}

impl Slot for i32 {
    /// BCF 2.2 §6.3.3's integer end-of-vector value, which no VCF value carries.
    const MARK: Self = i32::MIN + 1;
}

impl Slot for u32 {
    /// BCF 2.2 §6.3.3's float end-of-vector bit pattern (for floats held as bits).
    const MARK: Self = 0x7F80_0002;
}

impl Slot for u16 {
    const MARK: Self = u16::MAX;
}

impl Slot for i16 {
    /// Next to `i16::MIN`, which narrow integer columns use for a missing value.
    const MARK: Self = i16::MIN + 1;
}

impl Slot for i8 {
    const MARK: Self = i8::MIN + 1;
}

impl Slot for u8 {
    /// NUL, which VCF text never holds.
    const MARK: Self = 0;
}

/// Widths a fixed layout can have (longer rows are counted as "other").
const MAX_WIDTH: usize = 8;
/// First row count at which the layout is reconsidered.
const FIRST_CHECK: usize = 1024;

/// Values of many rows, one list (possibly empty = absent) per row.
#[derive(Debug, Clone)]
pub struct Lists<T> {
    rows: usize,
    layout: Layout<T>,
    shape: Shape,
    next_check: usize,
}

#[derive(Debug, Clone)]
enum Layout<T> {
    Ragged(Ragged<T>),
    Fixed {
        width: usize,
        slots: Vec<T>,
        rest: Exceptions<T>,
    },
}

/// The rows a fixed layout does not hold in its slots, in row order.
#[derive(Debug, Clone)]
struct Exceptions<T> {
    rows: Vec<u32>,
    values: Ragged<T>,
}

impl<T: Copy> Default for Exceptions<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            values: Ragged::default(),
        }
    }
}

impl<T: Copy> Exceptions<T> {
    fn get(&self, row: usize) -> &[T] {
        match u32::try_from(row).map(|r| self.rows.binary_search(&r)) {
            Ok(Ok(k)) => self.values.get(k),
            _ => &[],
        }
    }

    fn push(&mut self, row: usize, values: &[T]) {
        self.rows.push(row as u32);
        self.values.push(values);
    }

    /// Drops the exceptions of rows at or after `rows`.
    fn truncate(&mut self, rows: usize) {
        let k = self.rows.partition_point(|&r| (r as usize) < rows);
        self.rows.truncate(k);
        self.values.truncate(k);
    }

    fn heap_bytes(&self) -> usize {
        self.rows.capacity() * 4 + self.values.heap_bytes()
    }

    fn shrink_to_fit(&mut self) {
        self.rows.shrink_to_fit();
        self.values.shrink_to_fit();
    }
}

/// How many rows have how many values: what each layout would cost.
#[derive(Debug, Clone, Default, PartialEq)]
struct Shape {
    present: u64,
    values: u64,
    /// `by_width[w]`: present rows with exactly `w` values (index 0 unused).
    by_width: [u64; MAX_WIDTH + 1],
}

impl Shape {
    fn add(&mut self, len: usize) {
        if len == 0 {
            return;
        }
        self.present += 1;
        self.values += len as u64;
        if len <= MAX_WIDTH {
            self.by_width[len] += 1;
        }
    }

    fn remove(&mut self, len: usize) {
        if len == 0 {
            return;
        }
        self.present -= 1;
        self.values -= len as u64;
        if len <= MAX_WIDTH {
            self.by_width[len] -= 1;
        }
    }
}

/// A layout, by kind (`Fixed(0)` is sparse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ragged,
    Fixed(usize),
}

impl<T: Slot> Default for Lists<T> {
    fn default() -> Self {
        Self {
            rows: 0,
            layout: Layout::Fixed {
                width: 0,
                slots: Vec::new(),
                rest: Exceptions::default(),
            },
            shape: Shape::default(),
            next_check: FIRST_CHECK,
        }
    }
}

impl<T: Slot> Lists<T> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The values of row `i` (empty when absent). `i` must be below [`Lists::len`].
    #[inline]
    pub fn get(&self, i: usize) -> &[T] {
        match &self.layout {
            Layout::Ragged(r) => r.get(i),
            Layout::Fixed { width, slots, rest } => {
                let w = *width;
                if w > 0 {
                    let s = &slots[i * w..i * w + w];
                    if s[0] != T::MARK {
                        return s;
                    }
                }
                rest.get(i)
            }
        }
    }

    /// The rows in order, as [`Lists::get`] gives them; exceptions are found by walking them
    /// alongside, not by search, so a scan costs O(1) per row (the filter kernels use it).
    pub fn rows(&self) -> Rows<'_, T> {
        let (width, slots, ragged, exception_rows): (_, &[T], _, &[u32]) = match &self.layout {
            Layout::Ragged(r) => (usize::MAX, &[], r, &[]),
            Layout::Fixed { width, slots, rest } => (*width, slots, &rest.values, &rest.rows),
        };
        Rows {
            rows: self.rows,
            next: 0,
            width,
            slots,
            ragged,
            exception_rows,
            exception: 0,
        }
    }

    /// A bitmap over every row of a one-value-per-row fixed layout (a `Number=1` field, or
    /// `Number=A` where sites are bi-allelic): bit `i` is `value(v)` for a row held in its slot
    /// `v`, `row(values)` for any other (absent: empty; another length: its exception). The
    /// slots are judged in one branch-free pass, the few other rows afterwards, walking the
    /// exceptions in order. `None` for other layouts.
    pub fn scan_scalar(
        &self,
        value: impl Fn(T) -> bool,
        row: impl Fn(&[T]) -> bool,
    ) -> Option<Bitmap> {
        let Layout::Fixed {
            width: 1,
            slots,
            rest,
        } = &self.layout
        else {
            return None;
        };
        debug_assert_eq!(slots.len(), self.rows);
        let mut exception = 0;
        Some(Bitmap::from_chunks(slots, |k, chunk| {
            let mut w = word(chunk, &value);
            let mut marks = word(chunk, |v| v == T::MARK);
            while marks != 0 {
                let j = marks.trailing_zeros() as usize;
                marks &= marks - 1;
                let i = k * 64 + j;
                while rest.rows.get(exception).is_some_and(|&r| (r as usize) < i) {
                    exception += 1;
                }
                let values = match rest.rows.get(exception) {
                    Some(&r) if r as usize == i => rest.values.get(exception),
                    _ => &[],
                };
                w = w & !(1 << j) | u64::from(row(values)) << j;
            }
            w
        }))
    }

    /// Whether another row of `n` values still fits (row numbers and offsets are 32-bit).
    pub fn fits(&self, n: usize) -> bool {
        self.rows < u32::MAX as usize && self.shape.values + n as u64 <= u64::from(u32::MAX)
    }

    /// Appends one row (empty = absent).
    pub fn push(&mut self, row: &[T]) {
        let i = self.rows;
        match &mut self.layout {
            Layout::Ragged(r) => r.push(row),
            Layout::Fixed { width, slots, rest } => {
                let w = *width;
                if w > 0 && row.len() == w && row[0] != T::MARK {
                    slots.extend_from_slice(row);
                } else {
                    if w > 0 {
                        slots.extend(std::iter::repeat_n(T::MARK, w));
                    }
                    if !row.is_empty() {
                        rest.push(i, row);
                    }
                }
            }
        }
        self.rows += 1;
        self.shape.add(row.len());
        if self.rows >= self.next_check {
            self.checkpoint();
        }
    }

    /// Appends `n` absent rows.
    pub fn push_empty(&mut self, n: usize) {
        match &mut self.layout {
            Layout::Ragged(r) => r.push_empty(n),
            Layout::Fixed { width, slots, .. } => {
                slots.extend(std::iter::repeat_n(T::MARK, n * *width));
            }
        }
        self.rows += n;
        if self.rows >= self.next_check {
            self.checkpoint();
        }
    }

    /// Keeps the first `rows` rows.
    pub fn truncate(&mut self, rows: usize) {
        if rows >= self.rows {
            return;
        }
        if rows == 0 {
            self.shape = Shape::default();
        } else {
            for i in rows..self.rows {
                let len = self.get(i).len();
                self.shape.remove(len);
            }
        }
        match &mut self.layout {
            Layout::Ragged(r) => r.truncate(rows),
            Layout::Fixed { width, slots, rest } => {
                slots.truncate(rows * *width);
                rest.truncate(rows);
            }
        }
        self.rows = rows;
        self.next_check = FIRST_CHECK.max(rows.saturating_mul(2));
    }

    /// Settles on the cheapest layout and releases growth slack (end of loading).
    pub fn shrink_to_fit(&mut self) {
        let best = self.best();
        if self.cost(best) < self.cost(self.kind()) {
            self.relayout(best);
        }
        match &mut self.layout {
            Layout::Ragged(r) => r.shrink_to_fit(),
            Layout::Fixed { slots, rest, .. } => {
                slots.shrink_to_fit();
                rest.shrink_to_fit();
            }
        }
    }

    /// Bytes held, for the memory budget.
    pub fn heap_bytes(&self) -> usize {
        match &self.layout {
            Layout::Ragged(r) => r.heap_bytes(),
            Layout::Fixed { slots, rest, .. } => {
                slots.capacity() * std::mem::size_of::<T>() + rest.heap_bytes()
            }
        }
    }

    /// No rows yet, in layout `kind`, with room for `rows` rows' slots; no checkpoint (a copy
    /// in progress: the caller sets `next_check` when done).
    fn empty(kind: Kind, rows: usize) -> Self {
        Lists {
            rows: 0,
            layout: match kind {
                Kind::Ragged => Layout::Ragged(Ragged::default()),
                Kind::Fixed(width) => Layout::Fixed {
                    width,
                    slots: Vec::with_capacity(rows * width),
                    rest: Exceptions::default(),
                },
            },
            shape: Shape::default(),
            next_check: usize::MAX,
        }
    }

    /// The same rows with every value converted by `f`, in the same layout.
    pub fn map<U: Slot>(&self, f: impl Fn(T) -> U) -> Lists<U> {
        let mut out = Lists::<U>::empty(self.kind(), self.rows);
        let mut row = Vec::new();
        for i in 0..self.rows {
            row.clear();
            row.extend(self.get(i).iter().map(|&v| f(v)));
            out.push(&row);
        }
        out.next_check = self.next_check;
        out
    }

    /// The layout in use, for tests and the architecture notes: `ragged`, `sparse` or
    /// `fixed(w)`.
    pub fn layout_name(&self) -> String {
        match self.kind() {
            Kind::Ragged => "ragged".into(),
            Kind::Fixed(0) => "sparse".into(),
            Kind::Fixed(w) => format!("fixed({w})"),
        }
    }

    fn kind(&self) -> Kind {
        match &self.layout {
            Layout::Ragged(_) => Kind::Ragged,
            Layout::Fixed { width, .. } => Kind::Fixed(*width),
        }
    }

    /// Bytes a layout would take for the rows so far (without growth slack).
    fn cost(&self, kind: Kind) -> u64 {
        let size = std::mem::size_of::<T>() as u64;
        let rows = self.rows as u64;
        let s = &self.shape;
        // An exception: its row number, its offset, its values.
        let exceptions = |n: u64, values: u64| n * 8 + 4 + values * size;
        match kind {
            Kind::Ragged => 4 * (rows + 1) + s.values * size,
            Kind::Fixed(0) => exceptions(s.present, s.values),
            Kind::Fixed(w) => {
                let inside = s.by_width[w];
                rows * w as u64 * size
                    + exceptions(s.present - inside, s.values - inside * w as u64)
            }
        }
    }

    /// The cheapest layout for the rows so far (fixed first on a tie: it reads fastest).
    fn best(&self) -> Kind {
        let mut best = Kind::Fixed(0);
        let mut best_cost = self.cost(best);
        let candidates = (1..=MAX_WIDTH)
            .filter(|&w| self.shape.by_width[w] > 0)
            .map(Kind::Fixed)
            .chain([Kind::Ragged]);
        for kind in candidates {
            let c = self.cost(kind);
            if c < best_cost || (c == best_cost && matches!(best, Kind::Ragged)) {
                best = kind;
                best_cost = c;
            }
        }
        best
    }

    /// At a checkpoint: moves when the layout in use costs a quarter more than the best.
    fn checkpoint(&mut self) {
        self.next_check = self.rows.saturating_mul(2);
        let best = self.best();
        if self.cost(self.kind()) * 4 > self.cost(best) * 5 {
            self.relayout(best);
        }
    }

    fn relayout(&mut self, kind: Kind) {
        if kind == self.kind() {
            return;
        }
        let mut next = Self::empty(kind, self.rows);
        for i in 0..self.rows {
            next.push(self.get(i));
        }
        debug_assert_eq!(next.shape, self.shape);
        next.next_check = self.next_check;
        *self = next;
    }
}

/// The rows of a [`Lists`] in order ([`Lists::rows`]).
pub struct Rows<'a, T> {
    rows: usize,
    next: usize,
    /// Fixed layouts: the width (0 for sparse) and slots; ragged: `usize::MAX`.
    width: usize,
    slots: &'a [T],
    /// The ragged rows, or the exceptions.
    ragged: &'a Ragged<T>,
    exception_rows: &'a [u32],
    /// The first exception not yet passed.
    exception: usize,
}

impl<'a, T: Slot> Iterator for Rows<'a, T> {
    type Item = &'a [T];

    #[inline(always)]
    fn next(&mut self) -> Option<&'a [T]> {
        let i = self.next;
        if i >= self.rows {
            return None;
        }
        self.next += 1;
        if self.width == 1 {
            let v = &self.slots[i];
            if *v != T::MARK {
                return Some(std::slice::from_ref(v));
            }
        } else if self.width == usize::MAX {
            return Some(self.ragged.get(i));
        } else if self.width > 0 {
            let s = &self.slots[i * self.width..(i + 1) * self.width];
            if s[0] != T::MARK {
                return Some(s);
            }
        }
        match self.exception_rows.get(self.exception) {
            Some(&r) if r as usize == i => {
                self.exception += 1;
                Some(self.ragged.get(self.exception - 1))
            }
            _ => Some(&[]),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.rows - self.next;
        (n, Some(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(l: &Lists<i32>) -> Vec<Vec<i32>> {
        (0..l.len()).map(|i| l.get(i).to_vec()).collect()
    }

    /// Pushes `data` one row at a time and checks every row reads back, before and after
    /// settling on a layout.
    fn round_trip(data: &[Vec<i32>]) -> Lists<i32> {
        let mut l = Lists::default();
        for r in data {
            l.push(r);
        }
        assert_eq!(rows(&l), data);
        l.shrink_to_fit();
        assert_eq!(rows(&l), data);
        assert_eq!(l.rows().map(<[i32]>::to_vec).collect::<Vec<_>>(), data);
        l
    }

    #[test]
    fn one_value_per_row_is_fixed_with_absent_rows_and_exceptions() {
        let mut data: Vec<Vec<i32>> = (0..5000).map(|i| vec![i]).collect();
        data[7] = vec![];
        data[100] = vec![1, 2];
        data[101] = vec![i32::MIN + 1]; // the marker itself, as a value
        data[102] = vec![crate::store::INT_MISSING];
        let l = round_trip(&data);
        assert_eq!(l.layout_name(), "fixed(1)");
        // 4 bytes per row plus three exceptions.
        assert!(l.heap_bytes() < 5000 * 4 + 64, "{}", l.heap_bytes());
    }

    #[test]
    fn scalar_scan_judges_slots_and_every_other_row_as_get_does() {
        let mut data: Vec<Vec<i32>> = (0..5000).map(|i| vec![i % 50]).collect();
        for k in [0, 63, 64, 65, 777, 4999] {
            data[k] = vec![];
        }
        data[100] = vec![1, 40];
        data[101] = vec![i32::MIN + 1];
        data[4998] = vec![45, 3, 2];
        let l = round_trip(&data);
        assert_eq!(l.layout_name(), "fixed(1)");
        // A row passes when it has a value above 30: slots by `value`, the rest by `row`.
        let row = |r: &[i32]| r.iter().any(|&v| v > 30);
        let scanned = l.scan_scalar(|v| v > 30, row).expect("fixed(1) scans");
        assert_eq!(scanned, Bitmap::from_fn(data.len(), |i| row(&data[i])));
        // Other layouts are not scanned as slices.
        let wide = round_trip(&(0..3000).map(|i| vec![i, i]).collect::<Vec<_>>());
        assert!(wide.scan_scalar(|_| true, |_| true).is_none());
        let sparse = round_trip(&(0..3000).map(|_| vec![]).collect::<Vec<_>>());
        assert!(sparse.scan_scalar(|_| true, |_| true).is_none());
    }

    #[test]
    fn width_follows_the_common_length() {
        let data: Vec<Vec<i32>> = (0..3000)
            .map(|i| {
                if i % 50 == 0 {
                    vec![i; 6]
                } else {
                    vec![i, 1, 2]
                }
            })
            .collect();
        assert_eq!(round_trip(&data).layout_name(), "fixed(3)");
    }

    #[test]
    fn mostly_absent_is_sparse_and_varied_lengths_are_ragged() {
        let sparse: Vec<Vec<i32>> = (0..4000)
            .map(|i| if i % 100 == 0 { vec![i] } else { vec![] })
            .collect();
        let l = round_trip(&sparse);
        assert_eq!(l.layout_name(), "sparse");
        assert!(l.heap_bytes() < 40 * 12 + 16);
        let varied: Vec<Vec<i32>> = (0..4000).map(|i| vec![7; 1 + i % 9]).collect();
        assert_eq!(round_trip(&varied).layout_name(), "ragged");
        let none: Vec<Vec<i32>> = vec![vec![]; 3000];
        assert!(round_trip(&none).heap_bytes() <= 8);
    }

    #[test]
    fn absent_runs_and_truncation_in_every_layout() {
        for data in [
            (0..3000).map(|i| vec![i]).collect::<Vec<_>>(),
            (0..3000).map(|i| vec![i; 1 + i as usize % 5]).collect(),
            (0..3000)
                .map(|i| if i % 97 == 0 { vec![i] } else { vec![] })
                .collect(),
        ] {
            let mut l = round_trip(&data);
            let name = l.layout_name();
            l.push_empty(3);
            l.push(&[1, 2]);
            assert_eq!(l.len(), 3004);
            assert!(l.get(3001).is_empty());
            assert_eq!(l.get(3003), &[1, 2]);
            l.truncate(1500);
            assert_eq!(rows(&l), data[..1500], "{name}");
            l.push(&[42]);
            assert_eq!(l.get(1500), &[42]);
            l.truncate(0);
            assert!(l.is_empty());
            l.push(&[5]);
            assert_eq!(rows(&l), vec![vec![5]]);
        }
    }

    #[test]
    fn text_rows_of_one_byte() {
        let data: Vec<Vec<u8>> = (0..2000)
            .map(|i| match i % 10 {
                0 => b"ACGT".to_vec(),
                1 => Vec::new(),
                _ => vec![b"ACGT"[i % 4]],
            })
            .collect();
        let mut l = Lists::<u8>::default();
        for r in &data {
            l.push(r);
        }
        l.shrink_to_fit();
        assert_eq!(l.layout_name(), "fixed(1)");
        for (i, r) in data.iter().enumerate() {
            assert_eq!(l.get(i), r.as_slice());
        }
    }
}
