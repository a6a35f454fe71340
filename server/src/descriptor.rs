//! Dataset descriptors: the only facts about a genomic file that ever reach the server.
//!
//! The browser sends a [`DescriptorRequest`] (raw JSON shape, unknown fields rejected); the API turns
//! it into a validated [`DatasetDescriptor`] before anything is stored. A descriptor holds a format,
//! a few counts, an optional reference build label and a salted fingerprint — never sample names,
//! positions or genotypes. The validation here is what keeps it that way: every string field has a
//! closed alphabet and a length limit, so no free text can slip through.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The largest count or size a descriptor may carry: SQLite (and PostgreSQL) store signed 64-bit integers.
pub const MAX_COUNT: u64 = i64::MAX as u64;

/// Maximum length of a reference build label, in characters.
pub const REFERENCE_BUILD_MAX_LEN: usize = 32;

/// Length of a fingerprint: a SHA-256 digest written as lowercase hexadecimal.
pub const FINGERPRINT_LEN: usize = 64;

/// The wire shape of a descriptor, exactly as posted; see [`DatasetDescriptor`] for the validated form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescriptorRequest {
    pub format: String,
    pub size_bytes: u64,
    pub record_count: u64,
    pub sample_count: u32,
    pub contig_count: u32,
    #[serde(default)]
    pub reference_build: Option<String>,
    pub fingerprint: String,
}

/// A validated dataset descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatasetDescriptor {
    pub format: Format,
    pub size_bytes: u64,
    pub record_count: u64,
    pub sample_count: u32,
    pub contig_count: u32,
    pub reference_build: Option<ReferenceBuild>,
    pub fingerprint: Fingerprint,
}

impl TryFrom<DescriptorRequest> for DatasetDescriptor {
    type Error = ValidationError;

    fn try_from(request: DescriptorRequest) -> Result<Self, Self::Error> {
        let format = request.format.parse()?;
        let size_bytes = check_count("size_bytes", request.size_bytes)?;
        let record_count = check_count("record_count", request.record_count)?;
        let reference_build = request
            .reference_build
            .map(ReferenceBuild::new)
            .transpose()?;
        let fingerprint = Fingerprint::new(request.fingerprint)?;
        Ok(Self {
            format,
            size_bytes,
            record_count,
            sample_count: request.sample_count,
            contig_count: request.contig_count,
            reference_build,
            fingerprint,
        })
    }
}

fn check_count(field: &'static str, value: u64) -> Result<u64, ValidationError> {
    if value > MAX_COUNT {
        Err(ValidationError::CountTooLarge { field })
    } else {
        Ok(value)
    }
}

/// The container format of a dataset, as sniffed by the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    #[serde(rename = "vcf")]
    Vcf,
    #[serde(rename = "vcf.gz")]
    VcfGz,
    #[serde(rename = "vcf.bgzf")]
    VcfBgzf,
    #[serde(rename = "bcf")]
    Bcf,
}

impl Format {
    /// Every format, in the order error messages list them.
    pub const ALL: [Format; 4] = [Format::Vcf, Format::VcfGz, Format::VcfBgzf, Format::Bcf];

    /// The wire and storage name of the format.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Vcf => "vcf",
            Format::VcfGz => "vcf.gz",
            Format::VcfBgzf => "vcf.bgzf",
            Format::Bcf => "bcf",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str() == s)
            .ok_or(ValidationError::UnknownFormat)
    }
}

/// A salted SHA-256 of the file, made in the browser: exactly 64 lowercase hexadecimal characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn new(value: String) -> Result<Self, ValidationError> {
        let length = value.chars().count();
        if length != FINGERPRINT_LEN {
            return Err(ValidationError::FingerprintLength { length });
        }
        if let Some(offset) = value
            .bytes()
            .position(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(ValidationError::FingerprintCharacter { offset });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A reference genome label such as `GRCh38` or `hg19`: 1–32 characters of `[A-Za-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ReferenceBuild(String);

impl ReferenceBuild {
    pub fn new(value: String) -> Result<Self, ValidationError> {
        let length = value.chars().count();
        if length == 0 || length > REFERENCE_BUILD_MAX_LEN {
            return Err(ValidationError::ReferenceBuildLength { length });
        }
        if let Some(offset) = value
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')))
        {
            return Err(ValidationError::ReferenceBuildCharacter { offset });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a posted descriptor was refused. Messages name the field and the rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("format must be one of \"vcf\", \"vcf.gz\", \"vcf.bgzf\", \"bcf\"")]
    UnknownFormat,
    #[error("{field} must be at most {MAX_COUNT}")]
    CountTooLarge { field: &'static str },
    #[error(
        "fingerprint must be exactly {FINGERPRINT_LEN} lowercase hexadecimal characters, got {length} characters"
    )]
    FingerprintLength { length: usize },
    #[error(
        "fingerprint must be lowercase hexadecimal (0-9, a-f); invalid character at byte offset {offset}"
    )]
    FingerprintCharacter { offset: usize },
    #[error(
        "reference_build must be 1 to {REFERENCE_BUILD_MAX_LEN} characters, got {length}; omit the field when the build is unknown"
    )]
    ReferenceBuildLength { length: usize },
    #[error(
        "reference_build may contain only A-Z, a-z, 0-9, '.', '_' and '-'; invalid character at byte offset {offset}"
    )]
    ReferenceBuildCharacter { offset: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINGERPRINT: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn request() -> DescriptorRequest {
        DescriptorRequest {
            format: "vcf.gz".to_owned(),
            size_bytes: 1024,
            record_count: 10,
            sample_count: 3,
            contig_count: 2,
            reference_build: Some("GRCh38".to_owned()),
            fingerprint: FINGERPRINT.to_owned(),
        }
    }

    #[test]
    fn valid_request_becomes_descriptor() {
        let descriptor = DatasetDescriptor::try_from(request()).unwrap();
        assert_eq!(descriptor.format, Format::VcfGz);
        assert_eq!(descriptor.fingerprint.as_str(), FINGERPRINT);
        assert_eq!(descriptor.reference_build.unwrap().as_str(), "GRCh38");
    }

    #[test]
    fn every_format_round_trips() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>().unwrap(), format);
        }
        for bad in ["VCF", "vcf.bgz", "cram", "", "bcf "] {
            assert_eq!(bad.parse::<Format>(), Err(ValidationError::UnknownFormat));
        }
    }

    #[test]
    fn fingerprint_must_be_64_lowercase_hex() {
        assert!(Fingerprint::new(FINGERPRINT.to_owned()).is_ok());
        assert_eq!(
            Fingerprint::new(FINGERPRINT[..63].to_owned()),
            Err(ValidationError::FingerprintLength { length: 63 })
        );
        assert_eq!(
            Fingerprint::new(format!("{FINGERPRINT}0")),
            Err(ValidationError::FingerprintLength { length: 65 })
        );
        assert_eq!(
            Fingerprint::new(FINGERPRINT.to_uppercase()),
            Err(ValidationError::FingerprintCharacter { offset: 10 })
        );
        let mut with_g = FINGERPRINT.to_owned();
        with_g.replace_range(5..6, "g");
        assert_eq!(
            Fingerprint::new(with_g),
            Err(ValidationError::FingerprintCharacter { offset: 5 })
        );
        // 64 characters but more bytes: counted as characters, rejected by alphabet.
        let multibyte = format!("é{}", &FINGERPRINT[1..]);
        assert_eq!(
            Fingerprint::new(multibyte),
            Err(ValidationError::FingerprintCharacter { offset: 0 })
        );
    }

    #[test]
    fn reference_build_alphabet_and_length() {
        for good in [
            "GRCh38",
            "hg19",
            "GRCh38.p14",
            "T2T-CHM13v2.0",
            "b37_decoy",
            "a",
        ] {
            assert!(ReferenceBuild::new(good.to_owned()).is_ok(), "{good}");
        }
        assert!(ReferenceBuild::new("x".repeat(32)).is_ok());
        assert_eq!(
            ReferenceBuild::new("x".repeat(33)),
            Err(ValidationError::ReferenceBuildLength { length: 33 })
        );
        assert_eq!(
            ReferenceBuild::new(String::new()),
            Err(ValidationError::ReferenceBuildLength { length: 0 })
        );
        assert_eq!(
            ReferenceBuild::new("GRCh 38".to_owned()),
            Err(ValidationError::ReferenceBuildCharacter { offset: 4 })
        );
        assert_eq!(
            ReferenceBuild::new("NA12878/chr1".to_owned()),
            Err(ValidationError::ReferenceBuildCharacter { offset: 7 })
        );
    }

    #[test]
    fn counts_must_fit_a_signed_64_bit_column() {
        let mut too_big = request();
        too_big.size_bytes = MAX_COUNT + 1;
        assert_eq!(
            DatasetDescriptor::try_from(too_big),
            Err(ValidationError::CountTooLarge {
                field: "size_bytes"
            })
        );
        let mut at_limit = request();
        at_limit.record_count = MAX_COUNT;
        assert!(DatasetDescriptor::try_from(at_limit).is_ok());
    }

    #[test]
    fn unknown_fields_are_rejected_by_the_wire_shape() {
        let json = format!(
            r#"{{"format":"vcf","size_bytes":1,"record_count":1,"sample_count":1,"contig_count":1,"fingerprint":"{FINGERPRINT}","sample_names":["NA12878"]}}"#
        );
        let error = serde_json::from_str::<DescriptorRequest>(&json).unwrap_err();
        assert!(error.to_string().contains("unknown field `sample_names`"));
    }

    #[test]
    fn reference_build_may_be_absent_or_null() {
        for extra in ["", r#","reference_build":null"#] {
            let json = format!(
                r#"{{"format":"bcf","size_bytes":1,"record_count":1,"sample_count":1,"contig_count":1,"fingerprint":"{FINGERPRINT}"{extra}}}"#
            );
            let request: DescriptorRequest = serde_json::from_str(&json).unwrap();
            assert_eq!(request.reference_build, None);
        }
    }

    #[test]
    fn messages_never_echo_the_value() {
        let secret = "NA12878-secret";
        let error = ReferenceBuild::new(format!("{secret}!")).unwrap_err();
        assert!(!error.to_string().contains(secret));
    }
}
