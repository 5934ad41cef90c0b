"""Two-way fixed effects with cluster-robust and wild cluster bootstrap inference (pyfixest)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.errors import SpecError
from hkfactor.evaluation.designs._common import (
    check_level,
    cluster_warnings,
    feols,
    library,
    library_context,
    prepare,
    version,
)
from hkfactor.evaluation.designs._kernel import use_vectorised_denominator
from hkfactor.evaluation.designs._results import DesignWarning, Estimate, Sample, TwfeResult

__all__ = ["twfe", "wild_bootstrap"]

#: Below this many clusters the Rademacher distribution has too few sign patterns; Webb's
#: six-point weights are used instead (Webb 2014; MacKinnon & Webb 2017).
WEBB_BELOW = 12


def wild_bootstrap(
    fit: Any,
    param: str,
    *,
    cluster: str,
    n_clusters: int,
    reps: int,
    seed: int,
    ci_level: float,
) -> tuple[Estimate, str, list[DesignWarning]]:
    """Wild cluster bootstrap of one coefficient of a fitted pyfixest model.

    p-value: WCR11 (null imposed), two-sided, via ``Feols.wildboottest``. CI: WCU11 (null not
    imposed) percentile-t, :math:`\\hat\\beta \\pm q_{level}(|t^*|)\\,\\widehat{se}`, where the
    SE is the bootstrap's own CRV1 SE (:math:`\\hat\\beta / t`). Webb weights below
    :data:`WEBB_BELOW` clusters.
    """
    weights = "webb" if n_clusters < WEBB_BELOW else "rademacher"
    warns: list[DesignWarning] = []
    use_vectorised_denominator(library("wildboottest.wildboottest").WildboottestCL)
    if weights == "webb":
        warns.append(DesignWarning("webb_weights", value=float(n_clusters), threshold=float(WEBB_BELOW)))
    with library_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        wcr = fit.wildboottest(param=param, reps=reps, seed=seed, cluster=cluster, weights_type=weights,
                               impose_null=True)
        wcu, t_boot = fit.wildboottest(param=param, reps=reps, seed=seed, cluster=cluster,
                                       weights_type=weights, impose_null=False,
                                       return_bootstrapped_t_stats=True)
    if any("full_enumeration" in str(c.message) for c in caught):
        warns.append(DesignWarning("full_enumeration", value=float(2**n_clusters), threshold=float(reps)))
    beta = float(fit.coef()[param])
    t_stat = float(wcu["t value"])
    se_fit = float(fit.se()[param])
    se = abs(beta / t_stat) if abs(t_stat) > 1e-12 else se_fit
    q = float(np.quantile(np.abs(np.asarray(t_boot, dtype=float)), ci_level))
    est = Estimate(
        effect=beta, se=se, ci_low=beta - q * se, ci_high=beta + q * se, p_value=float(wcr["Pr(>|t|)"]),
        ci_level=ci_level,
        inference=f"wild cluster bootstrap ({weights}, {reps} reps): WCR11 p-value, WCU11 percentile-t CI",
    )
    return est, weights, warns


def twfe(
    panel: pd.DataFrame,
    outcome: str,
    treatment: str,
    *,
    unit: str,
    time: str,
    controls: Sequence[str] = (),
    cluster: str | None = None,
    log_outcome: bool = False,
    reps: int = 999,
    seed: int = 0,
    ci_level: float = 0.95,
) -> TwfeResult:
    r"""Two-way fixed effects: :math:`y_{it} = \beta D_{it} + x_{it}'\gamma + \alpha_i + \lambda_t + \varepsilon_{it}`.

    Estimated by pyfixest (``feols("y ~ D + x | unit + time")``) with standard errors
    clustered by ``cluster`` (CRV1, t with G−1 degrees of freedom) and a wild cluster bootstrap
    (pyfixest's ``wildboottest``: WCR p-value, WCU percentile-t CI; Rademacher weights, Webb
    weights below 12 clusters).

    Parameters
    ----------
    panel : DataFrame
        Long form, one row per unit and period.
    outcome, treatment : str
        Columns; ``treatment`` is a 0/1 indicator or an intensity (e.g. exposure × post).
    unit, time : str
        Unit and period columns (period: integer, a year).
    controls : sequence of str
        Time-varying controls.
    cluster : str, optional
        Cluster column (default ``unit``).
    log_outcome : bool
        Use :math:`\log y` (rows with :math:`y \le 0` dropped and counted); ``effect`` is in
        log points.
    reps : int
        Bootstrap replications (default 999).
    seed : int
    ci_level : float

    Returns
    -------
    TwfeResult
        ``estimate`` (CRV1), ``bootstrap`` (wild cluster), the effective ``sample``
        (observations, clusters, treated units) and typed ``warnings`` (fewer than 10
        clusters, fewer than 5 treated clusters, one treated unit, dropped rows, Webb weights).

    Raises
    ------
    SpecError
        A column is missing; fewer than 2 clusters; the treatment does not vary once the
        fixed effects are taken out (absorbed).
    InputError
        Duplicate unit-period rows, non-numeric values.

    Notes
    -----
    With a common event date and a 0/1 treatment, :math:`\beta` is the difference-in-differences
    effect. With staggered adoption and heterogeneous effects TWFE weights some effects
    negatively (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020): use
    :func:`event_study` to see the dynamics. The point estimate assumes parallel trends.

    Examples
    --------
    A SYNTHETIC panel (12 units × 8 years, effect 0.5 on half the units from year 4):

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> u, t = np.repeat(np.arange(12), 8), np.tile(np.arange(2010, 2018), 12)
    >>> d = ((u < 6) & (t >= 2014)).astype(float)
    >>> y = 0.1 * u + 0.05 * (t - 2010) + 0.5 * d + rng.normal(0, 0.1, u.size)
    >>> res = twfe(pd.DataFrame({"city": u, "year": t, "d": d, "y": y}), "y", "d",
    ...            unit="city", time="year", reps=199)
    >>> round(res.estimate.effect, 1), res.sample.n_clusters, res.estimate.covers(0.5)
    (0.5, 12, True)
    """
    check_level(ci_level)
    if reps < 99:
        raise SpecError(f"reps must be at least 99 for a bootstrap p-value, got {reps}")
    controls = tuple(controls)
    prep = prepare(panel, outcome=outcome, unit=unit, time=time, others=(treatment, *controls),
                   cluster=cluster, log_outcome=log_outcome, what="panel")
    df = prep.data
    xs = [f"_x{k}" for k in range(1 + len(controls))]
    n_clusters = int(df["_g"].nunique())
    treated_mask = df["_x0"] != 0
    n_treated_clusters = int(df.loc[treated_mask, "_g"].nunique())
    warns = list(prep.warnings)
    warns += cluster_warnings(n_clusters, n_treated_clusters, subject=cluster or unit)
    pf = library("pyfixest")
    formula = f"_y ~ {' + '.join(xs)} | _u + _t"
    fit: Any = feols(pf, formula, df, what=f"treatment {treatment!r}")
    if "_x0" not in list(fit.coef().index):
        raise SpecError(f"treatment {treatment!r} is absorbed by the unit and time fixed effects "
                        "(it does not vary within units and periods)")
    tidy = fit.tidy(alpha=1 - ci_level)
    row = tidy.loc["_x0"]
    lo_col, hi_col = [c for c in tidy.columns if c.endswith("%")][:2]
    analytic = Estimate(
        effect=float(row["Estimate"]), se=float(row["Std. Error"]), ci_low=float(row[lo_col]),
        ci_high=float(row[hi_col]), p_value=float(row["Pr(>|t|)"]), ci_level=ci_level,
        inference=f"CRV1({cluster or unit}), t(G-1)",
    )
    boot, weights, bw = wild_bootstrap(fit, "_x0", cluster="_g", n_clusters=n_clusters, reps=reps, seed=seed,
                                       ci_level=ci_level)
    warns += bw
    sample = Sample(
        n_obs=int(fit._N), n_clusters=n_clusters, n_units=int(df["_u"].nunique()),
        n_periods=int(df["_t"].nunique()), n_treated_units=int(df.loc[treated_mask, "_u"].nunique()),
        n_treated_obs=int(treated_mask.sum()), n_dropped=prep.n_dropped,
        first_period=int(df["_t"].min()), last_period=int(df["_t"].max()),
    )
    return TwfeResult(
        method="twfe", outcome=outcome, treatment=treatment, log_outcome=log_outcome, controls=controls,
        cluster=cluster or unit, estimate=analytic, bootstrap=boot, boot_reps=int(reps), boot_weights=weights,
        seed=int(seed), sample=sample, warnings=tuple(warns), library=version("pyfixest"),
    )
