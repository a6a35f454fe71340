//! The ID column's two forms: dbSNP's `rs<n>` IDs as numbers (`rs_number`), every other ID
//! as text, and [`IdText`], which gives either back as bytes without allocating.

/// The number of an `rs` ID as dbSNP writes it (`rs` and 1–10 digits without a leading zero,
/// below 2^32), which the store keeps as a number.
pub(super) fn rs_number(id: &[u8]) -> Option<u32> {
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
    pub(super) fn rs(n: u32) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(&*IdText::Text(b"esv3647175"), b"esv3647175");
    }
}
