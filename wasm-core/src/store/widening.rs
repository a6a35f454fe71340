//! [`Widening`]: one unsigned number per row in the narrowest of `u8`, `u16`, `u32`, `u64` that
//! holds every value so far.
//!
//! For CHROM (contig ids: a byte for up to 256 contigs), POS (32 bits unless a position passes
//! 4,294,967,295, as in htslib's long-reference test files) and genotype codes (a byte for up
//! to 256 distinct genotypes). A value that does not fit widens the whole column once, so a
//! column widens at most three times.

use crate::bitmap::Bitmap;

#[derive(Debug, Clone)]
pub enum Widening {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Default for Widening {
    fn default() -> Self {
        Self::U8(Vec::new())
    }
}

impl Widening {
    pub fn len(&self) -> usize {
        match self {
            Self::U8(v) => v.len(),
            Self::U16(v) => v.len(),
            Self::U32(v) => v.len(),
            Self::U64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes per value.
    pub fn width(&self) -> usize {
        match self {
            Self::U8(_) => 1,
            Self::U16(_) => 2,
            Self::U32(_) => 4,
            Self::U64(_) => 8,
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> u64 {
        match self {
            Self::U8(v) => u64::from(v[i]),
            Self::U16(v) => u64::from(v[i]),
            Self::U32(v) => u64::from(v[i]),
            Self::U64(v) => v[i],
        }
    }

    /// Bit `i` is `f(value i)`: one pass, dispatched once on the width.
    pub fn bitmap(&self, f: impl Fn(u64) -> bool) -> Bitmap {
        match self {
            Self::U8(v) => Bitmap::from_slice(v, |x| f(u64::from(x))),
            Self::U16(v) => Bitmap::from_slice(v, |x| f(u64::from(x))),
            Self::U32(v) => Bitmap::from_slice(v, |x| f(u64::from(x))),
            Self::U64(v) => Bitmap::from_slice(v, f),
        }
    }

    pub fn push(&mut self, value: u64) {
        self.widen_for(value);
        match self {
            Self::U8(v) => v.push(value as u8),
            Self::U16(v) => v.push(value as u16),
            Self::U32(v) => v.push(value as u32),
            Self::U64(v) => v.push(value),
        }
    }

    /// Appends `n` copies of `value`.
    pub fn push_n(&mut self, value: u64, n: usize) {
        self.widen_for(value);
        match self {
            Self::U8(v) => v.extend(std::iter::repeat_n(value as u8, n)),
            Self::U16(v) => v.extend(std::iter::repeat_n(value as u16, n)),
            Self::U32(v) => v.extend(std::iter::repeat_n(value as u32, n)),
            Self::U64(v) => v.extend(std::iter::repeat_n(value, n)),
        }
    }

    pub fn set(&mut self, i: usize, value: u64) {
        self.widen_for(value);
        match self {
            Self::U8(v) => v[i] = value as u8,
            Self::U16(v) => v[i] = value as u16,
            Self::U32(v) => v[i] = value as u32,
            Self::U64(v) => v[i] = value,
        }
    }

    pub fn truncate(&mut self, len: usize) {
        match self {
            Self::U8(v) => v.truncate(len),
            Self::U16(v) => v.truncate(len),
            Self::U32(v) => v.truncate(len),
            Self::U64(v) => v.truncate(len),
        }
    }

    pub fn shrink_to_fit(&mut self) {
        match self {
            Self::U8(v) => v.shrink_to_fit(),
            Self::U16(v) => v.shrink_to_fit(),
            Self::U32(v) => v.shrink_to_fit(),
            Self::U64(v) => v.shrink_to_fit(),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        let capacity = match self {
            Self::U8(v) => v.capacity(),
            Self::U16(v) => v.capacity(),
            Self::U32(v) => v.capacity(),
            Self::U64(v) => v.capacity(),
        };
        capacity * self.width()
    }

    /// Rewrites the column in a wider type when `value` does not fit the current one.
    fn widen_for(&mut self, value: u64) {
        let needed = if value <= u64::from(u8::MAX) {
            1
        } else if value <= u64::from(u16::MAX) {
            2
        } else if value <= u64::from(u32::MAX) {
            4
        } else {
            8
        };
        if needed <= self.width() {
            return;
        }
        let values: Vec<u64> = (0..self.len()).map(|i| self.get(i)).collect();
        *self = match needed {
            2 => Self::U16(values.into_iter().map(|v| v as u16).collect()),
            4 => Self::U32(values.into_iter().map(|v| v as u32).collect()),
            _ => Self::U64(values),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_only_when_a_value_needs_it() {
        let mut w = Widening::default();
        w.push(7);
        w.push_n(200, 2);
        assert_eq!((w.width(), w.len()), (1, 3));
        w.push(70_000);
        assert_eq!(w.width(), 4);
        w.set(0, 10_000_000_000);
        assert_eq!(w.width(), 8);
        let all: Vec<u64> = (0..w.len()).map(|i| w.get(i)).collect();
        assert_eq!(all, [10_000_000_000, 200, 200, 70_000]);
        w.truncate(1);
        w.shrink_to_fit();
        assert_eq!(w.heap_bytes(), 8);
    }
}
