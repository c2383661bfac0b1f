//! A horizontal bar chart as inline SVG — no chart library in the download: one bar per row,
//! its label above it and its value at its end, scaled to the largest magnitude; a negative
//! value (a decrease, a reversal) is drawn in another colour. The SVG scales to its box
//! (`viewBox`), so the same chart fits a phone and a desktop; the table beside it carries the
//! exact figures for screen readers and copying. Lengths are whole drawing units computed in
//! decimals: formatting floats would bring Rust's float printing (~7 KB brotli) into the module.

use crate::i18n;
use leptos::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The drawing's width in its own units; a bar may take [`BAR_SPACE`] of it.
const WIDTH: u32 = 600;
const BAR_SPACE: u32 = 470;
/// The height of one row: its label line and its bar.
const ROW: u32 = 34;

/// The length of each bar, in whole drawing units, for `values`.
pub fn lengths(values: &[Decimal]) -> Vec<u32> {
    let max = values.iter().map(|v| v.abs()).max().unwrap_or_default();
    values
        .iter()
        .map(|v| {
            v.abs()
                .checked_mul(Decimal::from(BAR_SPACE))
                .and_then(|x| x.checked_div(max))
                .and_then(|x| x.round().to_u32())
                .unwrap_or(0)
        })
        .collect()
}

/// Bars for `rows` (label, value), titled `title` for assistive technology.
#[component]
pub fn Bars(rows: Vec<(String, Decimal)>, title: Signal<String>, id: String) -> impl IntoView {
    let values: Vec<Decimal> = rows.iter().map(|r| r.1).collect();
    let widths = lengths(&values);
    let height = (rows.len() as u32 * ROW).max(ROW);
    let bars = rows
        .into_iter()
        .zip(widths)
        .enumerate()
        .map(|(i, ((label, value), w))| {
            let y = i as u32 * ROW;
            let class = if value.is_sign_negative() { "bar negative" } else { "bar" };
            view! {
                <text x="0" y=(y + 11).to_string() class="bar-label">{label}</text>
                <rect x="0" y=(y + 15).to_string() width=w.to_string() height="13" rx="2" class=class></rect>
                <text x=(w + 6).to_string() y=(y + 26).to_string() class="bar-value">{i18n::money(value)}</text>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" id=id role="img" aria-label=move || title.get()
            viewBox=format!("0 0 {WIDTH} {height}") preserveAspectRatio="xMinYMin meet">
            {bars}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_magnitude_fills_the_bar_space() {
        let l = lengths(&[Decimal::from(50), Decimal::from(-100), Decimal::ZERO]);
        assert_eq!(l, vec![BAR_SPACE / 2, BAR_SPACE, 0]);
        assert_eq!(lengths(&[Decimal::ZERO]), vec![0]);
        assert_eq!(
            lengths(&[Decimal::from(1), Decimal::from(3)]),
            vec![157, 470]
        );
        assert!(lengths(&[]).is_empty());
    }
}
