//! Problems tolerated while reading ([`Warnings`]): what htslib accepts with a warning (an
//! undeclared field, a duplicate header line, a missing final newline) loads here too, and the
//! summary says so — each kind once, with where it first happened and how often.
//!
//! The header reader, the record parsers and ingest add to one `Warnings` per read; the
//! [`super::Summary`] holds its [`Warnings::render`]ed lines.

use super::error::Location;

/// Problems tolerated while reading, each kind counted once with where it first happened.
#[derive(Debug, Default)]
pub struct Warnings {
    /// Per kind: the first message, where it was, and how many of the kind there were.
    items: Vec<(&'static str, String, Location, u64)>,
    at: Location,
}

impl Warnings {
    /// Sets where the next warnings happen.
    pub fn at(&mut self, location: Location) {
        self.at = location;
    }

    /// Counts a warning of `kind`; the first message of each kind is kept.
    pub fn add(&mut self, kind: &'static str, message: String) {
        if let Some(item) = self.items.iter_mut().find(|i| i.0 == kind) {
            item.3 += 1;
            return;
        }
        self.items.push((kind, message, self.at.clone(), 1));
    }

    /// Number of warnings, all kinds.
    pub fn total(&self) -> u64 {
        self.items.iter().map(|i| i.3).sum()
    }

    /// One line per kind: the first message, where (when known), and how often.
    pub fn render(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|(_, msg, at, n)| match (at.is_empty(), *n > 1) {
                (false, true) => format!("{msg} (first at {at}; {n} times in all)"),
                (false, false) => format!("{msg} (first at {at})"),
                (true, true) => format!("{msg} ({n} times in all)"),
                (true, false) => msg.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64) -> Location {
        Location {
            line: Some(n),
            ..Location::default()
        }
    }

    #[test]
    fn each_kind_is_kept_once_with_its_first_place_and_count() {
        let mut w = Warnings::default();
        assert_eq!(w.total(), 0);
        assert!(w.render().is_empty());
        w.at(line(3));
        w.add("blank-lines", "a blank line".into());
        w.at(line(7));
        w.add("dup", "INFO/DP appears twice".into());
        w.at(line(9));
        w.add("blank-lines", "another blank line".into());
        w.add("blank-lines", "and another".into());
        assert_eq!(w.total(), 4);
        assert_eq!(
            w.render(),
            vec![
                "a blank line (first at line 3; 3 times in all)".to_string(),
                "INFO/DP appears twice (first at line 7)".to_string(),
            ]
        );
    }

    #[test]
    fn a_warning_without_a_place_has_no_empty_place() {
        // BCF header warnings come before any record has a place.
        let mut w = Warnings::default();
        w.add("header-type", "##INFO ID=X has Type=Bogus".into());
        w.add("header-number", "##INFO ID=Y has no Number".into());
        w.add("header-number", "##INFO ID=Z has no Number".into());
        assert_eq!(
            w.render(),
            vec![
                "##INFO ID=X has Type=Bogus".to_string(),
                "##INFO ID=Y has no Number (2 times in all)".to_string(),
            ]
        );
    }
}
