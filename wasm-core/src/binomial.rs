//! The two-sided binomial test at p = 1/2 that bcftools applies to allele depths: the filter's
//! `binom()` (`filter.c`, `calc_binom`) and `query`'s `%PBINOM` (`convert.c`). One
//! implementation, summed in log space so deep coverage does not underflow.

/// ln of the probability of a split at least as uneven as `a : b` among `a + b` draws at
/// p = 1/2: `2 · P(X ≥ max(a, b))` for `X ~ Bin(a + b, 1/2)`, capped at 1 (so ≤ 0). `0` for
/// `0 : 0`; callers decide what no reads mean.
pub fn ln_two_sided(a: u64, b: u64) -> f64 {
    let n = a + b;
    let m = a.max(b);
    // ln C(n, m) = Σ_{j=1}^{n-m} ln((m + j) / j)
    let ln_c: f64 = (1..=n - m).map(|j| ((m + j) as f64 / j as f64).ln()).sum();
    let ln_first = ln_c - n as f64 * std::f64::consts::LN_2;
    // Σ_{k=m}^{n} C(n,k) / C(n,m): successive ratios (n-k)/(k+1) < 1.
    let (mut term, mut series) = (1.0f64, 1.0f64);
    for k in m..n {
        term *= (n - k) as f64 / (k + 1) as f64;
        series += term;
        if term < 1e-17 * series {
            break;
        }
    }
    (std::f64::consts::LN_2 + ln_first + series.ln()).min(0.0)
}

/// The probability for counts held as numbers, as bcftools' `calc_binom(int, int)` takes
/// them (truncated toward zero): missing (NaN) when a count is missing or both are zero.
pub fn two_sided(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    // `as` truncates toward zero and saturates negatives at 0, like a C cast of a count.
    let (a, b) = (a as u64, b as u64);
    if a == 0 && b == 0 {
        return f64::NAN;
    }
    ln_two_sided(a, b).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_of_uneven_splits() {
        assert_eq!(two_sided(5.0, 5.0), 1.0);
        // P(X <= 0 or X >= 10 | n = 10) = 2/1024
        assert!((two_sided(0.0, 10.0) - 2.0 / 1024.0).abs() < 1e-15);
        assert!((two_sided(10.0, 0.0) - 2.0 / 1024.0).abs() < 1e-15);
        // 2 · (1 + 3) / 8 = 1 for 1:2, and 2 · (1 + 4) / 16 = 0.625 for 1:3.
        assert_eq!(two_sided(1.0, 2.0), 1.0);
        assert!((two_sided(1.0, 3.0) - 0.625).abs() < 1e-15);
        // Counts are truncated like C's (double → int).
        assert_eq!(two_sided(1.9, 3.2), two_sided(1.0, 3.0));
        assert!(two_sided(0.0, 0.0).is_nan());
        assert!(two_sided(f64::NAN, 3.0).is_nan());
    }

    #[test]
    fn deep_coverage_does_not_underflow() {
        // 0 : 2000 is 2^-1999: below f64's range, but its log is exact.
        let ln = ln_two_sided(0, 2000);
        assert!(
            (ln - (-1999.0 * std::f64::consts::LN_2)).abs() < 1e-9,
            "{ln}"
        );
        // Phred of 0:119 as bcftools' %PBINOM prints it (query.65.out): 355.215.
        let phred = -10.0 / std::f64::consts::LN_10 * ln_two_sided(0, 119);
        assert!((phred - 355.215).abs() < 1e-3, "{phred}");
        assert_eq!(ln_two_sided(0, 0), 0.0);
    }
}
