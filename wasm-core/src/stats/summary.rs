//! The summary counts of a loaded store (`enclave stats`, `enclave stats --json`'s `stats`, the
//! app's summary): records, samples, allele classes as [`crate::variant_type`] names them, per
//! contig and per FILTER. In the spirit of `bcftools stats`' SN section; the exact bcftools
//! sections are [`super::bcftools`].

use std::collections::BTreeMap;

use crate::store::VariantStore;
use crate::variant_type as vt;

/// Counts over all records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    pub records: u64,
    pub samples: u64,
    /// Records with no variant ALT allele (`.`, `<*>`, `<NON_REF>`, ALT equal to REF).
    pub no_alts: u64,
    /// Records with at least one SNP allele (after htslib's trimming: `AC>AT` is a SNP).
    pub snps: u64,
    /// Records with at least one MNP allele.
    pub mnps: u64,
    /// Records with at least one indel allele.
    pub indels: u64,
    /// Records with at least one other allele (symbolic, complex, breakend, `*`).
    pub others: u64,
    /// Records with more than one ALT allele.
    pub multiallelic: u64,
    /// Multiallelic records whose variant alleles are all SNPs.
    pub multiallelic_snps: u64,
    /// Transitions and transversions over SNP alleles.
    pub transitions: u64,
    pub transversions: u64,
    pub per_contig: BTreeMap<String, u64>,
    pub per_filter: BTreeMap<String, u64>,
}

fn is_acgt(b: u8) -> bool {
    matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T')
}

/// Computes [`Stats`] in one pass over the columns.
pub fn compute(store: &VariantStore) -> Stats {
    let mut s = Stats {
        records: store.len() as u64,
        samples: store.samples().len() as u64,
        no_alts: 0,
        snps: 0,
        mnps: 0,
        indels: 0,
        others: 0,
        multiallelic: 0,
        multiallelic_snps: 0,
        transitions: 0,
        transversions: 0,
        per_contig: BTreeMap::new(),
        per_filter: BTreeMap::new(),
    };
    let mut contig_counts = vec![0u64; store.contigs().len()];
    let mut filter_counts = vec![0u64; store.filter_names().len()];
    let mut missing_filter = 0u64;
    for i in 0..store.len() {
        contig_counts[store.contig_of(i) as usize] += 1;
        let f = store.filter_ids(i);
        if f.is_empty() {
            missing_filter += 1;
        }
        for &id in f {
            filter_counts[id as usize] += 1;
        }
        // Allele classes as htslib's (`variant_type`), so the counts mean what bcftools' do.
        let reference = store.reference(i);
        let mut n_alt = 0;
        let mut t = vt::REF;
        for alt in store.alt_alleles(i) {
            n_alt += 1;
            t |= vt::allele_type(reference, alt);
            if let Some((r, a)) = vt::snp_bases(reference, alt)
                && is_acgt(r)
                && is_acgt(a)
            {
                if vt::is_transition(r, a) {
                    s.transitions += 1;
                } else {
                    s.transversions += 1;
                }
            }
        }
        let (snp, mnp, indel) = (t & vt::SNP != 0, t & vt::MNP != 0, t & vt::INDEL != 0);
        let other = t & (vt::OTHER | vt::BND | vt::OVERLAP) != 0;
        if t == vt::REF {
            s.no_alts += 1;
        }
        s.snps += u64::from(snp);
        s.mnps += u64::from(mnp);
        s.indels += u64::from(indel);
        s.others += u64::from(other);
        if n_alt > 1 {
            s.multiallelic += 1;
            if t == vt::SNP {
                s.multiallelic_snps += 1;
            }
        }
    }
    for (k, n) in contig_counts.into_iter().enumerate() {
        if n > 0 {
            s.per_contig.insert(store.contigs()[k].clone(), n);
        }
    }
    for (k, n) in filter_counts.into_iter().enumerate() {
        if n > 0 {
            s.per_filter.insert(store.filter_names()[k].clone(), n);
        }
    }
    if missing_filter > 0 {
        s.per_filter.insert(".".into(), missing_filter);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_are_counted_on_the_differing_base() {
        assert!(vt::is_transition(b'C', b'T') && !vt::is_transition(b'A', b'C'));
        assert_eq!(vt::snp_bases(b"AC", b"AT"), Some((b'C', b'T')));
    }
}
