"""COINr interoperability: the recipe of COINr's built-in example and name translations.

COINr users bring their projects with :meth:`hkfactor.engine.Index.from_coinr` (``iData``
and ``iMeta`` as they are) and translate their ``coin$Log`` with the tables below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hkfactor.engine.recipe import Recipe, Step
from hkfactor.errors import SpecError

__all__ = [
    "AGGREGATOR_NAMES",
    "IMPUTER_NAMES",
    "NORMALISER_NAMES",
    "TRANSFORM_NAMES",
    "asem_recipe",
    "recipe_from_coinr_log",
]

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
#: COINr function → hkfactor TRANSFORMS key (second-stage outlier treatment)
TRANSFORM_NAMES: dict[str, str] = {
    "log_CT": "log_ct",
    "log_CT_orig": "log_ct_orig",
    "log_GII": "log_gii",
    "boxcox": "boxcox",
    "none": "none",
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


#: first positional parameter of each normaliser (COINr's ``f_n_para`` may be an unnamed list)
_FIRST_PARAM = {"minmax": "l_u", "zscore": "m_sd", "scaled": "npara", "dist2ref": "iref", "dist2targ": "targ", "goalposts": "gposts"}
_SCREEN = {"byNA": "availability", "byNZ": "nonzero", "byNAandNZ": "availability_and_nonzero"}


def _unbox(v: Any) -> Any:
    """jsonlite writes scalars as one-element arrays; unwrap them (recursively in mappings)."""
    if isinstance(v, list) and len(v) == 1 and not isinstance(v[0], list | dict):
        return v[0]
    if isinstance(v, Mapping):
        return {k: _unbox(x) for k, x in v.items()}
    return v


def _empty(v: Any) -> bool:
    return v is None or v == {} or v == []


def _translate(table: Mapping[str, str], name: Any, what: str) -> str:
    n = str(_unbox(name))
    if n not in table:
        raise SpecError(f"COINr {what} {n!r} has no hkfactor equivalent; supported: {', '.join(sorted(table))}")
    return table[n]


def _norm_spec(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    spec = _unbox(spec)
    method = _translate(NORMALISER_NAMES, spec.get("f_n", "n_minmax"), "normaliser")
    para = spec.get("f_n_para")
    params: dict[str, Any] = {}
    if isinstance(para, Mapping):
        params = dict(para)
    elif isinstance(para, list) and para:
        params = {_FIRST_PARAM.get(method, "x"): para[0]}
    if method == "dist2ref" and "iref" in params:
        params["iref"] = int(params["iref"]) - 1  # COINr counts from 1
    if method == "minmax" and "l_u" not in params:
        params["l_u"] = [0, 100]
    return method, params


def _treat_spec(spec: Any) -> dict[str, Any] | None:
    spec = _unbox(spec)
    if spec == "none":
        return None
    out: dict[str, Any] = {}
    f1p = dict(spec.get("f1_para") or {})
    if str(spec.get("f1", "winsorise")) != "winsorise":
        raise SpecError("COINr Treat: only f1 = 'winsorise' is supported")
    for k in ("winmax", "skew_thresh", "kurt_thresh", "force_win"):
        if k in f1p:
            out[k] = f1p[k]
    fpp = dict(spec.get("f_pass_para") or {})
    for k in ("skew_thresh", "kurt_thresh"):
        if k in fpp:
            out[k] = fpp[k]
    if "f2" in spec:
        out["f2"] = _translate(TRANSFORM_NAMES, spec["f2"], "transform")
        f2p = dict(spec.get("f2_para") or {})
        if "lambda" in f2p:
            out["f2_params"] = {"lmbda": f2p["lambda"]}
    return out


def recipe_from_coinr_log(log: Mapping[str, Any]) -> Recipe:
    """Translate a COINr ``coin$Log`` (e.g. exported with ``jsonlite::write_json``) into a Recipe.

    Supported: ``Denominate``, ``Impute`` (column-wise), ``Screen``, ``Treat`` (winsorise + f2),
    ``Normalise`` (global and individual specs), ``Aggregate`` (one function or one per level,
    ``f_ag_para``, ``w`` as a named-list/data-frame of weights, ``dat_thresh``). Anything else
    raises :class:`SpecError` naming it, rather than being silently dropped. COINr's ``dset``
    arguments are ignored: steps run in pipeline order.

    Examples
    --------
    >>> recipe_from_coinr_log({"Normalise": {"global_specs": {"f_n": "n_zscore", "f_n_para": [[10, 2]]}}})
    Recipe(normalise:zscore)
    """
    log = {k: _unbox(v) for k, v in log.items()}
    steps: list[Step] = []
    if "Denominate" in log:
        d = log["Denominate"] or {}
        params: dict[str, Any] = {}
        by = d.get("denomby")
        if isinstance(by, Mapping) and "iCode" in by:
            params["denominators"] = dict(zip(by["iCode"], by["Denominator"], strict=True))
        steps.append(Step("denominate", "divide", params))
    if "Impute" in log and not _unbox((log["Impute"] or {}).get("disable", False)):
        im = log["Impute"] or {}
        if str(im.get("impute_by", "column")) != "column":
            raise SpecError("COINr Impute: only impute_by = 'column' is supported")
        p: dict[str, Any] = {}
        if not _empty(im.get("use_group")):
            p["group"] = im["use_group"]
        steps.append(Step("impute", _translate(IMPUTER_NAMES, im.get("f_i", "i_mean"), "imputation"), p))
    if "Screen" in log:
        sc = log["Screen"] or {}
        p = {}
        for k in ("dat_thresh", "nonzero_thresh"):
            if not _empty(sc.get(k)):
                p[k] = sc[k]
        force = sc.get("Force")
        if isinstance(force, Mapping) and "uCode" in force:
            inc = force.get("Include", [True] * len(force["uCode"]))
            p["force_keep"] = [u for u, i in zip(force["uCode"], inc, strict=True) if i]
            p["force_drop"] = [u for u, i in zip(force["uCode"], inc, strict=True) if not i]
        steps.append(Step("screen", _translate(_SCREEN, sc.get("unit_screen", "byNA"), "unit_screen"), p))
    if "Treat" in log and not _unbox((log["Treat"] or {}).get("disable", False)):
        tr = log["Treat"] or {}
        g = _treat_spec(tr.get("global_specs") or {})
        tby: dict[str, Any] = {}
        for code, spec in (tr.get("indiv_specs") or {}).items():
            ind = _treat_spec(spec)
            tby[code] = {"method": "none"} if ind is None else {"params": ind}
        if g is None:
            steps.append(Step("treat", "none"))
        else:
            base = {"winmax": 5, "skew_thresh": 2, "kurt_thresh": 3.5, "f2": "log_ct", **g}
            if _unbox(tr.get("combine_treat", False)):
                base["combine_treat"] = True
            steps.append(Step("treat", "skew_kurt", base, tby))
    if "Normalise" in log:
        no = log["Normalise"] or {}
        method, params = _norm_spec(no.get("global_specs") or {})
        nby = {}
        for code, spec in (no.get("indiv_specs") or {}).items():
            m, pp = _norm_spec(spec)
            nby[code] = {"method": m, "params": pp}
        steps.append(Step("normalise", method, params, nby))
    if "Aggregate" in log:
        ag = log["Aggregate"] or {}
        f = ag.get("f_ag", "a_amean")
        fs = [f] if isinstance(f, str) else list(f)
        methods = [_translate(AGGREGATOR_NAMES, x, "aggregation") for x in fs]
        params = {}
        para = ag.get("f_ag_para")
        if isinstance(para, Mapping):
            params.update(para)
        w = ag.get("w")
        if isinstance(w, Mapping) and "iCode" in w:
            params["weights"] = dict(zip(w["iCode"], w["Weight"], strict=True))
        elif isinstance(w, str) and w != "none":
            params["weights"] = w
        if not _empty(ag.get("dat_thresh")):
            params["dat_thresh"] = ag["dat_thresh"]
        aby = {f"level:{i + 2}": {"method": m} for i, m in enumerate(methods) if m != methods[0]}
        steps.append(Step("aggregate", methods[0], params, aby))
    unknown = set(log) - {"new_coin", "can_regen", "Denominate", "Impute", "Screen", "Treat", "Normalise", "Aggregate"}
    if unknown:
        raise SpecError(f"COINr log entries not translated: {', '.join(sorted(unknown))}")
    return Recipe(steps)
