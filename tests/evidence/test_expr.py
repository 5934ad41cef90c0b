"""The safe expression evaluator of derivations.csv."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hkfactor.evidence._expr import FUNCTIONS, ExpressionError, compile_expression


def test_paper_cagr_reference_value() -> None:
    # Seed paper §5: SZ–HK trade 600 亿元 (1997) → 7 266 亿元 (2018), "年均增长12.6%".
    # (7266/600)^(1/21) − 1 = 0.12610… (recomputed in /work/shared/research/seed-claims.md)
    e = compile_expression("cagr(C085, C086, 21)")
    assert e.names == ("C085", "C086")
    assert e.evaluate({"C085": 600e8, "C086": 7266e8}) == pytest.approx(0.12610, abs=5e-6)
    # with Shenzhen Customs' 1997 value 701.4 亿元 the rate is 11.78 %
    assert e.evaluate({"C085": 701.4e8, "C086": 7266e8}) == pytest.approx(0.1178, abs=5e-5)


def test_names_in_text_order() -> None:
    assert compile_expression("C3 * (C1 + C2) / C3 - sum(C4)").names == ("C3", "C1", "C2", "C4")


def test_sum_share_ratio_and_operators() -> None:
    assert compile_expression("sum(C1, C2, C3)").evaluate({"C1": 130, "C2": 235, "C3": 98}) == 463
    assert compile_expression("share(C1, C2)").evaluate({"C1": 1, "C2": 4}) == 0.25
    assert compile_expression("ratio(C1, C2)").evaluate({"C1": 7266, "C2": 0.226}) == pytest.approx(32150.4, rel=1e-4)
    assert compile_expression("-C1 + 2 * C2 ** 2 / 4").evaluate({"C1": 1, "C2": 2}) == 1.0


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "C1.real", "C1[0]", "lambda: 1", "open('x')", "C1 if C2 else C3", "'a'", "C1 % 2",
     "C1 // 2", "cagr(C1, C2)", "sum()", "share(C1, whole=C2)", "cagr + 1", "C1 < C2", "[C1]", "not C1", "True",
     "C1 +"],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(text)


def test_nan_policy() -> None:
    e = compile_expression("C1 / C2")
    assert math.isnan(e.evaluate({"C1": 1, "C2": 0}))
    assert math.isnan(e.evaluate({"C1": 1}))  # a missing value is NaN and propagates
    assert math.isnan(compile_expression("cagr(C1, C2, 3)").evaluate({"C1": 0, "C2": 5}))


def test_every_function_is_registered_and_callable() -> None:
    assert sorted(FUNCTIONS) == ["cagr", "ratio", "share", "sum"]
    for name, fn in FUNCTIONS.items():
        args = (2.0, 8.0, 3.0) if name == "cagr" else (2.0, 8.0)
        assert math.isfinite(fn(*args))


@given(st.floats(min_value=1e-3, max_value=1e12), st.floats(min_value=-0.5, max_value=2.0), st.integers(1, 50))
def test_cagr_inverts_compounding(start: float, rate: float, years: int) -> None:
    end = start * (1 + rate) ** years
    assert FUNCTIONS["cagr"](start, end, years) == pytest.approx(rate, abs=1e-9)
