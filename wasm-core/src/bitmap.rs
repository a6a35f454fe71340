//! A fixed-length bit set, one bit per record: the result of a filter, a region or a gene list.
//!
//! 5 million records fit in 625 KB; combining two bitmaps is a pass over 78 K words, which is
//! what keeps re-filtering a loaded genome within milliseconds.

/// Bit `j` is `f(chunk[j])`, for up to 64 values.
///
/// A full chunk is judged in groups of eight with constant shifts, which the compiler unrolls
/// (a shift by a variable amount per value costs several times as much).
#[inline(always)]
pub fn word<T: Copy>(chunk: &[T], f: impl Fn(T) -> bool) -> u64 {
    match <&[T; 64]>::try_from(chunk) {
        Ok(full) => {
            let mut w = 0;
            for (g, eight) in full.chunks_exact(8).enumerate() {
                let mut b = 0u64;
                for (j, &v) in eight.iter().enumerate() {
                    b |= u64::from(f(v)) << j;
                }
                w |= b << (8 * g);
            }
            w
        }
        Err(_) => chunk
            .iter()
            .enumerate()
            .fold(0, |w, (j, &v)| w | u64::from(f(v)) << j),
    }
}

/// One bit per record, `len` bits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// `len` bits, all clear.
    pub fn zeros(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// `len` bits, all set.
    pub fn ones(len: usize) -> Self {
        let mut b = Self {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    /// Builds a bitmap from a predicate over `0..len`.
    pub fn from_fn(len: usize, mut f: impl FnMut(usize) -> bool) -> Self {
        let mut words = Vec::with_capacity(len.div_ceil(64));
        let mut base = 0;
        while base < len {
            let end = (base + 64).min(len);
            let mut w = 0u64;
            for i in base..end {
                w |= u64::from(f(i)) << (i - base);
            }
            words.push(w);
            base = end;
        }
        Self { words, len }
    }

    /// Bit `i` is `f(values[i])`: one pass over a column's slice, 64 values to a word, no
    /// branch per value (the filter kernels' inner loop).
    #[inline]
    pub fn from_slice<T: Copy>(values: &[T], f: impl Fn(T) -> bool) -> Self {
        Self::from_chunks(values, |_, chunk| word(chunk, &f))
    }

    /// Bit `64 k + j` is bit `j` of `f(k, chunk_k)`, where `chunk_k` is the k-th run of 64 values
    /// (the last may be shorter; bits past its length must be clear).
    #[inline]
    pub fn from_chunks<T: Copy>(values: &[T], mut f: impl FnMut(usize, &[T]) -> u64) -> Self {
        let words = values
            .chunks(64)
            .enumerate()
            .map(|(k, chunk)| f(k, chunk))
            .collect();
        let b = Self {
            words,
            len: values.len(),
        };
        debug_assert!(
            b.len.is_multiple_of(64) || b.words.last().is_none_or(|w| w >> (b.len % 64) == 0)
        );
        b
    }

    /// `len` bits from their words (bit `j` of word `k` is bit `64 k + j`); bits past `len`
    /// are cleared.
    pub fn from_words(words: Vec<u64>, len: usize) -> Self {
        debug_assert_eq!(words.len(), len.div_ceil(64));
        let mut b = Self { words, len };
        b.clear_tail();
        b
    }

    /// The words: bit `j` of word `k` is bit `64 k + j`; bits past [`Bitmap::len`] are clear.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    pub fn set(&mut self, i: usize, bit: bool) {
        let mask = 1u64 << (i % 64);
        if bit {
            self.words[i / 64] |= mask;
        } else {
            self.words[i / 64] &= !mask;
        }
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// `self &= other`.
    pub fn and_with(&mut self, other: &Bitmap) {
        debug_assert_eq!(self.len, other.len);
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// `self |= other`.
    pub fn or_with(&mut self, other: &Bitmap) {
        debug_assert_eq!(self.len, other.len);
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Flips every bit.
    pub fn invert(&mut self) {
        for w in &mut self.words {
            *w = !*w;
        }
        self.clear_tail();
    }

    /// Clears each set bit `i` for which `keep(i)` is false, visiting set bits in ascending
    /// order (a cheap first pass narrows, an exact test refines).
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        for (k, word) in self.words.iter_mut().enumerate() {
            let mut rest = *word;
            while rest != 0 {
                let j = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if !keep(k * 64 + j) {
                    *word &= !(1 << j);
                }
            }
        }
    }

    /// Indices of set bits, ascending.
    pub fn iter_ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(k, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(k * 64 + t)
            })
        })
    }

    /// Bytes held, for the memory budget.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    fn clear_tail(&mut self) {
        let r = self.len % 64;
        if r != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << r) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_logic_and_iteration() {
        let a = Bitmap::from_fn(130, |i| i % 3 == 0);
        let b = Bitmap::from_fn(130, |i| i % 2 == 0);
        let mut c = a.clone();
        c.and_with(&b);
        assert_eq!(
            c.iter_ones().collect::<Vec<_>>(),
            (0..130).filter(|i| i % 6 == 0).collect::<Vec<_>>()
        );
        let mut d = a.clone();
        d.invert();
        assert_eq!(d.count_ones() + a.count_ones(), 130);
        assert_eq!(Bitmap::ones(130).count_ones(), 130);
        let mut e = Bitmap::zeros(70);
        e.set(69, true);
        assert!(e.get(69) && !e.get(68));
        e.or_with(&Bitmap::ones(70));
        assert_eq!(e.count_ones(), 70);
    }

    #[test]
    fn slice_scans_and_retain_equal_the_predicate() {
        for len in [0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 1000] {
            let values: Vec<u16> = (0..len).map(|i| (i * 7919 % 31) as u16).collect();
            let odd = |v: u16| v % 2 == 1;
            let scanned = Bitmap::from_slice(&values, odd);
            assert_eq!(scanned, Bitmap::from_fn(len, |i| odd(values[i])), "{len}");
            // Bits past the length stay clear, so counts and inversions hold.
            assert_eq!(
                scanned.count_ones(),
                values.iter().filter(|&&v| odd(v)).count() as u64
            );
            let mut narrowed = scanned.clone();
            let mut visited = Vec::new();
            narrowed.retain(|i| {
                visited.push(i);
                i % 3 == 0
            });
            assert_eq!(visited, scanned.iter_ones().collect::<Vec<_>>(), "{len}");
            assert_eq!(
                narrowed,
                Bitmap::from_fn(len, |i| odd(values[i]) && i % 3 == 0),
                "{len}"
            );
        }
    }
}
