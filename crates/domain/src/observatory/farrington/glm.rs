//! The quasi-Poisson regression (log link) the Farrington method fits, as R's `glm` with
//! `family = quasipoisson` fits it: the same start (μ = y + 0.1), the same iteratively
//! reweighted least squares, the same convergence test (relative change of the deviance under
//! 1e-8, at most 25 iterations), the same floor on μ (machine ε), and the same summary
//! (dispersion, standard errors, leverages) from the working weights of the last iteration.

/// A dense matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub values: Vec<f64>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            values: vec![0.0; rows * cols],
        }
    }

    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.values[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, v: f64) {
        self.values[r * self.cols + c] = v;
    }

    pub fn row(&self, r: usize) -> &[f64] {
        &self.values[r * self.cols..(r + 1) * self.cols]
    }
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coefficients: Vec<f64>,
    /// The fitted means.
    pub mu: Vec<f64>,
    /// (X'WX)⁻¹ with the last iteration's working weights (R's `cov.unscaled`).
    pub cov_unscaled: Matrix,
    /// R's `summary(model)$dispersion`: Σ prior·w·r² / residual degrees of freedom.
    pub dispersion: f64,
    pub df_residual: usize,
    /// The diagonal of the hat matrix (R's `hatvalues`).
    pub leverages: Vec<f64>,
    pub converged: bool,
    /// The prior weights it was fitted with.
    pub prior: Vec<f64>,
}

const EPSILON: f64 = 1e-8;
const MAX_ITERATIONS: usize = 25;

/// R's `poisson()$linkinv`: `pmax(exp(η), .Machine$double.eps)`.
fn inverse_link(eta: f64) -> f64 {
    eta.exp().max(f64::EPSILON)
}

/// The Poisson deviance with prior weights.
fn deviance(y: &[f64], mu: &[f64], prior: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(prior)
        .map(|((&y, &mu), &w)| {
            let ylog = if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
            2.0 * w * (ylog - (y - mu))
        })
        .sum()
}

/// Fits `y ~ X` (X holds the intercept's column) with prior weights. None when the weighted
/// cross-product cannot be inverted (a column without information).
pub fn fit(x: &Matrix, y: &[f64], prior: &[f64]) -> Option<Fit> {
    let (n, p) = (x.rows, x.cols);
    if n <= p {
        return None;
    }
    let mut mu: Vec<f64> = y.iter().map(|v| v + 0.1).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut dev_old = deviance(y, &mu, prior);
    let mut converged = false;
    let mut working = vec![0.0; n];
    let mut coefficients = vec![0.0; p];
    let mut inverse = Matrix::zeros(p, p);
    for _ in 0..MAX_ITERATIONS {
        // Working response and weights from the current μ (log link: dμ/dη = μ).
        let z: Vec<f64> = (0..n).map(|i| eta[i] + (y[i] - mu[i]) / mu[i]).collect();
        for i in 0..n {
            working[i] = prior[i] * mu[i];
        }
        inverse = invert(&cross_product(x, &working))?;
        let xtwz: Vec<f64> = (0..p)
            .map(|j| (0..n).map(|i| x.at(i, j) * working[i] * z[i]).sum())
            .collect();
        coefficients = (0..p)
            .map(|j| (0..p).map(|k| inverse.at(j, k) * xtwz[k]).sum())
            .collect();
        for i in 0..n {
            eta[i] = dot(x.row(i), &coefficients);
            mu[i] = inverse_link(eta[i]);
        }
        let dev = deviance(y, &mu, prior);
        if !dev.is_finite() {
            return None;
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON {
            converged = true;
            break;
        }
        dev_old = dev;
    }
    let df_residual = n - p;
    let dispersion = (0..n)
        .filter(|&i| working[i] > 0.0)
        .map(|i| working[i] * ((y[i] - mu[i]) / mu[i]).powi(2))
        .sum::<f64>()
        / df_residual as f64;
    let leverages = (0..n)
        .map(|i| working[i] * quadratic_form(&inverse, x.row(i)))
        .collect();
    Some(Fit {
        coefficients,
        mu,
        cov_unscaled: inverse,
        dispersion,
        df_residual,
        leverages,
        converged,
        prior: prior.to_vec(),
    })
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// `v' M v`.
pub fn quadratic_form(m: &Matrix, v: &[f64]) -> f64 {
    (0..m.rows)
        .map(|j| v[j] * (0..m.cols).map(|k| m.at(j, k) * v[k]).sum::<f64>())
        .sum()
}

/// X' diag(w) X.
fn cross_product(x: &Matrix, w: &[f64]) -> Matrix {
    let p = x.cols;
    let mut m = Matrix::zeros(p, p);
    for (i, &weight) in w.iter().enumerate().take(x.rows) {
        let row = x.row(i);
        for (j, &rj) in row.iter().enumerate() {
            let a = weight * rj;
            if a == 0.0 {
                continue;
            }
            for (k, &rk) in row.iter().enumerate().skip(j) {
                m.values[j * p + k] += a * rk;
            }
        }
    }
    for j in 0..p {
        for k in 0..j {
            m.values[j * p + k] = m.values[k * p + j];
        }
    }
    m
}

/// The inverse of a symmetric positive definite matrix, by Cholesky; None when it is not
/// positive definite (to working precision).
fn invert(m: &Matrix) -> Option<Matrix> {
    let p = m.rows;
    // m = L L'.
    let mut l = Matrix::zeros(p, p);
    for j in 0..p {
        let mut d = m.at(j, j);
        for k in 0..j {
            d -= l.at(j, k).powi(2);
        }
        if d <= m.at(j, j).abs() * 1e-13 || d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        l.set(j, j, d);
        for i in j + 1..p {
            let mut s = m.at(i, j);
            for k in 0..j {
                s -= l.at(i, k) * l.at(j, k);
            }
            l.set(i, j, s / d);
        }
    }
    // L⁻¹, lower triangular.
    let mut li = Matrix::zeros(p, p);
    for j in 0..p {
        li.set(j, j, 1.0 / l.at(j, j));
        for i in j + 1..p {
            let s: f64 = (j..i).map(|k| l.at(i, k) * li.at(k, j)).sum();
            li.set(i, j, -s / l.at(i, i));
        }
    }
    // m⁻¹ = L⁻ᵀ L⁻¹.
    let mut inv = Matrix::zeros(p, p);
    for j in 0..p {
        for k in 0..=j {
            let s: f64 = (j..p).map(|i| li.at(i, j) * li.at(i, k)).sum();
            inv.set(j, k, s);
            inv.set(k, j, s);
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisson_regression_on_a_line_recovers_its_rate() {
        // y = exp(1 + 0.1 t) exactly (rounded is not needed for the MLE to hold on means).
        let n = 20;
        let mut x = Matrix::zeros(n, 2);
        let mut y = Vec::new();
        for t in 0..n {
            x.set(t, 0, 1.0);
            x.set(t, 1, t as f64);
            y.push((1.0 + 0.1 * t as f64).exp());
        }
        let fit = fit(&x, &y, &vec![1.0; n]).unwrap();
        assert!(fit.converged);
        assert!((fit.coefficients[0] - 1.0).abs() < 1e-8, "{fit:?}");
        assert!((fit.coefficients[1] - 0.1).abs() < 1e-9, "{fit:?}");
        assert!(fit.dispersion < 1e-12);
        // The leverages of a regression with 2 parameters add up to 2.
        assert!((fit.leverages.iter().sum::<f64>() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn an_intercept_alone_fits_the_mean_with_its_dispersion() {
        let y = [3.0, 7.0, 5.0, 1.0, 9.0];
        let x = Matrix {
            rows: 5,
            cols: 1,
            values: vec![1.0; 5],
        };
        let fit = fit(&x, &y, &[1.0; 5]).unwrap();
        assert!((fit.mu[0] - 5.0).abs() < 1e-9);
        // Pearson's X² / (n − 1): (4 + 4 + 0 + 16 + 16) / 5 / 4.
        assert!((fit.dispersion - 2.0).abs() < 1e-7, "{}", fit.dispersion);
        // Var(log mean) = 1 / (n μ).
        assert!((fit.cov_unscaled.at(0, 0) - 1.0 / 25.0).abs() < 1e-9);
    }

    #[test]
    fn a_column_without_information_is_refused() {
        let x = Matrix {
            rows: 4,
            cols: 2,
            values: vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
        };
        assert!(fit(&x, &[1.0, 2.0, 3.0, 4.0], &[1.0; 4]).is_none());
    }
}
