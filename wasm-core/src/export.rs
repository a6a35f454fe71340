//! Export of records: TSV (as `bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\n'`) and VCF text;
//! `document`: the downloadable export of a selection (VCF with the file's header, the table's
//! TSV, JSON) that the app and `enclave export` share; `query`: bcftools `query -f` formats.

pub mod document;
pub mod query;

use std::io::{self, Write};

use crate::store::{ColumnData, VariantStore, format_float};

/// Writes `CHROM\tPOS\tREF\tALT\n` for each record index (ALT comma-joined, `.` when none).
pub fn write_tsv<W: Write>(
    out: &mut W,
    store: &VariantStore,
    rows: impl Iterator<Item = usize>,
) -> io::Result<()> {
    for i in rows {
        out.write_all(store.chrom(i).as_bytes())?;
        write!(out, "\t{}\t", store.pos(i))?;
        out.write_all(store.reference(i))?;
        out.write_all(b"\t")?;
        let alts = store.alts(i);
        out.write_all(if alts.is_empty() { b"." } else { alts })?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes one record as a VCF line (without the newline).
pub fn write_vcf_record<W: Write>(out: &mut W, store: &VariantStore, i: usize) -> io::Result<()> {
    let dot = |b: &[u8]| -> Vec<u8> {
        if b.is_empty() {
            b".".to_vec()
        } else {
            b.to_vec()
        }
    };
    out.write_all(store.chrom(i).as_bytes())?;
    write!(out, "\t{}\t", store.pos(i))?;
    out.write_all(&dot(&store.id(i)))?;
    out.write_all(b"\t")?;
    out.write_all(store.reference(i))?;
    out.write_all(b"\t")?;
    out.write_all(&dot(store.alts(i)))?;
    let qual = store
        .qual(i)
        .map_or(".".to_string(), |q| format_float(q.to_bits()));
    write!(
        out,
        "\t{qual}\t{}\t{}",
        store.filter_text(i),
        store.info_text(i)
    )?;
    let n = store.samples().len();
    if n == 0 {
        return Ok(());
    }
    // FORMAT keys present in any sample of this record; GT first (VCF 4.3 §1.6.2).
    let has_gt = (0..n).any(|s| store.genotype(i, s) != crate::store::genotype::ABSENT);
    let fields: Vec<(&str, &ColumnData)> = store
        .format
        .iter()
        .filter(|f| f.key != "GT" && (0..n).any(|s| f.data.is_present(i * n + s)))
        .map(|f| (f.key.as_str(), &f.data))
        .collect();
    let mut keys: Vec<&str> = Vec::new();
    if has_gt {
        keys.push("GT");
    }
    keys.extend(fields.iter().map(|(k, _)| *k));
    if keys.is_empty() {
        keys.push("GT");
    }
    write!(out, "\t{}", keys.join(":"))?;
    for s in 0..n {
        let mut parts = Vec::with_capacity(keys.len());
        if has_gt || fields.is_empty() {
            parts.push(store.genotype_text(i, s));
        }
        for (_, data) in &fields {
            parts.push(data.format(i * n + s).unwrap_or_else(|| ".".into()));
        }
        // Trailing missing values may be dropped (VCF 4.3 §1.6.2); keep them for clarity.
        write!(out, "\t{}", parts.join(":"))?;
    }
    Ok(())
}
