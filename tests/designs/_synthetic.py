"""SYNTHETIC panel generators for the design tests (labelled as such; no real data here).

``make_panel`` draws a units × years panel with unit effects, year effects, AR(1) noise and a
known effect ``beta`` on the treated units from ``event`` on:

    y_it = a_i + g_t + beta * D_it + e_it,   e_it = phi * e_i,t-1 + u_it,   D_it = T_i * 1[t >= event].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

MakePanel = Callable[..., pd.DataFrame]

YEARS = tuple(range(2005, 2024))  # 19 years, as in the city panel


def make_panel(
    *,
    n_units: int = 25,
    n_treated: int = 10,
    beta: float = 0.3,
    event: int = 2014,
    years: tuple[int, ...] = YEARS,
    phi: float = 0.5,
    sd: float = 0.1,
    seed: int = 0,
    pretrend: float = 0.0,
) -> pd.DataFrame:
    """SYNTHETIC long panel: columns ``city`` (``SYN00``…), ``year``, ``treated``, ``d``, ``y``.

    ``pretrend`` adds a linear trend ``pretrend * (t - event)`` to the treated units in every
    year (a violation of parallel trends).
    """
    rng = np.random.default_rng(seed)
    T = len(years)
    a = rng.normal(0.0, 1.0, n_units)
    g = np.cumsum(rng.normal(0.05, 0.05, T))  # a common, trending calendar effect
    e = np.zeros((n_units, T))
    u = rng.normal(0.0, sd, (n_units, T))
    e[:, 0] = u[:, 0] / np.sqrt(1 - phi**2)
    for k in range(1, T):  # AR(1) noise over 19 years: a loop over years, not over replications
        e[:, k] = phi * e[:, k - 1] + u[:, k]
    t = np.asarray(years)
    treated = np.arange(n_units) < n_treated
    D = treated[:, None] & (t[None, :] >= event)
    y = a[:, None] + g[None, :] + beta * D + e + pretrend * treated[:, None] * (t[None, :] - event)
    return pd.DataFrame({
        "city": np.repeat([f"SYN{i:02d}" for i in range(n_units)], T),
        "year": np.tile(t, n_units),
        "treated": np.repeat(treated, T),
        "d": D.ravel().astype(float),
        "y": y.ravel(),
    })


def make_factor_panel(*, n_donors: int = 15, beta: float = 1.0, event: int = 2016, seed: int = 0,
                      years: tuple[int, ...] = YEARS, sd: float = 0.03) -> pd.DataFrame:
    """SYNTHETIC panel for synthetic control: donors follow two common factors with their own
    loadings; the treated city ``SYNT`` is an exact convex mix of three donors plus ``beta`` from
    ``event`` (and small noise)."""
    rng = np.random.default_rng(seed)
    t = np.asarray(years, dtype=float)
    f1 = (t - t[0]) / 10
    f2 = np.sin(t / 2.0)
    load = rng.uniform(0.2, 1.5, (n_donors, 2))
    donors = 1.0 + load[:, :1] * f1 + load[:, 1:] * f2 + rng.normal(0, sd, (n_donors, t.size))
    mix = np.zeros(n_donors)
    mix[[0, 1, 2]] = (0.5, 0.3, 0.2)
    treated = mix @ donors + beta * (t >= event) + rng.normal(0, sd, t.size)
    rows = [{"city": f"SYND{j:02d}", "year": int(y), "v": float(v)} for j in range(n_donors)
            for y, v in zip(years, donors[j], strict=True)]
    rows += [{"city": "SYNT", "year": int(y), "v": float(v)} for y, v in zip(years, treated, strict=True)]
    return pd.DataFrame(rows)
