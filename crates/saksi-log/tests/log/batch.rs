//! Batch verification answers exactly as the single strict rule, item by
//! item: valid batches, one bad signature among many, and the edge cases a
//! cofactorless batch gets wrong (torsion in R or in the key, small-order
//! R, non-canonical s and R), plus a property test over random mixes.

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::{Scalar, clamp_integer};
use curve25519_dalek::traits::IsIdentity;
use proptest::prelude::*;
use saksi_log::batch::{CHUNK, Item, verify_batch_in_chunks};
use saksi_log::{Signer, Verifier, verify_batch};
use sha2::{Digest, Sha512};

/// A key whose secret scalar the test knows, so that it can build
/// signatures no honest signer makes.
struct Crafter {
    a: Scalar,
    /// The public point: [a]B, plus a torsion point for a torsioned key.
    point: EdwardsPoint,
    verifier: Verifier,
}

impl Crafter {
    fn new(seed: u8, key_torsion: EdwardsPoint) -> Self {
        let seed = [seed; 32];
        let h = Sha512::digest(seed);
        let a = Scalar::from_bytes_mod_order(clamp_integer(h[..32].try_into().unwrap()));
        let honest = Signer::from_seed("k", &seed).unwrap();
        assert_eq!(
            EdwardsPoint::mul_base(&a).compress().0,
            honest.verifier().public_key()
        );
        let point = EdwardsPoint::mul_base(&a) + key_torsion;
        let verifier = Verifier::new("k", &point.compress().0).expect("not small order");
        Self { a, point, verifier }
    }

    fn challenge(&self, r_bytes: &[u8; 32], msg: &[u8]) -> Scalar {
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(self.point.compress().0);
        h.update(msg);
        Scalar::from_bytes_mod_order_wide(&h.finalize().into())
    }

    /// A signature with R = [r]B + t and s = r + k·a: it satisfies the
    /// cofactored equation, and the cofactorless one iff t + k·(key's
    /// torsion) = 0.
    fn sign_with_r_torsion(&self, nonce: u64, t: EdwardsPoint, msg: &[u8]) -> [u8; 64] {
        let r = Scalar::from(nonce) * Scalar::from(0x9e37_79b9_7f4a_7c15u64);
        let big_r = EdwardsPoint::mul_base(&r) + t;
        let r_bytes = big_r.compress().0;
        let k = self.challenge(&r_bytes, msg);
        let s = r + k * self.a;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_bytes);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }

    /// The parity of the challenge (whether k kills an order-2 point).
    fn k_is_even(&self, sig: &[u8; 64], msg: &[u8]) -> bool {
        self.challenge(sig[..32].try_into().unwrap(), msg)
            .as_bytes()[0]
            & 1
            == 0
    }
}

/// Checks the batch against the single rule on every item, and that the
/// expected pattern holds.
fn check(items: &[Item<'_>], expected: Option<&[bool]>) -> Vec<bool> {
    let batch = verify_batch(items);
    let single: Vec<bool> = items.iter().map(|(k, m, s)| k.verify(m, *s)).collect();
    assert_eq!(batch, single, "batch and single disagree");
    if let Some(expected) = expected {
        assert_eq!(batch, expected);
    }
    batch
}

fn honest_corpus(n: usize) -> (Vec<Signer>, Vec<Vec<u8>>, Vec<[u8; 64]>) {
    let signers: Vec<Signer> = (0..5u8)
        .map(|i| Signer::from_seed(&format!("kpps-{i}"), &[i + 1; 32]).unwrap())
        .collect();
    let msgs: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("saksi/statement/v1\n{{\"n\":{i}}}").into_bytes())
        .collect();
    let sigs = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| signers[i % signers.len()].sign(m))
        .collect();
    (signers, msgs, sigs)
}

#[test]
fn empty_and_valid_batches_all_pass() {
    assert!(verify_batch(&[]).is_empty());
    // Over two chunks, so both the exact and the subset torsion checks run.
    let n = CHUNK + 200;
    let (signers, msgs, sigs) = honest_corpus(n);
    let verifiers: Vec<Verifier> = signers.iter().map(Signer::verifier).collect();
    let items: Vec<Item<'_>> = (0..n)
        .map(|i| {
            (
                &verifiers[i % verifiers.len()],
                msgs[i].as_slice(),
                &sigs[i],
            )
        })
        .collect();
    check(&items, Some(&vec![true; n]));
    // Keys parsed from text (torsion status computed, not known) too.
    let parsed: Vec<Verifier> = verifiers
        .iter()
        .map(|v| Verifier::parse(&v.to_string()).unwrap())
        .collect();
    let items: Vec<Item<'_>> = (0..300)
        .map(|i| (&parsed[i % parsed.len()], msgs[i].as_slice(), &sigs[i]))
        .collect();
    check(&items, Some(&[true; 300]));
}

#[test]
fn one_bad_signature_is_the_only_refusal() {
    let n = 400;
    let (signers, msgs, mut sigs) = honest_corpus(n);
    let verifiers: Vec<Verifier> = signers.iter().map(Signer::verifier).collect();
    let key_of = |i: usize| &verifiers[i % verifiers.len()];
    for bad in [0, 17, n - 1] {
        let saved = sigs[bad];
        sigs[bad][40] ^= 1; // s changed: the equation fails
        let items: Vec<Item<'_>> = (0..n)
            .map(|i| (key_of(i), msgs[i].as_slice(), &sigs[i]))
            .collect();
        let mut expected = vec![true; n];
        expected[bad] = false;
        check(&items, Some(&expected));
        sigs[bad] = saved;
    }
    // A valid signature on another message, and one by another key.
    let items: Vec<Item<'_>> = (0..n)
        .map(|i| match i {
            5 => (key_of(i), msgs[6].as_slice(), &sigs[i]),
            9 => (key_of(i + 1), msgs[i].as_slice(), &sigs[i]),
            _ => (key_of(i), msgs[i].as_slice(), &sigs[i]),
        })
        .collect();
    let mut expected = vec![true; n];
    expected[5] = false;
    expected[9] = false;
    check(&items, Some(&expected));
}

/// The pre-checks: s not reduced (s + l), R of small order (every point of
/// the 8-torsion, with s = 0 and with a matching s), R not canonical, R not
/// a point.
#[test]
fn malleable_small_order_and_non_canonical_signatures_are_refused() {
    let c = Crafter::new(7, EdwardsPoint::default());
    let msg = b"form v1".as_slice();
    let valid = c.sign_with_r_torsion(1, EdwardsPoint::default(), msg);
    let mut cases: Vec<[u8; 64]> = Vec::new();

    // s + l: the same signature to a lax verifier.
    let s = Scalar::from_canonical_bytes(valid[32..].try_into().unwrap()).unwrap();
    let l_minus_1 = -Scalar::ONE;
    let (mut carry, mut sum) = (1u16, [0u8; 32]); // s + (l - 1) + 1
    for (i, out) in sum.iter_mut().enumerate() {
        let v = u16::from(s.as_bytes()[i]) + u16::from(l_minus_1.as_bytes()[i]) + carry;
        *out = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    let mut malleated = valid;
    malleated[32..].copy_from_slice(&sum);
    cases.push(malleated);

    // Small-order R: with s = 0, and with the s a signer would compute
    // (R = T, s = k·a: [s]B − [k]A = 0 ≠ T, and for T = identity the
    // cofactorless equation holds, refused only by the small-order rule).
    for t in &EIGHT_TORSION {
        let r_bytes = t.compress().0;
        let mut zero_s = [0u8; 64];
        zero_s[..32].copy_from_slice(&r_bytes);
        cases.push(zero_s);
        let k = c.challenge(&r_bytes, msg);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_bytes);
        sig[32..].copy_from_slice((k * c.a).as_bytes());
        cases.push(sig);
    }
    // Non-canonical R: y = p + 1 (the identity), and the order-2 point
    // (0, −1) with the sign bit of x set ("negative zero").
    let mut p_plus_1 = [0xffu8; 32];
    p_plus_1[0] = 0xee;
    p_plus_1[31] = 0x7f;
    let mut neg_zero = EIGHT_TORSION[4].compress().0;
    neg_zero[31] |= 0x80;
    for r in [p_plus_1, neg_zero] {
        let mut sig = valid;
        sig[..32].copy_from_slice(&r);
        cases.push(sig);
    }
    // R not on the curve (y = 2 has no x).
    let mut sig = valid;
    sig[..32].copy_from_slice(&{
        let mut y = [0u8; 32];
        y[0] = 2;
        y
    });
    cases.push(sig);

    let mut items: Vec<Item<'_>> = vec![(&c.verifier, msg, &valid)];
    items.extend(cases.iter().map(|s| (&c.verifier, msg, s)));
    let mut expected = vec![false; items.len()];
    expected[0] = true;
    check(&items, Some(&expected));
}

/// R with a torsion component: the cofactored equation holds, the
/// cofactorless one fails (D = −T), so the strict rule refuses; the batch
/// must too, for T of order 2, 4 and 8, alone or many (a plain random-
/// weight cofactorless batch accepts an order-2 case half the time), among
/// few or many valid items (exact and subset torsion checks).
#[test]
fn torsion_in_r_is_refused_as_singly() {
    let c = Crafter::new(9, EdwardsPoint::default());
    let msgs: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let valid: Vec<[u8; 64]> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| c.sign_with_r_torsion(i as u64 + 1, EdwardsPoint::default(), m))
        .collect();
    for (t, &torsion) in EIGHT_TORSION.iter().enumerate().skip(1) {
        let bad = c.sign_with_r_torsion(1000 + t as u64, torsion, &msgs[0]);
        // The dangerous case: cofactored-valid, cofactorless-invalid.
        let r = curve25519_dalek::edwards::CompressedEdwardsY(bad[..32].try_into().unwrap())
            .decompress()
            .unwrap();
        let s = Scalar::from_canonical_bytes(bad[32..].try_into().unwrap()).unwrap();
        let k = c.challenge(bad[..32].try_into().unwrap(), &msgs[0]);
        let d = EdwardsPoint::mul_base(&s) - r - k * c.point;
        assert!(!d.is_identity() && d.mul_by_cofactor().is_identity());

        for n in [1, 10, 300] {
            let mut items: Vec<Item<'_>> = (0..n)
                .map(|i| (&c.verifier, msgs[i].as_slice(), &valid[i]))
                .collect();
            items[n / 2] = (&c.verifier, &msgs[0], &bad);
            let mut expected = vec![true; n];
            expected[n / 2] = false;
            check(&items, Some(&expected));
        }
    }
    // Many order-2 items at once: their discrepancies cancel in a plain sum.
    let bad: Vec<[u8; 64]> = (0..40)
        .map(|i| c.sign_with_r_torsion(5000 + i, EIGHT_TORSION[4], &msgs[i as usize]))
        .collect();
    let items: Vec<Item<'_>> = (0..300)
        .map(|i| match bad.get(i) {
            Some(b) if i % 2 == 0 => (&c.verifier, msgs[i].as_slice(), b),
            _ => (&c.verifier, msgs[i].as_slice(), &valid[i]),
        })
        .collect();
    let expected: Vec<bool> = (0..300).map(|i| i >= 40 || i % 2 == 1).collect();
    check(&items, Some(&expected));
}

/// A key with a torsion component (A = [a]B + T, not of small order) is
/// accepted by the strict key rule, and some of its signatures verify
/// under the cofactorless equation: with R = [r]B + t_R, D = −t_R − k·T. The
/// batch never batches such a key, so it agrees with the single rule on
/// each: valid when k is even (T of order 2), valid with torsion in R when
/// t_R = T and k is odd, refused otherwise.
#[test]
fn keys_with_torsion_agree_with_the_single_rule() {
    let t2 = EIGHT_TORSION[4];
    let c = Crafter::new(11, t2);
    assert!(!c.verifier.is_torsion_free());
    let honest = Crafter::new(12, EdwardsPoint::default());
    assert!(honest.verifier.is_torsion_free());

    let msgs: Vec<Vec<u8>> = (0..64u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let mut sigs = Vec::new();
    let mut expected = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let plain = c.sign_with_r_torsion(i as u64 + 1, EdwardsPoint::default(), m);
        expected.push(c.k_is_even(&plain, m));
        sigs.push(plain);
        let twisted = c.sign_with_r_torsion(i as u64 + 100, t2, m);
        // D = −T − k·T = −(1 + k)·T: zero iff k is odd.
        expected.push(!c.k_is_even(&twisted, m));
        sigs.push(twisted);
    }
    assert!(expected.iter().any(|&e| e) && expected.iter().any(|&e| !e));
    let honest_sigs: Vec<[u8; 64]> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| honest.sign_with_r_torsion(i as u64 + 1, EdwardsPoint::default(), m))
        .collect();
    let mut items: Vec<Item<'_>> = Vec::new();
    let mut want = Vec::new();
    for i in 0..sigs.len() {
        items.push((&c.verifier, &msgs[i / 2], &sigs[i]));
        want.push(expected[i]);
        items.push((&honest.verifier, &msgs[i / 2], &honest_sigs[i / 2]));
        want.push(true);
    }
    check(&items, Some(&want));
}

/// The kinds of item the property test mixes.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Valid,
    WrongMessage,
    FlipBit(usize),
    RTorsion(usize),
    SmallOrderR(usize),
    Random(u64),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        6 => Just(Kind::Valid),
        1 => Just(Kind::WrongMessage),
        1 => (0..512usize).prop_map(Kind::FlipBit),
        1 => (1..8usize).prop_map(Kind::RTorsion),
        1 => (0..8usize).prop_map(Kind::SmallOrderR),
        1 => any::<u64>().prop_map(Kind::Random),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// For random mixes over honest keys and a torsioned key, the batch
    /// equals the single rule item by item, whatever the chunk size (so
    /// bad items land on either side of chunk boundaries).
    #[test]
    fn batch_equals_single_on_random_mixes(
        items in prop::collection::vec((kind(), 0..4usize), 0..200),
        chunk in 1..70usize,
    ) {
        let crafters = [
            Crafter::new(21, EdwardsPoint::default()),
            Crafter::new(22, EdwardsPoint::default()),
            Crafter::new(23, EIGHT_TORSION[2]),
            Crafter::new(24, EdwardsPoint::default()),
        ];
        let msgs: Vec<Vec<u8>> = (0..items.len()).map(|i| format!("m{i}").into_bytes()).collect();
        let other = b"other".to_vec();
        let mut sigs = Vec::new();
        let mut msg_of = Vec::new();
        for (i, &(kind, key)) in items.iter().enumerate() {
            let c = &crafters[key];
            let m = &msgs[i];
            let none = EdwardsPoint::default();
            let (sig, msg) = match kind {
                Kind::Valid => (c.sign_with_r_torsion(i as u64 + 1, none, m), m),
                Kind::WrongMessage => (c.sign_with_r_torsion(i as u64 + 1, none, m), &other),
                Kind::FlipBit(bit) => {
                    let mut s = c.sign_with_r_torsion(i as u64 + 1, none, m);
                    s[bit / 8] ^= 1 << (bit % 8);
                    (s, m)
                }
                Kind::RTorsion(t) => (c.sign_with_r_torsion(i as u64 + 1, EIGHT_TORSION[t], m), m),
                Kind::SmallOrderR(t) => {
                    let mut s = [0u8; 64];
                    s[..32].copy_from_slice(&EIGHT_TORSION[t].compress().0);
                    (s, m)
                }
                Kind::Random(seed) => {
                    let mut s = [0u8; 64];
                    let h = Sha512::digest(seed.to_le_bytes());
                    s.copy_from_slice(&h);
                    (s, m)
                }
            };
            sigs.push(sig);
            msg_of.push(msg);
        }
        let batch_items: Vec<Item<'_>> = items
            .iter()
            .enumerate()
            .map(|(i, &(_, key))| (&crafters[key].verifier, msg_of[i].as_slice(), &sigs[i]))
            .collect();
        let got = check(&batch_items, None);
        prop_assert_eq!(&verify_batch_in_chunks(&batch_items, chunk), &got);
        for (i, &(kind, key)) in items.iter().enumerate() {
            if matches!(kind, Kind::Valid) && key != 2 {
                prop_assert!(got[i]);
            }
        }
    }
}
