//! Signed notes, keys and checkpoints beyond the reference vectors: every
//! malformed note refused, the strict Ed25519 edge cases, checkpoint rules.

use saksi_log::{Checkpoint, CheckpointError, KeyError, Note, NoteError, Signer, Verifier, open};

fn signer(name: &str) -> Signer {
    Signer::from_seed(name, &[42; 32]).unwrap()
}

#[test]
fn signed_notes_round_trip_and_open() {
    let s = signer("example.org/log");
    let note = Note::sign("hello\n\nworld\n", &[&s]).unwrap();
    let text = note.format();
    assert!(text.starts_with("hello\n\nworld\n\n\u{2014} example.org/log "));
    assert_eq!(Note::parse(text.as_bytes()).unwrap(), note);
    let opened = open(text.as_bytes(), &[s.verifier()]).unwrap();
    assert_eq!(opened.text, "hello\n\nworld\n");
    assert_eq!(opened.verified.len(), 1);
}

#[test]
fn malformed_notes_are_refused() {
    let s = signer("k");
    let good = Note::sign("text\n", &[&s]).unwrap().format();
    let line = good.split('\n').nth(2).unwrap().to_owned();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no blank line", b"text\n".to_vec()),
        ("no signatures", b"text\n\n".to_vec()),
        (
            "unterminated signature",
            good.trim_end().as_bytes().to_vec(),
        ),
        (
            "carriage return",
            good.replace("text\n", "text\r\n").into_bytes(),
        ),
        ("crlf lines", good.replace('\n', "\r\n").into_bytes()),
        (
            "not utf-8",
            [b"te\xffxt\n\n".as_slice(), line.as_bytes(), b"\n"].concat(),
        ),
        ("tab", good.replace("text", "te\txt").into_bytes()),
        (
            "hyphen, not em dash",
            good.replace('\u{2014}', "-").into_bytes(),
        ),
        (
            "bad base64",
            good.replace(&line, &format!("{line}!")).into_bytes(),
        ),
        ("empty base64", "text\n\n\u{2014} k \n".as_bytes().to_vec()),
        (
            "short payload",
            "text\n\n\u{2014} k AAAAAA==\n".as_bytes().to_vec(),
        ),
        (
            "plus in name",
            good.replace("\u{2014} k ", "\u{2014} k+x ").into_bytes(),
        ),
        (
            "no name",
            good.replace("\u{2014} k ", "\u{2014}  ").into_bytes(),
        ),
        (
            "line after signatures",
            format!("{good}junk\n").into_bytes(),
        ),
        (
            "too many signatures",
            format!("text\n\n{}", format!("{line}\n").repeat(101)).into_bytes(),
        ),
    ];
    for (why, msg) in cases {
        assert!(
            matches!(Note::parse(&msg), Err(NoteError::Malformed(_))),
            "{why}"
        );
        assert!(open(&msg, &[s.verifier()]).is_err(), "{why}");
    }
    // The limit itself is fine.
    let hundred = format!("text\n\n{}", format!("{line}\n").repeat(100));
    assert_eq!(
        Note::parse(hundred.as_bytes()).unwrap().signatures.len(),
        100
    );
    assert_eq!(
        open(hundred.as_bytes(), &[s.verifier()])
            .unwrap()
            .verified
            .len(),
        1
    );
}

#[test]
fn text_to_sign_must_be_note_text() {
    let s = signer("k");
    assert!(matches!(
        Note::sign("no newline", &[&s]),
        Err(NoteError::InvalidText(_))
    ));
    assert!(matches!(
        Note::sign("cr\r\n", &[&s]),
        Err(NoteError::InvalidText(_))
    ));
}

#[test]
fn unknown_keys_are_ignored_and_bad_known_signatures_rejected() {
    let (a, b) = (signer("a"), Signer::from_seed("b", &[7; 32]).unwrap());
    let signed = Note::sign("text\n", &[&a, &b]).unwrap();
    let opened = open(signed.format().as_bytes(), &[b.verifier()]).unwrap();
    assert_eq!(opened.verified[0].name, "b");
    assert_eq!(opened.unverified[0].name, "a");
    assert_eq!(
        open(signed.format().as_bytes(), &[]),
        Err(NoteError::NoVerifiedSignature)
    );

    let mut forged = signed.clone();
    forged.signatures[1].signature[10] ^= 1;
    let msg = forged.format();
    assert!(
        open(msg.as_bytes(), &[a.verifier()]).is_ok(),
        "the bad one is unknown here"
    );
    assert!(matches!(
        open(msg.as_bytes(), &[b.verifier()]),
        Err(NoteError::InvalidSignature { .. })
    ));

    // Same text, a signature of other text: rejected.
    let mut moved = Note::sign("other\n", &[&b]).unwrap();
    moved.text = "text\n".into();
    assert!(open(moved.format().as_bytes(), &[b.verifier()]).is_err());

    // A verifier configured twice is ambiguous when it is needed.
    assert!(matches!(
        open(signed.format().as_bytes(), &[b.verifier(), b.verifier()]),
        Err(NoteError::AmbiguousKey { .. })
    ));
}

#[test]
fn keys_round_trip_and_the_seed_never_shows_in_debug() {
    let s = Signer::generate("saksi.example/root").unwrap();
    let again = Signer::parse(&s.to_private_key_string()).unwrap();
    assert_eq!(again.verifier(), s.verifier());
    assert_eq!(
        Verifier::parse(&s.verifier().to_string()).unwrap(),
        s.verifier()
    );
    let vkey = s.verifier().to_string();
    let id = vkey.split('+').nth(1).unwrap();
    assert_eq!(id, format!("{:08x}", s.key_id()));
    assert_eq!(format!("{s:?}"), format!("Signer(saksi.example/root+{id})"));
    // Uppercase hex, wrong prefixes, bad names.
    assert_eq!(
        Verifier::parse(&vkey.replace(id, &id.to_uppercase())).is_err(),
        id.chars().any(|c| c.is_ascii_alphabetic())
    );
    assert_eq!(Signer::parse(&vkey).err(), Some(KeyError::Malformed));
    assert_eq!(
        Signer::from_seed("a b", &[0; 32]).err(),
        Some(KeyError::InvalidName)
    );
    assert_eq!(
        Signer::from_seed("", &[0; 32]).err(),
        Some(KeyError::InvalidName)
    );
    assert_eq!(Verifier::parse("nopluses").err(), Some(KeyError::Malformed));
}

/// Small-order public keys (here the identity, y = 1, and the point of
/// order 4, y = 0), including non-canonical encodings, are refused when the
/// key is parsed.
#[test]
fn small_order_and_non_canonical_public_keys_are_refused() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let order4 = [0u8; 32];
    // y = p + 1: a non-canonical encoding of the identity.
    let mut p_plus_1 = [0xffu8; 32];
    p_plus_1[0] = 0xee;
    p_plus_1[31] = 0x7f;
    for bytes in [identity, order4, p_plus_1] {
        assert_eq!(
            Verifier::new("k", &bytes),
            Err(KeyError::WeakKey),
            "{bytes:?}"
        );
    }
}

/// Strict signature checks: s must be reduced (a signature with s + l is
/// the same signature to a lax verifier, and is refused), R must not be of
/// small order, and the length must be 64.
#[test]
fn malleable_and_small_order_signatures_are_refused() {
    let s = signer("k");
    let v = s.verifier();
    let sig = s.sign(b"msg");
    assert!(v.verify(b"msg", &sig));
    assert!(!v.verify(b"msh", &sig));
    assert!(!v.verify(b"msg", &sig[..63]));
    assert!(!v.verify(b"msg", &[sig.as_slice(), &[0]].concat()));

    // s + l (little-endian), l = 2^252 + 27742317777372353535851937790883648493.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut malleated = sig;
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(malleated[32 + i]) + u16::from(L[i]) + carry;
        malleated[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert!(!v.verify(b"msg", &malleated));

    // R = identity (small order) with s = 0.
    let mut small_r = [0u8; 64];
    small_r[0] = 1;
    assert!(!v.verify(b"msg", &small_r));
}

#[test]
fn checkpoints_sign_open_and_refuse_tampering() {
    let s = signer("pemilu.example/log");
    let cp = Checkpoint::new("pemilu.example/log", 4_100_000, [3; 32]);
    let signed = cp.sign(&s).unwrap();
    assert!(signed.starts_with("pemilu.example/log\n4100000\nAwMD"));
    assert_eq!(
        Checkpoint::open(signed.as_bytes(), &s.verifier(), "pemilu.example/log").unwrap(),
        cp
    );

    let tampered = signed.replace("4100000", "4100001");
    assert!(matches!(
        Checkpoint::open(tampered.as_bytes(), &s.verifier(), "pemilu.example/log"),
        Err(CheckpointError::Note(NoteError::InvalidSignature { .. }))
    ));
    // We sign no extension lines, and only under the origin's key.
    let mut ext = cp.clone();
    ext.extensions.push("extra".into());
    assert!(ext.sign(&s).is_err());
    assert!(cp.sign(&signer("other")).is_err());
    // Others' extension lines parse.
    let parsed = Checkpoint::parse(&ext.body()).unwrap();
    assert_eq!(parsed.extensions, ["extra"]);
    for bad in [
        "o\n01\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n",
        "o\n1\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=",
        "o\n1\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n\n",
        "\n1\nAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=\n",
        "o\n1\n",
    ] {
        assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
    }
}
