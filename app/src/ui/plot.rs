//! Small SVG plots shared by the panels: a linear [`Scale`], a [`Chart`] frame, labelled
//! horizontal bars ([`HBar`]) for counts per category, and a one-bar [`Meter`] for a table
//! cell.
//!
//! Charts are plain `view!` trees sized in SVG units (the frame's `viewBox`), so they scale
//! with the page and print sharp; colours and fonts come from the stylesheet (`.chart`). Every
//! drawn value carries its raw number in `data-value`, as every number on the page does, and a
//! `<title>` for the pointer. A panel composes them:
//!
//! ```ignore
//! let scale = Scale::new(max as f64, LABEL_WIDTH, WIDTH - 80.0);
//! view! {
//!     <Chart width=WIDTH height=rows * ROW label="Records per contig" class="overview-chart">
//!         {bars.map(|(k, name, n)| view! { <HBar row=k label=name value=n scale=scale /> })}
//!     </Chart>
//! }
//! ```

use leptos::prelude::*;

use super::format::group;

/// Height of one bar's row, in SVG units.
pub const ROW: f64 = 16.0;

/// Maps values `0..=max` onto `start..=end` of an axis, in SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    max: f64,
    start: f64,
    end: f64,
}

impl Scale {
    /// A scale from 0 to `max` (at least 1) over `start..=end`.
    pub fn new(max: f64, start: f64, end: f64) -> Self {
        Self {
            max: if max > 0.0 { max } else { 1.0 },
            start,
            end,
        }
    }

    /// Where `value` sits.
    pub fn at(&self, value: f64) -> f64 {
        self.start + self.length(value)
    }

    /// The length from 0 to `value`.
    pub fn length(&self, value: f64) -> f64 {
        value.clamp(0.0, self.max) / self.max * (self.end - self.start)
    }

    /// Where the axis starts.
    pub fn start(&self) -> f64 {
        self.start
    }
}

/// An SVG frame `width` × `height` units wide and high, drawn at its width; `label` is what a
/// screen reader says of it.
#[component]
pub fn Chart(
    width: f64,
    height: f64,
    label: &'static str,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <svg
            class=format!("chart {class}")
            role="img"
            aria-label=label
            viewBox=format!("0 0 {width} {height}")
            height=height.to_string()
        >
            {children()}
        </svg>
    }
}

/// Row `row` of a horizontal bar chart: `label` right-aligned before the axis, a bar as long
/// as `value` on `scale` (at least one unit, so a small count stays visible), and the value
/// written after it. Attributes given to it (`data-testid`, …) go on its `<g>`.
#[component]
pub fn HBar(row: usize, #[prop(into)] label: String, value: u64, scale: Scale) -> impl IntoView {
    let y = row as f64 * ROW;
    let width = scale.length(value as f64).max(1.0);
    let count = group(value);
    let title = format!("{label}: {count}");
    view! {
        <g class="bar-row" data-value=value.to_string()>
            <title>{title}</title>
            <text x=(scale.start() - 6.0).to_string() y=(y + 12.0).to_string() text-anchor="end">
                {label}
            </text>
            <rect
                x=scale.start().to_string()
                y=(y + 3.0).to_string()
                width=format!("{width:.1}")
                height=(ROW - 6.0).to_string()
            ></rect>
            <text class="value" x=format!("{:.1}", scale.start() + width + 4.0) y=(y + 12.0).to_string()>
                {count}
            </text>
        </g>
    }
}

/// A bar filling `fraction` (0 to 1) of its box: a share, drawn in a table cell. A share above
/// zero stays visible.
#[component]
pub fn Meter(fraction: f64) -> impl IntoView {
    let share = fraction.clamp(0.0, 1.0) * 100.0;
    let width = format!("{:.2}", if share > 0.0 { share.max(0.5) } else { 0.0 });
    view! {
        <svg class="meter" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect width=width height="10"></rect>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn scales_map_values_onto_the_axis() {
        let s = Scale::new(200.0, 100.0, 500.0);
        assert_eq!(s.at(0.0), 100.0);
        assert_eq!(s.at(100.0), 300.0);
        assert_eq!(s.length(200.0), 400.0);
        // Out of range values stay on the axis; an empty domain does not divide by zero.
        assert_eq!(s.at(-5.0), 100.0);
        assert_eq!(s.at(1e9), 500.0);
        assert_eq!(Scale::new(0.0, 0.0, 10.0).length(0.0), 0.0);
    }

    #[wasm_bindgen_test]
    fn a_bar_chart_draws_one_labelled_bar_per_value() {
        let host = document().create_element("div").unwrap();
        document().body().unwrap().append_child(&host).unwrap();
        let scale = Scale::new(2000.0, 96.0, 560.0);
        let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
            view! {
                <Chart width=640.0 height=2.0 * ROW label="Counts" class="test-chart">
                    <HBar row=0 label="chr1" value=2000 scale=scale attr:data-testid="bar" />
                    <HBar row=1 label="chr<2>" value=3 scale=scale attr:data-testid="bar" />
                </Chart>
            }
        });
        let svg = host.query_selector("svg").unwrap().unwrap();
        assert_eq!(svg.get_attribute("viewBox").unwrap(), "0 0 640 32");
        assert_eq!(svg.get_attribute("aria-label").unwrap(), "Counts");
        let bars = host.query_selector_all("[data-testid=bar]").unwrap();
        assert_eq!(bars.length(), 2);
        let bar = |k: u32| bars.item(k).unwrap().unchecked_into::<web_sys::Element>();
        assert_eq!(bar(0).get_attribute("data-value").unwrap(), "2000");
        // Names from files are text, never markup.
        assert_eq!(bar(1).text_content().unwrap(), "chr<2>: 3chr<2>3");
        let width = |k: u32| {
            bar(k)
                .query_selector("rect")
                .unwrap()
                .unwrap()
                .get_attribute("width")
                .unwrap()
        };
        assert_eq!(width(0), "464.0");
        assert_eq!(width(1), "1.0", "a small count stays visible");
        drop(handle);
    }
}
