//! BCF 2.2 records: noodles reads the record framing and the fixed site fields; the typed INFO
//! and FORMAT values (BCF 2.2 §6.3) are decoded here, straight into the columnar store.
//!
//! noodles' lazy value accessors `todo!()`/`panic!()` on some encodings that real or damaged
//! files contain (16-bit genotypes, `Number=0` FORMAT fields, undeclared keys); malformed
//! input must be an error, never a panic, so this module reads the bytes itself.

use std::io::{self, Read};

use noodles::vcf::{
    self,
    variant::record::{AlternateBases, Filters, ReferenceBases},
};

use super::bgzf::read_full;
use super::vcf_text::MAX_LINE_BYTES;
use super::warnings::Warnings;
use crate::store::{FLOAT_MISSING, INT_MISSING, StoreError, ValueType, VariantStore};

/// Why a BCF record could not be read; ingest adds the record number
/// ([`super::IngestError::Record`]).
#[derive(Debug, thiserror::Error)]
pub enum BcfError {
    /// noodles could not read the record's framing or a fixed field (CHROM, POS, REF, ALT,
    /// QUAL, FILTER).
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A typed value's bytes go past the end of the record's INFO or FORMAT data.
    #[error("a typed value runs past the end of the record ({wanted} bytes wanted)")]
    PastEnd { wanted: usize },
    /// BCF 2.2 §6.3.3: the low 4 bits of a type descriptor are one of 0, 1, 2, 3, 5, 7.
    #[error("unknown BCF value type {0}")]
    UnknownType(u8),
    #[error("invalid vector length {0}")]
    VectorLength(i64),
    #[error("vector too long")]
    VectorTooLong,
    #[error("expected a single typed integer")]
    NotSingleInteger,
    #[error("expected an integer key")]
    NotIntegerKey,
    #[error("integer field stored as non-integer")]
    NotInteger,
    /// BCF 2.2 §6.2.1: INFO and FORMAT keys are indices into the header's string dictionary.
    #[error("key {0} is not in the header's dictionary of strings")]
    UnknownKey(i64),
    #[error("INFO/{0} is a String but is not stored as characters")]
    NotCharacters(String),
    /// BCF 2.2 §6.3.1: `l_shared` + `l_indiv` past [`MAX_RECORD_BYTES`], refused before any
    /// buffer is sized from them ([`read_record`]).
    #[error(
        "the record claims {} bytes ({l_shared} of site data and {l_indiv} of samples), more than the {} MiB a record may hold; the file is damaged",
        u64::from(*.l_shared) + u64::from(*.l_indiv),
        MAX_RECORD_BYTES >> 20
    )]
    TooLong { l_shared: u32, l_indiv: u32 },
}

impl BcfError {
    /// The typed error a reader put inside an `io::Error` ([`read_record`]), or the `io::Error`
    /// itself (noodles' own, for a record it cannot frame).
    pub fn from_io(e: io::Error) -> Self {
        if !e.get_ref().is_some_and(|inner| inner.is::<BcfError>()) {
            return BcfError::Io(e);
        }
        let kind = e.kind();
        match e.into_inner().map(|inner| inner.downcast::<BcfError>()) {
            Some(Ok(typed)) => *typed,
            // Checked above; kept an error all the same.
            Some(Err(inner)) => BcfError::Io(io::Error::new(kind, inner)),
            None => BcfError::Io(io::Error::from(kind)),
        }
    }
}

/// BCF 2.2 §6.3.3 sentinels per integer width: (missing, end of vector).
const INT8: (i32, i32) = (-128, -127);
const INT16: (i32, i32) = (-32768, -32767);
const INT32: (i32, i32) = (i32::MIN, i32::MIN + 1);
const FLOAT_EOV: u32 = 0x7F80_0002;

/// A typed value's storage (BCF 2.2 §6.3.3 type descriptor).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Storage {
    Missing,
    Int8,
    Int16,
    Int32,
    Float,
    Char,
}

impl Storage {
    fn size(self) -> usize {
        match self {
            Self::Missing => 0,
            Self::Int8 | Self::Char => 1,
            Self::Int16 => 2,
            Self::Int32 | Self::Float => 4,
        }
    }
}

struct Bytes<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BcfError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(BcfError::PastEnd { wanted: n })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn descriptor(&mut self) -> Result<(Storage, usize), BcfError> {
        let b = self.take(1)?[0];
        let storage = match b & 0x0F {
            0 => Storage::Missing,
            1 => Storage::Int8,
            2 => Storage::Int16,
            3 => Storage::Int32,
            5 => Storage::Float,
            7 => Storage::Char,
            t => return Err(BcfError::UnknownType(t)),
        };
        let mut len = usize::from(b >> 4);
        if len == 15 {
            let n = self.typed_int()?;
            len = usize::try_from(n).map_err(|_| BcfError::VectorLength(n))?;
        }
        Ok((storage, len))
    }

    /// A typed single integer (keys, lengths).
    fn typed_int(&mut self) -> Result<i64, BcfError> {
        let (storage, len) = self.descriptor()?;
        if len != 1 {
            return Err(BcfError::NotSingleInteger);
        }
        let v = self.take(storage.size())?;
        Ok(match storage {
            Storage::Int8 => i64::from(v[0] as i8),
            Storage::Int16 => i64::from(i16::from_le_bytes([v[0], v[1]])),
            Storage::Int32 => i64::from(i32::from_le_bytes([v[0], v[1], v[2], v[3]])),
            _ => return Err(BcfError::NotIntegerKey),
        })
    }
}

/// Decodes `n` values of `storage` into ints (missing → [`INT_MISSING`], stops at end of vector).
fn ints(storage: Storage, raw: &[u8], out: &mut Vec<i32>) -> Result<(), BcfError> {
    out.clear();
    let (missing, eov, width) = match storage {
        Storage::Int8 => (INT8.0, INT8.1, 1),
        Storage::Int16 => (INT16.0, INT16.1, 2),
        Storage::Int32 => (INT32.0, INT32.1, 4),
        Storage::Missing => return Ok(()),
        _ => {
            return Err(BcfError::NotInteger);
        }
    };
    for c in raw.chunks_exact(width) {
        let v = match width {
            1 => i32::from(c[0] as i8),
            2 => i32::from(i16::from_le_bytes([c[0], c[1]])),
            _ => i32::from_le_bytes([c[0], c[1], c[2], c[3]]),
        };
        if v == eov {
            break;
        }
        out.push(if v == missing { INT_MISSING } else { v });
    }
    Ok(())
}

fn floats(storage: Storage, raw: &[u8], out: &mut Vec<u32>) -> Result<(), BcfError> {
    out.clear();
    match storage {
        Storage::Float => {
            for c in raw.chunks_exact(4) {
                let bits = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                if bits == FLOAT_EOV {
                    break;
                }
                out.push(bits);
            }
        }
        Storage::Missing => {}
        _ => {
            // Some writers store integral floats as integers; convert.
            let mut tmp = Vec::new();
            ints(storage, raw, &mut tmp)?;
            out.extend(tmp.iter().map(|&v| {
                if v == INT_MISSING {
                    FLOAT_MISSING
                } else {
                    (v as f32).to_bits()
                }
            }));
        }
    }
    Ok(())
}

/// Char data without its NUL padding.
fn chars(raw: &[u8]) -> &[u8] {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    &raw[..end]
}

fn key_name(header: &vcf::Header, id: i64) -> Result<&str, BcfError> {
    usize::try_from(id)
        .ok()
        .and_then(|i| header.string_maps().strings().get_index(i))
        .ok_or(BcfError::UnknownKey(id))
}

/// Reusable buffers.
#[derive(Default)]
pub struct Scratch {
    ints: Vec<i32>,
    floats: Vec<u32>,
    alleles: Vec<Option<u32>>,
    phases: Vec<bool>,
    /// A long record's bytes, read before noodles sees its lengths ([`read_record`]).
    body: Vec<u8>,
}

/// The longest record accepted: as long as the longest VCF line (a damaged length past it is
/// an error, not an allocation).
pub const MAX_RECORD_BYTES: u64 = MAX_LINE_BYTES as u64;

/// Records up to this long are handed to noodles as they stream in; longer ones are read first.
const EAGER_RECORD_BYTES: u64 = 1 << 20;

/// Reads the next record from `reader` into `record` (0 at the end of the records), as noodles'
/// `Reader::read_record` does, without trusting the record's lengths with memory.
///
/// BCF 2.2 §6.3.1: a record is `l_shared` and `l_indiv` (u32 LE), then that many bytes of site
/// and of sample data. noodles sizes both buffers from these lengths before it reads them, so a
/// damaged length of 4 GiB in a file of a few bytes would be a 4 GiB allocation (found by the
/// `bcf` fuzz target). Here a record longer than [`MAX_RECORD_BYTES`] is refused, and one longer
/// than 1 MiB is read first (its buffer grows with the bytes that actually arrive, and a file
/// that ends early is the usual truncation error) before noodles sees its lengths.
pub fn read_record<R: Read>(
    reader: &mut R,
    record: &mut noodles::bcf::Record,
    scratch: &mut Scratch,
) -> io::Result<usize> {
    let mut lengths = [0u8; 8];
    let got = read_full(reader, &mut lengths[..4])?;
    // The end, a cut length, or l_shared 0 (noodles' end of records): noodles decides, as before.
    if got < 4 || lengths[..4] == [0; 4] {
        return noodles::bcf::io::Reader::from(&lengths[..got]).read_record(record);
    }
    let got = read_full(reader, &mut lengths[4..])?;
    if got < 4 {
        return noodles::bcf::io::Reader::from(&lengths[..4 + got]).read_record(record);
    }
    let l_shared = u32::from_le_bytes([lengths[0], lengths[1], lengths[2], lengths[3]]);
    let l_indiv = u32::from_le_bytes([lengths[4], lengths[5], lengths[6], lengths[7]]);
    let len = u64::from(l_shared) + u64::from(l_indiv);
    if len > MAX_RECORD_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            BcfError::TooLong { l_shared, l_indiv },
        ));
    }
    if len <= EAGER_RECORD_BYTES {
        let body = reader.by_ref().take(len);
        return noodles::bcf::io::Reader::from((&lengths[..]).chain(body)).read_record(record);
    }
    scratch.body.clear();
    reader.by_ref().take(len).read_to_end(&mut scratch.body)?;
    if (scratch.body.len() as u64) < len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file ends inside the record",
        ));
    }
    let n =
        noodles::bcf::io::Reader::from((&lengths[..]).chain(&scratch.body[..])).read_record(record);
    // A long record's copy is not kept past the next one.
    scratch.body.clear();
    scratch.body.shrink_to(EAGER_RECORD_BYTES as usize);
    n
}

/// Writes one BCF record into the store.
pub fn push_record(
    record: &noodles::bcf::Record,
    header: &vcf::Header,
    store: &mut VariantStore,
    scratch: &mut Scratch,
    warn: &mut Warnings,
) -> Result<(), BcfError> {
    let chrom = record.reference_sequence_name(header.string_maps())?;
    let contig = store.contig_id(chrom);
    // BCF stores POS 0-based; noodles gives the 1-based start.
    let pos = match record.variant_start().transpose()? {
        Some(p) => usize::from(p) as u64,
        None => 0,
    };
    // The ID field's bytes as stored (`;`-separated, BCF 2.2 §6.3.1), as the VCF reader keeps
    // its ID column: noodles' `Ids::iter` unwraps each ID as UTF-8 and panics on other bytes
    // (found by the `bcf` fuzz target).
    let record_ids = record.ids();
    let id: &[u8] = record_ids.as_ref();
    let reference: Vec<u8> =
        ReferenceBases::iter(&record.reference_bases()).collect::<io::Result<_>>()?;
    let record_alts = record.alternate_bases();
    let alts = AlternateBases::iter(&record_alts)
        .collect::<io::Result<Vec<_>>>()?
        .join(",");
    let n_alt = if alts.is_empty() {
        0
    } else {
        alts.split(',').count()
    };
    let qual = record.quality_score()?.map_or(FLOAT_MISSING, f32::to_bits);
    let mut filter_ids = Vec::new();
    for name in Filters::iter(&record.filters(), header) {
        filter_ids.push(store.filter_id(name?)?);
    }
    store.begin_record(
        contig,
        pos,
        id,
        &reference,
        alts.as_bytes(),
        qual,
        &filter_ids,
    )?;

    let info = record.info();
    let n_info = vcf::variant::record::Info::len(&info);
    let mut bytes = Bytes {
        buf: info.as_ref(),
        pos: 0,
    };
    for _ in 0..n_info {
        let name = key_name(header, bytes.typed_int()?)?;
        let (storage, len) = bytes.descriptor()?;
        let raw = bytes.take(
            len.checked_mul(storage.size())
                .ok_or(BcfError::VectorTooLong)?,
        )?;
        let field = store.info.resolve(name);
        let r = match store.info.type_of(field) {
            ValueType::Flag => store.set_info_flag(field),
            _ if storage == Storage::Missing => continue,
            ValueType::Integer => {
                ints(storage, raw, &mut scratch.ints)?;
                store.set_info_integers(field, &scratch.ints)
            }
            ValueType::Float => {
                floats(storage, raw, &mut scratch.floats)?;
                store.set_info_floats(field, &scratch.floats)
            }
            ValueType::Character | ValueType::String => {
                if storage != Storage::Char {
                    return Err(BcfError::NotCharacters(name.to_string()));
                }
                store.set_info_text(field, chars(raw))
            }
        };
        match r {
            Err(StoreError::DuplicateField { .. }) => {
                warn.add(
                    "duplicate-info",
                    format!("INFO/{name} appears twice in one record; the first value is used"),
                );
            }
            r => r?,
        }
    }

    let n_samples = store.samples().len();
    if n_samples > 0 {
        let samples = record.samples()?;
        let n_fmt = samples.format_count();
        let mut bytes = Bytes {
            buf: samples.as_ref(),
            pos: 0,
        };
        for _ in 0..n_fmt {
            let name = key_name(header, bytes.typed_int()?)?;
            let (storage, len) = bytes.descriptor()?;
            let width = len
                .checked_mul(storage.size())
                .ok_or(BcfError::VectorTooLong)?;
            let field = store.format.resolve(name);
            for s in 0..n_samples {
                let raw = bytes.take(width)?;
                if name == "GT" {
                    push_genotype(store, scratch, warn, s, storage, raw, n_alt)?;
                    continue;
                }
                let r = match store.format.type_of(field) {
                    ValueType::Integer => {
                        ints(storage, raw, &mut scratch.ints)?;
                        if scratch.ints.iter().all(|&v| v == INT_MISSING) {
                            continue;
                        }
                        store.set_format_integers(field, s, &scratch.ints)
                    }
                    ValueType::Float => {
                        floats(storage, raw, &mut scratch.floats)?;
                        if scratch.floats.iter().all(|&v| v == FLOAT_MISSING) {
                            continue;
                        }
                        store.set_format_floats(field, s, &scratch.floats)
                    }
                    _ => {
                        let t = chars(raw);
                        if t.is_empty() || t == b"." {
                            continue;
                        }
                        store.set_format_text(field, s, t)
                    }
                };
                r?;
            }
        }
    }
    store.end_record();
    Ok(())
}

/// BCF 2.2 §6.3.4: GT values are `(allele + 1) << 1 | phased`, 0 for a missing allele.
fn push_genotype(
    store: &mut VariantStore,
    scratch: &mut Scratch,
    warn: &mut Warnings,
    s: usize,
    storage: Storage,
    raw: &[u8],
    n_alt: usize,
) -> Result<(), BcfError> {
    ints(storage, raw, &mut scratch.ints)?;
    scratch.alleles.clear();
    scratch.phases.clear();
    for &v in &scratch.ints {
        if v == INT_MISSING {
            break; // a missing sample: no genotype
        }
        let allele = if v >> 1 == 0 {
            None
        } else {
            Some(((v >> 1) - 1) as u32)
        };
        if let Some(a) = allele.filter(|&a| a as usize > n_alt) {
            warn.add(
                "gt-allele-range",
                format!("FORMAT/GT names allele {a} but the record has {n_alt} ALT allele(s)"),
            );
        }
        scratch.alleles.push(allele);
        scratch.phases.push(v & 1 == 1);
    }
    if scratch.alleles.is_empty() {
        return Ok(());
    }
    // The phase bit of the first allele has no separator before it (VCF < 4.4).
    let phased = scratch.phases.iter().skip(1).any(|&p| p);
    let (alleles, phases) = (&scratch.alleles, &scratch.phases);
    store.set_genotype(s, alleles, phased, || {
        let mut text = String::new();
        for (k, a) in alleles.iter().enumerate() {
            if k > 0 {
                text.push(if phases[k] { '|' } else { '/' });
            }
            match a {
                Some(a) => text.push_str(&a.to_string()),
                None => text.push('.'),
            }
        }
        text
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of `site` and `samples` bytes after its two lengths.
    fn framed(l_shared: u32, l_indiv: u32, body: &[u8]) -> Vec<u8> {
        let mut out = l_shared.to_le_bytes().to_vec();
        out.extend(l_indiv.to_le_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn a_record_length_past_the_limit_is_an_error_not_an_allocation() {
        let mut record = noodles::bcf::Record::default();
        let mut scratch = Scratch::default();
        // 4 GiB of site data claimed by a file of 10 bytes (the `bcf` fuzz target's finding).
        let bytes = framed(u32::MAX, 0, b"xy");
        let e = read_record(&mut &bytes[..], &mut record, &mut scratch).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(
            matches!(
                BcfError::from_io(e),
                BcfError::TooLong {
                    l_shared: u32::MAX,
                    l_indiv: 0
                }
            ),
            "typed, so ingest names its kind"
        );
        // 200 MiB claimed, within the limit, but not there: the file is truncated, and nothing
        // near 200 MiB was allocated for it.
        let bytes = framed(100 << 20, 100 << 20, b"xy");
        let e = read_record(&mut &bytes[..], &mut record, &mut scratch).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(scratch.body.capacity() < 1 << 20);
    }

    #[test]
    fn the_end_of_the_records_reads_as_noodles_reads_it() {
        let mut record = noodles::bcf::Record::default();
        let mut scratch = Scratch::default();
        for end in [&b""[..], &[0, 0, 0, 0], &[0, 0, 0, 0, 9, 0, 0, 0]] {
            assert_eq!(
                read_record(&mut &end[..], &mut record, &mut scratch).unwrap(),
                0
            );
        }
        for cut in [&[5u8][..], &[5, 0, 0, 0, 1]] {
            let e = read_record(&mut &cut[..], &mut record, &mut scratch).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        }
        // A short record whose bytes stop early.
        let bytes = framed(24, 0, &[0; 10]);
        let e = read_record(&mut &bytes[..], &mut record, &mut scratch).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn decodes_typed_values_with_sentinels() {
        let mut out = Vec::new();
        ints(Storage::Int8, &[5, 0x80, 0x81, 7], &mut out).unwrap();
        assert_eq!(out, vec![5, INT_MISSING]);
        ints(Storage::Int16, &[0x00, 0x80, 0x02, 0x00], &mut out).unwrap();
        assert_eq!(out, vec![INT_MISSING, 2]);
        let mut f = Vec::new();
        let mut raw = 1.5f32.to_bits().to_le_bytes().to_vec();
        raw.extend(FLOAT_EOV.to_le_bytes());
        floats(Storage::Float, &raw, &mut f).unwrap();
        assert_eq!(f, vec![1.5f32.to_bits()]);
        assert_eq!(chars(b"AB\0\0"), b"AB");
    }

    #[test]
    fn long_vectors_and_truncation() {
        // Length 15 means "a typed int follows": here 20 int8 values.
        let mut buf = vec![0xF1, 0x11, 20];
        buf.extend(std::iter::repeat_n(1u8, 20));
        let mut b = Bytes { buf: &buf, pos: 0 };
        let (storage, len) = b.descriptor().unwrap();
        assert_eq!((storage, len), (Storage::Int8, 20));
        assert!(
            matches!(b.take(21), Err(BcfError::PastEnd { wanted: 21 })),
            "reading past the record is an error, not a panic"
        );
        let mut b = Bytes {
            buf: &[0x11],
            pos: 0,
        };
        assert!(b.descriptor().is_ok());
        let mut b = Bytes {
            buf: &[0x04],
            pos: 0,
        };
        assert!(
            matches!(b.descriptor(), Err(BcfError::UnknownType(4))),
            "type 4 is reserved"
        );
    }
}
