//! Reading an annotation layout from an INFO header description.
//!
//! - VEP (`CSQ`, or any key) and bcftools/csq (`BCSQ`): `… Format: Allele|Consequence|IMPACT|…`.
//!   The list must name `Consequence` or `Allele`, which keeps out other `Format:` descriptions
//!   (SnpEff's `LOF`/`NMD`, plugin notes).
//! - SnpEff `ANN`: `Functional annotations: 'Allele | Annotation | Annotation_Impact | …'`.
//! - Legacy SnpEff `EFF`: `… Format: 'Effect ( Effect_Impact | … [ | ERRORS | WARNINGS ] )'`;
//!   `Effect` becomes sub-field 0 and the parenthesised names follow.
//!
//! Names keep their spelling with all whitespace removed (`cDNA.pos / cDNA.length` →
//! `cDNA.pos/cDNA.length`); positions are never shifted, so an empty name stays a placeholder.

use super::{Schema, Style, Subfield, SubfieldType};

/// The schema a description declares, if it declares one.
pub(crate) fn parse(tag: &str, description: &str) -> Option<Schema> {
    let (style, names) = if let Some(at) = description.find("Functional annotations") {
        let list = after_colon(&description[at..])?;
        (Style::SnpEff, split_names(list))
    } else {
        let at = description.find("Format:")?;
        let list = unquote(&description[at + "Format:".len()..]);
        let open = list.find('(').filter(|&k| !list[..k].contains('|'));
        if let Some(open) = open {
            // `Effect ( a | b [ | c ] )`
            let mut names = vec![clean(&list[..open])];
            let body: String = list[open + 1..]
                .chars()
                .filter(|c| !matches!(c, '(' | ')' | '[' | ']'))
                .collect();
            names.extend(split_names(&body));
            (Style::SnpEff, names)
        } else {
            let names = split_names(list);
            if !names.iter().any(|n| n == "Consequence" || n == "Allele") {
                return None;
            }
            (Style::Vep, names)
        }
    };
    let mut names = names;
    while names.last().is_some_and(|n| n.is_empty()) {
        names.pop();
    }
    if names.len() < 2 {
        return None;
    }
    Some(Schema {
        tag: tag.to_string(),
        style,
        subfields: names
            .into_iter()
            .map(|name| Subfield {
                ty: infer_type(&name),
                name,
            })
            .collect(),
    })
}

/// The text after the first `:`, unquoted.
fn after_colon(s: &str) -> Option<&str> {
    s.find(':').map(|k| unquote(&s[k + 1..]))
}

/// Strips whitespace and quotes around a list.
fn unquote(s: &str) -> &str {
    s.trim()
        .trim_matches(|c: char| c == '\'' || c == '"' || c.is_whitespace())
}

fn split_names(list: &str) -> Vec<String> {
    list.split('|').map(clean).collect()
}

fn clean(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The type of a sub-field, from its name.
///
/// Like `bcftools +split-vep`, every sub-field is a String unless it is one of the well-known
/// numeric VEP columns, so that numbers compare as numbers in filters:
/// - Integer: `DISTANCE`, `STRAND`, `ALLELE_NUM`, and SnpEff's `Distance`;
/// - Float: `AF`, names ending in `_AF` (`gnomADe_AF`, `MAX_AF`, `EUR_AF`), `gnomAD*_AF*`,
///   `CADD_PHRED`, `CADD_RAW`, `REVEL*`, names ending in `_score`.
pub fn infer_type(name: &str) -> SubfieldType {
    match name {
        "DISTANCE" | "STRAND" | "ALLELE_NUM" | "Distance" => SubfieldType::Integer,
        "AF" | "CADD_PHRED" | "CADD_RAW" => SubfieldType::Float,
        _ if name.ends_with("_AF")
            || (name.starts_with("gnomAD") && name.contains("_AF"))
            || name.starts_with("REVEL")
            || name.ends_with("_score") =>
        {
            SubfieldType::Float
        }
        _ => SubfieldType::String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Schema) -> Vec<&str> {
        s.subfields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn vep_format_with_types() {
        let s = parse(
            "CSQ",
            "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|\
             DISTANCE|STRAND|gnomADe_AF|MAX_AF|MAX_AF_POPS|CADD_PHRED|REVEL|M_CAP_score|AF",
        )
        .unwrap();
        assert_eq!(s.style, Style::Vep);
        assert_eq!(s.tag, "CSQ");
        assert_eq!(s.index_of("SYMBOL"), Some(3));
        let ty = |n| s.subfields[s.index_of(n).unwrap()].ty;
        assert_eq!(ty("IMPACT"), SubfieldType::String);
        assert_eq!(ty("DISTANCE"), SubfieldType::Integer);
        assert_eq!(ty("STRAND"), SubfieldType::Integer);
        assert_eq!(ty("gnomADe_AF"), SubfieldType::Float);
        assert_eq!(ty("MAX_AF"), SubfieldType::Float);
        assert_eq!(ty("MAX_AF_POPS"), SubfieldType::String);
        assert_eq!(ty("CADD_PHRED"), SubfieldType::Float);
        assert_eq!(ty("REVEL"), SubfieldType::Float);
        assert_eq!(ty("M_CAP_score"), SubfieldType::Float);
        assert_eq!(ty("AF"), SubfieldType::Float);
    }

    #[test]
    fn bcsq_format_is_read_like_vep() {
        let s = parse(
            "BCSQ",
            "Local consequence annotation from BCFtools/csq, see http://samtools.github.io/bcftools/howtos/csq-calling.html for details. Format: Consequence|gene|transcript|biotype|strand|amino_acid_change|dna_change",
        )
        .unwrap();
        assert_eq!(s.style, Style::Vep);
        assert_eq!(
            names(&s),
            [
                "Consequence",
                "gene",
                "transcript",
                "biotype",
                "strand",
                "amino_acid_change",
                "dna_change"
            ]
        );
        // BCSQ's strand is `+`/`-`: only VEP's upper-case STRAND is numeric.
        assert_eq!(s.subfields[4].ty, SubfieldType::String);
    }

    #[test]
    fn snpeff_ann_names_as_written() {
        let s = parse(
            "ANN",
            "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ",
        )
        .unwrap();
        assert_eq!(s.style, Style::SnpEff);
        assert_eq!(s.subfields.len(), 16);
        assert_eq!(s.index_of("Annotation_Impact"), Some(2));
        assert_eq!(s.index_of("HGVS.c"), Some(9));
        assert_eq!(s.index_of("cDNA.pos/cDNA.length"), Some(11));
        assert_eq!(s.index_of("ERRORS/WARNINGS/INFO"), Some(15));
        assert_eq!(s.subfields[14].ty, SubfieldType::Integer);
    }

    #[test]
    fn legacy_eff_puts_effect_first() {
        let s = parse(
            "EFF",
            "Predicted effects for this variant.Format: 'Effect ( Effect_Impact | Functional_Class | Codon_Change | Amino_Acid_change| Amino_Acid_length | Gene_Name | Gene_BioType | Coding | Transcript | Exon [ | ERRORS | WARNINGS ] )'",
        )
        .unwrap();
        assert_eq!(s.style, Style::SnpEff);
        assert_eq!(
            &names(&s)[..3],
            ["Effect", "Effect_Impact", "Functional_Class"]
        );
        assert_eq!(names(&s).last(), Some(&"WARNINGS"));
        assert_eq!(s.index_of("Gene_Name"), Some(6));
    }

    #[test]
    fn a_parenthesis_inside_a_vep_list_is_a_name() {
        let s = parse("CSQ", "Format: Allele|Consequence|gnomAD(exomes)_AF").unwrap();
        assert_eq!(s.style, Style::Vep);
        assert_eq!(s.index_of("gnomAD(exomes)_AF"), Some(2));
    }

    #[test]
    fn other_descriptions_are_not_schemas() {
        assert_eq!(parse("DP", "Total depth"), None);
        assert_eq!(
            parse(
                "LOF",
                "Predicted loss of function effects for this variant. Format: 'Gene_Name | Gene_ID | Number_of_transcripts_in_gene | Percent_of_transcripts_affected'"
            ),
            None
        );
        assert_eq!(parse("X", "Format:"), None);
        assert_eq!(parse("X", "Format: Consequence"), None);
        assert_eq!(parse("X", "Functional annotations"), None);
        assert_eq!(parse("X", "Format: 'Effect ("), None);
        assert_eq!(parse("X", "Format: ((((|||)"), None);
    }
}
