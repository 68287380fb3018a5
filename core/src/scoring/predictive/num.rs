//! Portable floating point for predictive models: `exp`, `ln`, `ln_1p`, the logistic function
//! and its log-loss, written with IEEE basic arithmetic only (`+ - * /`, `sqrt`, bit moves).
//!
//! The platform's libm may round `exp` and `ln` differently in the last bit (glibc, Apple's
//! libm, the musl of a phone), and a model must give the same probabilities everywhere it is
//! loaded. Everything here is accurate to a few ulps and gives the same bits on every host. It
//! must never call `f64::exp`, `f64::ln`, `f64::powf` or anything else from libm.

/// ln 2 split (fdlibm): the high part has 32 low zero bits, so `k * LN2_HI` is exact.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const SQRT2: f64 = std::f64::consts::SQRT_2;

/// 1/k for k = 0..=14 (index 0 unused), each correctly rounded by the compiler.
const INV: [f64; 15] = [
    0.0,
    1.0,
    1.0 / 2.0,
    1.0 / 3.0,
    1.0 / 4.0,
    1.0 / 5.0,
    1.0 / 6.0,
    1.0 / 7.0,
    1.0 / 8.0,
    1.0 / 9.0,
    1.0 / 10.0,
    1.0 / 11.0,
    1.0 / 12.0,
    1.0 / 13.0,
    1.0 / 14.0,
];

/// 1/(2k+1) for k = 1..=12: the coefficients of the atanh series.
const ODD_INV: [f64; 12] = [
    1.0 / 3.0,
    1.0 / 5.0,
    1.0 / 7.0,
    1.0 / 9.0,
    1.0 / 11.0,
    1.0 / 13.0,
    1.0 / 15.0,
    1.0 / 17.0,
    1.0 / 19.0,
    1.0 / 21.0,
    1.0 / 23.0,
    1.0 / 25.0,
];

/// `e^x`. Overflows to infinity above 709.78, underflows to 0 below -745.2; NaN stays NaN.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // x = k ln2 + r, |r| <= ln2 / 2; then e^r by its Taylor series (14 terms reach 1e-18).
    let k = (x * std::f64::consts::LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0;
    for inv in INV[1..].iter().rev() {
        p = 1.0 + r * p * inv;
    }
    let k = k as i64;
    if k < -1000 {
        // 2^k is subnormal: scale in two normal steps.
        p * pow2(k + 1000) * pow2(-1000)
    } else if k > 1000 {
        p * pow2(k - 1000) * pow2(1000)
    } else {
        p * pow2(k)
    }
}

/// 2^k for k within -1022..=1023, from its bits.
fn pow2(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Natural logarithm of `x` > 0 (0 gives -infinity, negative or NaN gives NaN, infinity stays).
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut m, mut e) = (x, 0i64);
    if m < f64::MIN_POSITIVE {
        m *= pow2(54);
        e -= 54;
    }
    // m = 1.f * 2^(exponent): keep the fraction in [1, 2), then move it to [sqrt(1/2), sqrt(2)].
    let bits = m.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut f = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if f > SQRT2 {
        f *= 0.5;
        e += 1;
    }
    // ln f = 2 atanh(s), s = (f - 1) / (f + 1), |s| <= 0.1716: the odd series converges fast.
    let s = (f - 1.0) / (f + 1.0);
    let s2 = s * s;
    let mut series = 0.0;
    for c in ODD_INV.iter().rev() {
        series = series * s2 + c;
    }
    let ln_f = 2.0 * s + 2.0 * s * s2 * series;
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + ln_f)
}

/// `ln(1 + x)` for x > -1, accurate for tiny `x` too.
pub fn ln_1p(x: f64) -> f64 {
    if x.abs() < 1e-4 {
        // x - x^2/2 + x^3/3 - x^4/4; the next term is below 1e-20 relative.
        return x * (1.0 - x * (0.5 - x * (INV[3] - x * 0.25)));
    }
    let u = 1.0 + x;
    // Corrects for the rounding of 1 + x (Goldberg's trick).
    ln(u) - ((u - 1.0) - x) / u
}

/// The logistic function `1 / (1 + e^-x)`, without overflow for any finite `x`.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}

/// The logistic function of `x` and `ln(1 + e^x)` together, from one `exp`: what a pass of
/// the solver needs per row. Same bits as [`sigmoid`] and [`softplus`] apart.
pub fn sigmoid_softplus(x: f64) -> (f64, f64) {
    let e = exp(-x.abs());
    let p = if x >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (p, x.max(0.0) + ln_1p(e))
}

/// `ln(1 + e^x)`, without overflow: the log-loss of a negative example with log-odds `x`.
#[cfg(test)]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + ln_1p(exp(-x))
    } else {
        ln_1p(exp(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        a == b || ((a - b) / b).abs() <= rel
    }

    #[test]
    fn exp_matches_libm_to_a_few_ulps() {
        // Above -708 the results are normal numbers (subnormals carry fewer digits).
        let mut x = -708.0;
        while x < 709.0 {
            assert!(
                close(exp(x), x.exp(), 4e-16),
                "{x}: {} vs {}",
                exp(x),
                x.exp()
            );
            x += 0.713;
        }
        assert!((exp(-740.0) - (-740f64).exp()).abs() < 1e-320);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
    }

    #[test]
    fn ln_matches_libm_to_a_few_ulps() {
        for x in [
            1e-310, 1e-300, 1e-20, 0.001, 0.5, 0.7, 0.9999, 1.0, 1.0001, 1.5, 2.0, 3.0, 10.0,
            12345.678, 1e20, 1e300,
        ] {
            assert!(close(ln(x), x.ln(), 4e-16), "{x}: {} vs {}", ln(x), x.ln());
        }
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(-1.0).is_nan());
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn ln_1p_is_accurate_near_zero_and_far() {
        for x in [1e-300, 1e-12, 1e-5, 9.9e-5, 1e-4, 0.3, 1.0, 7.0, 1e6, 1e300] {
            assert!(close(ln_1p(x), x.ln_1p(), 4e-16), "{x}");
        }
    }

    #[test]
    fn sigmoid_and_softplus_are_stable() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!(close(softplus(1000.0), 1000.0, 0.0));
        assert!(close(softplus(0.0), std::f64::consts::LN_2, 2e-16));
        assert!(close(softplus(-30.0), (-30f64).exp(), 1e-12));
    }
}
