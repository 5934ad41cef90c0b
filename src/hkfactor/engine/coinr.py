"""COINr interoperability: the recipe of COINr's built-in example and name translations.

COINr users bring their projects with :meth:`hkfactor.engine.Index.from_coinr` (``iData``
and ``iMeta`` as they are) and translate their ``coin$Log`` with the tables below.
"""

from __future__ import annotations

from hkfactor.engine.recipe import Recipe, Step

__all__ = ["AGGREGATOR_NAMES", "IMPUTER_NAMES", "NORMALISER_NAMES", "asem_recipe"]

#: COINr function → hkfactor NORMALISERS key
NORMALISER_NAMES: dict[str, str] = {
    "n_minmax": "minmax",
    "n_zscore": "zscore",
    "n_scaled": "scaled",
    "n_dist2max": "dist2max",
    "n_dist2ref": "dist2ref",
    "n_dist2targ": "dist2targ",
    "n_fracmax": "fracmax",
    "n_prank": "prank",
    "n_rank": "rank",
    "n_borda": "borda",
    "n_goalposts": "goalposts",
    "none": "none",
}
#: COINr function → hkfactor AGGREGATORS key
AGGREGATOR_NAMES: dict[str, str] = {
    "a_amean": "amean",
    "a_gmean": "gmean",
    "a_hmean": "hmean",
    "a_genmean": "genmean",
    "a_copeland": "copeland",
}
#: COINr function → hkfactor IMPUTERS key
IMPUTER_NAMES: dict[str, str] = {
    "i_mean": "mean",
    "i_median": "median",
    "i_mean_grp": "group_mean",
    "i_median_grp": "group_median",
}


def asem_recipe() -> Recipe:
    """The recipe of COINr's ``build_example_coin()`` (ASEM), step for step.

    Denominate by iMeta denominators; impute by EurAsia group mean; screen units below 90 %
    availability; treat with skew/kurtosis check, winsorise up to 5 points, then ``log_CT``;
    min-max normalise to [0, 100]; weighted arithmetic mean at every level.
    """
    return Recipe(
        [
            Step("denominate", "divide"),
            Step("impute", "group_mean", {"group": "EurAsia_group"}),
            Step("screen", "availability", {"dat_thresh": 0.9}),
            Step("treat", "skew_kurt", {"winmax": 5, "skew_thresh": 2, "kurt_thresh": 3.5, "f2": "log_ct"}),
            Step("normalise", "minmax", {"l_u": [0, 100]}),
            Step("aggregate", "amean"),
        ]
    )
