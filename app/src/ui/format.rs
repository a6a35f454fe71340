//! How numbers look on the page, and [`Num`]: a number that also carries its raw value.
//!
//! Every number shown sits in an element with `data-value` holding the raw value, so tests and
//! scripts read numbers without parsing `9,940` or `1.2 MB`.

use leptos::prelude::*;

/// `9940` → `9,940`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Decimal byte sizes: `967955` → `968.0 kB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `213.4` → `213 ms`, `2410.0` → `2.41 s`.
pub fn duration(millis: f64) -> String {
    if millis < 1000.0 {
        format!("{millis:.0} ms")
    } else {
        format!("{:.2} s", millis / 1000.0)
    }
}

/// Megabytes (10⁶ bytes) per second, one decimal.
pub fn throughput(bytes: u64, millis: f64) -> f64 {
    if millis <= 0.0 {
        0.0
    } else {
        bytes as f64 / 1000.0 / millis
    }
}

/// A QUAL value as the file would write it (the shortest text of its f32).
pub fn qual(q: Option<f64>) -> String {
    q.map_or_else(|| ".".to_string(), |q| (q as f32).to_string())
}

/// A number with its raw value in `data-value`.
#[component]
pub fn Num(
    /// The raw value, as `data-value`.
    #[prop(into)]
    value: String,
    /// What the reader sees.
    #[prop(into)]
    text: String,
    /// `data-testid`, when tests look for it.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! { <span class="num" data-value=value data-testid=testid>{text}</span> }
}

/// A count shown grouped.
#[component]
pub fn Count(n: u64, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    view! { <span class="num" data-value=n.to_string() data-testid=testid>{group(n)}</span> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn numbers_read_well() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(9940), "9,940");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(967_955), "968.0 kB");
        assert_eq!(bytes(999_999), "1.0 MB");
        assert_eq!(bytes(275_000_000), "275.0 MB");
        assert_eq!(duration(213.4), "213 ms");
        assert_eq!(duration(2410.0), "2.41 s");
        assert_eq!(qual(Some(f64::from(47.3f32))), "47.3");
        assert_eq!(qual(None), ".");
    }
}
