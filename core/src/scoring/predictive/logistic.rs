//! L2-regularised logistic regression fitted by Newton's method (IRLS): the design matrix, the
//! exact Hessian solved by Cholesky, a halving line search and the stopping rule of
//! docs/predictive.md.
//!
//! Objective: `L(b) = sum_i w_i (softplus(eta_i) - y_i eta_i) + lambda/2 sum_{j>0} b_j^2` with
//! `eta_i = x_i . b`, column 0 the unpenalised intercept. Every sum runs in row order (then
//! column order), single-threaded: the same rows give the same bits. Nothing here reads a
//! clock or a random source, and no input makes it panic.

use super::num::sigmoid_softplus;
use crate::error::{Error, Result};

/// The encoded training rows. Each row has `d` dense values (column 0 is the intercept's 1.0)
/// and `m` sparse entries, each the number of an active 0/1 column among the `q` sparse
/// columns (which follow the dense ones, `p = d + q`) or [`NONE`]. Entries of a row are in
/// increasing column order. One-hot levels and boolean indicators are sparse columns.
pub(crate) struct Design {
    pub n: usize,
    pub d: usize,
    pub dense: Vec<f64>,
    pub m: usize,
    pub sparse: Vec<u32>,
    pub q: usize,
    pub y: Vec<bool>,
    /// The weight of each row (class weights).
    pub w: Vec<f64>,
}

/// No active column in this sparse entry.
pub(crate) const NONE: u32 = u32::MAX;

impl Design {
    fn p(&self) -> usize {
        self.d + self.q
    }
}

/// The fitted coefficients (`p` of them, design order) and how the fit went.
pub(crate) struct Fit {
    pub beta: Vec<f64>,
    pub iterations: u32,
    pub converged: bool,
    pub loss: f64,
    pub max_gradient: f64,
    pub last_step: f64,
}

/// Loss, gradient and Hessian of the unpenalised part at `beta`, sums in row order.
struct Pass {
    loss: f64,
    grad: Vec<f64>,
    /// Full `p x p` Hessian, row-major, only the lower triangle (j <= i) filled.
    hess: Vec<f64>,
}

fn pass(x: &Design, beta: &[f64]) -> Pass {
    let (d, q, m, p) = (x.d, x.q, x.m, x.p());
    let mut loss = 0.0;
    let mut grad = vec![0.0; p];
    // Blocks: dense x dense (upper triangle, row-major d x d), sparse x dense (q x d) and
    // sparse x sparse (q x q, entries a <= b).
    let mut hdd = vec![0.0; d * d];
    let mut hcd = vec![0.0; q * d];
    let mut hcc = vec![0.0; q * q];
    let mut hx = vec![0.0; d];
    let mut act: Vec<usize> = Vec::with_capacity(m);
    let (bd, bc) = beta.split_at(d);
    for i in 0..x.n {
        let row = &x.dense[i * d..(i + 1) * d];
        act.clear();
        act.extend(
            x.sparse[i * m..(i + 1) * m]
                .iter()
                .filter(|&&c| c != NONE)
                .map(|&c| c as usize),
        );
        let mut eta = 0.0;
        for (v, b) in row.iter().zip(bd) {
            eta += v * b;
        }
        for &c in &act {
            eta += bc[c];
        }
        let (pr, sp) = sigmoid_softplus(eta);
        let (y, w) = (x.y[i], x.w[i]);
        // softplus(-eta) = softplus(eta) - eta.
        loss += w * if y { sp - eta } else { sp };
        let r = w * (pr - if y { 1.0 } else { 0.0 });
        let h = w * pr * (1.0 - pr);
        for (g, v) in grad[..d].iter_mut().zip(row) {
            *g += r * v;
        }
        for &c in &act {
            grad[d + c] += r;
        }
        for (t, v) in hx.iter_mut().zip(row) {
            *t = h * v;
        }
        for j in 0..d {
            let hj = hx[j];
            let out = &mut hdd[j * d + j..(j + 1) * d];
            for (o, v) in out.iter_mut().zip(&row[j..]) {
                *o += hj * v;
            }
        }
        for (k, &a) in act.iter().enumerate() {
            for (o, t) in hcd[a * d..(a + 1) * d].iter_mut().zip(&hx) {
                *o += t;
            }
            let hrow = &mut hcc[a * q..(a + 1) * q];
            for &b in &act[k..] {
                hrow[b] += h;
            }
        }
    }
    // Assemble the lower triangle of the full matrix.
    let mut hess = vec![0.0; p * p];
    for j in 0..d {
        for k in j..d {
            hess[k * p + j] = hdd[j * d + k];
        }
    }
    for a in 0..q {
        let row = d + a;
        hess[row * p..row * p + d].copy_from_slice(&hcd[a * d..(a + 1) * d]);
        for b in a..q {
            hess[(d + b) * p + row] = hcc[a * q + b];
        }
    }
    Pass { loss, grad, hess }
}

/// The penalised loss, gradient and Hessian: adds `lambda/2 |b|^2` (intercept excluded).
fn penalise(pass: &mut Pass, beta: &[f64], lambda: f64) {
    let p = beta.len();
    let mut pen = 0.0;
    for (j, b) in beta.iter().enumerate().skip(1) {
        pen += b * b;
        pass.grad[j] += lambda * b;
        pass.hess[j * p + j] += lambda;
    }
    pass.loss += 0.5 * lambda * pen;
}

/// Solves `A x = b` for a symmetric positive definite `A` (lower triangle, row-major `p x p`)
/// by Cholesky; `None` when `A` is not numerically positive definite.
pub(crate) fn cholesky_solve(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let p = b.len();
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        for i in j..p {
            let (ri, rj) = (&l[i * p..i * p + j], &l[j * p..j * p + j]);
            let mut s = a[i * p + j];
            for (u, v) in ri.iter().zip(rj) {
                s -= u * v;
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[j * p + j] = s.sqrt();
            } else {
                l[i * p + j] = s / l[j * p + j];
            }
        }
    }
    // L y = b, then L^T x = y.
    let mut y = vec![0.0; p];
    for i in 0..p {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * p + k] * y[k];
        }
        y[i] = s / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        let mut s = y[i];
        for k in i + 1..p {
            s -= l[k * p + i] * x[k];
        }
        x[i] = s / l[i * p + i];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The Newton step `-H^-1 g`; when rounding makes `H` look indefinite, retries with a tiny
/// ridge on the diagonal (1e-12, 1e-9, 1e-6 of its mean) before giving up.
fn newton_step(pass: &Pass) -> Option<Vec<f64>> {
    let p = pass.grad.len();
    let neg: Vec<f64> = pass.grad.iter().map(|g| -g).collect();
    if let Some(x) = cholesky_solve(&pass.hess, &neg) {
        return Some(x);
    }
    let mean_diag = (0..p).map(|j| pass.hess[j * p + j].abs()).sum::<f64>() / p as f64;
    for scale in [1e-12, 1e-9, 1e-6] {
        let mut h = pass.hess.clone();
        for j in 0..p {
            h[j * p + j] += scale * mean_diag.max(1.0);
        }
        if let Some(x) = cholesky_solve(&h, &neg) {
            return Some(x);
        }
    }
    None
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Fits the coefficients. Starts from 0 with the intercept at the log-odds of the weighted
/// positive share. Each iteration takes the Newton step `s = -H^-1 g` at the current point;
/// the fit has converged when `max_j |s_j| <= tol` (that point is returned, the tiny step is
/// not taken). Otherwise the step is taken, halved while the loss goes up (at most 60 times;
/// a step below `tol` is taken as it is), and after `max_iter` steps the fit stops unconverged.
pub(crate) fn fit(x: &Design, lambda: f64, max_iter: u32, tol: f64) -> Result<Fit> {
    let p = x.p();
    let mut beta = vec![0.0; p];
    let (mut wp, mut wn) = (0.0, 0.0);
    for (y, w) in x.y.iter().zip(&x.w) {
        if *y {
            wp += w;
        } else {
            wn += w;
        }
    }
    beta[0] = super::num::ln(wp / wn);
    let eval = |beta: &[f64]| {
        let mut ps = pass(x, beta);
        penalise(&mut ps, beta, lambda);
        ps
    };
    let mut cur = eval(&beta);
    let mut iterations = 0;
    let mut converged = false;
    let last_step = loop {
        let step = newton_step(&cur).ok_or_else(|| {
            Error::Validation(vec![crate::error::Problem::new(
                "rows",
                "singular",
                "the training problem is numerically singular; raise `lambda`",
            )])
        })?;
        let size = max_abs(&step);
        if size <= tol {
            converged = true;
            break size;
        }
        if iterations >= max_iter {
            break size;
        }
        let mut t = 1.0;
        let mut halvings = 0;
        let next = loop {
            let cand: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + t * s).collect();
            let ps = eval(&cand);
            if ps.loss <= cur.loss || t * size <= tol || halvings >= 60 {
                break (cand, ps);
            }
            t *= 0.5;
            halvings += 1;
        };
        beta = next.0;
        cur = next.1;
        iterations += 1;
    };
    Ok(Fit {
        max_gradient: max_abs(&cur.grad),
        loss: cur.loss,
        beta,
        iterations,
        converged,
        last_step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        // A = [[4, 2], [2, 3]] (lower triangle given), b = [2, 1] -> x = [0.5, 0].
        let a = [4.0, 0.0, 2.0, 3.0];
        let x = cholesky_solve(&a, &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1].abs() < 1e-15);
        assert!(cholesky_solve(&[0.0], &[1.0]).is_none());
        assert!(cholesky_solve(&[1.0, 0.0, 2.0, 1.0], &[1.0, 1.0]).is_none());
    }

    #[test]
    fn hessian_blocks_match_a_dense_computation() {
        // 3 rows, d = 2 (intercept, one value), two sparse entries over q = 4 columns.
        let x = Design {
            n: 3,
            d: 2,
            dense: vec![1.0, 0.5, 1.0, -1.0, 1.0, 2.0],
            m: 2,
            sparse: vec![0, 2, 1, NONE, 0, 3],
            q: 4,
            y: vec![true, false, true],
            w: vec![1.0, 2.0, 0.5],
        };
        let beta = [0.1, -0.2, 0.3, 0.0, -0.1, 0.2];
        let ps = pass(&x, &beta);
        let p = 6;
        for i in 0..p {
            for j in 0..=i {
                let mut want = 0.0;
                for r in 0..3 {
                    let mut row = vec![0.0; p];
                    row[..2].copy_from_slice(&x.dense[r * 2..r * 2 + 2]);
                    for &c in &x.sparse[r * 2..r * 2 + 2] {
                        if c != NONE {
                            row[2 + c as usize] = 1.0;
                        }
                    }
                    let eta: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
                    let pr = 1.0 / (1.0 + (-eta).exp());
                    want += x.w[r] * pr * (1.0 - pr) * row[i] * row[j];
                }
                let got = ps.hess[i * p + j];
                assert!(
                    (got - want).abs() < 1e-14,
                    "H[{i}][{j}] = {got}, want {want}"
                );
            }
        }
    }
}
