"""Independent re-computation of the evaluation's key numbers, from its written tables.

Deliberately written from the published formulas with plain NumPy, without importing
anything from hkfactor, so that the tests compare two implementations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def minmax(x: np.ndarray, direction: np.ndarray) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    z = (x - lo) / (hi - lo)
    return np.where(direction > 0, z, 1.0 - z)


def entropy(z: np.ndarray, shift: float = 1e-4) -> np.ndarray:
    """Entropy weights on [0, 1] data shifted by 1e-4 (郭显光 1998)."""
    n, m = z.shape
    if m == 1:
        return np.ones(1)
    zz = (z - z.min(axis=0)) / (z.max(axis=0) - z.min(axis=0)) + shift
    p = zz / zz.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(n)
    d = 1.0 - e
    return d / d.sum()


def coupling(u1: np.ndarray, u2: np.ndarray, alpha: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c = np.where(u1 + u2 > 0, 2.0 * np.sqrt(u1 * u2) / np.where(u1 + u2 > 0, u1 + u2, 1.0), 0.0)
    t = alpha * u1 + (1 - alpha) * u2
    return c, t, np.sqrt(c * t)


def grey(reference: np.ndarray, series: np.ndarray, rho: float = 0.5) -> np.ndarray:
    """Deng's grade of each column against ``reference``, sequences divided by their means."""
    x0 = reference / reference.mean()
    x = series / series.mean(axis=0)
    delta = np.abs(x - x0[:, None])
    dmin, dmax = delta.min(), delta.max()
    return ((dmin + rho * dmax) / (delta + rho * dmax)).mean(axis=0)


def recompute(tables: dict[str, pd.DataFrame], subsystems: tuple[str, str] = ("partner_factor", "innovation"),
              ) -> dict[str, object]:
    """U₁, U₂, C, T, D per year and grey grades per group from raw.csv + indicators.csv.

    ``subsystems`` are the ids of the partner and the focal (reference) subsystem; the result
    keys are ``U_hk`` and ``U_sz`` for them.
    """
    vals = tables["raw"].set_index("year")
    ind = tables["indicators"]
    used = ind[ind["status"] == "used"]
    out: dict[str, object] = {"years": vals.index.to_numpy()}
    z_all = {}
    w_all = {}
    for key, sub in zip(("hk", "sz"), subsystems, strict=True):
        rows = used[used["subsystem"] == sub]
        cols = rows["series"].tolist()
        z = minmax(vals[cols].to_numpy(float), rows["direction"].to_numpy(float))
        w = entropy(z)
        out[f"U_{key}"] = z @ w
        z_all.update({c: z[:, k] for k, c in enumerate(cols)})
        w_all.update(dict(zip(cols, w, strict=True)))
    c, t, d = coupling(out["U_hk"], out["U_sz"])  # type: ignore[arg-type]
    out.update(C=c, T=t, D=d, weights=w_all)
    hk = used[used["subsystem"] == subsystems[0]]
    chans = list(dict.fromkeys(hk["group"]))
    ci = []
    for ch in chans:
        cols = hk.loc[hk["group"] == ch, "series"].tolist()
        w = np.array([w_all[s] for s in cols])
        ci.append(np.column_stack([z_all[s] for s in cols]) @ (w / w.sum()))
    out["channels"] = chans
    out["channel_index"] = np.column_stack(ci)
    out["grey"] = dict(zip(chans, grey(out["U_sz"], out["channel_index"]), strict=True))  # type: ignore[arg-type]
    return out


# --------------------------------------------------------------------------------------------------
# Formulas for the end-to-end tests of every study shape (tests/evaluate/test_shapes.py). Each takes
# plain arrays: rows (units, years or unit-years) × indicators.


def prank(x: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Percentile rank (rank among the rows, ties at the lowest rank, minus 1) / (n − 1), direction applied."""
    y = x * direction
    n = y.shape[0]
    rank = (y[:, None, :] > y[None, :, :]).sum(axis=1)  # how many rows are strictly smaller
    return rank / (n - 1)


def entropy_details(z: np.ndarray, shift: float = 1e-4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entropy e, divergence d = 1 − e and weight d/Σd of each column of [0, 1] data, shifted by ``shift``."""
    n = z.shape[0]
    zz = (z - z.min(axis=0)) / (z.max(axis=0) - z.min(axis=0)) + shift
    p = zz / zz.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(n)
    d = 1.0 - e
    return e, d, d / d.sum()


def critic(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CRITIC (Diakoulaki et al. 1995): σ (ddof = 1), conflict Σₖ(1 − r_jk), C = σ·conflict, w = C/ΣC."""
    sd = z.std(axis=0, ddof=1)
    r = np.corrcoef(z, rowvar=False)
    conflict = (1.0 - r).sum(axis=1)
    c = sd * conflict
    return sd, conflict, c, c / c.sum()


def topsis(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TOPSIS with vector normalisation, every column a benefit: D⁺, D⁻ and closeness D⁻/(D⁺ + D⁻)."""
    v = x / np.sqrt((x**2).sum(axis=0)) * (w / w.sum())
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    return d_plus, d_minus, d_minus / (d_plus + d_minus)


def geometric(z: np.ndarray, w: np.ndarray, floor: float = 0.01) -> np.ndarray:
    """Weighted geometric mean of [0, 1] values mapped onto [floor, 1]."""
    return np.exp(np.log(floor + (1.0 - floor) * z) @ (w / w.sum()))


def grey_deng(reference: np.ndarray, series: np.ndarray, rho: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Deng's grey relational coefficients (rows × columns) and grades of each column of ``series``
    against ``reference``, every sequence divided by its mean first."""
    x0 = reference / reference.mean()
    x = series / series.mean(axis=0)
    delta = np.abs(x - x0[:, None])
    dmin, dmax = delta.min(), delta.max()
    coef = (dmin + rho * dmax) / (delta + rho * dmax)
    return coef, coef.mean(axis=0)


def coupling_n(u: np.ndarray, alpha: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coupling C = n·(∏U)^(1/n)/ΣU, coordination T (two subsystems: α·U₁ + (1 − α)·U₂; more: the mean)
    and D = √(C·T) of rows × subsystems scores."""
    n = u.shape[1]
    c = n * np.prod(u, axis=1) ** (1.0 / n) / u.sum(axis=1)
    t = alpha * u[:, 0] + (1 - alpha) * u[:, 1] if n == 2 else u.mean(axis=1)
    return c, t, np.sqrt(c * t)


def obstacle(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Obstacle degree w_j (1 − z_ij) / Σ_k w_k (1 − z_ik) of each indicator in each row."""
    gap = w * (1.0 - z)
    return gap / gap.sum(axis=1, keepdims=True)


def rank_desc(v: np.ndarray) -> np.ndarray:
    """1 for the largest value; ties share the best rank."""
    return (v[None, :] > v[:, None]).sum(axis=1) + 1
