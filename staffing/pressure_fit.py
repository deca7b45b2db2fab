"""Calibration of the pressure weights: fit them to what staff report at the end of their shifts.

An ordinal logistic regression of the check-ins (1-5, one step worse after an incident) on the
factor scores of ``staffing.pressure``; ``storemon.services.pressure_calibration`` runs it on a
chain's shifts and stores the proposed weights when a head-office user accepts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from staffing.pressure import DEFAULT_CONFIG, LOAD_FACTORS, Factor, PressureConfig, PressureResult

CALIBRATION_FEATURES = ("alone", "load", "no_break", "incidents")
"""The features of a shift: alone, the merged load group, no break, incidents (each 0-1)."""


@dataclass(frozen=True)
class Calibration:
    """An ordinal logistic fit of check-ins on the factor scores, and the weights it proposes.

    Apply ``proposed`` only when an administrator accepts it (the caller stores it); ``report`` is
    a plain-language summary of the fit for that decision.
    """

    proposed: PressureConfig
    coefficients: dict[str, float]
    thresholds: tuple[float, ...]
    log_likelihood: float
    null_log_likelihood: float
    pseudo_r2: float
    """McFadden's 1 − LL/LL₀: 0 no better than the outcome frequencies, 0.2-0.4 is a good ordinal fit."""
    rank_correlation: float
    """Spearman correlation of the refitted index with the outcome."""
    shifts: int
    report: str


def calibration_features(results: Sequence[PressureResult]) -> np.ndarray:
    """(shifts, 4) scores: alone, load (the worst of the load group), no break (0 if unknown), incidents."""
    rows = []
    for r in results:
        load = max((r.scores.get(f, 0.0) for f in LOAD_FACTORS), default=0.0)
        rows.append(
            [
                r.scores.get(Factor.ALONE, 0.0),
                load,
                r.scores.get(Factor.NO_BREAK, 0.0),
                r.scores.get(Factor.INCIDENTS, 0.0),
            ]
        )
    return np.asarray(rows, dtype=float).reshape(-1, len(CALIBRATION_FEATURES))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _ordinal_nll(params: np.ndarray, x: np.ndarray, y: np.ndarray, levels: int) -> tuple[float, np.ndarray]:
    """Negative log-likelihood of the proportional-odds model P(y <= j) = σ(α_j − x·β) and its gradient.

    α_1 = params[p], α_j = α_1 + Σ exp(params[p+1..]) keeps the thresholds ordered.
    """
    p = x.shape[1]
    beta, a0, log_gaps = params[:p], params[p], params[p + 1 :]
    alphas = a0 + np.concatenate([[0.0], np.cumsum(np.exp(log_gaps))])  # (levels - 1,)
    eta = x @ beta
    cut = np.concatenate([[-np.inf], alphas, [np.inf]])
    upper, lower = cut[y + 1] - eta, cut[y] - eta  # y in 0..levels-1
    f_up, f_lo = _sigmoid(upper), _sigmoid(lower)
    prob = np.maximum(f_up - f_lo, 1e-300)
    nll = -float(np.log(prob).sum())
    d_up, d_lo = f_up * (1 - f_up), f_lo * (1 - f_lo)
    # d(−log prob)/d(cut_k) and /dβ
    g_beta = ((d_up - d_lo) / prob) @ x
    g_alpha = np.zeros(levels - 1)
    for k in range(levels - 1):
        g_alpha[k] = -((d_up * (y == k)) - (d_lo * (y == k + 1))) @ (1.0 / prob)
    grad_a0 = g_alpha.sum()
    gaps = np.exp(log_gaps)
    grad_gaps = np.array([g_alpha[m + 1 :].sum() * gaps[m] for m in range(levels - 2)])
    return nll, np.concatenate([g_beta, [grad_a0], grad_gaps])


def _rank(v: np.ndarray) -> np.ndarray:
    order = np.argsort(v, kind="stable")
    ranks = np.empty(v.size)
    ranks[order] = np.arange(v.size)
    for value in np.unique(v):  # average ties
        tied = v == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def rank_correlation(a: ArrayLike, b: ArrayLike) -> float:
    """Spearman's rank correlation (ties averaged); 0 when either side does not vary."""
    ra, rb = _rank(np.asarray(a, dtype=float).ravel()), _rank(np.asarray(b, dtype=float).ravel())
    if ra.size < 2 or ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _descend(
    params: np.ndarray, x: np.ndarray, y: np.ndarray, levels: int, iterations: int
) -> tuple[np.ndarray, float]:
    """Gradient descent with backtracking on ``_ordinal_nll``: the fitted parameters and their NLL."""
    step = 1.0
    nll, grad = _ordinal_nll(params, x, y, levels)
    for _ in range(iterations):
        trial = params - step * grad
        t_nll, t_grad = _ordinal_nll(trial, x, y, levels)
        if t_nll <= nll - 1e-4 * step * float(grad @ grad):
            params, nll, grad = trial, t_nll, t_grad
            step *= 1.5
        else:
            step *= 0.5
        if float(np.abs(grad).max()) < 1e-7 or step < 1e-14:
            break
    return params, nll


def calibrate_weights(
    results: Sequence[PressureResult],
    checkins: ArrayLike,
    incidents: ArrayLike | None = None,
    config: PressureConfig = DEFAULT_CONFIG,
    iterations: int = 3000,
) -> Calibration:
    """Fit the factor weights to end-of-shift check-ins (1-5) and incidents by ordinal logistic regression.

    The outcome is the check-in, one step worse when the shift had an incident (capped at 5). The
    fitted coefficients (clipped at 0: no factor may lower pressure) are scaled into points so that
    they and the check-in's points add up to 100; the load group's points are split over its
    members in the current proportions. Plain numpy: gradient descent with backtracking.
    """
    x = calibration_features(results)
    y = np.asarray(checkins, dtype=int).ravel()
    if y.size != x.shape[0] or np.any((y < 1) | (y > 5)):
        raise ValueError("need one check-in 1-5 per shift")
    if incidents is not None:
        y = np.minimum(y + (np.asarray(incidents).ravel() > 0), 5)
    y = y - 1
    levels = 5
    params = np.zeros(x.shape[1] + levels - 1)
    freq = np.bincount(y, minlength=levels) / y.size
    cum = np.clip(np.cumsum(freq)[:-1], 1e-3, 1 - 1e-3)
    logits = np.log(cum / (1 - cum))
    params[x.shape[1]] = logits[0]
    params[x.shape[1] + 1 :] = np.log(np.maximum(np.diff(logits), 1e-3))
    null_params = params.copy()
    params, nll = _descend(params, x, y, levels, iterations)
    # null model: thresholds only (β = 0), fitted the same way
    _, n_nll = _descend(null_params[x.shape[1] :], np.zeros((x.shape[0], 0)), y, levels, iterations)
    beta = params[: x.shape[1]]
    alphas = params[x.shape[1]] + np.concatenate([[0.0], np.cumsum(np.exp(params[x.shape[1] + 1 :]))])
    coefficients = dict(zip(CALIBRATION_FEATURES, map(float, beta), strict=True))
    positive = np.maximum(beta, 0.0)
    budget = 100.0 - config.checkin_points
    points = budget * positive / positive.sum() if positive.sum() > 0 else np.zeros_like(positive)
    group = {
        "wait_points": config.wait_points,
        "utilisation_points": config.utilisation_points,
        "busy_points": config.busy_points,
        "rush_points": config.rush_points,
    }
    group_total = sum(group.values()) or 1.0
    updates = {name: points[1] * share / group_total for name, share in group.items()}
    updates.update(alone_points=points[0], no_break_points=points[2], incident_points=points[3])
    if positive.sum() > 0:
        fix = 100.0 - config.checkin_points - sum(updates.values())
        updates["alone_points"] += fix  # rounding residue
        proposed = replace(config, **updates)
    else:
        proposed = config
    index = x @ positive
    rho = rank_correlation(y, index)
    r2 = 1.0 - nll / n_nll if n_nll > 0 else 0.0
    report = (
        f"Fitted on {y.size} shifts: McFadden pseudo-R² {r2:.2f}, rank correlation of the refitted index "
        f"with the check-ins {rho:.2f}. Coefficients: "
        + ", ".join(f"{k} {v:+.2f}" for k, v in coefficients.items())
        + ". Proposed points: "
        + ", ".join(f"{k.removesuffix('_points')} {v:.0f}" for k, v in updates.items())
        + f", check-in {config.checkin_points:.0f}."
    )
    return Calibration(
        proposed, coefficients, tuple(map(float, alphas)), -nll, -n_nll, r2, rho, int(y.size), report
    )
