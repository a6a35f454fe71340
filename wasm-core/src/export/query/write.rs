//! Printing a resolved tag (`Value`) for one record, or one sample of it, as bcftools prints
//! it: `.` for anything missing, an INFO flag as `1`, floats as C's `%g`, genotypes as allele
//! indices (`%GT`) or bases (`%TGT`), and the values bcftools computes (`%END`, `%TYPE`,
//! `%IS_TS`, `%ILEN`, `%PBINOM`, `%smpl_count`).

use super::tags::Value;
use crate::store::column::{ColumnData, format_g};
use crate::store::genotype::{self, ABSENT, OVERFLOW};
use crate::store::{Field, INT_MISSING, VariantStore, format_float};
use crate::variant_type as vt;

fn dot_if_empty(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_empty() {
        out.push(b'.');
    } else {
        out.extend_from_slice(bytes);
    }
}

pub(super) fn write_value(
    value: &Value<'_>,
    store: &VariantStore,
    i: usize,
    sample: Option<usize>,
    out: &mut Vec<u8>,
) {
    let n_samples = store.samples().len();
    match value {
        Value::Chrom => out.extend_from_slice(store.chrom(i).as_bytes()),
        Value::Pos => out.extend_from_slice(store.pos(i).to_string().as_bytes()),
        Value::Pos0 => out.extend_from_slice(store.pos(i).saturating_sub(1).to_string().as_bytes()),
        Value::End => out.extend_from_slice(end(store, i).to_string().as_bytes()),
        Value::End0 => {
            out.extend_from_slice(end(store, i).saturating_sub(1).to_string().as_bytes());
        }
        Value::Id => dot_if_empty(out, &store.id(i)),
        Value::Ref => out.extend_from_slice(store.reference(i)),
        Value::Alt(None) => dot_if_empty(out, store.alts(i)),
        Value::Alt(Some(k)) => dot_if_empty(out, store.alt_alleles(i).nth(*k).unwrap_or(b"")),
        Value::FirstAlt => dot_if_empty(out, store.alt_alleles(i).next().unwrap_or(b"")),
        Value::Qual => match store.qual(i) {
            Some(q) => out.extend_from_slice(format_float(q.to_bits()).as_bytes()),
            None => out.push(b'.'),
        },
        Value::Filter => out.extend_from_slice(store.filter_text(i).as_bytes()),
        Value::Type => out.extend_from_slice(vt::names(vt::record_type(store, i)).as_bytes()),
        Value::IsTs => out.push(if is_transition(store, i) { b'1' } else { b'0' }),
        Value::Ilen => write_ilen(store, i, out),
        Value::InfoColumn => out.extend_from_slice(store.info_text(i).as_bytes()),
        Value::Info(field, sub) => write_info(field, i, *sub, out),
        Value::Format(field, sub) => match sample {
            Some(s) => write_format(field, i * n_samples + s, *sub, out),
            None => out.push(b'.'),
        },
        Value::Sample => match sample {
            Some(s) => out.extend_from_slice(store.samples()[s].as_bytes()),
            None => out.push(b'.'),
        },
        Value::Gt => match sample {
            Some(s) => out.extend_from_slice(store.genotype_text(i, s).as_bytes()),
            None => out.push(b'.'),
        },
        Value::Tgt => match sample {
            Some(s) => write_tgt(store, i, s, out),
            None => out.push(b'.'),
        },
        Value::SmplCount(field) => match sample {
            Some(s) => {
                let row = i * store.samples().len() + s;
                let n = match &field.data {
                    ColumnData::Integer(c) => {
                        c.with(row, |v| v.iter().filter(|&&v| v != INT_MISSING).count())
                    }
                    ColumnData::Float(c) => c
                        .get(row)
                        .iter()
                        .filter(|&&v| v != crate::store::FLOAT_MISSING)
                        .count(),
                    ColumnData::Flag(c) => usize::from(c.get(row)),
                    ColumnData::Text(c) => c
                        .get(row)
                        .split(|&b| b == b',')
                        .filter(|v| !v.is_empty() && *v != b".")
                        .count(),
                };
                out.extend_from_slice(n.to_string().as_bytes());
            }
            None => out.push(b'.'),
        },
        Value::Pbinom(field) => match sample {
            Some(s) => write_pbinom(store, field, i, s, out),
            None => out.push(b'.'),
        },
    }
}

/// The last reference base: INFO/END when present (htslib's `rlen`), else POS + len(REF) - 1.
fn end(store: &VariantStore, i: usize) -> u64 {
    if let Some(ColumnData::Integer(c)) = store.info.get("END").map(|f| &f.data)
        && let Some(e) = c.first(i)
        && e != INT_MISSING
        && e > 0
    {
        return e as u64;
    }
    store.pos(i) + (store.reference(i).len() as u64).max(1) - 1
}

fn write_number_list<T: Copy>(
    values: &[T],
    sub: Option<usize>,
    lenient_single: bool,
    fmt: impl Fn(T, &mut Vec<u8>),
    out: &mut Vec<u8>,
) {
    match sub {
        // bcftools prints a one-value INFO field whatever the subscript.
        Some(_) if lenient_single && values.len() == 1 => fmt(values[0], out),
        Some(k) => match values.get(k) {
            Some(&v) => fmt(v, out),
            None => out.push(b'.'),
        },
        None => {
            for (k, &v) in values.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                fmt(v, out);
            }
        }
    }
}

fn put_int(v: i32, out: &mut Vec<u8>) {
    if v == INT_MISSING {
        out.push(b'.');
    } else {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

fn put_float(bits: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(format_float(bits).as_bytes());
}

fn write_text(text: &[u8], sub: Option<usize>, out: &mut Vec<u8>) {
    match sub {
        None => dot_if_empty(out, text),
        Some(k) => dot_if_empty(out, text.split(|&b| b == b',').nth(k).unwrap_or(b"")),
    }
}

fn write_info(field: &Field, row: usize, sub: Option<usize>, out: &mut Vec<u8>) {
    if !field.data.is_present(row) {
        out.push(b'.');
        return;
    }
    match &field.data {
        ColumnData::Flag(_) => out.push(b'1'),
        ColumnData::Integer(c) => c.with(row, |v| write_number_list(v, sub, true, put_int, out)),
        ColumnData::Float(c) => write_number_list(c.get(row), sub, true, put_float, out),
        ColumnData::Text(c) => write_text(&c.get(row), sub, out),
    }
}

fn write_format(field: &Field, cell: usize, sub: Option<usize>, out: &mut Vec<u8>) {
    if cell >= field.data.len() || !field.data.is_present(cell) {
        out.push(b'.');
        return;
    }
    match &field.data {
        ColumnData::Flag(_) => out.push(b'1'),
        ColumnData::Integer(c) => c.with(cell, |v| write_number_list(v, sub, false, put_int, out)),
        ColumnData::Float(c) => write_number_list(c.get(cell), sub, false, put_float, out),
        ColumnData::Text(c) => write_text(&c.get(cell), sub, out),
    }
}

/// The alleles of a genotype as indices (`None` = `.`) with the separator before each allele
/// after the first (`true` = phased), from the packed value or the overflow text.
fn genotype_alleles(store: &VariantStore, i: usize, s: usize) -> Option<Vec<(Option<u32>, bool)>> {
    match store.genotype(i, s) {
        ABSENT => None,
        OVERFLOW => {
            let text = store.genotype_text(i, s);
            let mut alleles = Vec::new();
            let mut phased = false;
            for part in text.split_inclusive(['/', '|']) {
                let (allele, sep) = match part.strip_suffix(['/', '|']) {
                    Some(a) => (a, part.ends_with('|')),
                    None => (part, false),
                };
                alleles.push((allele.parse::<u32>().ok(), phased));
                phased = sep;
            }
            Some(alleles)
        }
        packed => {
            let (pair, ploidy, phased) = genotype::unpack(packed)?;
            Some(
                pair[..ploidy]
                    .iter()
                    .enumerate()
                    .map(|(k, &a)| (a, k > 0 && phased))
                    .collect(),
            )
        }
    }
}

fn write_tgt(store: &VariantStore, i: usize, s: usize, out: &mut Vec<u8>) {
    let Some(alleles) = genotype_alleles(store, i, s) else {
        out.push(b'.');
        return;
    };
    for (k, (allele, phased)) in alleles.iter().enumerate() {
        if k > 0 {
            out.push(if *phased { b'|' } else { b'/' });
        }
        let text = match allele {
            Some(0) => Some(store.reference(i)),
            Some(a) => store.alt_alleles(i).nth(*a as usize - 1),
            None => None,
        };
        match text {
            Some(t) => out.extend_from_slice(t),
            None => out.push(b'.'),
        }
    }
}

/// `%PBINOM(AD)`: the phred-scaled two-sided binomial probability (p = 0.5) of the counts of a
/// diploid sample's two alleles; `0` when the counts are equal, `.` when they are both zero or
/// the genotype or counts are missing (bcftools `convert.c`).
fn write_pbinom(store: &VariantStore, field: &Field, i: usize, s: usize, out: &mut Vec<u8>) {
    let cell = i * store.samples().len() + s;
    let counts = match &field.data {
        ColumnData::Integer(c) if cell < c.len() => c.to_vec(cell),
        _ => Vec::new(),
    };
    let n = genotype_alleles(store, i, s).and_then(|alleles| {
        if alleles.len() != 2 {
            return None;
        }
        let count = |a: Option<u32>| -> Option<u64> {
            let v = *counts.get(a? as usize)?;
            (v != INT_MISSING && v >= 0).then_some(v as u64)
        };
        Some((count(alleles[0].0)?, count(alleles[1].0)?))
    });
    match n {
        None => out.push(b'.'),
        Some((a, b)) if a == b => out.push(if a == 0 { b'.' } else { b'0' }),
        Some((a, b)) => {
            let ln_p = crate::binomial::ln_two_sided(a, b);
            let phred = if ln_p >= 0.0 {
                0.0
            } else {
                -10.0 / std::f64::consts::LN_10 * ln_p
            };
            out.extend_from_slice(format_g(phred).as_bytes());
        }
    }
}

/// bcftools' `%IS_TS`: a SNP or MNP whose first REF and ALT bases are a transition.
fn is_transition(store: &VariantStore, i: usize) -> bool {
    if vt::record_type(store, i) & (vt::SNP | vt::MNP) == 0 {
        return false;
    }
    let first_alt = store.alt_alleles(i).next().and_then(|a| a.first().copied());
    match (store.reference(i).first(), first_alt) {
        (Some(&r), Some(a)) => vt::is_transition(r, a),
        _ => false,
    }
}

/// `%ILEN` without an INFO/ILEN field: per ALT, len(ALT) − len(REF) for indels, `.` otherwise.
fn write_ilen(store: &VariantStore, i: usize, out: &mut Vec<u8>) {
    let reference = store.reference(i);
    let mut any = false;
    for (k, alt) in store.alt_alleles(i).enumerate() {
        if k > 0 {
            out.push(b',');
        }
        any = true;
        match vt::indel_length(reference, alt) {
            Some(d) => out.extend_from_slice(d.to_string().as_bytes()),
            None => out.push(b'.'),
        }
    }
    if !any {
        out.push(b'.');
    }
}

#[cfg(test)]
mod tests {
    use super::super::QueryFormat;
    use super::super::tests::render_all;
    use super::*;
    use crate::store::{FLOAT_MISSING as FM, ValueType};

    #[test]
    fn pbinom_matches_bcftools() {
        // query.pbinom.1.vcf / query.65.out of bcftools' tests.
        let mut s = VariantStore::new(vec!["A".into()]);
        s.format.declare("AD", "R", ValueType::Integer, "");
        let ad = s.format.resolve("AD");
        let c = s.contig_id("1");
        for counts in [[0, 0, 0], [1, 1, 0], [0, 2, 0], [0, 119, 0], [3, 0, 0]] {
            s.begin_record(c, 1, b"", b"C", b"T,A", FM, &[]).unwrap();
            s.set_genotype(0, &[Some(0), Some(1)], false, String::new);
            s.set_format_integers(ad, 0, &counts).unwrap();
            s.end_record();
        }
        assert_eq!(
            render_all(r"[%PBINOM(AD)]\n", &s),
            ".\n0\n3.0103\n355.215\n6.0206\n"
        );
        assert!(
            QueryFormat::parse("%PBINOM(AD)")
                .unwrap()
                .check(&s)
                .is_err()
        );
    }
}
