//! Every input a fuzz target once failed on, replayed on stable Rust: each file under
//! `testdata/fuzz-regressions/<target>/` goes through the same function the libFuzzer target
//! `<target>` calls (`fuzz/src/targets.rs`, compiled in here), and must come back — an `Ok` or
//! an `Err` from the engine, never a panic — without the process's memory growing by more than
//! a small input can justify. docs/FUZZING.md says how an input gets here.

// Native only: the inputs are files, panics are caught, and memory is read from /proc.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

#[path = "../../fuzz/src/targets.rs"]
mod targets;

use enclave_test_support::files::{files_under, testdata_dir};

/// How far the process's peak virtual memory may grow while the inputs run: half of the single
/// allocation at which the fuzzer stops (`-malloc_limit_mb=512`). Every input here is a few KiB,
/// and a length field that claims gigabytes must be an error before it is an allocation. (The
/// `bcf` input without its fix grows it by 487 MB: the minimised input claims just past the
/// fuzzer's limit.)
const MEMORY_GROWTH_LIMIT: u64 = 256 << 20;

/// Peak virtual memory of this process (`VmPeak` in `/proc/self/status`), when the system
/// reports it. Virtual, not resident: an allocation counts whether or not its pages are touched.
fn peak_virtual_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmPeak:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Runs the file at `path` through target `name`'s function.
fn replay(name: &str, function: fn(&[u8]), path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    run(name, function, &path.display().to_string(), &bytes);
}

/// Runs `bytes` through target `name`'s function; a panic fails the test naming the input.
fn run(name: &str, function: fn(&[u8]), what: &str, bytes: &[u8]) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| function(bytes))) {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        panic!("fuzz target `{name}` panicked on {what}: {message}");
    }
}

#[test]
fn every_regression_input_returns_with_bounded_memory() {
    let root = testdata_dir().join("fuzz-regressions");
    // Load the fixed keys and stores first, so that their memory counts in the baseline.
    for (_, function) in targets::TARGETS {
        function(b"");
    }
    let baseline = peak_virtual_bytes();
    let mut replayed = 0;
    for dir in std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("a readable folder entry").path())
        .filter(|p| p.is_dir())
    {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let function = targets::target(&name).unwrap_or_else(|| {
            panic!(
                "{} names no fuzz target (fuzz/src/targets.rs lists them)",
                dir.display()
            )
        });
        for input in files_under(&dir) {
            replay(&name, function, &input);
            replayed += 1;
            if let (Some(before), Some(now)) = (baseline, peak_virtual_bytes()) {
                assert!(
                    now.saturating_sub(before) <= MEMORY_GROWTH_LIMIT,
                    "fuzz target `{name}` on {}: peak virtual memory grew by {} MiB",
                    input.display(),
                    (now - before) >> 20
                );
            }
        }
    }
    assert!(replayed > 0, "no input under {}", root.display());
}

/// Each target's function returns on trivial inputs: the fixed keys and stores it needs load
/// from `testdata/`, and nothing in the harness itself panics (the regression inputs above
/// would then fail for the wrong reason).
#[test]
fn every_target_returns_on_trivial_inputs() {
    let inputs: [&[u8]; 6] = [
        b"",
        b"\0",
        b"#",
        b"\xff\xff\xff\xff\xff\xff\xff\xff",
        b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t1\t.\tA\tC\t.\t.\t.\n",
        b"QUAL>1 && GT=\"het\"",
    ];
    for (name, function) in targets::TARGETS {
        for input in inputs {
            run(name, *function, &String::from_utf8_lossy(input), input);
        }
    }
}

/// The `crypt4gh_packets` target seals its packets as a Crypt4GH writer does: a file it makes
/// from a data-key and an edit-list packet opens with the test key and reads back the edited
/// body, so its runs reach what an opened header says rather than stopping at the MACs.
#[test]
fn the_packets_target_makes_files_the_engine_opens() {
    use std::io::Read;
    use wasm_core::crypt4gh::{Header, PlaintextReader};

    let key = &targets::test_keys()[0];
    let mut data_key = vec![0u8; 8];
    data_key.extend([0x11; 32]);
    let mut edit_list = 1u32.to_le_bytes().to_vec();
    edit_list.extend(2u32.to_le_bytes());
    edit_list.extend(3u64.to_le_bytes());
    edit_list.extend(4u64.to_le_bytes());
    let body: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
    let file = targets::seal_file(key.public(), &[&data_key, &edit_list], &body);
    let header = Header::read(&mut std::io::Cursor::new(&file)).unwrap();
    header.open(key).unwrap();
    let mut plain = Vec::new();
    PlaintextReader::new(std::io::Cursor::new(&file), key)
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    // Skip 3, keep 4 (crypt4gh §4.3): an even count stops after the last kept length.
    assert_eq!(plain, body[3..7]);
}
