//! The frequency-table model (naive Bayes in the manner of Odoo's predictive lead scoring):
//! quantile bins of numeric features, per-value counts among positives and negatives, and the
//! smoothed log-likelihood ratios that become each value's contribution to the log-odds.
//!
//! A model file keeps the counts, never the logarithms: the weights are recomputed from the
//! counts by [`weights`] whenever a model is trained or loaded, so both give the same bits.

use super::num::ln;

/// Cut points of `bins` quantile bins over the non-missing values (NaN = missing): for
/// k = 1..bins-1 the value at sorted position `ceil(k m / bins) - 1` (m non-missing values),
/// duplicates dropped. A value `x` falls in bin `#{edges e : e < x}`.
pub(crate) fn quantile_edges(values: &[f64], bins: u32) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let m = v.len() as u64;
    let bins = u64::from(bins);
    let mut edges: Vec<f64> = Vec::new();
    if m == 0 {
        return edges;
    }
    for k in 1..bins {
        let pos = (k * m).div_ceil(bins) - 1;
        let e = v[pos as usize];
        if edges.last() != Some(&e) {
            edges.push(e);
        }
    }
    edges
}

/// The bin of a non-missing value.
pub(crate) fn bin_of(edges: &[f64], x: f64) -> usize {
    edges.partition_point(|e| *e < x)
}

/// The contribution of every slot of a feature to the log-odds, from its counts
/// `[positives, negatives]` per slot, the class totals and the smoothing `alpha`:
/// `w = (ln(c+ + a) - ln(c- + a)) + (ln(N- + a K) - ln(N+ + a K))`, K the number of slots.
pub(crate) fn weights(counts: &[[u64; 2]], prior: [u64; 2], alpha: f64) -> Vec<f64> {
    let k = counts.len() as f64;
    let norm = ln(prior[1] as f64 + alpha * k) - ln(prior[0] as f64 + alpha * k);
    counts
        .iter()
        .map(|c| (ln(c[0] as f64 + alpha) - ln(c[1] as f64 + alpha)) + norm)
        .collect()
}

/// The prior log-odds `ln(N+) - ln(N-)`.
pub(crate) fn base(prior: [u64; 2]) -> f64 {
    ln(prior[0] as f64) - ln(prior[1] as f64)
}

/// Counts per slot: `slots[i]` is row i's slot (< k), `labels[i]` its class.
pub(crate) fn count(slots: &[u32], labels: &[bool], k: usize) -> Vec<[u64; 2]> {
    let mut counts = vec![[0u64; 2]; k];
    for (&s, &y) in slots.iter().zip(labels) {
        counts[s as usize][usize::from(!y)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_lower_quantiles_without_duplicates() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile_edges(&v, 4), vec![3.0, 5.0, 8.0]);
        assert_eq!(quantile_edges(&[1.0, 1.0, 1.0, 2.0], 4), vec![1.0]);
        assert_eq!(quantile_edges(&[f64::NAN], 4), Vec::<f64>::new());
        assert_eq!(bin_of(&[3.0, 5.0, 8.0], 3.0), 0);
        assert_eq!(bin_of(&[3.0, 5.0, 8.0], 3.5), 1);
        assert_eq!(bin_of(&[3.0, 5.0, 8.0], 100.0), 3);
    }
}
