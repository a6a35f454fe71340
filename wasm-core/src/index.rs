//! Tabix (`.tbi`) and CSI (`.csi`) indexes of BGZF-compressed VCF and BCF files.
//!
//! An index maps a genomic interval to the few stretches of the compressed file ("chunks",
//! pairs of BGZF virtual offsets) that can hold records overlapping it, so a region query reads
//! kilobytes of a gigabyte file. It also carries each contig's record count (htslib's pseudo-bin),
//! which gives a whole-genome overview before any record is read.
//!
//! Formats: the tabix paper's `.tbi` (SAMv1 §5.2: fixed binning, 14-bit minimum shift, depth 5,
//! plus a 16 kb linear index) and CSI v1 (configurable `min_shift` and `depth`; bcftools'
//! default is 14/5 for short contigs and deeper for contigs past 2^29 bases). Both are read
//! here with `u64` arithmetic throughout: noodles-csi 0.62 computes `1usize << (min_shift +
//! 3 * depth)`, which overflows wasm32's 32-bit `usize` on bcftools' CSI files
//! (TOOLCHAIN.md pitfall 3), and positions past 2^31 are real (`htslib/test/longrefs`).
//!
//! Where it sits: [`crate::formats::indexed`] reads records through an [`Index`]; the app and
//! the CLI pick the index beside the data file. An index that does not fit its data (another
//! file's, or made before the data changed) is caught there and reported as
//! [`IndexError::Mismatch`].

use std::io::Read;

/// Virtual offset of a BGZF position: the compressed offset of the block << 16 | the offset
/// inside the block's uncompressed data (SAMv1 §4.1.1).
pub type VirtualOffset = u64;

/// The compressed (file) offset of a virtual offset's block.
pub fn block_offset(v: VirtualOffset) -> u64 {
    v >> 16
}

/// Which kind of index a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IndexKind {
    Tabix,
    Csi,
}

impl IndexKind {
    /// `tbi` or `csi`, as the file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Tabix => "tbi",
            Self::Csi => "csi",
        }
    }
}

/// Why an index cannot be used. Each message says what is wrong and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndexError {
    #[error("this is not a tabix (.tbi) or CSI (.csi) index")]
    NotAnIndex,
    #[error(
        "the index is damaged or truncated at byte {offset} of its decompressed content: {reason}"
    )]
    Malformed { offset: u64, reason: String },
    #[error("the index is for {0}, not for a VCF or BCF file")]
    WrongFormat(String),
    #[error(
        "the index does not match the data file: {0}. Pick the index made for this file (bcftools index or tabix -p vcf makes one)"
    )]
    Mismatch(String),
}

/// One stretch of the compressed file: records whose first byte is in `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Chunk {
    pub start: VirtualOffset,
    pub end: VirtualOffset,
}

/// What htslib's pseudo-bin says about one contig.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContigStats {
    /// Virtual offsets of the contig's first record and just after its last.
    pub span: Chunk,
    /// Records with a position.
    pub mapped: u64,
    /// Records without one (always 0 for VCF).
    pub unmapped: u64,
}

#[derive(Debug, Clone, Default)]
struct Bin {
    id: u32,
    chunks: Vec<Chunk>,
}

#[derive(Debug, Clone, Default)]
struct Reference {
    bins: Vec<Bin>,
    /// Tabix only: per 16 kb window, the smallest virtual offset of a record overlapping it.
    linear: Vec<VirtualOffset>,
    stats: Option<ContigStats>,
}

/// A parsed `.tbi` or `.csi` index.
#[derive(Debug, Clone)]
pub struct Index {
    kind: IndexKind,
    min_shift: u32,
    depth: u32,
    /// Contig names, in the index's order; `None` for a BCF's CSI, whose contigs are the BCF
    /// header's dictionary.
    names: Option<Vec<String>>,
    references: Vec<Reference>,
    /// Records with no position, when the index says.
    pub unplaced: Option<u64>,
}

/// Largest index accepted after decompression: a whole genome's is a few MB.
const MAX_INDEX_BYTES: u64 = 1 << 30;
/// Tabix's fixed binning.
const TBI_MIN_SHIFT: u32 = 14;
const TBI_DEPTH: u32 = 5;
/// Tabix format codes (low 16 bits of `format`).
const TBI_FORMAT_GENERIC: i32 = 0;
const TBI_FORMAT_SAM: i32 = 1;
const TBI_FORMAT_VCF: i32 = 2;

impl Index {
    /// Parses an index file's bytes, BGZF-compressed (as written by tabix and bcftools) or not.
    pub fn read(bytes: &[u8]) -> Result<Index, IndexError> {
        let raw;
        let data: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(bytes)
                .take(MAX_INDEX_BYTES)
                .read_to_end(&mut out)
                .map_err(|e| IndexError::Malformed {
                    offset: out.len() as u64,
                    reason: format!("its compression is damaged ({e})"),
                })?;
            raw = out;
            &raw
        } else {
            bytes
        };
        let mut r = Cursor { data, pos: 0 };
        match r.bytes(4).ok() {
            Some(b"TBI\x01") => Self::read_tbi(&mut r),
            Some(b"CSI\x01") => Self::read_csi(&mut r),
            _ => Err(IndexError::NotAnIndex),
        }
    }

    fn read_tbi(r: &mut Cursor<'_>) -> Result<Index, IndexError> {
        let n_ref = r.count("the number of contigs")?;
        let names = read_tabix_meta(r)?;
        if names.len() != n_ref {
            return Err(r.malformed(format!(
                "it names {} contigs but indexes {n_ref}",
                names.len()
            )));
        }
        let mut references = Vec::with_capacity(n_ref.min(1 << 16));
        let pseudo = bin_limit(TBI_DEPTH) + 1;
        for _ in 0..n_ref {
            let mut reference = read_bins(r, pseudo, false)?;
            let n_intv = r.count("the linear index size")?;
            r.need(n_intv as u64 * 8, "the linear index")?;
            reference.linear = (0..n_intv).map(|_| r.u64()).collect::<Result<_, _>>()?;
            references.push(reference);
        }
        let unplaced = r.u64().ok();
        Ok(Index {
            kind: IndexKind::Tabix,
            min_shift: TBI_MIN_SHIFT,
            depth: TBI_DEPTH,
            names: Some(names),
            references,
            unplaced,
        })
    }

    fn read_csi(r: &mut Cursor<'_>) -> Result<Index, IndexError> {
        let min_shift = r.i32()?;
        let depth = r.i32()?;
        // Bin numbers are u32 and positions u64: depth ≤ 10 keeps both in range, as in htslib.
        if !(0..=32).contains(&min_shift)
            || !(0..=10).contains(&depth)
            || min_shift + 3 * depth > 62
        {
            return Err(r.malformed(format!(
                "unsupported binning (min_shift {min_shift}, depth {depth})"
            )));
        }
        let (min_shift, depth) = (min_shift as u32, depth as u32);
        let l_aux = r.count("the auxiliary data length")?;
        let aux = r.bytes(l_aux)?;
        let names = if aux.len() >= 28 {
            let mut a = Cursor { data: aux, pos: 0 };
            Some(read_tabix_meta(&mut a).map_err(|e| match e {
                IndexError::Malformed { offset, reason } => IndexError::Malformed {
                    offset: offset + r.pos as u64 - aux.len() as u64,
                    reason,
                },
                other => other,
            })?)
        } else {
            None
        };
        let n_ref = r.count("the number of contigs")?;
        if let Some(names) = &names
            && names.len() != n_ref
        {
            return Err(r.malformed(format!(
                "it names {} contigs but indexes {n_ref}",
                names.len()
            )));
        }
        let pseudo = bin_limit(depth) + 1;
        let mut references = Vec::with_capacity(n_ref.min(1 << 16));
        for _ in 0..n_ref {
            references.push(read_bins(r, pseudo, true)?);
        }
        let unplaced = r.u64().ok();
        Ok(Index {
            kind: IndexKind::Csi,
            min_shift,
            depth,
            names,
            references,
            unplaced,
        })
    }

    pub fn kind(&self) -> IndexKind {
        self.kind
    }

    /// Contig names in the index's order, when the index stores them (tabix, and CSI of VCF).
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// Number of contigs the index covers.
    pub fn len(&self) -> usize {
        self.references.len()
    }

    pub fn is_empty(&self) -> bool {
        self.references.is_empty()
    }

    /// Positions the binning can address: 2^(min_shift + 3·depth).
    pub fn max_position(&self) -> u64 {
        1u64 << (self.min_shift + 3 * self.depth)
    }

    /// The record count and span of contig `tid`, when the index has them (old tabix files
    /// do not).
    pub fn stats(&self, tid: usize) -> Option<ContigStats> {
        self.references.get(tid).and_then(|r| r.stats)
    }

    /// Whether contig `tid` has any indexed record.
    pub fn has_records(&self, tid: usize) -> bool {
        self.references
            .get(tid)
            .is_some_and(|r| r.bins.iter().any(|b| !b.chunks.is_empty()))
    }

    /// The chunks that can hold records of contig `tid` overlapping the 1-based inclusive
    /// interval `start..=end`: sorted, merged, and none before the tabix linear index's bound.
    pub fn chunks(&self, tid: usize, start: u64, end: u64) -> Vec<Chunk> {
        let Some(reference) = self.references.get(tid) else {
            return Vec::new();
        };
        // To 0-based half-open, clamped to what the binning addresses.
        let max = self.max_position();
        let beg = start.saturating_sub(1).min(max - 1);
        let end = end.clamp(beg + 1, max);
        let min_offset = match reference.linear.get((beg >> TBI_MIN_SHIFT) as usize) {
            Some(&offset) if self.kind == IndexKind::Tabix => offset,
            _ => 0,
        };
        let chunks: Vec<Chunk> = reference
            .bins
            .iter()
            .filter(|bin| {
                let (first, size) = bin_range(bin.id, self.min_shift, self.depth);
                first < end && first.saturating_add(size) > beg
            })
            .flat_map(|bin| bin.chunks.iter().copied())
            .filter(|c| c.end > min_offset)
            .collect();
        merge_chunks(chunks)
    }

    /// Every chunk's start, sorted and without repeats: each is where a record begins.
    pub fn chunk_starts(&self) -> Vec<VirtualOffset> {
        let mut starts: Vec<VirtualOffset> = self
            .references
            .iter()
            .flat_map(|r| r.bins.iter())
            .flat_map(|b| b.chunks.iter().map(|c| c.start))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// The smallest and largest virtual offsets any chunk names, to check them against the
    /// data file; `None` when the index holds no chunk.
    pub fn offset_range(&self) -> Option<(VirtualOffset, VirtualOffset)> {
        let all = self
            .references
            .iter()
            .flat_map(|r| r.bins.iter())
            .flat_map(|b| b.chunks.iter());
        let first = all.clone().map(|c| c.start).min()?;
        let last = all.map(|c| c.end).max()?;
        Some((first, last))
    }
}

/// Sorts chunks and merges those that overlap or touch, so each byte is read once.
pub fn merge_chunks(mut chunks: Vec<Chunk>) -> Vec<Chunk> {
    chunks.sort_unstable();
    let mut merged: Vec<Chunk> = Vec::with_capacity(chunks.len());
    for c in chunks {
        match merged.last_mut() {
            Some(last) if c.start <= last.end => last.end = last.end.max(c.end),
            _ => merged.push(c),
        }
    }
    merged
}

/// Number of bins of a binning scheme, ((8^(depth+1)) − 1) / 7; htslib's pseudo-bin is one
/// past it.
fn bin_limit(depth: u32) -> u32 {
    (((1u64 << (3 * (depth + 1))) - 1) / 7) as u32
}

/// The first position (0-based) and the width of bin `id`.
fn bin_range(id: u32, min_shift: u32, depth: u32) -> (u64, u64) {
    let id = u64::from(id);
    let mut first_of_level = 0u64;
    for level in 0..=depth {
        let bins_in_level = 1u64 << (3 * level);
        if id < first_of_level + bins_in_level {
            let size = 1u64 << (min_shift + 3 * (depth - level));
            return ((id - first_of_level) * size, size);
        }
        first_of_level += bins_in_level;
    }
    // Past the last level: a bin no record can be in.
    (u64::MAX, 0)
}

/// Tabix's header (also a VCF CSI's auxiliary data): format, columns, meta char, skip, names.
fn read_tabix_meta(r: &mut Cursor<'_>) -> Result<Vec<String>, IndexError> {
    let format = r.i32()?;
    let _col_seq = r.i32()?;
    let _col_beg = r.i32()?;
    let _col_end = r.i32()?;
    let _meta = r.i32()?;
    let _skip = r.i32()?;
    match format & 0xffff {
        TBI_FORMAT_VCF => {}
        TBI_FORMAT_SAM => return Err(IndexError::WrongFormat("a SAM file".into())),
        TBI_FORMAT_GENERIC => {
            return Err(IndexError::WrongFormat(
                "a generic tab-separated file (BED, GFF, …)".into(),
            ));
        }
        other => return Err(IndexError::WrongFormat(format!("format code {other}"))),
    }
    let l_nm = r.count("the length of the contig names")?;
    let names = r.bytes(l_nm)?;
    Ok(names
        .split(|&b| b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect())
}

/// One contig's bins; the pseudo-bin becomes [`Reference::stats`].
fn read_bins(r: &mut Cursor<'_>, pseudo: u32, csi: bool) -> Result<Reference, IndexError> {
    let n_bin = r.count("the number of bins")?;
    let mut reference = Reference::default();
    reference.bins.reserve(n_bin.min(1 << 16));
    for _ in 0..n_bin {
        let id = r.u32()?;
        if csi {
            let _loffset = r.u64()?;
        }
        let n_chunk = r.count("the number of chunks")?;
        r.need(n_chunk as u64 * 16, "the chunks")?;
        let mut chunks = Vec::with_capacity(n_chunk);
        for _ in 0..n_chunk {
            chunks.push(Chunk {
                start: r.u64()?,
                end: r.u64()?,
            });
        }
        if id == pseudo {
            if let [span, counts] = chunks[..] {
                reference.stats = Some(ContigStats {
                    span,
                    mapped: counts.start,
                    unmapped: counts.end,
                });
            }
            continue;
        }
        if id > pseudo {
            return Err(r.malformed(format!("bin {id} is beyond the binning's last bin")));
        }
        reference.bins.push(Bin { id, chunks });
    }
    Ok(reference)
}

/// A bounds-checked little-endian reader over the decompressed index.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn malformed(&self, reason: String) -> IndexError {
        IndexError::Malformed {
            offset: self.pos as u64,
            reason,
        }
    }

    fn need(&self, n: u64, what: &str) -> Result<(), IndexError> {
        if (self.data.len() - self.pos) as u64 >= n {
            Ok(())
        } else {
            Err(self.malformed(format!("it ends inside {what}")))
        }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        self.need(n as u64, "a field")?;
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], IndexError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    fn i32(&mut self) -> Result<i32, IndexError> {
        self.array().map(i32::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, IndexError> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, IndexError> {
        self.array().map(u64::from_le_bytes)
    }

    /// A non-negative `i32` count.
    fn count(&mut self, what: &str) -> Result<usize, IndexError> {
        let at = self.pos;
        let n = self.i32()?;
        usize::try_from(n).map_err(|_| IndexError::Malformed {
            offset: at as u64,
            reason: format!("{what} is negative ({n})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_genome_level_by_level() {
        // Tabix: bin 0 is the whole 512 Mbp; bins 1..=8 are 64 Mbp; 4681.. are 16 kbp.
        assert_eq!(bin_range(0, 14, 5), (0, 1 << 29));
        assert_eq!(bin_range(1, 14, 5), (0, 1 << 26));
        assert_eq!(bin_range(8, 14, 5), (7 << 26, 1 << 26));
        assert_eq!(bin_range(4681, 14, 5), (0, 1 << 14));
        assert_eq!(bin_range(37448, 14, 5), ((32768 - 1) << 14, 1 << 14));
        assert_eq!(bin_limit(5), 37449);
        // CSI deep enough for positions past 2^32 (htslib/test/longrefs) stays exact in u64.
        assert_eq!(bin_limit(7), 2396745);
        let (first, size) = bin_range(bin_limit(7) - 1, 14, 7);
        assert_eq!(first + size, 1u64 << 35);
    }

    #[test]
    fn rejects_what_is_not_an_index() {
        assert_eq!(Index::read(b"").unwrap_err(), IndexError::NotAnIndex);
        assert_eq!(
            Index::read(b"##fileformat=VCFv4.2\n").unwrap_err(),
            IndexError::NotAnIndex
        );
        let mut tbi = b"TBI\x01".to_vec();
        tbi.extend_from_slice(&1i32.to_le_bytes());
        assert!(matches!(
            Index::read(&tbi).unwrap_err(),
            IndexError::Malformed { offset: 8, .. }
        ));
        // A huge chunk count is caught before anything is allocated for it.
        let mut csi = b"CSI\x01".to_vec();
        for v in [14i32, 5, 0, 1, 1] {
            csi.extend_from_slice(&v.to_le_bytes());
        }
        csi.extend_from_slice(&4681u32.to_le_bytes());
        csi.extend_from_slice(&0u64.to_le_bytes());
        csi.extend_from_slice(&i32::MAX.to_le_bytes());
        let e = Index::read(&csi).unwrap_err();
        assert!(e.to_string().contains("ends inside the chunks"), "{e}");
    }
}
