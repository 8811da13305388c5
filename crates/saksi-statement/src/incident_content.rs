//! The rules of an incident's private content, the same whether a KPPS
//! device sealed it beside its signed filing or the server seals it for a
//! session: a filing's title, description and photo hashes, and an
//! event's text. Kept here, beside the statement that commits to it, so
//! the server and any client agree on what is accepted.

use saksi_core::incident::{PHOTOS_MAX, TEXT_MAX_CHARS, TITLE_MAX_CHARS};
use serde::Deserialize;
use serde_json::{Value, json};

/// Why a content (or a text) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("{0}")]
    Malformed(String),
    #[error("the title has {0} characters; at most {TITLE_MAX_CHARS}")]
    TitleTooLong(usize),
    #[error("the text has {0} characters; at most {TEXT_MAX_CHARS}")]
    TextTooLong(usize),
    #[error("{0} photos; at most {PHOTOS_MAX}")]
    TooManyPhotos(usize),
    #[error("photo {0:?} is not 64 lowercase hex digits")]
    PhotoMalformedHash(String),
}

/// A filing's content: what the reporter told, kept private.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub title: String,
    pub description: String,
    /// SHA-256 of each photo, 64 lowercase hex digits.
    #[serde(default)]
    pub photos: Vec<String>,
}

impl Filing {
    /// Checks a filing's title, description and photos.
    pub fn check(self) -> Result<Filing, ContentError> {
        let title_chars = self.title.chars().count();
        if self.title.trim().is_empty() || self.description.trim().is_empty() {
            return Err(ContentError::Malformed(
                "`title` and `description` must not be empty".into(),
            ));
        }
        if title_chars > TITLE_MAX_CHARS {
            return Err(ContentError::TitleTooLong(title_chars));
        }
        check_text(&self.description)?;
        if self.photos.len() > PHOTOS_MAX {
            return Err(ContentError::TooManyPhotos(self.photos.len()));
        }
        if let Some(bad) = self.photos.iter().find(|p| !is_sha256_hex(p)) {
            return Err(ContentError::PhotoMalformedHash(bad.clone()));
        }
        Ok(self)
    }

    /// Reads and checks the content a KPPS device sealed:
    /// `{"title", "description", "photos"?}`, nothing else.
    pub fn from_content(content: &Value) -> Result<Filing, ContentError> {
        Filing::deserialize(content)
            .map_err(|e| ContentError::Malformed(format!("`private.content`: {e}")))?
            .check()
    }

    /// The content object the server seals for a session's filing: the
    /// reporter's username joins what a device would send.
    pub fn content(&self, reporter: &str) -> Value {
        let mut content = json!({
            "title": self.title,
            "description": self.description,
            "reporter": reporter,
        });
        if !self.photos.is_empty() {
            content["photos"] = json!(self.photos);
        }
        content
    }
}

/// Checks the length of a description, comment, reason or resolution.
pub fn check_text(text: &str) -> Result<(), ContentError> {
    let chars = text.chars().count();
    if chars > TEXT_MAX_CHARS {
        return Err(ContentError::TextTooLong(chars));
    }
    Ok(())
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filing(title: &str, description: &str, photos: &[&str]) -> Result<Filing, ContentError> {
        Filing {
            title: title.into(),
            description: description.into(),
            photos: photos.iter().map(|p| p.to_string()).collect(),
        }
        .check()
    }

    #[test]
    fn a_filing_keeps_to_its_limits() {
        let photo = "ab".repeat(32);
        assert!(filing("Kotak suara rusak", "Segel terbuka", &[&photo]).is_ok());
        assert_eq!(
            filing(&"é".repeat(121), "x", &[]),
            Err(ContentError::TitleTooLong(121))
        );
        assert!(filing(&"é".repeat(120), "x", &[]).is_ok());
        assert_eq!(
            filing("t", &"x".repeat(4001), &[]),
            Err(ContentError::TextTooLong(4001))
        );
        assert_eq!(
            filing("t", "d", &[&photo, &photo, &photo, &photo]),
            Err(ContentError::TooManyPhotos(4))
        );
        assert_eq!(
            filing("t", "d", &[&photo.to_uppercase()]),
            Err(ContentError::PhotoMalformedHash(photo.to_uppercase()))
        );
        assert!(matches!(
            filing(" ", "d", &[]),
            Err(ContentError::Malformed(_))
        ));
        let extra = json!({"title": "t", "description": "d", "reporter": "someone"});
        assert!(matches!(
            Filing::from_content(&extra),
            Err(ContentError::Malformed(_))
        ));
    }
}
