//! Time-based one-time passwords: RFC 6238 over HOTP (RFC 4226) with
//! HMAC-SHA1, 30-second steps and 6 digits, as every authenticator app
//! reads them from an `otpauth://` URI; and the base32 (RFC 4648 §6,
//! without padding) that carries the secret.
//!
//! Pure functions of the secret and a time passed in: the store keeps the
//! last step accepted (so each code works once) and the server's clock
//! says what time it is.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per time step (RFC 6238 §4.1, `X`).
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of the current one, for a phone's clock
/// that is a little off and a code typed as it changes.
pub const WINDOW: i64 = 1;
/// Bytes of a new secret: 160 bits, as RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;

/// The time step of a Unix time (RFC 6238 §4.2, `T0` = 0).
pub fn step_of(unix_time: i64) -> i64 {
    unix_time.div_euclid(STEP_SECS)
}

/// HOTP (RFC 4226 §5.3): the dynamically truncated HMAC-SHA1 of the
/// counter, modulo 10^digits.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        unreachable!("HMAC takes a key of any length");
    };
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

/// The 6-digit code of `secret` for a time step.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// The code an authenticator app shows at `unix_time` for a base32
/// secret (as `demo-accounts.json` holds it), or `None` if the secret is
/// not base32. Tests and scripts log in with it.
pub fn code_at(secret: &str, unix_time: i64) -> Option<String> {
    let secret = base32_decode(secret)?;
    Some(code_for_step(&secret, step_of(unix_time)))
}

/// True if `code` has the shape of a TOTP code (six ASCII digits), as
/// opposed to a recovery code.
pub fn looks_like_code(code: &str) -> bool {
    code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())
}

/// The step within [`WINDOW`] of `now` whose code is `code` and that is
/// later than `after` (the last step used), latest first; `None` if there
/// is none. Every candidate is computed and compared in full, so the time
/// taken does not depend on which step (if any) matched.
pub fn matching_step(secret: &[u8], code: &str, now: i64, after: Option<i64>) -> Option<i64> {
    if !looks_like_code(code) {
        return None;
    }
    let current = step_of(now);
    let mut found = None;
    for step in (current - WINDOW)..=(current + WINDOW) {
        let expected = code_for_step(secret, step);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && after.is_none_or(|last| step > last) {
            found = Some(step);
        }
    }
    found
}

/// A fresh random secret.
pub fn generate_secret() -> Result<[u8; SECRET_BYTES], getrandom::Error> {
    let mut secret = [0u8; SECRET_BYTES];
    getrandom::fill(&mut secret)?;
    Ok(secret)
}

/// The `otpauth://` URI an authenticator app scans (the Key Uri Format
/// that Google Authenticator defined and the others follow), issuer
/// `Saksi`, labelled with the username.
pub fn uri(username: &str, secret_base32: &str) -> String {
    format!(
        "otpauth://totp/Saksi:{}?secret={secret_base32}&issuer=Saksi&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent_encode(username)
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The base32 alphabet of RFC 4648 §6.
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 without padding, upper case (what authenticator apps expect).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32 in either case, ignoring spaces and trailing `=`
/// (people copy secrets in groups); `None` for any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        if c == b' ' {
            continue;
        }
        let value = ALPHABET.iter().position(|&a| a == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA1 seed: the ASCII digits 1..0, twice.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn the_rfc_6238_sha1_test_vectors_pass() {
        // (time, 8-digit TOTP) from RFC 6238 Appendix B, SHA1 rows.
        for (time, expected) in [
            (59_i64, 94287082_u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let step = u64::try_from(step_of(time)).unwrap();
            assert_eq!(hotp(RFC_SEED, step, 8), expected, "at {time}");
            // The 6-digit code is the last six of the 8-digit one.
            assert_eq!(
                code_for_step(RFC_SEED, step_of(time)),
                format!("{:06}", expected % 1_000_000)
            );
        }
    }

    #[test]
    fn the_rfc_4226_hotp_vectors_pass() {
        // RFC 4226 Appendix D: counters 0..9, 6 digits.
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SEED, counter as u64, 6), code);
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        // RFC 4648 §10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw 6ytb oi==").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW1"), None, "1 is not base32");
        let secret = generate_secret().unwrap();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_after_the_last_used() {
        let now = 1_700_000_000;
        let step = step_of(now);
        for offset in [-1, 0, 1] {
            let code = code_for_step(RFC_SEED, step + offset);
            assert_eq!(
                matching_step(RFC_SEED, &code, now, None),
                Some(step + offset)
            );
        }
        let late = code_for_step(RFC_SEED, step + 2);
        assert_eq!(matching_step(RFC_SEED, &late, now, None), None);
        let current = code_for_step(RFC_SEED, step);
        assert_eq!(matching_step(RFC_SEED, &current, now, Some(step)), None);
        assert_eq!(
            matching_step(RFC_SEED, &current, now, Some(step - 1)),
            Some(step)
        );
        assert_eq!(matching_step(RFC_SEED, "12345", now, None), None);
        assert_eq!(matching_step(RFC_SEED, "abcdef", now, None), None);
    }

    #[test]
    fn code_at_reads_a_base32_secret() {
        let secret = base32_encode(RFC_SEED);
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(code_at("not base32!", 59), None);
    }

    #[test]
    fn the_uri_names_the_user_and_every_parameter() {
        assert_eq!(
            uri("ketua kpu", "ABC"),
            "otpauth://totp/Saksi:ketua%20kpu?secret=ABC&issuer=Saksi&algorithm=SHA1&digits=6&period=30"
        );
    }
}
