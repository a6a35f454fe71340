//! What the store costs, column by column ([`ColumnBytes`]): heap bytes and layout of CHROM,
//! POS, ID, REF, ALT, QUAL, FILTER, each INFO field, GT and each FORMAT field. The memory budget
//! and `enclave stats --json` (`summary.store_columns`) read it; docs/ARCHITECTURE.md's table of
//! bytes per variant comes from it.

use super::{VariantStore, Widening};

impl VariantStore {
    /// Bytes the store holds on the heap (for the memory budget and the benchmark): the sum of
    /// [`VariantStore::column_bytes`].
    pub fn heap_bytes(&self) -> usize {
        self.column_bytes().iter().map(|c| c.bytes as usize).sum()
    }

    /// Heap bytes per column (capacities, so call it after [`VariantStore::shrink_to_fit`] for
    /// numbers that do not depend on how the columns grew): `CHROM`, `POS`, …, `INFO/<key>`,
    /// `GT`, `FORMAT/<key>`, in that order.
    pub fn column_bytes(&self) -> Vec<ColumnBytes> {
        let int = |w: &Widening| format!("u{}", w.width() * 8);
        let mut out = vec![
            ColumnBytes::new("CHROM", self.chrom.heap_bytes(), int(&self.chrom)),
            ColumnBytes::new("POS", self.pos.heap_bytes(), int(&self.pos)),
            ColumnBytes::new(
                "ID",
                self.rs_ids.heap_bytes() + self.ids.heap_bytes(),
                format!(
                    "rs numbers {}, text {}",
                    self.rs_ids.layout_name(),
                    self.ids.layout_name()
                ),
            ),
            ColumnBytes::new("REF", self.refs.heap_bytes(), self.refs.layout_name()),
            ColumnBytes::new("ALT", self.alts.heap_bytes(), self.alts.layout_name()),
            ColumnBytes::new("QUAL", self.qual.capacity() * 4, "f32".into()),
            ColumnBytes::new(
                "FILTER",
                self.filters.heap_bytes(),
                self.filters.layout_name(),
            ),
        ];
        self.info.column_bytes("INFO", &mut out);
        // The table of distinct genotypes: its values and the lookup map (key, code, control).
        let table = self.gt_values.capacity() * 4 + self.gt_codes.capacity() * 9;
        out.push(ColumnBytes::new(
            "GT",
            self.gt.heap_bytes() + table,
            format!(
                "{} codes, {} genotypes",
                int(&self.gt),
                self.gt_values.len()
            ),
        ));
        self.format.column_bytes("FORMAT", &mut out);
        out
    }
}

/// Heap bytes of one column of the store ([`VariantStore::column_bytes`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnBytes {
    /// `CHROM`, `POS`, `ID`, `REF`, `ALT`, `QUAL`, `FILTER`, `INFO/<key>`, `GT`, `FORMAT/<key>`.
    pub column: String,
    pub bytes: u64,
    /// How it is held: `u32`, `fixed(1)`, `sparse`, `ragged`, `blocks`, …
    pub layout: String,
}

impl ColumnBytes {
    pub(super) fn new(column: impl Into<String>, bytes: usize, layout: String) -> Self {
        Self {
            column: column.into(),
            bytes: bytes as u64,
            layout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::two_records;

    #[test]
    fn columns_are_listed_in_record_order_and_sum_to_the_heap_bytes() {
        let mut s = two_records();
        s.shrink_to_fit();
        let columns = s.column_bytes();
        let names: Vec<&str> = columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(
            names,
            [
                "CHROM",
                "POS",
                "ID",
                "REF",
                "ALT",
                "QUAL",
                "FILTER",
                "INFO/DP",
                "GT",
                "FORMAT/GQ"
            ]
        );
        let sum: u64 = columns.iter().map(|c| c.bytes).sum();
        assert_eq!(s.heap_bytes() as u64, sum);
        // Two records: QUAL is two f32s, and CHROM fits one byte each.
        assert_eq!(columns[5].bytes, 8);
        assert_eq!(columns[5].layout, "f32");
        assert_eq!(columns[0].layout, "u8");
        // GT: 1-byte codes, and the table of distinct genotypes (absent, 0/1).
        assert_eq!(columns[8].layout, "u8 codes, 2 genotypes");
    }
}
