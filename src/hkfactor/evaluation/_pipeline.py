"""``evaluate``: a sequence of stage functions, each returning a frozen, typed result.

prepare (span, indicators, fill, coverage) → indices (engine: normalise, weigh, aggregate) →
coupling coordination → attribution (trend similarity) and obstacle degree → robustness.
"""

from __future__ import annotations

from collections.abc import Callable

from hkfactor.evaluation._analysis import attribute, compared_groups, couple, obstacles, robustness
from hkfactor.evaluation._framework import EvalFramework
from hkfactor.evaluation._identify import CityInput, identify
from hkfactor.evaluation._indices import build_indices, method_decisions
from hkfactor.evaluation._prepare import Prepared, prepare
from hkfactor.evaluation._recipe import EvaluationRecipe
from hkfactor.evaluation._result import Evaluation
from hkfactor.evaluation._spec import EvalPanel
from hkfactor.messages import Message, register

__all__ = ["evaluate"]

Progress = Callable[[str], None]

register({
    "construct.unspecified": (
        "The framework does not say how the {partner} factor's indicators relate the two cities (link: bilateral / "
        "partner / focal / context), so it cannot be told whether the {partner} factor index measures a tie between "
        "the two cities or {focal}'s own openness plus {partner}'s own capacity.",
        "框架未说明{partner}因素各指标的关联类型（link：bilateral 双边联系 / partner 伙伴城市自身 / focal 本市开放 / context 背景），"
        "因此无法判断{partner}因素指数衡量的是两城之间的联系，还是{focal}自身的开放程度加上{partner}自身的实力。"),
    "construct.bilateral": ("The {partner} factor index includes {n} bilateral indicator(s) of {total}: {listed}.",
                            "{partner}因素指数的 {total} 个指标中有 {n} 个双边联系指标（bilateral）：{listed}。"),
    "construct.no_bilateral": (
        "Important: none of the {partner} factor indicators used is a bilateral link{dropped}. The {partner} factor "
        "index therefore measures {focal}'s own openness plus {partner}'s own capacity, not a bilateral link "
        "between the two cities — {kinds}.",
        "重要：参与评价的{partner}因素指标中没有任何双边联系指标{dropped}。因此{partner}因素指数衡量的是{focal}自身的开放程度"
        "加上{partner}自身的实力，而不是两城之间的联系 —— {kinds}。"),
    "construct.dropped_bilateral": (" (the framework's bilateral indicators {listed} did not survive the coverage rules)",
                                    "（框架中的双边指标 {listed} 因数据不足未被使用）"),
})


def _construct(fw: EvalFramework, used: tuple[str, ...]) -> list[Message]:
    """What a partner subsystem's index measures, from its indicators' ``link`` (construct validity)."""
    if fw.partner is None or fw.focal is None:
        return []
    partner = next((s for s in fw.subsystems if s.role == "partner"), None)
    if partner is None:
        return []
    names = {"partner": {"zh": fw.partner[0], "en": fw.partner[1]}, "focal": {"zh": fw.focal[0], "en": fw.focal[1]}}
    links = {i.series: i.link for i in partner.all_indicators()}
    if all(v == "unspecified" for v in links.values()):
        return [Message("construct.unspecified", "link unspecified", names)]
    in_use = {s: v for s, v in links.items() if s in used}
    bilateral = [s for s, v in in_use.items() if v == "bilateral"]
    if bilateral:
        return [Message("construct.bilateral", "bilateral", {**names, "n": len(bilateral), "total": len(in_use),
                                                             "listed": ", ".join(bilateral)})]
    dropped = [s for s, v in links.items() if v == "bilateral"]
    return [Message("construct.no_bilateral", "no bilateral", {
        **names, "kinds": ", ".join(f"{s} ({v})" for s, v in in_use.items()),
        "dropped": Message("construct.dropped_bilateral", "", {"listed": ", ".join(dropped)}) if dropped else ""})]


def evaluate(panel: EvalPanel, framework: EvalFramework, *, recipe: EvaluationRecipe | None = None,
             progress: Progress | None = None, city: CityInput = None,
             prepared: Prepared | None = None) -> Evaluation:
    """Evaluate a framework on sourced data: indices, coupling, attribution, obstacles, robustness.

    Parameters
    ----------
    panel : EvalPanel
        Sourced values (unit × series × year): a time series, a cross-section or a panel.
    framework : EvalFramework
        One or more subsystems of groups and indicators.
    recipe : EvaluationRecipe, optional
        Method choices; default pooled min–max, entropy weights, arithmetic mean.
    progress : callable, optional
        Called with each stage's name as it starts (the CLI shows it).
    city : CityData, CityDesigns or a pending run, optional
        A city × year panel (the built-in one: :func:`builtin_city_data`) for the designs that
        identify a partner city's role from cross-city variation (two-way fixed effects,
        synthetic control); without it only the placebo benchmarks of a single pair run. The
        designs may also be run ahead (:func:`run_city_designs`) or elsewhere — any object with
        a ``result()`` method returning one of these, such as a ``concurrent.futures.Future``;
        it is waited for only when the identification stage needs it.
    prepared : Prepared, optional
        Stage 1 of an earlier evaluation of the same panel, framework and coverage settings
        (``Evaluation.what_if`` passes it, so a change of method skips the span search).

    Returns
    -------
    Evaluation

    Raises
    ------
    InputError
        When too little data is left to evaluate; the problems say what is missing.

    Examples
    --------
    >>> from hkfactor.evaluation import builtin_framework, builtin_panel, evaluate
    >>> ev = evaluate(builtin_panel(), builtin_framework())          # doctest: +SKIP
    >>> ev.coupling.table[["year", "D", "band_en"]].tail(1)          # doctest: +SKIP
    """
    r = recipe or EvaluationRecipe()
    say = progress or (lambda _s: None)
    say("coverage")
    prepared = prepared if prepared is not None else prepare(panel, framework, r)
    say("indices")
    ind = build_indices(prepared, framework, r)
    decisions: list[Message] = [*prepared.decisions, *ind.decisions, *method_decisions(r),
                                *_construct(framework, prepared.used)]
    say("coupling")
    cp = couple(prepared, ind, framework, r)
    say("attribution")
    at = attribute(prepared, ind, framework, r)
    ob = obstacles(prepared, ind, framework)
    say("robustness")
    rb = robustness(prepared, ind, framework, r, at)
    say("identification")
    ident = identify(prepared, ind, framework, r, compared_groups(prepared, framework), city) if r.robustness else None
    for part in (cp, at, ob, rb, ident):
        if part is not None:
            decisions += part.decisions
    return Evaluation(framework=framework, panel=panel, recipe=r, prepared=prepared, indices=ind, coupling=cp,
                      attribution=at, obstacles=ob, robustness=rb, identification=ident,
                      decisions=tuple(decisions))
