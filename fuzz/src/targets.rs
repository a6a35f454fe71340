//! What each fuzz target feeds to which parser of the engine (docs/FUZZING.md).
//!
//! One function per target, `fn(&[u8])`, listed in [`TARGETS`]. It must return for every input:
//! an `Err` from the engine is a pass; a panic, a hang, or an allocation past libFuzzer's limits
//! is a finding. Where a parser's output feeds more code a person's file reaches (a loaded
//! dataset → statistics and export; an opened index → queries), the target goes on into it.
//!
//! This file is also compiled into `wasm-core/tests/fuzz_regressions.rs` (through `#[path]`),
//! which replays every committed crash input (`testdata/fuzz-regressions/<target>/`) through
//! the function of its target on stable Rust. So it uses only the engine and crates the engine
//! itself depends on, and reaches the test data through paths relative to this file.

use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::OnceLock;

use wasm_core::crypt4gh::{Header, PlaintextReader, PublicKey, SecretKey};
use wasm_core::filter::{FileSource, Filter, Mode};
use wasm_core::formats::bgzf::{self, BgzfReader};
use wasm_core::formats::indexed::IndexedFile;
use wasm_core::formats::shards::{self, ShardPlan};
use wasm_core::formats::{ReadOptions, StreamFilter};
use wasm_core::index::Index;
use wasm_core::inheritance::{self, Analysis, Build, Gates, Options};
use wasm_core::pedigree::{Pedigree, looks_like_ped};
use wasm_core::pedigree_check::{self, CheckParams};
use wasm_core::progress::Silent;
use wasm_core::regions::{GeneList, RegionSet};
use wasm_core::store::VariantStore;
use wasm_core::{Dataset, export, stats};

/// A target's function: the input, whatever it is.
pub type Target = fn(&[u8]);

/// Every target: its name (the binary in `fuzz/fuzz_targets/`, the folder of its regression
/// inputs) and its function.
pub const TARGETS: &[(&str, Target)] = &[
    ("vcf", vcf),
    ("bcf", bcf),
    ("gzip", gzip),
    ("bgzf", bgzf),
    ("crypt4gh_header", crypt4gh_header),
    ("crypt4gh_packets", crypt4gh_packets),
    ("crypt4gh_keys", crypt4gh_keys),
    ("index", index),
    ("indexed", indexed),
    ("filter", filter),
    ("regions", regions),
    ("query_format", query_format),
    ("ped", ped),
];

/// The function of the target named `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Records of a loaded dataset rendered, exported and checked against a filter: enough to reach
/// every column layout without making each run as slow as the file is long.
const RECORDS_USED: usize = 64;

// ---------------------------------------------------------------------------------------------
// Files: VCF text, BCF, gzip / BGZF containers (`wasm_core::read_dataset` sniffs which).

/// VCF text (seeds: plain `.vcf` files, and `.vcf.gz` decompressed).
pub fn vcf(data: &[u8]) {
    file(data);
}

/// BCF (seeds: `.bcf` files decompressed, so that a mutation changes records rather than
/// breaking a BGZF block's CRC).
pub fn bcf(data: &[u8]) {
    file(data);
}

/// Compressed files as they come: plain gzip and BGZF around VCF or BCF (the container layer,
/// its end-of-file checks, and the shard plan over BGZF blocks).
pub fn gzip(data: &[u8]) {
    file(data);
}

/// A file read as the app reads it: whole (then used: statistics, export, filters), and, by the
/// input's length so that each input always takes the same way, also as a prefix, in streaming
/// filter mode, or split into shards read one by one. One of these per run rather than all
/// keeps the runs fast enough for a short CI budget.
fn file(data: &[u8]) {
    let len = Some(data.len() as u64);
    if let Ok(ds) = wasm_core::read_dataset(Cursor::new(data), len, &mut Silent) {
        use_dataset(&ds);
    }
    match data.len() % 3 {
        0 => {
            let prefix = ReadOptions {
                raw_limit: Some(data.len() as u64 / 2),
                ..ReadOptions::default()
            };
            let _ =
                wasm_core::formats::read_dataset_with(Cursor::new(data), len, &prefix, &mut Silent);
        }
        1 => {
            // Small batches, so that a few records cross batch boundaries.
            let stream = StreamFilter {
                expression: "QUAL>=10 || POS<1000".into(),
                batch: Some(3),
                ..StreamFilter::default()
            };
            let streaming = ReadOptions {
                stream: Some(&stream),
                ..ReadOptions::default()
            };
            let _ = wasm_core::formats::read_dataset_with(
                Cursor::new(data),
                len,
                &streaming,
                &mut Silent,
            );
        }
        _ => {
            if let Ok(plan) = shards::plan(Box::new(Cursor::new(data.to_vec())), None, None, 3) {
                read_shards(data, &plan, None);
            }
        }
    }
}

/// Reads each shard of `plan` from `data`.
fn read_shards(data: &[u8], plan: &ShardPlan, key: Option<&SecretKey>) {
    for spec in &plan.shards {
        let _ = shards::read_shard(
            Box::new(Cursor::new(data.to_vec())),
            key,
            spec,
            &ReadOptions::default(),
            &mut Silent,
        );
    }
}

/// What the page and the CLI do with a loaded file: statistics, display rows, VCF and TSV
/// export, and a filter over every kind of column.
fn use_dataset(ds: &Dataset) {
    let store = &ds.store;
    let _ = stats::compute(store);
    // The QC panel's numbers (issue 15): bcftools stats and its text, the QC beyond it, and
    // the pedigree check's inferences (sex, relatedness) without a PED.
    let bcftools = stats::bcftools::compute(store, None);
    let provenance = stats::text::Provenance {
        producer: "fuzz".into(),
        command: "fuzz".into(),
        file: "fuzz".into(),
    };
    let _ = stats::text::write(&mut io::sink(), &bcftools, &provenance);
    let _ = stats::qc::compute(store, None);
    let _ = pedigree_check::check(ds, None, &CheckParams::default());
    let n = store.len().min(RECORDS_USED);
    let mut out = Vec::new();
    for i in 0..n {
        let _ = store.row(i, &[], &[]);
        out.clear();
        let _ = export::write_vcf_record(&mut out, store, i);
    }
    let _ = export::write_tsv(&mut io::sink(), store, 0..n);
    for expression in [
        "QUAL>20 && FILTER=\"PASS\"",
        "GT=\"het\" | FMT/DP>10",
        "TYPE=\"snp\" && ILEN=0",
    ] {
        if let Ok(f) = Filter::compile(expression, store, Mode::Include, &NoFiles) {
            let _ = f.evaluate(store);
        }
    }
}

/// `@file` in an expression names no file in a fuzz run.
struct NoFiles;

impl FileSource for NoFiles {
    fn read(&self, name: &str) -> Result<String, String> {
        Err(format!("no file {name:?}"))
    }
}

// ---------------------------------------------------------------------------------------------
// The BGZF block layer on its own (`formats::bgzf`).

/// BGZF blocks: one block inflated, the stream read through [`BgzfReader`] (bounded: into a
/// sink), virtual seeks into it, and block-start search (how files are split without an index).
pub fn bgzf(data: &[u8]) {
    let mut out = Vec::new();
    let _ = bgzf::inflate_block(data, &mut out);
    let _ = bgzf::parse_header(data);
    let _ = drain(BgzfReader::new(data));
    // The first few block starts (each drained to the end: more would make runs quadratic).
    let mut from = 0;
    for _ in 0..4 {
        let Some(start) = bgzf::find_block_start(data, from) else {
            break;
        };
        let mut reader = BgzfReader::new(Cursor::new(data));
        // The start found, and a position inside its data, as an index would give.
        let _ = reader.seek_virtual((start as u64) << 16);
        let _ = drain(&mut reader);
        let _ = reader.seek_virtual(((start as u64) << 16) | 7);
        let _ = drain(&mut reader);
        from = start + 1;
    }
    let _ = bgzf::find_block_start_in(&mut Cursor::new(data), 1);
}

/// Reads `r` to its end without keeping what it gives (memory stays bounded whatever a block
/// claims to hold).
fn drain(mut r: impl Read) -> io::Result<u64> {
    io::copy(&mut r, &mut io::sink())
}

// ---------------------------------------------------------------------------------------------
// Crypt4GH: headers and the plaintext view with fixed test keys, and key files.

/// The test keys the encrypted seeds are for (`testdata/crypt4gh/`, see its `SOURCE.md`): the
/// generated `dave` and `carol` (unprotected), htsget-rs' `bob` (unprotected), and the
/// generated `alice` and `bob` (scrypt, passphrases from `generated/README.md`), parsed once.
pub fn test_keys() -> &'static [SecretKey] {
    static KEYS: OnceLock<Vec<SecretKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let unprotected: [&[u8]; 3] = [
            include_bytes!("../../testdata/crypt4gh/generated/keys/dave.none.sec"),
            include_bytes!("../../testdata/crypt4gh/generated/keys/carol.sec"),
            include_bytes!("../../testdata/crypt4gh/htsget-rs/data/c4gh/keys/bob.sec"),
        ];
        let protected: [(&[u8], &[u8]); 2] = [
            (
                include_bytes!("../../testdata/crypt4gh/generated/keys/alice.sec"),
                b"alice-passphrase",
            ),
            (
                include_bytes!("../../testdata/crypt4gh/generated/keys/bob.sec"),
                b"bob-passphrase",
            ),
        ];
        unprotected
            .iter()
            .map(|text| SecretKey::parse(text, None))
            .chain(
                protected
                    .iter()
                    .map(|(text, pass)| SecretKey::parse(text, Some(pass))),
            )
            .map(|key| key.expect("the committed test keys parse"))
            .collect()
    })
}

/// A Crypt4GH file: its header read and opened with each test key, and the plaintext view of
/// the key that opens it read through, with seeks, then parsed as a file.
pub fn crypt4gh_header(data: &[u8]) {
    let Ok(header) = Header::read(&mut Cursor::new(data)) else {
        return;
    };
    let _ = (header.len(), header.packets());
    for key in test_keys() {
        if header.open(key).is_ok() {
            plaintext(data, key);
            return;
        }
    }
}

/// The plaintext view of `file` under `key`: read through, seeks near segment boundaries and
/// past the end, then the ingest of an encrypted file.
fn plaintext(file: &[u8], key: &SecretKey) {
    let Ok(mut reader) = PlaintextReader::new(Cursor::new(file), key) else {
        return;
    };
    let len = reader.len();
    let _ = drain(&mut reader);
    for pos in [
        0,
        1,
        len / 2,
        len.saturating_sub(1),
        len,
        len + 1,
        65_535,
        65_536,
        u64::MAX,
    ] {
        if reader.seek(SeekFrom::Start(pos)).is_ok() {
            let mut buf = [0u8; 100];
            let _ = reader.read(&mut buf);
        }
    }
    let _ = reader.seek(SeekFrom::End(-3));
    let _ = reader.seek(SeekFrom::Current(-2));
    let _ = wasm_core::read_encrypted_dataset(Cursor::new(file), key, &mut Silent);
}

/// crypt4gh §3.2: a header packet's plaintext is sealed with ChaCha20-Poly1305 under a key the
/// writer shares with the reader. Mutating a real file's header only breaks the seal, so this
/// target seals the input's packets itself (for the first test key, from a fixed writer key)
/// and encrypts the rest of the input as the body under the data key of the first data-key
/// packet. That reaches what an opened header says: data keys, edit lists and their lengths.
///
/// Input: `n` (1 byte, 0–7 packets) ‖ `n` × (u16 LE length ‖ packet plaintext) ‖ body repeat
/// count (1 byte: the body is that many copies, to reach several 64 KiB segments) ‖ body.
pub fn crypt4gh_packets(data: &[u8]) {
    let Some((&n, mut rest)) = data.split_first() else {
        return;
    };
    let mut packets = Vec::new();
    for _ in 0..(n & 7) {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            return;
        };
        let len = usize::from(u16::from_le_bytes(*len)).min(tail.len());
        packets.push(&tail[..len]);
        rest = &tail[len..];
    }
    let (repeat, body) = match rest.split_first() {
        Some((&r, body)) => (usize::from(r % 8) + 1, body),
        None => (1, rest),
    };
    let reader = &test_keys()[0];
    let file = seal_file(reader.public(), &packets, &body.repeat(repeat));
    let Ok(header) = Header::read(&mut Cursor::new(&file)) else {
        return;
    };
    if header.open(reader).is_ok() {
        plaintext(&file, reader);
    }
}

/// A Crypt4GH file for `reader` with the given packet plaintexts and `body` as its plaintext.
pub fn seal_file(reader: &PublicKey, packets: &[&[u8]], body: &[u8]) -> Vec<u8> {
    use blake2::{Blake2b512, Digest};
    use chacha20poly1305::aead::{AeadInOut, KeyInit};
    use chacha20poly1305::{ChaCha20Poly1305, Nonce};

    const WRITER_SECRET: [u8; 32] = [7; 32];
    let writer = x25519_dalek::StaticSecret::from(WRITER_SECRET);
    let writer_public = x25519_dalek::PublicKey::from(&writer);
    // libsodium crypto_kx, the writer as server: BLAKE2b-512(dh ‖ reader_pk ‖ writer_pk)[..32].
    let dh = writer.diffie_hellman(&x25519_dalek::PublicKey::from(*reader.as_bytes()));
    let mut hash = Blake2b512::new();
    hash.update(dh.as_bytes());
    hash.update(reader.as_bytes());
    hash.update(writer_public.as_bytes());
    let shared = hash.finalize();
    let packet_cipher = ChaCha20Poly1305::new_from_slice(&shared[..32]).expect("32-byte key");

    let mut out = b"crypt4gh".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(packets.len() as u32).to_le_bytes());
    let nonce = Nonce::from([0u8; 12]);
    for packet in packets {
        let mut sealed = packet.to_vec();
        let tag = packet_cipher
            .encrypt_inout_detached(&nonce, b"", sealed.as_mut_slice().into())
            .expect("a packet fits the cipher's limit");
        let len = 4 + 4 + 32 + 12 + sealed.len() + 16;
        out.extend_from_slice(&(len as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // X25519-ChaCha20-IETF-Poly1305
        out.extend_from_slice(writer_public.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out.extend_from_slice(&tag);
    }
    // The body under the first data-key packet's key (type 0, method 0, 32-byte key), if any;
    // else under zeros (the reader must then fail to authenticate, not misbehave).
    let data_key = packets
        .iter()
        .find(|p| p.len() == 40 && p[..8] == [0; 8])
        .map_or([0u8; 32], |p| p[8..40].try_into().expect("32 bytes"));
    let body_cipher = ChaCha20Poly1305::new_from_slice(&data_key).expect("32-byte key");
    for segment in body.chunks(wasm_core::crypt4gh::SEGMENT_SIZE) {
        let mut sealed = segment.to_vec();
        let tag = body_cipher
            .encrypt_inout_detached(&nonce, b"", sealed.as_mut_slice().into())
            .expect("a segment fits the cipher's limit");
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out.extend_from_slice(&tag);
    }
    out
}

/// Key files: the input as a public key, as a secret key (inspected, opened without a
/// passphrase and with one). The passphrase is the input's last line when it has more than
/// one, so a seed of key text + passphrase line reaches the key derivation and the secret's
/// decryption. Derivations past 16 bcrypt or 10,000 PBKDF2 rounds are left out: they are slow
/// by design (the reference's 100 bcrypt rounds took over 10 s under the sanitizer on a loaded
/// machine, a timeout), and the engine's limit on rounds has its own unit test. Mutations that
/// lower a seed's rounds still reach the derivation.
pub fn crypt4gh_keys(data: &[u8]) {
    let _ = PublicKey::parse(data);
    let _ = SecretKey::inspect(data);
    let _ = SecretKey::parse(data, None);
    let trimmed = data.strip_suffix(b"\n").unwrap_or(data);
    if let Some(split) = trimmed.iter().rposition(|&b| b == b'\n') {
        let (key, passphrase) = (&data[..split], &trimmed[split + 1..]);
        let Ok(info) = SecretKey::inspect(key) else {
            return;
        };
        let affordable = match info.kdf.as_str() {
            "bcrypt" => info.rounds <= 16,
            "pbkdf2_hmac_sha256" => info.rounds <= 10_000,
            _ => true,
        };
        if affordable {
            let _ = SecretKey::parse(key, Some(passphrase));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tabix / CSI indexes, alone and opening data.

/// An index file (compressed or not): parsed, then asked what the app and `-r` ask of it.
pub fn index(data: &[u8]) {
    if let Ok(index) = Index::read(data) {
        query_index(&index);
    }
}

fn query_index(index: &Index) {
    let _ = (index.kind(), index.names(), index.max_position());
    let _ = (index.chunk_starts(), index.offset_range());
    for tid in 0..index.len().min(16) {
        let _ = (index.stats(tid), index.has_records(tid));
        for (start, end) in [
            (1, 1),
            (1, 100_000),
            (16_384, 16_385),
            (1 << 29, (1 << 29) + 1),
            (1, u64::MAX),
            (u64::MAX - 1, u64::MAX),
            (10, 5),
        ] {
            let _ = index.chunks(tid, start, end);
        }
    }
    let _ = index.chunks(usize::MAX, 1, 100);
}

/// Data opened with an index, as the app opens a file picked with its `.tbi` / `.csi`.
///
/// Input: mode (1 byte) ‖ index length (u32 LE) ‖ index ‖ data. Mode 0: the data is the file as
/// it is (BGZF), the seeds' real pairs, where mutations reach the index. Mode 1: the data is
/// text this target compresses into BGZF blocks of `1 + byte` × 97 bytes, so that mutations
/// reach the records as well (an index made for other blocks then points at wrong places,
/// which must be refused, not followed).
pub fn indexed(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some((len, rest)) = rest.split_first_chunk::<4>() else {
        return;
    };
    let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
    let (index_bytes, body) = rest.split_at(len);
    let file = if mode & 1 == 0 {
        body.to_vec()
    } else {
        let block = (usize::from(mode >> 1) + 1) * 97;
        bgzf_blocks(body, block)
    };
    let Ok(index) = Index::read(index_bytes) else {
        return;
    };
    let Ok(mut opened) = IndexedFile::with_index(Box::new(Cursor::new(file.clone())), index, None)
    else {
        return;
    };
    let _ = opened.overview();
    let _ = (opened.payload(), opened.contig_names().len());
    let names: Vec<String> = opened.contig_names().iter().take(4).cloned().collect();
    for name in &names {
        let regions = format!("{name},{name}:1-1000,{name}:100000-");
        if let Ok(set) = RegionSet::parse(&regions)
            && let Ok(ds) = opened.query(&set)
        {
            use_dataset(&ds);
        }
    }
    if let Ok(plan) = shards::plan_indexed(&mut opened, 3) {
        read_shards(&file, &plan, None);
    }
}

/// `text` as BGZF blocks of at most `block` bytes of data each, with the end-of-file marker.
fn bgzf_blocks(text: &[u8], block: usize) -> Vec<u8> {
    use std::io::Write;
    let mut writer = noodles::bgzf::io::Writer::new(Vec::new());
    // Each flush ends a block.
    for chunk in text.chunks(block) {
        writer.write_all(chunk).expect("writing to memory");
        writer.flush().expect("writing to memory");
    }
    writer.finish().expect("writing to memory")
}

// ---------------------------------------------------------------------------------------------
// What a person types: filter expressions, region and gene lists, query formats.

/// Stores the typed-language targets compile against, loaded once: bcftools' own filter-test
/// files (samples, every INFO/FORMAT type, missing values) and a VEP-annotated one (CSQ
/// sub-fields).
fn stores() -> &'static [VariantStore] {
    static STORES: OnceLock<Vec<VariantStore>> = OnceLock::new();
    STORES.get_or_init(|| {
        let files: [&[u8]; 3] = [
            include_bytes!("../../testdata/bcftools-filter/bcftools/test/view.filter.vcf"),
            include_bytes!("../../testdata/bcftools-filter/bcftools/test/filter.8.vcf"),
            include_bytes!("../../testdata/annotation/bcftools/test/split-vep.4.vcf"),
        ];
        files
            .iter()
            .map(|bytes| {
                wasm_core::read_dataset(Cursor::new(bytes), None, &mut Silent)
                    .expect("the committed test files load")
                    .store
            })
            .collect()
    })
}

/// `@file` lists in expressions read a fixed list of IDs, positions and names.
struct FixedFiles;

impl FileSource for FixedFiles {
    fn read(&self, name: &str) -> Result<String, String> {
        match name.len() % 3 {
            0 => Ok("rs6054257\n.\nrs6040355\n14370\nA\n".into()),
            1 => Ok(String::new()),
            _ => Err(format!("no file {name:?}")),
        }
    }
}

/// A filter expression: parsed and compiled against each fixed store in both modes, then
/// evaluated (column kernels and the row interpreter) and rendered per record; an error's
/// caret rendering too.
pub fn filter(data: &[u8]) {
    let Ok(expression) = std::str::from_utf8(data) else {
        return;
    };
    for store in stores() {
        for mode in [Mode::Include, Mode::Exclude] {
            match Filter::compile(expression, store, mode, &FixedFiles) {
                Ok(f) => {
                    let _ = f.clauses();
                    let _ = f.evaluate(store);
                    for i in 0..store.len().min(RECORDS_USED) {
                        let _ = f.evaluate_record(store, i);
                    }
                }
                Err(e) => {
                    let _ = e.render(expression);
                }
            }
        }
    }
}

/// Region and gene lists (typed, or read from a BED / text file): parsed, and masks computed
/// over each fixed store.
pub fn regions(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(set) = RegionSet::parse(text) {
        for store in stores() {
            let _ = set.mask(store);
            let _ = set.intervals_for(store.contigs());
            let _ = set.contig_order(store.contigs());
        }
        let _ = set.regions().iter().map(ToString::to_string).count();
    }
    if let Ok(genes) = GeneList::parse(text) {
        for store in stores() {
            let matches = genes.matches(store);
            let _ = matches.missing(&genes);
            let _ = genes.mask(store);
        }
    }
}

/// A `query -f` format string: parsed, checked against each fixed store, and rendered for its
/// records.
pub fn query_format(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(format) = export::query::QueryFormat::parse(text) else {
        return;
    };
    let mut out = Vec::new();
    for store in stores() {
        let _ = format.check(store);
        for i in 0..store.len().min(RECORDS_USED) {
            out.clear();
            format.render(store, i, None, &mut out);
        }
    }
}

/// The synthetic demo families (`static/demo/family.vcf`: ten samples, two families, every
/// inheritance mode with hits), which a fuzzed PED is matched against.
fn demo_family() -> &'static Dataset {
    static DEMO: OnceLock<Dataset> = OnceLock::new();
    DEMO.get_or_init(|| {
        let bytes: &[u8] = include_bytes!("../../static/demo/family.vcf");
        wasm_core::read_dataset(Cursor::new(bytes), None, &mut Silent)
            .expect("the committed demo family loads")
    })
}

/// A PED file: the content test, the reader, each family's proband and roles; then, when it
/// names samples of the demo family, every inheritance mode over its calls as one selection
/// (gates on or off and strict or lenient by the input's length), each kept record's
/// `INFO/INHERITANCE` tag and the explanations of the first records under every mode.
pub fn ped(data: &[u8]) {
    let _ = looks_like_ped(data);
    let Ok(pedigree) = Pedigree::parse(data) else {
        return;
    };
    for f in 0..pedigree.families().len() {
        let _ = pedigree.proband(f);
        let _ = pedigree.roles(f);
    }
    let ds = demo_family();
    let store = &ds.store;
    let options = Options {
        gates: if data.len().is_multiple_of(3) {
            Gates::off()
        } else {
            Gates::default()
        },
        lenient: data.len() % 2 == 1,
        build: Some(Build::GRCh38),
    };
    let Ok(analysis) = Analysis::new(store, &pedigree, options) else {
        return;
    };
    let _ = analysis.notices().iter().map(ToString::to_string).count();
    let selection = analysis.select(store, &inheritance::Mode::ALL);
    for i in selection.kept.iter_ones().take(RECORDS_USED) {
        let _ = selection.tag(i);
    }
    for i in 0..store.len().min(8) {
        let _ = analysis.explain_row(store, i, &inheritance::Mode::ALL);
    }
}
