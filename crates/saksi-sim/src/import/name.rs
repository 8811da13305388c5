//! A region's name as a list gives it: trimmed, not empty, and free of
//! characters that change how text around them displays. A name is shown
//! on results pages, in exports and in officers' screens; a right-to-left
//! override (U+202E) in it once made a desa name display as an innocent
//! file name, and control or invisible characters can make two different
//! names look alike.

use super::error::RowProblem;

/// Characters refused in a name besides the control characters: the
/// Unicode bidirectional formatting characters and the invisible ones.
const INVISIBLE: &[char] = &[
    '\u{061C}', // Arabic letter mark
    '\u{200B}', // zero width space
    '\u{200C}', // zero width non-joiner
    '\u{200D}', // zero width joiner
    '\u{200E}', // left-to-right mark
    '\u{200F}', // right-to-left mark
    '\u{202A}', // left-to-right embedding
    '\u{202B}', // right-to-left embedding
    '\u{202C}', // pop directional formatting
    '\u{202D}', // left-to-right override
    '\u{202E}', // right-to-left override
    '\u{2060}', // word joiner
    '\u{2066}', // left-to-right isolate
    '\u{2067}', // right-to-left isolate
    '\u{2068}', // first strong isolate
    '\u{2069}', // pop directional isolate
    '\u{FEFF}', // zero width no-break space
];

/// The name in a list's field, or what is wrong with it.
pub(super) fn region_name(field: &str) -> Result<&str, RowProblem> {
    let name = field.trim();
    if name.is_empty() {
        return Err(RowProblem::EmptyName);
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || INVISIBLE.contains(c))
    {
        return Err(RowProblem::HiddenCharacter {
            code_point: format!("U+{:04X}", u32::from(c)),
        });
    }
    Ok(name)
}
