//! Format sniffing by magic bytes, never by file name: the outer [`Container`], then the
//! [`Payload`] inside it, or [`NotVariant`] naming what the file is instead.

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

/// What the decompressed payload is, or what the file is instead.
pub fn payload(head: &[u8]) -> Result<Payload, NotVariant> {
    if head.starts_with(b"BCF\x02") {
        return Ok(Payload::Bcf);
    }
    if head.starts_with(b"##fileformat=VCF") {
        return Ok(Payload::Vcf);
    }
    Err(NotVariant::of(head))
}

/// A file that is not VCF or BCF, named by what its first bytes show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotVariant {
    #[error("this is {0}, not a VCF or BCF file")]
    Other(OtherFormat),
    #[error("the file is empty")]
    Empty,
    /// Header lines without the `##fileformat` line that must come first (VCF 4.3 §1.4).
    #[error("the VCF header must start with a ##fileformat=VCFv4.x line")]
    NoFileFormat,
    /// Something else: its first bytes, printable ones as they are and others as `.`.
    #[error("not a VCF or BCF file: it starts with \"{0}\", not ##fileformat=VCF")]
    Unknown(String),
}

/// A format recognised by its magic bytes that the engine does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherFormat {
    Bam,
    Cram,
    /// BCF version 1 (BCF 2.2 §6.1: only `BCF\2` files are read).
    Bcf1,
    Sam,
    Gff,
    Pdf,
    Zip,
    Png,
}

impl OtherFormat {
    const MAGIC: [(&'static [u8], OtherFormat); 8] = [
        (b"BAM\x01", Self::Bam),
        (b"CRAM", Self::Cram),
        (b"BCF\x01", Self::Bcf1),
        (b"@HD", Self::Sam),
        (b"##gff", Self::Gff),
        (b"%PDF", Self::Pdf),
        (b"PK\x03\x04", Self::Zip),
        (b"\x89PNG", Self::Png),
    ];
}

impl std::fmt::Display for OtherFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Bam => "a BAM alignment file",
            Self::Cram => "a CRAM alignment file",
            Self::Bcf1 => "a BCF version 1 file (only BCF 2 is supported)",
            Self::Sam => "a SAM alignment file",
            Self::Gff => "a GFF annotation file",
            Self::Pdf => "a PDF document",
            Self::Zip => "a ZIP archive",
            Self::Png => "a PNG image",
        })
    }
}

impl NotVariant {
    /// What a file that is not VCF / BCF looks like, from its first bytes.
    fn of(head: &[u8]) -> Self {
        if let Some((_, format)) = OtherFormat::MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
            return Self::Other(*format);
        }
        if head.is_empty() {
            return Self::Empty;
        }
        if head.starts_with(b"#CHROM") || head.starts_with(b"##") {
            return Self::NoFileFormat;
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
        Self::Unknown(shown)
    }
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
        assert_eq!(
            payload(b"BAM\x01"),
            Err(NotVariant::Other(OtherFormat::Bam))
        );
        assert_eq!(
            payload(b"BCF\x01\x00"),
            Err(NotVariant::Other(OtherFormat::Bcf1))
        );
        assert_eq!(payload(b""), Err(NotVariant::Empty));
        assert_eq!(payload(b"#CHROM\tPOS"), Err(NotVariant::NoFileFormat));
        assert_eq!(
            payload(b"Dear colleague,\n\x01please"),
            Err(NotVariant::Unknown("Dear colleague,.".into()))
        );
    }

    #[test]
    fn names_what_the_file_is() {
        assert_eq!(
            NotVariant::Other(OtherFormat::Bam).to_string(),
            "this is a BAM alignment file, not a VCF or BCF file"
        );
        assert_eq!(
            NotVariant::Unknown("Dear".into()).to_string(),
            "not a VCF or BCF file: it starts with \"Dear\", not ##fileformat=VCF"
        );
    }
}
