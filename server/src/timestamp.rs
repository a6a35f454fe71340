//! UTC timestamps as the API and the store write them: RFC 3339 with whole seconds, e.g.
//! `2025-01-31T12:00:00Z`. One place for the format, so the JSON and the database agree.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// The current time in UTC, truncated to whole seconds.
pub fn now() -> OffsetDateTime {
    truncate(OffsetDateTime::now_utc())
}

/// `at` in UTC, truncated to whole seconds.
pub fn truncate(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("zero nanoseconds is always valid")
}

/// Formats `at` as RFC 3339 in UTC with whole seconds.
pub fn format(at: OffsetDateTime) -> String {
    truncate(at)
        .format(&Rfc3339)
        .expect("a UTC time with a four-digit year always formats as RFC 3339")
}

/// Parses an RFC 3339 timestamp.
pub fn parse(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_whole_seconds() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(format(at), "2023-11-14T22:13:20Z");
        let shifted = at.to_offset(UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(format(shifted), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn parse_inverts_format() {
        let at = now();
        assert_eq!(parse(&format(at)).unwrap(), at);
    }
}
