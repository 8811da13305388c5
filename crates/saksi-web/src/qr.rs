//! QR codes drawn on the server as SVG, carried in the page itself as a
//! `data:` image: no image crate, no script, no second request, and the
//! Content-Security-Policy allows it (`img-src 'self' data:`). An `<img>`
//! rather than inline `<svg>` markup keeps every template value escaped.

use base64::Engine as _;

/// `text` as a QR code of at least `size` pixels a side (quiet zone
/// included), as an SVG `data:` URI; `None` if it is too long to encode.
pub fn data_uri(text: &str, size: u32) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}
