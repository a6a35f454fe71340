//! [`Ints`]: an Integer INFO / FORMAT column in the narrowest of 8, 16 or 32 bits that holds
//! every value so far.
//!
//! Depths, qualities, allele counts and likelihoods are small numbers: FORMAT/GQ and INFO/AN fit
//! a byte, FORMAT/AD and PL two. A column starts at 8 bits and widens (all rows converted once)
//! when a value does not fit; it widens at most twice. In 8 and 16 bits the type's minimum is
//! the missing value ([`INT_MISSING`] in 32 bits, BCF 2.2 §6.3.3), so a stored value lies in
//! `MIN + 1 ..= MAX`. Readers get the values as `i32`: [`Ints::with`] hands a row to a closure
//! (converted on the stack for narrow columns), [`Ints::first`] reads the first value.

use super::column::INT_MISSING;
use super::lists::{Lists, Slot};

/// A narrow integer type a column can be stored in.
pub trait IntSlot: Slot {
    /// The stored value that means missing.
    const MISSING: Self;
    fn to_i32(self) -> i32;
    /// `v` in this type, if it fits.
    fn narrow(v: i32) -> Option<Self>;
}

/// 8 and 16 bits: the type's minimum is the missing value, so it is never a stored value.
macro_rules! narrow_slot {
    ($t:ty) => {
        impl IntSlot for $t {
            const MISSING: Self = <$t>::MIN;
            fn to_i32(self) -> i32 {
                if self == Self::MISSING {
                    INT_MISSING
                } else {
                    i32::from(self)
                }
            }
            fn narrow(v: i32) -> Option<Self> {
                if v == INT_MISSING {
                    Some(Self::MISSING)
                } else {
                    <$t>::try_from(v).ok().filter(|&x| x != Self::MISSING)
                }
            }
        }
    };
}

narrow_slot!(i8);
narrow_slot!(i16);

impl IntSlot for i32 {
    const MISSING: Self = INT_MISSING;
    fn to_i32(self) -> i32 {
        self
    }
    fn narrow(v: i32) -> Option<Self> {
        Some(v)
    }
}

/// Rows no longer than this are converted on the stack.
const STACK: usize = 32;

/// One Integer field for every row.
#[derive(Debug, Clone)]
pub enum Ints {
    I8(Lists<i8>),
    I16(Lists<i16>),
    I32(Lists<i32>),
}

impl Default for Ints {
    fn default() -> Self {
        Self::I8(Lists::default())
    }
}

/// Calls `f` with `row` as `i32`s.
fn widened<T: IntSlot, R>(row: &[T], f: impl FnOnce(&[i32]) -> R) -> R {
    if row.len() <= STACK {
        let mut buf = [0i32; STACK];
        for (d, &v) in buf.iter_mut().zip(row) {
            *d = v.to_i32();
        }
        f(&buf[..row.len()])
    } else {
        f(&row.iter().map(|&v| v.to_i32()).collect::<Vec<_>>())
    }
}

/// Pushes `values` into `lists` if every one fits `T`; false (nothing pushed) otherwise.
fn push_narrow<T: IntSlot>(lists: &mut Lists<T>, values: &[i32]) -> bool {
    if values.len() <= STACK {
        let mut buf = [T::MISSING; STACK];
        for (d, &v) in buf.iter_mut().zip(values) {
            match T::narrow(v) {
                Some(x) => *d = x,
                None => return false,
            }
        }
        lists.push(&buf[..values.len()]);
    } else {
        let Some(row) = values
            .iter()
            .map(|&v| T::narrow(v))
            .collect::<Option<Vec<T>>>()
        else {
            return false;
        };
        lists.push(&row);
    }
    true
}

impl Ints {
    pub fn len(&self) -> usize {
        match self {
            Self::I8(l) => l.len(),
            Self::I16(l) => l.len(),
            Self::I32(l) => l.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with the values of row `i` (empty when absent).
    #[inline]
    pub fn with<R>(&self, i: usize, f: impl FnOnce(&[i32]) -> R) -> R {
        match self {
            Self::I8(l) => widened(l.get(i), f),
            Self::I16(l) => widened(l.get(i), f),
            Self::I32(l) => f(l.get(i)),
        }
    }

    /// The values of row `i`, as a vector.
    pub fn to_vec(&self, i: usize) -> Vec<i32> {
        self.with(i, <[i32]>::to_vec)
    }

    /// The first value of row `i`, if the row is present.
    pub fn first(&self, i: usize) -> Option<i32> {
        match self {
            Self::I8(l) => l.get(i).first().map(|&v| v.to_i32()),
            Self::I16(l) => l.get(i).first().map(|&v| v.to_i32()),
            Self::I32(l) => l.get(i).first().copied(),
        }
    }

    /// Number of values in row `i` (0 when absent).
    pub fn count(&self, i: usize) -> usize {
        match self {
            Self::I8(l) => l.get(i).len(),
            Self::I16(l) => l.get(i).len(),
            Self::I32(l) => l.get(i).len(),
        }
    }

    pub fn fits(&self, n: usize) -> bool {
        match self {
            Self::I8(l) => l.fits(n),
            Self::I16(l) => l.fits(n),
            Self::I32(l) => l.fits(n),
        }
    }

    /// Appends one row (empty = absent), widening the column first if a value needs it.
    pub fn push(&mut self, values: &[i32]) {
        loop {
            let pushed = match self {
                Self::I8(l) => push_narrow(l, values),
                Self::I16(l) => push_narrow(l, values),
                Self::I32(l) => push_narrow(l, values),
            };
            if pushed {
                return;
            }
            self.widen();
        }
    }

    /// Appends `n` absent rows.
    pub fn push_empty(&mut self, n: usize) {
        match self {
            Self::I8(l) => l.push_empty(n),
            Self::I16(l) => l.push_empty(n),
            Self::I32(l) => l.push_empty(n),
        }
    }

    pub fn truncate(&mut self, rows: usize) {
        match self {
            Self::I8(l) => l.truncate(rows),
            Self::I16(l) => l.truncate(rows),
            Self::I32(l) => l.truncate(rows),
        }
    }

    pub fn shrink_to_fit(&mut self) {
        match self {
            Self::I8(l) => l.shrink_to_fit(),
            Self::I16(l) => l.shrink_to_fit(),
            Self::I32(l) => l.shrink_to_fit(),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        match self {
            Self::I8(l) => l.heap_bytes(),
            Self::I16(l) => l.heap_bytes(),
            Self::I32(l) => l.heap_bytes(),
        }
    }

    /// `i8 fixed(1)`, `i16 ragged`, …
    pub fn layout_name(&self) -> String {
        match self {
            Self::I8(l) => format!("i8 {}", l.layout_name()),
            Self::I16(l) => format!("i16 {}", l.layout_name()),
            Self::I32(l) => format!("i32 {}", l.layout_name()),
        }
    }

    /// The next wider type, every row converted.
    fn widen(&mut self) {
        *self = match self {
            Self::I8(l) => Self::I16(l.map(|v| i16::narrow(v.to_i32()).unwrap_or(i16::MISSING))),
            Self::I16(l) => Self::I32(l.map(IntSlot::to_i32)),
            Self::I32(_) => unreachable!("every i32 fits a 32-bit column"),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(c: &Ints) -> Vec<Vec<i32>> {
        (0..c.len()).map(|i| c.to_vec(i)).collect()
    }

    #[test]
    fn widens_to_the_values_and_keeps_missing_and_absent() {
        let mut c = Ints::default();
        let mut want: Vec<Vec<i32>> = Vec::new();
        let mut add = |c: &mut Ints, row: Vec<i32>| {
            c.push(&row);
            want.push(row);
        };
        for i in 0..2000 {
            add(&mut c, vec![i % 100]);
        }
        add(&mut c, vec![INT_MISSING]);
        add(&mut c, vec![]);
        add(&mut c, vec![-127, 127, i32::from(i8::MIN) + 1]);
        assert!(c.layout_name().starts_with("i8 "), "{}", c.layout_name());
        // -128 is i8's missing value: a real -128 needs 16 bits.
        add(&mut c, vec![-128]);
        assert!(c.layout_name().starts_with("i16 "));
        add(&mut c, vec![40_000, INT_MISSING]);
        assert!(c.layout_name().starts_with("i32 "));
        add(&mut c, vec![i32::MAX, INT_MISSING + 1]);
        c.shrink_to_fit();
        assert_eq!(rows(&c), want);
        assert_eq!(c.first(2001), None);
        assert_eq!(c.first(2000), Some(INT_MISSING));
        assert_eq!(c.count(2002), 3);
    }

    #[test]
    fn long_rows_convert_off_the_stack() {
        let mut c = Ints::default();
        let long: Vec<i32> = (0..100).collect();
        c.push(&long);
        c.push(&[1]);
        assert_eq!(c.to_vec(0), long);
        let big: Vec<i32> = (0..100).map(|v| v * 1000).collect();
        c.push(&big);
        assert_eq!(rows(&c), vec![long, vec![1], big]);
    }
}
