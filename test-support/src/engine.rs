//! Reading through the engine in tests (feature `engine`): [`read_from`], which turns a panic
//! into a failure naming the case, and records rendered back as VCF lines ([`vcf_line`],
//! [`vcf_lines`]), the form in which tests compare two reads of the same records.
//!
//! The engine's own integration tests use these too (a dev-dependency cycle Cargo allows: the
//! tests and this crate link the same `wasm_core`).

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wasm_core::export::write_vcf_record;
use wasm_core::progress::Silent;
use wasm_core::store::VariantStore;
use wasm_core::{Dataset, IngestError};

/// The text of a panic's payload (`panic!` with a literal or a formatted message).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Reads through the engine; a panic fails the test with the case's name and the panic message.
pub fn read_from(
    name: &str,
    reader: impl Read,
    total: Option<u64>,
) -> Result<Dataset, IngestError> {
    match catch_unwind(AssertUnwindSafe(|| {
        wasm_core::read_dataset(reader, total, &mut Silent)
    })) {
        Ok(r) => r,
        Err(payload) => panic!(
            "{name}: the engine panicked: {}",
            panic_message(payload.as_ref())
        ),
    }
}

/// Record `i` of `store` as a VCF line, without its newline.
pub fn vcf_line(store: &VariantStore, i: usize) -> String {
    let mut out = Vec::new();
    write_vcf_record(&mut out, store, i).expect("writing to memory");
    String::from_utf8(out).expect("the engine writes UTF-8")
}

/// The records `rows` of a dataset as VCF lines.
pub fn vcf_lines(ds: &Dataset, rows: impl Iterator<Item = usize>) -> Vec<String> {
    rows.map(|i| vcf_line(&ds.store, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VCF: &str = "##fileformat=VCFv4.2\n\
##contig=<ID=chr1>\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\
chr1\t10\trs1\tA\tG\t50\tPASS\t.\n\
chr1\t20\t.\tC\tT\t.\t.\t.\n";

    #[test]
    fn records_come_back_as_their_lines() {
        let ds = read_from("two records", VCF.as_bytes(), None).unwrap();
        let data: Vec<&str> = VCF.lines().skip(3).collect();
        assert_eq!(vcf_lines(&ds, 0..2), data);
        assert_eq!(vcf_line(&ds.store, 1), data[1]);
        assert!(read_from("not a VCF", &b"hello\n"[..], None).is_err());
    }

    #[test]
    fn panic_messages_of_both_kinds() {
        let literal = catch_unwind(|| panic!("plain")).unwrap_err();
        assert_eq!(panic_message(literal.as_ref()), "plain");
        let formatted = catch_unwind(|| panic!("{} {}", "formatted", 1)).unwrap_err();
        assert_eq!(panic_message(formatted.as_ref()), "formatted 1");
    }
}
