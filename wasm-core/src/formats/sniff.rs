//! Format sniffing by magic bytes, never by file name.

/// The container of a file (outermost layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Compression {
    None,
    /// Ordinary gzip: readable, not indexable.
    Gzip,
    /// Blocked gzip (SAM/BAM spec §4.1): gzip members with a `BC` extra subfield.
    Bgzf,
}

/// What the decompressed bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Payload {
    Vcf,
    Bcf,
}

/// Result of sniffing the first bytes of the raw file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Plain,
    Gzip,
    Bgzf,
    Crypt4gh,
}

/// Sniffs the outer container from the first bytes (at least 18 are needed for BGZF).
pub fn container(head: &[u8]) -> Container {
    // crypt4gh §3.2: magic "crypt4gh".
    if head.starts_with(crate::crypt4gh::MAGIC) {
        return Container::Crypt4gh;
    }
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        return if is_bgzf_header(head) {
            Container::Bgzf
        } else {
            Container::Gzip
        };
    }
    Container::Plain
}

/// SAM/BAM spec §4.1: FLG.FEXTRA set and an extra subfield `BC` of length 2.
fn is_bgzf_header(h: &[u8]) -> bool {
    if h.len() < 18 || h[2] != 8 || h[3] & 4 == 0 {
        return false;
    }
    let xlen = usize::from(u16::from_le_bytes([h[10], h[11]]));
    let extra = &h[12..(12 + xlen).min(h.len())];
    let mut k = 0;
    while k + 4 <= extra.len() {
        let (si1, si2) = (extra[k], extra[k + 1]);
        let slen = usize::from(u16::from_le_bytes([extra[k + 2], extra[k + 3]]));
        if si1 == b'B' && si2 == b'C' && slen == 2 {
            return true;
        }
        k += 4 + slen;
    }
    false
}

/// What the decompressed payload is, or a description of what it is instead.
pub fn payload(head: &[u8]) -> Result<Payload, String> {
    if head.starts_with(b"BCF\x02") {
        return Ok(Payload::Bcf);
    }
    if head.starts_with(b"##fileformat=VCF") {
        return Ok(Payload::Vcf);
    }
    Err(describe(head))
}

/// Names what a file that is not VCF/BCF looks like, for the error message.
fn describe(head: &[u8]) -> String {
    let known: &[(&[u8], &str)] = &[
        (b"BAM\x01", "a BAM alignment file"),
        (b"CRAM", "a CRAM alignment file"),
        (b"BCF\x01", "a BCF version 1 file (only BCF 2 is supported)"),
        (b"@HD", "a SAM alignment file"),
        (b"##gff", "a GFF annotation file"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x89PNG", "a PNG image"),
    ];
    for (magic, what) in known {
        if head.starts_with(magic) {
            return format!("this is {what}, not a VCF or BCF file");
        }
    }
    if head.is_empty() {
        return "the file is empty".to_string();
    }
    if head.starts_with(b"#CHROM") || head.starts_with(b"##") {
        return "the VCF header must start with a ##fileformat=VCFv4.x line".to_string();
    }
    let shown: String = head
        .iter()
        .take(16)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    format!("not a VCF or BCF file: it starts with \"{shown}\", not ##fileformat=VCF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_containers() {
        assert_eq!(container(b"crypt4gh\x01\0\0\0"), Container::Crypt4gh);
        assert_eq!(container(b"##fileformat=VCFv4.2"), Container::Plain);
        let plain_gz = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(container(&plain_gz), Container::Gzip);
        let bgzf = [
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0, 0x1b, 0,
        ];
        assert_eq!(container(&bgzf), Container::Bgzf);
    }

    #[test]
    fn sniffs_payloads() {
        assert_eq!(payload(b"BCF\x02\x02"), Ok(Payload::Bcf));
        assert_eq!(payload(b"##fileformat=VCFv4.3\n"), Ok(Payload::Vcf));
        assert!(payload(b"BAM\x01").unwrap_err().contains("BAM"));
        assert!(payload(b"").unwrap_err().contains("empty"));
        assert!(
            payload(b"#CHROM\tPOS")
                .unwrap_err()
                .contains("##fileformat")
        );
    }
}
