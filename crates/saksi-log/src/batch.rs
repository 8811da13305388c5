//! Batch verification of Ed25519 signatures that gives, for every item, the
//! answer of the single strict rule ([`Verifier::verify`], ed25519-dalek's
//! `verify_strict`; see [`crate::keys`]) — it is only faster.
//!
//! # The single rule
//!
//! A signature (R, s) of message M under key A is accepted by
//! `verify_strict` iff
//!
//! 1. s is canonical (s < l, the order of the base point B);
//! 2. R decompresses to a point, and A and R are not of small order (A is
//!    checked once, when the [`Verifier`] is built);
//! 3. the canonical encoding of [s]B − [k]A equals the 32 bytes of R, with
//!    k = SHA-512(R || A || M) mod l. Since those bytes must be a canonical
//!    encoding, this is: R is encoded canonically and the cofactorless
//!    equation D = [s]B − R − [k]A = 0 holds exactly (no multiplication by
//!    the cofactor 8).
//!
//! # What the batch does
//!
//! Items are processed in chunks of [`CHUNK`]. Each item is first
//! pre-checked exactly as the single rule does (1, 2, and the canonical
//! encoding of R): an item that fails is refused there, and the single rule
//! refuses it too. The items that pass (the candidates) are accepted
//! together only if, with fresh random values from the operating system:
//!
//! - (a) every key is in the prime-order subgroup (checked once per key
//!   with [l]A = 0 and cached; an item whose key has a torsion component is
//!   verified singly instead);
//! - (b) every R is in the prime-order subgroup, checked for all R of the
//!   chunk at once with 128 random subset sums (below);
//! - (c) the cofactorless random linear combination holds:
//!   [−Σ zᵢsᵢ]B + Σ zᵢRᵢ + Σ (zᵢkᵢ)Aᵢ = 0, zᵢ uniform in [1, 2¹²⁸).
//!
//! If (b) or (c) fails, every candidate of the chunk is verified singly, so
//! a refusal of the batch is never an answer in itself.
//!
//! # Why the batch never accepts what the single rule refuses
//!
//! The danger of a cofactorless batch is torsion. The curve group is
//! Z/l × (a torsion group of order 8). If R or A had a torsion component,
//! the discrepancy Dᵢ of a bad item could be a nonzero point of order 2, 4
//! or 8, and zᵢ·Dᵢ vanishes whenever zᵢ is a multiple of that order: with
//! probability 1/2 for order 2. A signer can build such an item on purpose
//! (add a point of order 2 to R, recompute s for the new hash): the single
//! rule refuses it (D = that point ≠ 0), a plain cofactorless batch would
//! accept it half the time. (ed25519-dalek's own `verify_batch` derives the
//! zᵢ from a transcript of the inputs, so a signer could even grind for an
//! even zᵢ.) That is why (a) and (b) are required:
//!
//! - With A and R torsion-free and B of prime order, each
//!   Dᵢ = [sᵢ]B − Rᵢ − [kᵢ]Aᵢ lies in the prime-order subgroup. If some Dᵢ
//!   is not 0, then for any fixed values of the other zⱼ, Σ zⱼDⱼ = 0 for at
//!   most one residue of zᵢ mod l; as 0 < zᵢ < 2¹²⁸ < l, distinct zᵢ are
//!   distinct residues, so (c) passes with probability at most 1/(2¹²⁸ − 1).
//!   If every Dᵢ = 0, each item passes the single rule: its R is canonical,
//!   not of small order, s is canonical and [s]B − [k]A = R.
//! - Check (b): for each of 128 rounds a uniformly random subset of the Rᵢ
//!   is summed and the sum is tested with [l]S = 0. If some Rᵢ has a
//!   nonzero torsion part tᵢ, then, whatever the other choices, including
//!   or leaving out Rᵢ changes the sum's torsion part by tᵢ ≠ 0, so at most
//!   one of the two leaves it torsion-free: each round misses with
//!   probability at most 1/2, all 128 with at most 2⁻¹²⁸. (A linear check
//!   with random weights cannot do better than 1/2 per try, because the
//!   weights act on the torsion part modulo 8; hence independent rounds.)
//!   The rounds cost 128 multiplications by l and about 33 point additions
//!   per R, far less than one multiplication by l for every R.
//!
//! So an item the single rule refuses is accepted by the batch with
//! probability below 2⁻¹²⁶ per chunk, over randomness the signer never
//! sees. The other direction is exact: a chunk of items the single rule
//! all accepts has Dᵢ = 0 and Rᵢ = [sᵢ]B − [kᵢ]Aᵢ torsion-free, so (b) and
//! (c) always pass; and any other chunk ends in the single rule for every
//! candidate. Honest signatures never have torsion: a key made from a seed
//! and an R made from a nonce are multiples of B.
//!
//! Cost model: a chunk with one bad signature costs the batch work plus
//! one single verification per candidate (no bisection): a bad signer can
//! slow a chunk down to the single rate, never below it.

use std::collections::HashMap;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

use crate::keys::Verifier;

/// Items per chunk: the batch equation and the torsion rounds are shared
/// by a chunk, and a failing chunk falls back to single verification.
pub const CHUNK: usize = 1024;

/// Rounds of the random-subset torsion check: a miss probability of 2⁻¹²⁸.
const TORSION_ROUNDS: usize = 128;

/// Below this many points, the torsion check multiplies each by l (128
/// multiplications plus the subset sums cost more than that).
const SUBSET_MIN: usize = 160;

/// One item: the key, the message and the 64-byte signature (R || s).
pub type Item<'a> = (&'a Verifier, &'a [u8], &'a [u8; 64]);

/// Verifies every item; `result[i]` equals
/// `items[i].0.verify(items[i].1, items[i].2)` (module docs), only faster
/// when most signatures are valid.
pub fn verify_batch(items: &[Item<'_>]) -> Vec<bool> {
    verify_batch_in_chunks(items, CHUNK)
}

/// [`verify_batch`] with another chunk size (for benchmarks and tests).
pub fn verify_batch_in_chunks(items: &[Item<'_>], chunk: usize) -> Vec<bool> {
    let chunk = chunk.max(1);
    let mut out = vec![false; items.len()];
    for (chunk, res) in items.chunks(chunk).zip(out.chunks_mut(chunk)) {
        verify_chunk(chunk, res);
    }
    out
}

/// A candidate that passed the pre-checks.
struct Prepared {
    index: usize,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

/// The single rule's checks other than the equation: s canonical, R a
/// canonical encoding of a point not of small order (the key's are done
/// when the `Verifier` is built). `None` when the single rule refuses.
/// Also gives k = SHA-512(R || A || M) mod l.
fn prepare(key: &Verifier, msg: &[u8], sig: &[u8; 64]) -> Option<(EdwardsPoint, Scalar, Scalar)> {
    let (r_bytes, s_bytes) = sig.split_at(32);
    let s_bytes: [u8; 32] = s_bytes.try_into().ok()?;
    let r_bytes: [u8; 32] = r_bytes.try_into().ok()?;
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    // A non-canonical encoding has y >= p, or x = 0 with the sign bit set;
    // x = 0 only for y = ±1, points of small order, refused below.
    if !y_is_canonical(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    if r.is_small_order() {
        return None;
    }
    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(key.verifying_key().as_bytes());
    h.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    Some((r, s, k))
}

/// Whether the 255-bit y of an encoding is below p = 2²⁵⁵ − 19.
fn y_is_canonical(bytes: &[u8; 32]) -> bool {
    // y >= p iff y is one of p..2²⁵⁵−1: bytes ≥ 0xed, then 30 × 0xff, then
    // 0x7f (sign bit masked off).
    !(bytes[0] >= 0xed && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[31] & 0x7f == 0x7f)
}

/// [l]P = 0, in variable time (as [l−1]P + P: l itself is not a reduced
/// scalar), about twice as fast as the constant-time check.
fn is_torsion_free(p: &EdwardsPoint) -> bool {
    let l_minus_1 = -Scalar::ONE;
    (EdwardsPoint::vartime_double_scalar_mul_basepoint(&l_minus_1, p, &Scalar::ZERO) + p)
        .is_identity()
}

fn verify_chunk(items: &[Item<'_>], out: &mut [bool]) {
    let mut candidates = Vec::with_capacity(items.len());
    for (index, &(key, msg, sig)) in items.iter().enumerate() {
        let Some((r, s, k)) = prepare(key, msg, sig) else {
            continue; // refused by the single rule's pre-checks
        };
        if key.is_torsion_free() {
            candidates.push(Prepared { index, r, s, k });
        } else {
            // Strict-valid keys with a torsion component: never batched.
            out[index] = key.verify(msg, sig);
        }
    }
    if candidates.is_empty() {
        return;
    }
    if batch_holds(items, &candidates) == Some(true) {
        for c in &candidates {
            out[c.index] = true;
        }
    } else {
        for c in &candidates {
            let (key, msg, sig) = items[c.index];
            out[c.index] = key.verify(msg, sig);
        }
    }
}

/// Checks (b) and (c) of the module docs; `None` when the operating
/// system's random generator fails (the caller then verifies singly).
fn batch_holds(items: &[Item<'_>], candidates: &[Prepared]) -> Option<bool> {
    let rs: Vec<EdwardsPoint> = candidates.iter().map(|c| c.r).collect();
    if !all_torsion_free(&rs)? {
        return Some(false);
    }

    let mut random = vec![0u8; 16 * candidates.len()];
    getrandom::fill(&mut random).ok()?;
    let mut scalars = Vec::with_capacity(2 * candidates.len() + 1);
    let mut points = Vec::with_capacity(2 * candidates.len() + 1);
    let mut b_coefficient = Scalar::ZERO;
    // One term per distinct key: Σ over its items of zᵢkᵢ.
    let mut key_terms: HashMap<[u8; 32], usize> = HashMap::new();
    let mut key_scalars: Vec<Scalar> = Vec::new();
    let mut key_points: Vec<EdwardsPoint> = Vec::new();
    for (c, z) in candidates.iter().zip(random.chunks_exact(16)) {
        let z = u128::from_le_bytes(z.try_into().ok()?).max(1);
        let z = Scalar::from(z);
        b_coefficient -= z * c.s;
        scalars.push(z);
        points.push(c.r);
        let key = items[c.index].0.verifying_key();
        let slot = *key_terms.entry(key.to_bytes()).or_insert_with(|| {
            key_scalars.push(Scalar::ZERO);
            key_points.push(key.to_edwards());
            key_points.len() - 1
        });
        key_scalars[slot] += z * c.k;
    }
    scalars.push(b_coefficient);
    points.push(ED25519_BASEPOINT_POINT);
    scalars.extend(key_scalars);
    points.extend(key_points);
    Some(EdwardsPoint::vartime_multiscalar_mul(&scalars, &points).is_identity())
}

/// Whether every point is in the prime-order subgroup: exactly for a few
/// points, else with 128 random subset sums (module docs), wrong with
/// probability at most 2⁻¹²⁸ and only towards `true` for a torsion point.
fn all_torsion_free(points: &[EdwardsPoint]) -> Option<bool> {
    if points.len() < SUBSET_MIN {
        return Some(points.iter().all(is_torsion_free));
    }
    // For each group of 4 points, 128 rounds × 4 bits: 64 random bytes.
    let groups = points.len().div_ceil(4);
    let mut random = vec![0u8; groups * TORSION_ROUNDS / 2];
    getrandom::fill(&mut random).ok()?;
    let mut sums = vec![EdwardsPoint::identity(); TORSION_ROUNDS];
    for (group, bits) in points
        .chunks(4)
        .zip(random.chunks_exact(TORSION_ROUNDS / 2))
    {
        // All 16 subset sums of the group (absent points count as 0).
        let mut table = [EdwardsPoint::identity(); 16];
        for m in 1..16usize {
            let low = m.trailing_zeros() as usize;
            let Some(p) = group.get(low) else {
                table[m] = table[m & (m - 1)];
                continue;
            };
            table[m] = if m & (m - 1) == 0 {
                *p
            } else {
                table[m & (m - 1)] + p
            };
        }
        for (round, sum) in sums.iter_mut().enumerate() {
            let nibble = (bits[round / 2] >> ((round % 2) * 4)) & 0x0f;
            if nibble != 0 {
                *sum += &table[usize::from(nibble)];
            }
        }
    }
    Some(sums.iter().all(is_torsion_free))
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;

    /// The subset-sum torsion check finds one torsion point among many,
    /// whatever its order, and passes torsion-free points.
    /// The variable-time [l]P check and the byte check of y agree with
    /// curve25519-dalek's own.
    #[test]
    fn torsion_and_canonical_checks_agree_with_the_library() {
        let p = ED25519_BASEPOINT_POINT * Scalar::from(123_456_789u64);
        assert!(is_torsion_free(&p) && p.is_torsion_free());
        for t in &EIGHT_TORSION {
            let q = p + t;
            assert_eq!(is_torsion_free(&q), q.is_torsion_free());
            assert_eq!(is_torsion_free(t), t.is_torsion_free());
        }
        // Every y in p..2^255 (y = p + d, d < 19), with either sign bit.
        for d in 0u8..19 {
            let mut y = [0xffu8; 32];
            y[0] = 0xed + d;
            y[31] = 0x7f;
            assert!(!y_is_canonical(&y));
            y[31] = 0xff;
            assert!(!y_is_canonical(&y));
        }
        for t in &EIGHT_TORSION {
            assert!(y_is_canonical(&t.compress().0));
        }
        let mut p_minus_1 = [0xffu8; 32];
        p_minus_1[0] = 0xec;
        p_minus_1[31] = 0x7f;
        assert!(y_is_canonical(&p_minus_1));
        for i in 0..200u64 {
            let q = (ED25519_BASEPOINT_POINT * Scalar::from(i)).compress().0;
            let decoded = CompressedEdwardsY(q).decompress().unwrap();
            assert!(y_is_canonical(&q) && decoded.compress().0 == q);
        }
    }

    #[test]
    fn subset_torsion_check_finds_a_single_torsion_point() {
        let base: Vec<EdwardsPoint> = (1..=300u64)
            .map(|i| ED25519_BASEPOINT_POINT * Scalar::from(i * 7919))
            .collect();
        assert_eq!(all_torsion_free(&base), Some(true));
        for t in &EIGHT_TORSION[1..] {
            for at in [0, 150, 299] {
                let mut pts = base.clone();
                pts[at] += t;
                assert_eq!(all_torsion_free(&pts), Some(false));
            }
        }
        // Two torsion points that cancel in a plain sum are still found.
        let mut pts = base.clone();
        pts[3] += EIGHT_TORSION[4];
        pts[200] += EIGHT_TORSION[4];
        assert_eq!(all_torsion_free(&pts), Some(false));
        // The exact path (few points).
        assert_eq!(all_torsion_free(&pts[..10]), Some(false));
        assert_eq!(all_torsion_free(&base[..10]), Some(true));
    }
}
