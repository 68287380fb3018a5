//! The seeded randomness of the sample generator, made to give the same numbers in every host.
//!
//! Each section of the world (reps, accounts, leads, ...) draws from its own ChaCha8 stream of
//! the seed, so asking for more leads leaves the reps and accounts as they were. Only IEEE basic
//! arithmetic (`+ - * /`, `sqrt`, `floor`, `round`) touches floats: `exp`, `ln` and `powf` come
//! from the platform's libm and may differ in the last bit between hosts, so [`exp`] here is
//! written out with those basic operations only.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The independent random streams of one seed, one per section of the world.
/// The numbers are part of the output's identity: never renumber one.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    Reps = 1,
    Territories = 2,
    Accounts = 3,
    Contacts = 4,
    Leads = 5,
    Events = 6,
    Opportunities = 7,
    OpportunityLinks = 8,
    Content = 9,
    ContentEvents = 10,
}

/// A seeded random source with the draws the generator needs.
pub struct Rng(ChaCha8Rng);

impl Rng {
    pub fn new(seed: u64, stream: Stream) -> Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream as u64);
        Rng(rng)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform in `0..n`; `n` must be above 0.
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        self.0.random_range(0..n as u64) as usize
    }

    /// Uniform in `lo..hi`, or `lo` when the range is empty.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..hi)
        }
    }

    /// True with probability `p` (clamped to 0..1).
    pub fn chance(&mut self, p: f64) -> bool {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        self.0.random_bool(p)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One element of a non-empty slice of `(item, weight)` pairs, by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.0.random_range(0..total.max(1));
        for (item, w) in items {
            let w = u64::from(*w);
            if x < w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }

    /// An index by weight, for weights held apart from the items.
    pub fn weighted_index(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.0.random_range(0..total.max(1));
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Roughly standard normal (Irwin-Hall of four uniforms, rescaled): bounded to ±3.46, which
    /// keeps every generated quantity within sane limits.
    pub fn normal(&mut self) -> f64 {
        let s = self.unit() + self.unit() + self.unit() + self.unit();
        (s - 2.0) * 3f64.sqrt()
    }

    /// Log-normal around `median` with spread `sigma` (in natural-log units).
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }

    /// A code from a pattern: `#` a digit, `@` a capital letter, anything else literal
    /// (`"M5H #@#"` -> `"M5H 2N7"`). Eight symbols share one 64-bit draw.
    pub fn pattern(&mut self, pattern: &str) -> String {
        let mut out = String::with_capacity(pattern.len());
        let mut bits = 0u64;
        let mut left = 0;
        for c in pattern.chars() {
            if (c == '#' || c == '@') && left == 0 {
                bits = self.0.random::<u64>();
                left = 8;
            }
            match c {
                '#' => {
                    out.push(char::from(b'0' + (bits % 10) as u8));
                    bits /= 10;
                    left -= 1;
                }
                '@' => {
                    out.push(char::from(b'A' + (bits % 26) as u8));
                    bits /= 26;
                    left -= 1;
                }
                c => out.push(c),
            }
        }
        out
    }
}

/// `e^x` from basic arithmetic only, so that every host computes the same bits (accurate to a
/// few ulps; `x` is clamped to ±700).
pub fn exp(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let x = if x.is_nan() {
        0.0
    } else {
        x.clamp(-700.0, 700.0)
    };
    let k = (x / LN2).round();
    let r = x - k * LN2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=18 {
        term *= r / f64::from(i);
        sum += term;
    }
    // 2^k, k within -1010..=1010, built from its bits.
    let two_k = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    sum * two_k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_libm_closely() {
        for x in [-20.0, -3.5, -1.0, -0.1, 0.0, 0.3, 1.0, 2.5, 10.0, 50.0] {
            let (a, b) = (exp(x), f64::exp(x));
            assert!(((a - b) / b).abs() < 1e-14, "{x}: {a} vs {b}");
        }
    }

    #[test]
    fn streams_are_independent_and_repeatable() {
        let mut a = Rng::new(7, Stream::Reps);
        let mut b = Rng::new(7, Stream::Reps);
        let mut c = Rng::new(7, Stream::Leads);
        let xa: Vec<usize> = (0..8).map(|_| a.below(1000)).collect();
        let xb: Vec<usize> = (0..8).map(|_| b.below(1000)).collect();
        let xc: Vec<usize> = (0..8).map(|_| c.below(1000)).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn draws_stay_in_bounds() {
        let mut r = Rng::new(1, Stream::Accounts);
        for _ in 0..1000 {
            assert!(r.below(3) < 3);
            let n = r.normal();
            assert!((-3.5..=3.5).contains(&n));
            assert_eq!(r.range(5, 5), 5);
            assert!(*r.weighted(&[("a", 0), ("b", 1)]) == "b");
        }
        assert_eq!(r.pattern("M5H #@#").len(), 7);
    }
}
