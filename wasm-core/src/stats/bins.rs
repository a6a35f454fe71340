//! The two binnings `bcftools stats` uses besides allele frequency: QUAL in tenths, exact up to
//! QUAL 9999.9 and logarithmic above (bcftools' `dist_t` with five exact decades), and depth
//! from 0 to 500 by 1 with one bin below and one above (`idist_t`, `-d 0,500,1`).
//!
//! Where it sits: [`super::bcftools`] bins each record's QUAL and depths here; [`super::text`]
//! prints the bins' labels.

use std::collections::BTreeMap;

/// Values up to this are their own bin (bcftools' `dist_init(5)`: 10^5).
const EXACT: u32 = 100_000;
/// Bins per decade above [`EXACT`] (10^5 − 10^4).
const PER_LEVEL: u32 = 90_000;

/// bcftools' QUAL value: QUAL × 10 (in `f32`, as bcftools multiplies a `float`), truncated,
/// plus one; a missing, NaN or negative QUAL is 0 (the `.` bin).
pub fn qual_value(qual_bits: u32) -> u32 {
    let q = f32::from_bits(qual_bits);
    if q.is_nan() || q < 0.0 {
        return 0;
    }
    // `as` saturates where C's conversion would overflow (QUAL past 2^31 / 10).
    ((q * 10.0) as i32).saturating_add(1) as u32
}

/// The bin of a QUAL value ([`qual_value`]): the value itself up to 10^5, then 90,000 bins per
/// decade, each `10^(decade − 4)` wide.
pub fn qual_bin(value: u32) -> u32 {
    if value <= EXACT {
        return value;
    }
    let decade = value.ilog10();
    let level = decade - 4;
    let step = 10u32.pow(level);
    EXACT + PER_LEVEL * (level - 1) + (value - 10u32.pow(decade)) / step
}

/// The first value of bin `bin` (bcftools' `dist_get` `beg`).
pub fn qual_bin_start(bin: u32) -> u32 {
    if bin < EXACT {
        return bin;
    }
    let level = (bin - EXACT) / PER_LEVEL + 1;
    let within = bin - EXACT - PER_LEVEL * (level - 1);
    let step = 10u64.pow(level);
    let start = 10u64.pow(level + 4) + step * u64::from(within);
    u32::try_from(start).unwrap_or(u32::MAX)
}

/// The QUAL a bin stands for, as bcftools prints it: `None` for the first bin (`.`), else
/// `0.1 × (start − 1)` rounded to `f32`.
pub fn qual_label(bin: u32) -> Option<f32> {
    let start = qual_bin_start(bin);
    (start > 0).then(|| (0.1 * f64::from(start - 1)) as f32)
}

/// Counts per QUAL bin: a dense array for the exact range, a map above.
#[derive(Debug, Clone, Default)]
pub struct QualCounts<const N: usize> {
    exact: Vec<[u64; N]>,
    above: BTreeMap<u32, [u64; N]>,
}

impl<const N: usize> QualCounts<N> {
    /// Adds one to counter `k` of the bin of `value`.
    #[inline]
    pub fn add(&mut self, value: u32, k: usize) {
        let bin = qual_bin(value);
        if bin < EXACT {
            let b = bin as usize;
            if b >= self.exact.len() {
                self.exact.resize(b + 1, [0; N]);
            }
            self.exact[b][k] += 1;
        } else {
            self.above.entry(bin).or_insert([0; N])[k] += 1;
        }
    }

    /// Every bin with a count, in order.
    pub fn bins(&self) -> impl Iterator<Item = (u32, [u64; N])> + '_ {
        let exact = self.exact.iter().enumerate().map(|(b, c)| (b as u32, *c));
        exact
            .chain(self.above.iter().map(|(&b, &c)| (b, c)))
            .filter(|(_, c)| c.iter().any(|&n| n > 0))
    }
}

/// Depth bins: `<0`, then 0 to 500 one each, then `>500` (bcftools' default `-d 0,500,1`).
pub const DEPTH_MAX: i64 = 500;
/// Number of depth bins (bcftools allocates one more than it uses, which never prints).
pub const DEPTH_BINS: usize = 504;

/// The bin of a depth.
#[inline]
pub fn depth_bin(depth: i64) -> usize {
    if depth < 0 {
        0
    } else if depth > DEPTH_MAX {
        DEPTH_BINS - 1
    } else {
        1 + depth as usize
    }
}

/// A depth bin's label: below the range, a depth, or above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DepthKey {
    /// Depths below 0 (a missing INFO/DP counts here, as in bcftools).
    Below,
    Exact(u32),
    /// Depths above 500.
    Above,
}

/// The label of bin `bin`.
pub fn depth_key(bin: usize) -> DepthKey {
    match bin {
        0 => DepthKey::Below,
        b if b + 1 == DEPTH_BINS => DepthKey::Above,
        b => DepthKey::Exact((b - 1) as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qual_bins_are_exact_then_logarithmic() {
        let bits = |q: f32| q.to_bits();
        assert_eq!(qual_value(crate::store::FLOAT_MISSING), 0);
        assert_eq!(qual_value(bits(-1.0)), 0);
        assert_eq!(qual_value(bits(0.0)), 1);
        assert_eq!(qual_value(bits(29.5)), 296);
        assert_eq!(qual_label(qual_bin(296)), Some(29.5));
        assert_eq!(qual_label(0), None);
        assert_eq!(qual_bin(100_000), 100_000);
        assert_eq!(qual_bin(100_001), 100_000);
        assert_eq!(qual_bin(100_010), 100_001);
        assert_eq!(qual_bin(1_000_000), 190_000);
        assert_eq!(qual_bin_start(100_001), 100_010);
        assert_eq!(qual_bin_start(190_000), 1_000_000);
        assert_eq!(qual_bin_start(190_001), 1_000_100);
        for v in [
            100_001u32,
            123_456,
            999_999,
            1_000_000,
            54_321_987,
            u32::MAX / 2,
        ] {
            let b = qual_bin(v);
            assert!(qual_bin_start(b) <= v && v < qual_bin_start(b + 1), "{v}");
        }
    }

    #[test]
    fn qual_counts_skip_empty_bins() {
        let mut q = QualCounts::<2>::default();
        q.add(5, 0);
        q.add(5, 1);
        q.add(2_000_000, 0);
        let bins: Vec<_> = q.bins().collect();
        assert_eq!(bins, vec![(5, [1, 1]), (qual_bin(2_000_000), [1, 0])]);
    }

    #[test]
    fn depth_bins_cover_below_and_above() {
        assert_eq!(depth_bin(-5), 0);
        assert_eq!(depth_bin(i64::from(i32::MIN)), 0);
        assert_eq!(depth_bin(0), 1);
        assert_eq!(depth_bin(500), 501);
        assert_eq!(depth_bin(501), 503);
        assert_eq!(depth_key(0), DepthKey::Below);
        assert_eq!(depth_key(1), DepthKey::Exact(0));
        assert_eq!(depth_key(501), DepthKey::Exact(500));
        assert_eq!(depth_key(503), DepthKey::Above);
    }
}
