//! Text measuring and wrapping. krilla draws glyphs where it is told, so every line break is
//! decided here: greedy by words, and a word wider than its column (an account number, a
//! 20-digit amount in a narrow column) is broken between characters rather than overflowing.

use crate::fonts::{Fonts, Shaped, Weight};
use unicode_normalization::UnicodeNormalization;

/// NFC, so that an NFD name ("Nguyễn" as base letters plus combining marks) is drawn with the
/// precomposed glyphs Noto has and is extracted by readers as the same text.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// `text` wrapped into lines no wider than `width` at `size`, each already shaped. Explicit
/// newlines are kept; an empty text gives no lines.
pub fn wrap(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> Vec<Shaped> {
    let text = nfc(text);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let para = para.trim();
        if para.is_empty() {
            continue;
        }
        // Most cells fit on one line: one shaping, reused for drawing.
        let whole = fonts.shape(para, weight, size);
        if whole.width <= width {
            out.push(whole);
            continue;
        }
        // Words are measured once each; a line's width is their sum plus the spaces.
        let space = fonts.width(" ", weight, size);
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut current_w = 0.0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = fonts.width(word, weight, size);
            if current.is_empty() && w <= width {
                current = word.to_owned();
                current_w = w;
            } else if !current.is_empty() && current_w + space + w <= width {
                current.push(' ');
                current.push_str(word);
                current_w += space + w;
            } else {
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                }
                if w <= width {
                    current = word.to_owned();
                    current_w = w;
                } else {
                    // Too wide on its own: break between characters.
                    current_w = 0.0;
                    for c in word.chars() {
                        let cw = fonts.width(c.encode_utf8(&mut [0; 4]), weight, size);
                        if current.is_empty() || current_w + cw <= width {
                            current.push(c);
                            current_w += cw;
                        } else {
                            lines.push(std::mem::replace(&mut current, c.to_string()));
                            current_w = cw;
                        }
                    }
                }
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        out.extend(lines.iter().map(|l| fonts.shape(l, weight, size)));
    }
    out
}
