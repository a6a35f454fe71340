//! Packed genotypes: one `u32` per record × sample cell.
//!
//! Layout (VCF 4.3 §1.6.2 GT): bits 0–15 hold the first allele + 1 (0 = missing `.`), bits 16–30
//! the second allele + 1 (0 = missing, [`NO_SECOND`] = haploid), bit 31 the phase of the second
//! allele. Genotypes that do not fit (ploidy > 2, allele ≥ 65 534) are marked [`OVERFLOW`] and
//! kept as text in a side table, which real files almost never need.

/// No GT for this cell (FORMAT lacks GT, or the sample's value is absent).
pub const ABSENT: u32 = u32::MAX;
/// The cell's genotype lives in the overflow table.
pub const OVERFLOW: u32 = 0x0000_FFFF;
/// Second-allele value meaning "haploid".
pub const NO_SECOND: u32 = 0x7FFF;

/// One allele call: `None` is a missing allele (`.`).
pub type Allele = Option<u32>;

/// Packs a genotype, or returns `None` when it needs the overflow table.
///
/// `phased` is the separator before each allele after the first (`|` = true).
pub fn pack(alleles: &[Allele], phased: bool) -> Option<u32> {
    let enc = |a: Allele| -> Option<u32> {
        match a {
            None => Some(0),
            Some(v) if v < 0x7FFE => Some(v + 1),
            Some(_) => None,
        }
    };
    match alleles {
        [] => Some(ABSENT),
        [a] => Some(enc(*a)? | (NO_SECOND << 16)),
        [a, b] => Some(enc(*a)? | (enc(*b)? << 16) | (u32::from(phased) << 31)),
        _ => None,
    }
}

/// Unpacks a packed genotype into its alleles (`None` = missing), ploidy and phase.
pub fn unpack(packed: u32) -> Option<([Allele; 2], usize, bool)> {
    if packed == ABSENT || packed == OVERFLOW {
        return None;
    }
    let dec = |v: u32| if v == 0 { None } else { Some(v - 1) };
    let a = dec(packed & 0xFFFF);
    let b_raw = (packed >> 16) & 0x7FFF;
    let phased = packed >> 31 == 1;
    if b_raw == NO_SECOND {
        Some(([a, None], 1, false))
    } else {
        Some(([a, dec(b_raw)], 2, phased))
    }
}

/// Renders a packed genotype as VCF text (`0/1`, `1|0`, `./.`, `1`); `.` when absent.
pub fn format(packed: u32) -> String {
    match unpack(packed) {
        None => ".".to_string(),
        Some((alleles, ploidy, phased)) => {
            let a = |x: Allele| x.map_or(".".to_string(), |v| v.to_string());
            if ploidy == 1 {
                a(alleles[0])
            } else {
                format!(
                    "{}{}{}",
                    a(alleles[0]),
                    if phased { '|' } else { '/' },
                    a(alleles[1])
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for (alleles, phased, text) in [
            (vec![Some(0), Some(1)], false, "0/1"),
            (vec![Some(1), Some(0)], true, "1|0"),
            (vec![None, None], false, "./."),
            (vec![Some(2)], false, "2"),
            (vec![None], false, "."),
            (vec![Some(0), None], true, "0|."),
        ] {
            let p = pack(&alleles, phased).unwrap();
            assert_eq!(format(p), text);
        }
    }

    #[test]
    fn overflow_cases() {
        assert_eq!(pack(&[Some(0), Some(1), Some(1)], false), None);
        assert_eq!(pack(&[Some(70000)], false), None);
        assert_eq!(format(ABSENT), ".");
    }
}
