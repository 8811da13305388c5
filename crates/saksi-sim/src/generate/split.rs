//! Exact integer splitting: a total shared out among parts within bounds,
//! and a sequence of regions cut into contiguous groups.
//!
//! Every count the generator must hit exactly (TPS of a province, seats of a
//! contest, DPT of the nation) goes through [`apportion`], which works in
//! integers only, so the same seed gives the same split on every platform.

use std::ops::Range;

use crate::rng::Rng;

/// One part of an [`apportion`]: its relative weight and its bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Share {
    pub weight: u64,
    pub min: u64,
    pub max: u64,
}

/// Splits `total` into one part per share, each within its `[min, max]`, as
/// nearly proportional to the weights as the bounds allow (largest
/// remainder; ties go to the earlier share). A total outside
/// `[sum of min, sum of max]` is clamped into it: callers choose bounds that
/// make their totals reachable where exactness matters. All-zero weights
/// count as equal weights.
pub(crate) fn apportion(total: u64, shares: &[Share]) -> Vec<u64> {
    let mut out: Vec<u64> = shares.iter().map(|s| s.min).collect();
    let sum_min: u64 = out.iter().sum();
    let sum_max: u64 = shares.iter().map(|s| s.max.max(s.min)).sum();
    let mut remaining = total.clamp(sum_min, sum_max) - sum_min;
    let mut active: Vec<usize> = (0..shares.len())
        .filter(|&i| shares[i].max > shares[i].min)
        .collect();
    while remaining > 0 && !active.is_empty() {
        let all_zero = active.iter().all(|&i| shares[i].weight == 0);
        let weight = |i: usize| u128::from(if all_zero { 1 } else { shares[i].weight });
        let w_total: u128 = active.iter().map(|&i| weight(i)).sum();
        let room = |i: usize| u128::from(shares[i].max - shares[i].min);
        let before = active.len();
        active.retain(|&i| {
            let saturated = u128::from(remaining) * weight(i) >= room(i) * w_total;
            if saturated {
                out[i] = shares[i].max;
                remaining -= shares[i].max - shares[i].min;
            }
            !saturated
        });
        if active.len() < before {
            continue;
        }
        let mut remainders = Vec::with_capacity(active.len());
        let mut given = 0;
        for &i in &active {
            let numerator = u128::from(remaining) * weight(i);
            let share = (numerator / w_total) as u64;
            out[i] += share;
            given += share;
            remainders.push((numerator % w_total, i));
        }
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders.iter().take((remaining - given) as usize) {
            out[*i] += 1;
        }
        break;
    }
    out
}

/// The same bounds for every part.
pub(crate) fn shares(weights: &[u64], min: u64, max: u64) -> Vec<Share> {
    weights
        .iter()
        .map(|&weight| Share { weight, min, max })
        .collect()
}

/// A skewed random weight: most draws are small, a few are up to `spread`
/// times larger (a Pareto-like tail), as sizes of real regions are.
pub(crate) fn skewed(rng: &mut Rng, spread: u64) -> u64 {
    let floor = 1000 / spread.max(1);
    1_000_000_000 / (floor + rng.below(1000))
}

/// Cuts `weights` (regions in code order) into `targets.len()` contiguous,
/// non-empty groups whose weights follow the targets' proportions as closely
/// as whole regions allow. Needs at least as many regions as groups.
pub(crate) fn contiguous(weights: &[u64], targets: &[u64]) -> Vec<Range<usize>> {
    let n = targets.len();
    debug_assert!(n <= weights.len() && n > 0);
    let all_zero = weights.iter().all(|w| *w == 0);
    let w = |i: usize| u128::from(if all_zero { 1 } else { weights[i] });
    let total: u128 = (0..weights.len()).map(w).sum();
    let t_total: u128 = targets.iter().map(|t| u128::from(*t)).sum::<u128>().max(1);
    let mut groups = Vec::with_capacity(n);
    let (mut start, mut cum, mut t_cum) = (0, 0u128, 0u128);
    for (j, target) in targets.iter().enumerate() {
        if j == n - 1 {
            groups.push(start..weights.len());
            break;
        }
        t_cum += u128::from(*target);
        let boundary = total * t_cum / t_total;
        let last_end = weights.len() - (n - 1 - j);
        cum += w(start);
        let mut end = start + 1;
        while end < last_end && 2 * cum + w(end) < 2 * boundary {
            cum += w(end);
            end += 1;
        }
        groups.push(start..end);
        start = end;
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_hits_the_total_within_bounds() {
        let weights = [1, 100, 5, 0, 30];
        let parts = apportion(200, &shares(&weights, 2, 90));
        assert_eq!(parts.iter().sum::<u64>(), 200);
        assert!(parts.iter().all(|p| (2..=90).contains(p)));
        assert_eq!(parts[1], 90);
    }

    #[test]
    fn apportion_clamps_an_unreachable_total() {
        assert_eq!(apportion(100, &shares(&[1, 1], 3, 10)), [10, 10]);
        assert_eq!(apportion(1, &shares(&[1, 1], 3, 10)), [3, 3]);
        assert_eq!(apportion(7, &shares(&[0, 0], 0, 10)), [4, 3]);
    }

    #[test]
    fn contiguous_groups_cover_everything_in_order() {
        let weights = [5, 1, 1, 1, 10, 2, 2];
        let groups = contiguous(&weights, &[1, 1, 1]);
        assert_eq!(groups, [0..3, 3..5, 5..7]);
        let groups = contiguous(&[0, 0], &[1, 1]);
        assert_eq!(groups, [0..1, 1..2]);
        let groups = contiguous(&[100, 1, 1], &[1, 1, 1]);
        assert_eq!(groups, [0..1, 1..2, 2..3]);
    }
}
