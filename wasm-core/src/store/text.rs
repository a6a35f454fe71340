//! [`TextColumn`]: the raw text of a String (or Character) INFO / FORMAT field, one row per
//! record or cell.
//!
//! Short text stays as it is read ([`Lists`] of bytes, `plain`). A column whose text grows past
//! [`BLOCK_THRESHOLD`] — in practice an annotation such as VEP's `CSQ`, a third or more of a
//! whole-genome store — moves to LZ4-compressed blocks of about [`BLOCK_BYTES`] of text
//! (`blocks`): the rows of a block are written back to back, each as a LEB128 length and its
//! bytes, and the block is compressed when it is full (the last one when loading ends). A bit
//! per row says whether the row is present, so presence needs no decompression.
//!
//! Reading: [`TextColumn::reader`] gives a [`TextReader`] that keeps the block it last
//! decompressed (scans over all rows decompress each block once); [`TextColumn::get`] serves
//! one-off reads (a table row, an export line) from a one-block cache in the column. Blocks
//! decompress at GB/s, so a scan of a 5-million-record `CSQ` costs milliseconds.

use std::borrow::Cow;
use std::sync::Mutex;

use super::column::BitColumn;
use super::lists::Lists;

/// Text bytes after which a column is kept compressed.
pub const BLOCK_THRESHOLD: usize = 256 << 10;
/// Raw bytes per compressed block: LZ4's window, past which blocks compress no better.
pub const BLOCK_BYTES: usize = 64 << 10;

/// The text of one field for every row.
#[derive(Debug)]
pub struct TextColumn {
    layout: Layout,
    threshold: usize,
    /// The block [`TextColumn::get`] decompressed last.
    cache: Mutex<Option<Decoded>>,
}

impl Clone for TextColumn {
    fn clone(&self) -> Self {
        Self {
            layout: self.layout.clone(),
            threshold: self.threshold,
            cache: Mutex::new(None),
        }
    }
}

impl Default for TextColumn {
    fn default() -> Self {
        Self::with_threshold(BLOCK_THRESHOLD)
    }
}

#[derive(Debug, Clone)]
enum Layout {
    Plain(Lists<u8>),
    Blocks(Blocks),
}

#[derive(Debug, Clone, Default)]
struct Blocks {
    rows: usize,
    present: BitColumn,
    /// Text bytes of all rows (for the 4 GiB limit).
    text_bytes: u64,
    /// Closed blocks, in row order.
    index: Vec<Block>,
    /// The closed blocks' bytes, back to back.
    packed: Vec<u8>,
    /// The open block: LEB128 length + bytes per row, from row `open_first`.
    open: Vec<u8>,
    open_first: usize,
}

#[derive(Debug, Clone, Copy)]
struct Block {
    first_row: u32,
    /// Start in `packed` (the end is the next block's start).
    start: u32,
    raw_len: u32,
    /// Kept as is: LZ4 did not make it smaller.
    stored: bool,
}

/// One decompressed block: its rows' spans in `bytes`.
#[derive(Debug, Default)]
struct Decoded {
    /// Block number (`index.len()` for the open block).
    block: usize,
    first_row: usize,
    bytes: Vec<u8>,
    spans: Vec<(u32, u32)>,
}

impl Decoded {
    fn row(&self, i: usize) -> &[u8] {
        let (s, e) = self.spans[i - self.first_row];
        &self.bytes[s as usize..e as usize]
    }
}

impl TextColumn {
    /// A column that moves to compressed blocks once its text passes `threshold` bytes (tests
    /// use small thresholds to reach the block layout with little data).
    pub fn with_threshold(threshold: usize) -> Self {
        Self {
            layout: Layout::Plain(Lists::default()),
            threshold,
            cache: Mutex::new(None),
        }
    }

    /// Keeps the column plain however much text it gets: for a store that lives only until
    /// it is printed (a streamed batch), where compressing costs time and saves nothing.
    pub fn never_compress(&mut self) {
        self.threshold = usize::MAX;
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.layout {
            Layout::Plain(l) => l.len(),
            Layout::Blocks(b) => b.rows,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` has text.
    pub fn is_present(&self, i: usize) -> bool {
        match &self.layout {
            Layout::Plain(l) => !l.get(i).is_empty(),
            Layout::Blocks(b) => b.present.get(i),
        }
    }

    /// Whether another row of `n` bytes still fits (4 GiB of text per column).
    pub fn fits(&self, n: usize) -> bool {
        match &self.layout {
            Layout::Plain(l) => l.fits(n),
            Layout::Blocks(b) => {
                b.rows < u32::MAX as usize && b.text_bytes + n as u64 <= u64::from(u32::MAX)
            }
        }
    }

    /// The text of row `i` (empty when absent). Borrowed from plain columns; from a compressed
    /// one, copied out of the cached block. Loops over many rows use [`TextColumn::reader`].
    pub fn get(&self, i: usize) -> Cow<'_, [u8]> {
        match &self.layout {
            Layout::Plain(l) => Cow::Borrowed(l.get(i)),
            Layout::Blocks(b) => {
                if !b.present.get(i) {
                    return Cow::Borrowed(&[]);
                }
                let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
                let decoded = cache.get_or_insert_with(Decoded::default);
                b.load(i, decoded);
                Cow::Owned(decoded.row(i).to_vec())
            }
        }
    }

    /// A reader for many rows: it keeps the last block it decompressed.
    pub fn reader(&self) -> TextReader<'_> {
        TextReader {
            column: self,
            decoded: Decoded {
                block: usize::MAX,
                ..Decoded::default()
            },
        }
    }

    /// Appends one row (empty = absent).
    pub fn push(&mut self, row: &[u8]) {
        self.clear_cache();
        match &mut self.layout {
            Layout::Plain(l) => {
                l.push(row);
                if l.heap_bytes() > self.threshold {
                    self.compress_all();
                }
            }
            Layout::Blocks(b) => b.push(row),
        }
    }

    /// Appends `n` absent rows.
    pub fn push_empty(&mut self, n: usize) {
        self.clear_cache();
        match &mut self.layout {
            Layout::Plain(l) => l.push_empty(n),
            Layout::Blocks(b) => {
                for _ in 0..n {
                    b.push(&[]);
                }
            }
        }
    }

    /// Keeps the first `rows` rows (none: an empty plain column, as new).
    pub fn truncate(&mut self, rows: usize) {
        self.clear_cache();
        if rows == 0 {
            self.layout = Layout::Plain(Lists::default());
            return;
        }
        match &mut self.layout {
            Layout::Plain(l) => l.truncate(rows),
            Layout::Blocks(b) => b.truncate(rows),
        }
    }

    /// Closes the last block and releases growth slack (end of loading).
    pub fn shrink_to_fit(&mut self) {
        self.clear_cache();
        match &mut self.layout {
            Layout::Plain(l) => l.shrink_to_fit(),
            Layout::Blocks(b) => {
                b.close();
                b.index.shrink_to_fit();
                b.packed.shrink_to_fit();
                b.open.shrink_to_fit();
                b.present.shrink_to_fit();
            }
        }
    }

    /// Bytes held, for the memory budget (the read cache of one block is not counted).
    pub fn heap_bytes(&self) -> usize {
        match &self.layout {
            Layout::Plain(l) => l.heap_bytes(),
            Layout::Blocks(b) => {
                b.index.capacity() * std::mem::size_of::<Block>()
                    + b.packed.capacity()
                    + b.open.capacity()
                    + b.present.heap_bytes()
            }
        }
    }

    /// `plain`, or `blocks` when compressed.
    pub fn layout_name(&self) -> String {
        match &self.layout {
            Layout::Plain(l) => format!("plain {}", l.layout_name()),
            Layout::Blocks(_) => "blocks".into(),
        }
    }

    fn clear_cache(&mut self) {
        *self.cache.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Moves the rows so far into compressed blocks.
    fn compress_all(&mut self) {
        let Layout::Plain(plain) = &self.layout else {
            return;
        };
        let mut blocks = Blocks::default();
        for i in 0..plain.len() {
            blocks.push(plain.get(i));
        }
        self.layout = Layout::Blocks(blocks);
    }
}

/// Reads rows of a [`TextColumn`], decompressing each block once while rows go forward.
pub struct TextReader<'a> {
    column: &'a TextColumn,
    decoded: Decoded,
}

impl TextReader<'_> {
    /// Number of rows of the column.
    pub fn len(&self) -> usize {
        self.column.len()
    }

    pub fn is_empty(&self) -> bool {
        self.column.is_empty()
    }

    /// The text of row `i` (empty when absent).
    pub fn get(&mut self, i: usize) -> &[u8] {
        match &self.column.layout {
            Layout::Plain(l) => l.get(i),
            Layout::Blocks(b) => {
                if !b.present.get(i) {
                    return &[];
                }
                b.load(i, &mut self.decoded);
                self.decoded.row(i)
            }
        }
    }
}

impl Blocks {
    fn push(&mut self, row: &[u8]) {
        self.present.push(!row.is_empty());
        self.text_bytes += row.len() as u64;
        write_len(&mut self.open, row.len());
        self.open.extend_from_slice(row);
        self.rows += 1;
        if self.open.len() >= BLOCK_BYTES {
            self.close();
        }
    }

    /// Compresses the open block (if it has rows).
    fn close(&mut self) {
        if self.rows == self.open_first {
            return;
        }
        let packed = lz4_flex::block::compress(&self.open);
        let stored = packed.len() >= self.open.len();
        self.index.push(Block {
            first_row: self.open_first as u32,
            start: self.packed.len() as u32,
            raw_len: self.open.len() as u32,
            stored,
        });
        self.packed
            .extend_from_slice(if stored { &self.open } else { &packed });
        self.open.clear();
        self.open_first = self.rows;
    }

    /// The block holding row `i`: `index.len()` for the open block.
    fn block_of(&self, i: usize) -> usize {
        if i >= self.open_first {
            return self.index.len();
        }
        self.index.partition_point(|b| b.first_row as usize <= i) - 1
    }

    /// The raw bytes of closed block `k`, into `out`.
    fn unpack(&self, k: usize, out: &mut Vec<u8>) {
        let b = self.index[k];
        let end = self
            .index
            .get(k + 1)
            .map_or(self.packed.len(), |n| n.start as usize);
        let data = &self.packed[b.start as usize..end];
        out.clear();
        if b.stored {
            out.extend_from_slice(data);
            return;
        }
        out.resize(b.raw_len as usize, 0);
        // The store wrote the block itself: failing to read it back is a bug, not bad input.
        let n = lz4_flex::block::decompress_into(data, out).expect("a block the store compressed");
        debug_assert_eq!(n, out.len());
    }

    /// Makes `decoded` hold the block of row `i` (a present row).
    fn load(&self, i: usize, decoded: &mut Decoded) {
        let k = self.block_of(i);
        // Rows are only added through `&mut`, which clears the column's cache, and a reader
        // borrows the column: a cached open block is never stale.
        if decoded.block == k && !decoded.spans.is_empty() {
            return;
        }
        let first_row = if k < self.index.len() {
            self.unpack(k, &mut decoded.bytes);
            self.index[k].first_row as usize
        } else {
            decoded.bytes.clear();
            decoded.bytes.extend_from_slice(&self.open);
            self.open_first
        };
        decoded.block = k;
        decoded.first_row = first_row;
        decoded.spans.clear();
        let bytes = &decoded.bytes;
        let mut at = 0;
        while at < bytes.len() {
            let (len, n) = read_len(&bytes[at..]);
            let start = at + n;
            decoded.spans.push((start as u32, (start + len) as u32));
            at = start + len;
        }
    }

    /// Keeps the first `rows` rows: the block holding row `rows` becomes the open block again.
    fn truncate(&mut self, rows: usize) {
        if rows >= self.rows {
            return;
        }
        if rows < self.open_first {
            let k = self.block_of(rows);
            let mut raw = Vec::new();
            self.unpack(k, &mut raw);
            self.packed.truncate(self.index[k].start as usize);
            self.open_first = self.index[k].first_row as usize;
            self.index.truncate(k);
            self.open = raw;
        }
        // Walk the open block to the end of row `rows - 1`, dropping later rows' text.
        let mut at = 0;
        let mut row = self.open_first;
        while row < rows {
            let (len, n) = read_len(&self.open[at..]);
            at += n + len;
            row += 1;
        }
        let mut dropped = 0u64;
        let mut tail = at;
        while tail < self.open.len() {
            let (len, n) = read_len(&self.open[tail..]);
            dropped += len as u64;
            tail += n + len;
        }
        self.open.truncate(at);
        self.text_bytes -= dropped;
        self.present.truncate(rows);
        self.rows = rows;
    }
}

/// Appends `n` as LEB128.
fn write_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Reads a LEB128 length: (value, bytes used).
fn read_len(bytes: &[u8]) -> (usize, usize) {
    let mut n = 0usize;
    for (k, &b) in bytes.iter().enumerate() {
        n |= usize::from(b & 0x7F) << (7 * k);
        if b & 0x80 == 0 {
            return (n, k + 1);
        }
    }
    (n, bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(i: usize) -> Vec<u8> {
        match i % 7 {
            0 | 3 => Vec::new(),
            1 => format!("A|missense_variant|MODERATE|GENE{}|ENSG{:011}", i / 100, i).into_bytes(),
            // Longer than 127 bytes: a two-byte length.
            2 => vec![b'x'; 130 + i % 50],
            _ => format!("row{i}").into_bytes(),
        }
    }

    fn column(rows: usize, threshold: usize) -> TextColumn {
        let mut c = TextColumn::with_threshold(threshold);
        for i in 0..rows {
            c.push(&sample(i));
        }
        c
    }

    fn check(c: &TextColumn, rows: usize) {
        assert_eq!(c.len(), rows);
        let mut reader = c.reader();
        for i in 0..rows {
            let want = sample(i);
            assert_eq!(c.is_present(i), !want.is_empty(), "row {i}");
            assert_eq!(reader.get(i), want.as_slice(), "row {i}");
            assert_eq!(c.get(i).as_ref(), want.as_slice(), "row {i}");
        }
        // Backwards, across blocks.
        for i in (0..rows).rev().step_by(97) {
            assert_eq!(reader.get(i), sample(i).as_slice(), "row {i}");
        }
    }

    #[test]
    fn small_columns_stay_plain() {
        let c = column(100, BLOCK_THRESHOLD);
        assert!(c.layout_name().starts_with("plain"));
        check(&c, 100);
    }

    #[test]
    fn large_columns_are_compressed_blocks_that_read_back() {
        let mut c = column(20_000, 4096);
        assert_eq!(c.layout_name(), "blocks");
        check(&c, 20_000);
        let open = c.heap_bytes();
        c.shrink_to_fit();
        check(&c, 20_000);
        let raw: usize = (0..20_000).map(|i| sample(i).len()).sum();
        assert!(c.heap_bytes() * 3 < raw, "{} of {raw}", c.heap_bytes());
        assert!(c.heap_bytes() <= open);
        // Rows added after closing the last block go to a new block.
        c.push(b"late");
        assert_eq!(c.get(20_000).as_ref(), b"late");
    }

    #[test]
    fn truncate_reopens_a_closed_block() {
        for keep in [0, 1, 4999, 12_345, 19_999] {
            let mut c = column(20_000, 4096);
            c.shrink_to_fit();
            c.truncate(keep);
            check(&c, keep);
            for i in keep..keep + 3000 {
                c.push(&sample(i));
            }
            check(&c, keep + 3000);
        }
    }

    #[test]
    fn absent_rows_and_an_empty_column() {
        let mut c = TextColumn::with_threshold(0);
        c.push_empty(5);
        c.push(b"x");
        assert_eq!(c.layout_name(), "blocks");
        assert!(!c.is_present(0) && c.is_present(5));
        assert_eq!(c.get(5).as_ref(), b"x");
        assert!(c.get(2).is_empty());
        c.shrink_to_fit();
        assert_eq!(c.reader().get(5), b"x");
        let empty = TextColumn::default();
        assert!(empty.is_empty());
        assert!(empty.heap_bytes() <= 8);
    }

    #[test]
    fn lengths_round_trip() {
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 30] {
            let mut v = Vec::new();
            write_len(&mut v, n);
            assert_eq!(read_len(&v), (n, v.len()));
        }
    }
}
