//! The company logo from the profile's data URL: PNG and JPEG are drawn; SVG and anything
//! else, or a URL that does not decode, is left out (the invoice is printed without a logo).

use base64::Engine;
use krilla::image::Image;

pub fn decode(url: &str) -> Option<Image> {
    let rest = url.trim().strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let mut parts = meta.split(';');
    let mime = parts.next()?.trim().to_ascii_lowercase();
    if !parts.any(|p| p.trim().eq_ignore_ascii_case("base64")) {
        return None;
    }
    let cleaned: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .ok()?;
    match mime.as_str() {
        "image/png" => Image::from_png(bytes.into(), true).ok(),
        "image/jpeg" | "image/jpg" => Image::from_jpeg(bytes.into(), true).ok(),
        _ => None,
    }
}
