//! Consequence terms ranked by severity, for picking the worst transcript of a record.
//!
//! The scale is Ensembl VEP's "Calculated variant consequences" table (Sequence Ontology terms,
//! most severe first, `transcript_ablation` … `intergenic_variant`, then `sequence_variant`).
//! Terms other annotators write are mapped onto a rank of that scale, so that one ordering serves
//! VEP `CSQ`, SnpEff `ANN` and legacy `EFF`, and bcftools `BCSQ`:
//!
//! - SnpEff's own SO terms (`exon_loss_variant`, `gene_fusion`, `disruptive_inframe_deletion`,
//!   `5_prime_UTR_premature_start_codon_gain_variant`, `intragenic_variant`, …) take the rank of
//!   the closest Ensembl term (listed in [`ALIASES`]);
//! - legacy SnpEff `EFF` names (`NON_SYNONYMOUS_CODING`, `FRAME_SHIFT`, `UTR_5_PRIME`, …) are in
//!   [`LEGACY`];
//! - bcftools/csq short names (`missense`, `splice_donor`, `5_prime_utr`, `non_coding`, …) match
//!   after a `_variant` suffix is added; BCSQ's `*` prefix (a consequence downstream of a stop on
//!   the same haplotype) is ignored.
//!
//! Matching ignores ASCII case. Terms joined with `&` rank as their most severe part.

/// Ensembl's terms, most severe first; the index is the rank.
pub(crate) const ENSEMBL: [&str; 41] = [
    "transcript_ablation",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "transcript_amplification",
    "feature_elongation",
    "feature_truncation",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "splice_donor_5th_base_variant",
    "splice_region_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant",
    "start_retained_variant",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "mature_miRNA_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "intron_variant",
    "NMD_transcript_variant",
    "non_coding_transcript_variant",
    "coding_transcript_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "TFBS_ablation",
    "TFBS_amplification",
    "TF_binding_site_variant",
    "regulatory_region_ablation",
    "regulatory_region_amplification",
    "regulatory_region_variant",
    "intergenic_variant",
    "sequence_variant",
];

/// Ranks in [`ENSEMBL`] where each VEP IMPACT class ends (HIGH ≤ 9, MODERATE ≤ 13, LOW ≤ 21).
const LAST_HIGH: u8 = 9;
const LAST_MODERATE: u8 = 13;
const LAST_LOW: u8 = 21;

/// The rank of an Ensembl term, by name (a compile-time check that the name is in the table).
const fn rank(term: &str) -> u8 {
    let mut i = 0;
    while i < ENSEMBL.len() {
        if const_eq(ENSEMBL[i], term) {
            return i as u8;
        }
        i += 1;
    }
    panic!("not an Ensembl consequence term")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// SO terms SnpEff (and older VEP releases) write that Ensembl's table does not have, with the
/// rank of the Ensembl term they are closest to. Impact classes follow SnpEff's where the two
/// disagree only in name; SnpEff's LOW terms without an Ensembl twin rank as the last LOW term.
const ALIASES: &[(&str, u8)] = &[
    // Whole-gene and larger events: SnpEff ranks them above frameshifts.
    ("chromosome_number_variation", rank("transcript_ablation")),
    ("exon_loss_variant", rank("transcript_ablation")),
    ("feature_ablation", rank("transcript_ablation")),
    ("gene_fusion", rank("transcript_ablation")),
    ("bidirectional_gene_fusion", rank("transcript_ablation")),
    ("rearranged_at_DNA_level", rank("transcript_ablation")),
    ("duplication", rank("transcript_amplification")),
    ("inversion", rank("feature_truncation")),
    // VEP before release 80 wrote `initiator_codon_variant` for start_lost; SnpEff uses it for a
    // start codon that becomes another start codon (LOW). The severe reading is kept so that such
    // an entry is never hidden behind a milder one.
    ("initiator_codon_variant", rank("start_lost")),
    ("conservative_inframe_insertion", rank("inframe_insertion")),
    ("disruptive_inframe_insertion", rank("inframe_insertion")),
    ("conservative_inframe_deletion", rank("inframe_deletion")),
    ("disruptive_inframe_deletion", rank("inframe_deletion")),
    ("rare_amino_acid_variant", rank("missense_variant")),
    ("protein_protein_contact", rank("missense_variant")),
    ("structural_interaction_variant", rank("missense_variant")),
    ("5_prime_UTR_truncation", rank("protein_altering_variant")),
    ("3_prime_UTR_truncation", rank("protein_altering_variant")),
    (
        "splice_branch_variant",
        rank("splice_polypyrimidine_tract_variant"),
    ),
    ("non_canonical_start_codon", rank("start_retained_variant")),
    ("start_retained", rank("start_retained_variant")),
    ("5_prime_UTR_premature_start_codon_gain_variant", LAST_LOW),
    ("sequence_feature", LAST_LOW),
    ("miRNA", rank("mature_miRNA_variant")),
    ("exon_variant", rank("non_coding_transcript_exon_variant")),
    (
        "non_coding_exon_variant",
        rank("non_coding_transcript_exon_variant"),
    ),
    ("conserved_intron_variant", rank("intron_variant")),
    (
        "nc_transcript_variant",
        rank("non_coding_transcript_variant"),
    ),
    ("intragenic_variant", rank("coding_transcript_variant")),
    ("gene_variant", rank("coding_transcript_variant")),
    ("transcript_variant", rank("coding_transcript_variant")),
    ("conserved_intergenic_variant", rank("intergenic_variant")),
    ("intergenic_region", rank("intergenic_variant")),
    // bcftools/csq names that are not an Ensembl term plus `_variant`.
    ("non_coding", rank("non_coding_transcript_variant")),
    ("inframe_altering", rank("protein_altering_variant")),
];

/// Legacy SnpEff `EFF` effect names (SnpEff 3.x / 4.0).
const LEGACY: &[(&str, u8)] = &[
    ("CHROMOSOME_LARGE_DELETION", rank("transcript_ablation")),
    (
        "CHROMOSOME_LARGE_DUPLICATION",
        rank("transcript_amplification"),
    ),
    ("CHROMOSOME_LARGE_INVERSION", rank("feature_truncation")),
    ("EXON_DELETED", rank("transcript_ablation")),
    ("GENE_FUSION", rank("transcript_ablation")),
    ("SPLICE_SITE_ACCEPTOR", rank("splice_acceptor_variant")),
    ("SPLICE_SITE_DONOR", rank("splice_donor_variant")),
    ("FRAME_SHIFT", rank("frameshift_variant")),
    ("CODON_INSERTION", rank("inframe_insertion")),
    (
        "CODON_CHANGE_PLUS_CODON_INSERTION",
        rank("inframe_insertion"),
    ),
    ("CODON_DELETION", rank("inframe_deletion")),
    ("CODON_CHANGE_PLUS_CODON_DELETION", rank("inframe_deletion")),
    ("NON_SYNONYMOUS_CODING", rank("missense_variant")),
    ("RARE_AMINO_ACID", rank("missense_variant")),
    (
        "PROTEIN_PROTEIN_INTERACTION_LOCUS",
        rank("missense_variant"),
    ),
    (
        "PROTEIN_STRUCTURAL_INTERACTION_LOCUS",
        rank("missense_variant"),
    ),
    ("CODON_CHANGE", rank("protein_altering_variant")),
    ("UTR_5_DELETED", rank("protein_altering_variant")),
    ("UTR_3_DELETED", rank("protein_altering_variant")),
    ("SPLICE_SITE_REGION", rank("splice_region_variant")),
    (
        "SPLICE_SITE_BRANCH",
        rank("splice_polypyrimidine_tract_variant"),
    ),
    (
        "SPLICE_SITE_BRANCH_U12",
        rank("splice_polypyrimidine_tract_variant"),
    ),
    ("NON_SYNONYMOUS_START", rank("start_retained_variant")),
    ("SYNONYMOUS_START", rank("start_retained_variant")),
    ("NON_SYNONYMOUS_STOP", rank("stop_retained_variant")),
    ("SYNONYMOUS_STOP", rank("stop_retained_variant")),
    ("SYNONYMOUS_CODING", rank("synonymous_variant")),
    ("START_GAINED", LAST_LOW),
    ("NEXT_PROT", LAST_LOW),
    ("CDS", rank("coding_sequence_variant")),
    ("MICRO_RNA", rank("mature_miRNA_variant")),
    ("UTR_5_PRIME", rank("5_prime_UTR_variant")),
    ("UTR_3_PRIME", rank("3_prime_UTR_variant")),
    ("EXON", rank("non_coding_transcript_exon_variant")),
    ("INTRON", rank("intron_variant")),
    ("INTRON_CONSERVED", rank("intron_variant")),
    ("TRANSCRIPT", rank("coding_transcript_variant")),
    ("GENE", rank("coding_transcript_variant")),
    ("UPSTREAM", rank("upstream_gene_variant")),
    ("DOWNSTREAM", rank("downstream_gene_variant")),
    ("MOTIF", rank("TF_binding_site_variant")),
    ("REGULATION", rank("regulatory_region_variant")),
    ("INTERGENIC", rank("intergenic_variant")),
    ("INTERGENIC_CONSERVED", rank("intergenic_variant")),
];

/// Rank of one term (no `&`), `None` when unknown.
pub(crate) fn term_rank(term: &str) -> Option<u8> {
    let term = term.trim();
    let term = term.strip_prefix('*').unwrap_or(term);
    if term.is_empty() {
        return None;
    }
    let named = |t: &str| {
        ENSEMBL
            .iter()
            .position(|e| e.eq_ignore_ascii_case(t))
            .map(|r| r as u8)
            .or_else(|| lookup(ALIASES, t))
    };
    if let Some(r) = named(term).or_else(|| lookup(LEGACY, term)) {
        return Some(r);
    }
    // bcftools/csq: `missense` → `missense_variant`. Only short names get here, so the
    // allocation is rare (at most once per distinct unknown term when callers cache by value).
    if term.len() < 40 && !term.ends_with("_variant") {
        return named(&format!("{term}_variant"));
    }
    None
}

fn lookup(table: &[(&str, u8)], term: &str) -> Option<u8> {
    table
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(term))
        .map(|&(_, r)| r)
}

/// The most severe `&`-joined part of a consequence and its rank; unknown parts rank last.
/// `None` when every part is unknown.
pub(crate) fn most_severe_part(consequence: &str) -> Option<(&str, u8)> {
    let mut best: Option<(&str, u8)> = None;
    for part in consequence.split('&') {
        if let Some(r) = term_rank(part)
            && best.is_none_or(|(_, b)| r < b)
        {
            best = Some((part.trim(), r));
        }
    }
    best
}

/// VEP's IMPACT class of a rank.
pub(crate) fn impact_of_rank(rank: u8) -> &'static str {
    if rank <= LAST_HIGH {
        "HIGH"
    } else if rank <= LAST_MODERATE {
        "MODERATE"
    } else if rank <= LAST_LOW {
        "LOW"
    } else {
        "MODIFIER"
    }
}

/// The Ensembl term of a rank (the canonical name aliases map to).
pub(crate) fn ensembl_term(rank: u8) -> Option<&'static str> {
    ENSEMBL.get(usize::from(rank)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensembl_order_from_ablation_to_intergenic() {
        assert_eq!(term_rank("transcript_ablation"), Some(0));
        assert_eq!(term_rank("splice_acceptor_variant"), Some(1));
        assert_eq!(term_rank("intergenic_variant"), Some(39));
        assert_eq!(term_rank("sequence_variant"), Some(40));
        let ranks: Vec<u8> = ENSEMBL.iter().filter_map(|t| term_rank(t)).collect();
        assert_eq!(ranks, (0..41).collect::<Vec<u8>>());
    }

    #[test]
    fn impact_classes_follow_vep() {
        let of = |t| impact_of_rank(term_rank(t).unwrap());
        assert_eq!(of("feature_truncation"), "HIGH");
        assert_eq!(of("inframe_insertion"), "MODERATE");
        assert_eq!(of("protein_altering_variant"), "MODERATE");
        assert_eq!(of("splice_donor_5th_base_variant"), "LOW");
        assert_eq!(of("synonymous_variant"), "LOW");
        assert_eq!(of("coding_sequence_variant"), "MODIFIER");
    }

    #[test]
    fn snpeff_legacy_and_bcsq_names_map_onto_the_scale() {
        let r = |t| term_rank(t).unwrap();
        assert_eq!(r("disruptive_inframe_deletion"), r("inframe_deletion"));
        assert_eq!(r("NON_SYNONYMOUS_CODING"), r("missense_variant"));
        assert_eq!(r("missense"), r("missense_variant"));
        assert_eq!(r("*missense"), r("missense_variant"));
        assert_eq!(r("5_prime_utr"), r("5_prime_UTR_variant"));
        assert_eq!(r("splice_donor"), r("splice_donor_variant"));
        assert!(r("exon_loss_variant") < r("frameshift_variant"));
        assert!(r("5_prime_UTR_premature_start_codon_gain_variant") < r("5_prime_UTR_variant"));
        assert!(r("intragenic_variant") < r("intergenic_region"));
        assert_eq!(term_rank("@12345"), None);
        assert_eq!(term_rank(""), None);
        assert_eq!(term_rank("not_a_term"), None);
    }

    #[test]
    fn joined_terms_rank_as_their_worst_part() {
        assert_eq!(
            most_severe_part("intron_variant&splice_region_variant&nonsense"),
            Some(("splice_region_variant", 15))
        );
        assert_eq!(most_severe_part("foo&bar"), None);
    }
}
