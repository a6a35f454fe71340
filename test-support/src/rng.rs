//! [`SplitMix64`]: the one deterministic generator of the project's tests and of `bench`'s
//! generated genomes, so a failing case is reproduced by its seed and no test needs a crate for
//! randomness.
//!
//! The generator is Steele, Lea and Flood's SplitMix64 ("Fast splittable pseudorandom number
//! generators", OOPSLA 2014) with Vigna's constants, the reference `splitmix64.c`: the same
//! seed gives the same sequence natively and in wasm32, and every helper here draws in a fixed
//! order, so a test's cases depend only on its seed.

/// SplitMix64: the state is one `u64`, advanced by the golden-ratio increment and mixed on the
/// way out. `SplitMix64(seed)` starts a sequence; any seed (0 included) is fine.
///
/// ```
/// use enclave_test_support::rng::SplitMix64;
///
/// let mut rng = SplitMix64(0);
/// assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
/// assert!(rng.below(10) < 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    // An endless generator, not an `Iterator`: `Option` would only add unwraps at every call.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`next() % n`, whose bias is below 2⁻⁴⁰ for the small `n` of tests);
    /// 0 for an empty range, without drawing.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// A size in `1..=max` (`max > 0`).
    pub fn size(&mut self, max: u64) -> usize {
        (self.below(max) + 1) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        assert!(!items.is_empty(), "pick from an empty slice");
        &items[self.below(items.len() as u64) as usize]
    }

    /// Shuffles `items` in place (Fisher–Yates, from the last element down).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// `len` random bytes: the low byte of one draw each.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_outputs_are_the_reference_sequence() {
        // splitmix64.c (Vigna) from seed 0, and from seed 1234567 as other ports print it.
        let mut rng = SplitMix64(0);
        assert_eq!(
            [rng.next(), rng.next(), rng.next()],
            [
                0xe220_a839_7b1d_cdaf,
                0x6e78_9e6a_a1b9_65f4,
                0x06c4_5d18_8009_454f
            ]
        );
        let mut rng = SplitMix64(1_234_567);
        assert_eq!(
            [rng.next(), rng.next(), rng.next()],
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn helpers_draw_in_range_and_in_a_fixed_order() {
        let mut rng = SplitMix64(42);
        for n in 1..200 {
            assert!(rng.below(n) < n);
            assert!((1..=n as usize).contains(&rng.size(n)));
        }
        // An empty range draws nothing: the sequence goes on as if the call had not been made.
        let (mut a, mut b) = (SplitMix64(7), SplitMix64(7));
        assert_eq!(a.below(0), 0);
        assert_eq!(a.next(), b.next());
        // `below` is the draw modulo n, as the seeded tests' cases were generated with.
        let (mut a, mut b) = (SplitMix64(9), SplitMix64(9));
        assert_eq!(a.below(1000), b.next() % 1000);
        assert_eq!(a.bytes(3), [b.next() as u8, b.next() as u8, b.next() as u8]);
    }

    #[test]
    fn chance_pick_and_shuffle() {
        let mut rng = SplitMix64(3);
        assert!((0..1000).all(|_| !rng.chance(0) && rng.chance(100)));
        let hits = (0..10_000).filter(|_| rng.chance(30)).count();
        assert!((2_700..3_300).contains(&hits), "{hits} of 10,000 at 30 %");
        let items = [1, 2, 3];
        let mut seen = [false; 3];
        for _ in 0..100 {
            seen[*rng.pick(&items) as usize - 1] = true;
        }
        assert_eq!(seen, [true; 3]);
        let mut deck: Vec<u32> = (0..50).collect();
        rng.shuffle(&mut deck);
        assert_ne!(deck, (0..50).collect::<Vec<_>>());
        deck.sort_unstable();
        assert_eq!(deck, (0..50).collect::<Vec<_>>());
    }
}
