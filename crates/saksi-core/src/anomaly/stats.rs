//! The statistics behind the flags, written out here rather than taken
//! from a crate: the median and the median absolute deviation (the robust
//! z-score of Iglewicz and Hoaglin) and the chi-square test's p-value (the
//! regularized upper incomplete gamma function, as in Numerical Recipes,
//! section 6.2). Both are a few dozen lines; a statistics crate would cost
//! more build minutes than the code it replaces.

/// The median of `values`, reordering them; `None` for none. Of an even
/// count, the mean of the two middle values.
pub fn median(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let upper = values[n / 2];
    Some(if n % 2 == 1 {
        upper
    } else {
        (values[n / 2 - 1] + upper) / 2.0
    })
}

/// The median and the median absolute deviation of `values`, reordering
/// them; `None` for none.
pub fn median_and_mad(values: &mut [f64]) -> Option<(f64, f64)> {
    let m = median(values)?;
    for v in values.iter_mut() {
        *v = (*v - m).abs();
    }
    let mad = median(values)?;
    Some((m, mad))
}

/// The robust z-score of `x` among values of median `median` and median
/// absolute deviation `mad` (Iglewicz and Hoaglin's modified z-score:
/// 0.6745 is the normal distribution's third quartile, which makes the
/// MAD comparable to a standard deviation). `mad` must be above zero.
pub fn robust_z(x: f64, median: f64, mad: f64) -> f64 {
    0.6745 * (x - median) / mad
}

/// The p-value of a chi-square statistic with `dof` degrees of freedom:
/// the chance of a statistic at least this large were the counts drawn
/// from the expected distribution.
pub fn chi_square_p(statistic: f64, dof: u32) -> f64 {
    if statistic <= 0.0 {
        return 1.0;
    }
    upper_gamma_q(f64::from(dof) / 2.0, statistic / 2.0)
}

/// The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x),
/// for a > 0 and x >= 0: by its series where that converges fast (x < a +
/// 1), by its continued fraction (modified Lentz) elsewhere.
fn upper_gamma_q(a: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-15;
    const TINY: f64 = 1e-300;
    const MAX_ITER: usize = 500;
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefactor = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^-x x^a / Gamma(a + 1) * sum x^n / ((a+1)...(a+n)).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..MAX_ITER {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        (1.0 - sum * log_prefactor.exp()).clamp(0.0, 1.0)
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_ITER {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < EPS {
                break;
            }
        }
        (log_prefactor.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Gamma(x) for x > 0, by Lanczos' approximation (g = 7, nine
/// coefficients: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut sum = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        // Gamma(4.5) = 11.631728396567448..., Gamma(1) = 1, Gamma(10) = 9!.
        assert!(close(ln_gamma(4.5), 11.631_728_396_567_448_f64.ln(), 1e-13));
        assert!(ln_gamma(1.0).abs() < 1e-14);
        assert!(close(ln_gamma(10.0), 362_880_f64.ln(), 1e-13));
    }

    #[test]
    fn chi_square_p_values_with_nine_degrees_of_freedom_match_the_tables() {
        // Critical values of the chi-square distribution with 9 degrees
        // of freedom (NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
        for (statistic, p) in [
            (14.684, 0.10),
            (16.919, 0.05),
            (21.666, 0.01),
            (27.877, 0.001),
        ] {
            let got = chi_square_p(statistic, 9);
            assert!(close(got, p, 1e-3), "chi2 {statistic}: {got}, want {p}");
        }
        // The median of chi-square(9), and a value far in the tail, both
        // computed independently with mpmath (`gammainc(4.5, x / 2, inf,
        // regularized=True)`).
        assert!(close(chi_square_p(8.342_832_692_25, 9), 0.5, 1e-9));
        assert!(close(chi_square_p(60.0, 9), 1.340_678_048_4e-9, 1e-8));
        assert_eq!(chi_square_p(0.0, 9), 1.0);
        // Two degrees of freedom have the closed form e^(-x/2).
        for x in [0.5, 1.0, 3.0, 10.0, 40.0] {
            assert!(close(chi_square_p(x, 2), (-x / 2.0).exp(), 1e-12));
        }
    }

    #[test]
    fn median_and_mad_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        // Deviations from 3: 2, 1, 0, 1, 6 -> median 1.
        assert_eq!(
            median_and_mad(&mut [1.0, 2.0, 3.0, 4.0, 9.0]),
            Some((3.0, 1.0))
        );
        assert!(close(robust_z(9.0, 3.0, 1.0), 4.047, 1e-12));
    }
}
