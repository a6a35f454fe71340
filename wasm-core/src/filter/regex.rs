//! Regular expressions for `~` / `!~`: POSIX-extended-like syntax through `regex-lite` (small in
//! wasm), case-sensitive unless the pattern ends in `/i`, as bcftools.

/// A compiled pattern; equality is by source text.
#[derive(Debug, Clone)]
pub struct Regex {
    source: String,
    re: regex_lite::Regex,
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Regex {
    /// Compiles `pattern`; a trailing `/i` makes it case-insensitive.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let (body, icase) = match pattern.strip_suffix("/i") {
            Some(b) => (b, true),
            None => (pattern, false),
        };
        let re = regex_lite::RegexBuilder::new(body)
            .case_insensitive(icase)
            .build()
            .map_err(|e| {
                let text = e.to_string();
                text.lines()
                    .last()
                    .unwrap_or("invalid pattern")
                    .trim()
                    .to_string()
            })?;
        Ok(Self {
            source: pattern.to_string(),
            re,
        })
    }

    pub fn is_match(&self, text: &[u8]) -> bool {
        match std::str::from_utf8(text) {
            Ok(s) => self.re.is_match(s),
            Err(_) => self.re.is_match(&String::from_utf8_lossy(text)),
        }
    }
}
