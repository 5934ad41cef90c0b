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
