//! A record in display form ([`Row`], [`SampleCell`]): what the page's table shows of the
//! records on screen, and the VCF text of FILTER and INFO. Also which INFO and FORMAT fields
//! deserve a table column ([`VariantStore::key_info_fields`]).

use super::{ColumnData, Field, VariantStore};

impl VariantStore {
    /// FILTER as VCF text.
    pub fn filter_text(&self, i: usize) -> String {
        let ids = self.filters.get(i);
        if ids.is_empty() {
            return ".".to_string();
        }
        let names: Vec<&str> = ids
            .iter()
            .map(|&f| self.filter_names[f as usize].as_str())
            .collect();
        names.join(";")
    }

    /// INFO as VCF text, in the header's field order.
    pub fn info_text(&self, i: usize) -> String {
        let mut parts = Vec::new();
        for f in self.info.iter() {
            match (&f.data, f.data.format(i)) {
                (ColumnData::Flag(_), Some(_)) => parts.push(f.key.clone()),
                (_, Some(v)) => parts.push(format!("{}={}", f.key, v)),
                _ => {}
            }
        }
        if parts.is_empty() {
            ".".to_string()
        } else {
            parts.join(";")
        }
    }

    /// The record in display form.
    pub fn row(&self, i: usize, info_keys: &[String], format_keys: &[String]) -> Row {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let dot = |b: &[u8]| {
            if b.is_empty() {
                ".".to_string()
            } else {
                text(b)
            }
        };
        Row {
            index: i as u64,
            chrom: self.chrom(i).to_string(),
            pos: self.pos(i),
            id: dot(&self.id(i)),
            reference: text(self.reference(i)),
            alt: dot(self.alts(i)),
            qual: self.qual(i).map(f64::from),
            filter: self.filter_text(i),
            info: info_keys
                .iter()
                .map(|k| {
                    self.info
                        .get(k)
                        .and_then(|f| f.data.format(i))
                        .map(|v| if v.is_empty() { "✓".to_string() } else { v })
                })
                .collect(),
            info_text: self.info_text(i),
            samples: (0..self.samples.len())
                .map(|s| SampleCell {
                    gt: self.genotype_text(i, s),
                    values: format_keys
                        .iter()
                        .map(|k| {
                            self.format
                                .get(k)
                                .and_then(|f| f.data.format(i * self.samples.len() + s))
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// INFO keys worth a table column: well-known ones present in the file, then others.
    pub fn key_info_fields(&self, max: usize) -> Vec<String> {
        const PREFERRED: &[&str] = &[
            "DP",
            "AF",
            "AC",
            "AN",
            "MQ",
            "QD",
            "FS",
            "SOR",
            "gnomAD_AF",
            "gnomADg_AF",
            "CLNSIG",
            "END",
            "SVTYPE",
        ];
        let present = |f: &Field| (0..self.len()).take(10_000).any(|i| f.data.is_present(i));
        let mut out: Vec<String> = PREFERRED
            .iter()
            .filter(|k| self.info.get(k).is_some_and(present))
            .map(|k| k.to_string())
            .collect();
        for f in self.info.iter() {
            if out.len() >= max {
                break;
            }
            // Long free-text annotations (CSQ, ANN) get their own view with the filter work.
            let long = matches!(f.key.as_str(), "CSQ" | "ANN" | "EFF" | "BCSQ");
            if !long && !out.contains(&f.key) && present(f) {
                out.push(f.key.clone());
            }
        }
        out.truncate(max);
        out
    }

    /// FORMAT keys shown beside each genotype.
    pub fn key_format_fields(&self) -> Vec<String> {
        ["DP", "GQ", "AD"]
            .iter()
            .filter(|k| self.format.get(k).is_some())
            .map(|k| k.to_string())
            .collect()
    }
}

/// One record in display form, sent to the UI for visible rows only.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Index in file order.
    pub index: u64,
    pub chrom: String,
    pub pos: u64,
    pub id: String,
    pub reference: String,
    pub alt: String,
    pub qual: Option<f64>,
    pub filter: String,
    /// Values of the key INFO fields, in the order asked.
    pub info: Vec<Option<String>>,
    /// The whole INFO column as VCF text.
    pub info_text: String,
    pub samples: Vec<SampleCell>,
}

/// One sample's genotype and key FORMAT values in a row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SampleCell {
    pub gt: String,
    pub values: Vec<Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::super::tests::two_records;

    #[test]
    fn rows_render_as_vcf_text() {
        let s = two_records();
        let r = s.row(0, &["DP".into()], &["GQ".into()]);
        assert_eq!(
            (r.chrom.as_str(), r.pos, r.alt.as_str()),
            ("chr1", 100, "G,T")
        );
        assert_eq!(r.info, vec![Some("12".to_string())]);
        assert_eq!(r.info_text, "DP=12");
        assert_eq!((r.id.as_str(), r.filter.as_str()), ("rs1", "PASS"));
        assert_eq!(r.samples[0].gt, "0/1");
        assert_eq!(r.samples[1].gt, ".");
        assert_eq!(r.samples[0].values, vec![None]);
        assert_eq!(r.samples[1].values, vec![Some("50".to_string())]);
        let r = s.row(1, &["DP".into()], &[]);
        assert_eq!(
            (r.id.as_str(), r.alt.as_str(), r.filter.as_str(), r.qual),
            (".", ".", ".", None)
        );
        assert_eq!(r.info, vec![None]);
        assert_eq!(r.info_text, ".");
    }

    #[test]
    fn key_fields_are_the_well_known_ones_present() {
        let s = two_records();
        assert_eq!(s.key_info_fields(5), ["DP"]);
        assert_eq!(s.key_info_fields(0), Vec::<String>::new());
        assert_eq!(s.key_format_fields(), ["GQ"]);
    }
}
