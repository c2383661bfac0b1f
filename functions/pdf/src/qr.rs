//! The lookup QR code, drawn as vector squares (crisp at any zoom, a few hundred bytes)
//! from `qrcode`'s module matrix; horizontal runs of dark modules are merged into one
//! rectangle each, which keeps the content stream short.

use crate::page::{Op, Rgb};
use qrcode::{EcLevel, QrCode};

/// What the QR encodes: the lookup address then `#` and the code without dashes when both
/// exist, else the address alone, else nothing.
pub fn payload(code: Option<&str>, url: Option<&str>) -> Option<String> {
    match (code, url) {
        (Some(c), Some(u)) => Some(format!("{u}#{}", c.replace('-', ""))),
        (None, Some(u)) => Some(u.to_owned()),
        _ => None,
    }
}

/// The squares of a QR code of side `size` with its top-left corner at (`x`, `y`), or `None`
/// when the payload is too long for a QR code.
pub fn ops(data: &str, x: f32, y: f32, size: f32, color: Rgb) -> Option<Vec<Op>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let n = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    // A quiet zone of two modules each side (of the usual four: the page around is white).
    let module = size / (n as f32 + 4.0);
    let mut out = Vec::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if !dark.get(row * n + col).copied().unwrap_or(false) {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && dark.get(row * n + col).copied().unwrap_or(false) {
                col += 1;
            }
            out.push(Op::Rect {
                x: x + (start as f32 + 2.0) * module,
                y: y + (row as f32 + 2.0) * module,
                // A hair wider and taller so that adjacent squares leave no seam when rendered.
                w: (col - start) as f32 * module + 0.05,
                h: module + 0.05,
                color,
            });
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_joins_address_and_code_without_dashes() {
        assert_eq!(
            payload(
                Some("7K3M-9QXA-1234-ABCD"),
                Some("https://x.example/tra-cuu")
            )
            .as_deref(),
            Some("https://x.example/tra-cuu#7K3M9QXA1234ABCD")
        );
        assert_eq!(payload(None, Some("u")).as_deref(), Some("u"));
        assert_eq!(payload(Some("c"), None), None);
    }

    #[test]
    fn squares_are_drawn() {
        let ops = ops("https://x.example#ABC", 0.0, 0.0, 70.0, (0, 0, 0)).unwrap_or_default();
        assert!(ops.len() > 20);
    }
}
