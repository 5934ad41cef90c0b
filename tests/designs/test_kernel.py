"""The vectorised CRV1 denominator equals wildboottest's own numba path (SYNTHETIC data)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from hkfactor.evaluation.designs._kernel import crv1_denominator, use_vectorised_denominator

from ._synthetic import make_panel

pytest.importorskip("pyfixest")
wb = pytest.importorskip("wildboottest.wildboottest")


def _boot(n_clusters: int, seed: int, impose_null: bool) -> object:
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_clusters), 7)
    X = np.column_stack([np.ones(g.size), rng.normal(size=g.size), rng.normal(size=g.size)])
    y = X @ np.array([1.0, 0.4, -0.2]) + rng.normal(size=g.size) + rng.normal(size=n_clusters)[g]
    boot = wb.WildboottestCL(X=X, Y=y, cluster=g, bootcluster=g, R=np.array([0.0, 1.0, 0.0]), B=299, seed=seed)
    boot.get_scores(bootstrap_type="11", impose_null=impose_null)
    boot.get_weights(weights_type="rademacher")
    boot.get_numer()
    return boot


@pytest.mark.parametrize(("n_clusters", "seed", "null"), [(6, 1, True), (15, 2, False), (40, 3, True)])
def test_equals_the_library_numba_denominator(n_clusters: int, seed: int, null: bool) -> None:
    boot = _boot(n_clusters, seed, null)
    original = getattr(wb.WildboottestCL.get_denom, "__wrapped__", wb.WildboottestCL.get_denom)
    original(boot)
    expected = np.asarray(boot.denom).copy()
    got = crv1_denominator(boot.R, boot.tXXinv, boot.tXgXg_list, boot.scores_mat, boot.v, boot.ssc)
    assert got.shape == expected.shape == (boot.v.shape[1],)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_patch_is_idempotent_and_only_crv1_is_replaced() -> None:
    class Fake:
        calls: ClassVar[list[str]] = []

        def get_denom(self) -> None:
            self.calls.append(self.crv_type)

    use_vectorised_denominator(Fake)
    first = Fake.get_denom
    use_vectorised_denominator(Fake)
    assert Fake.get_denom is first
    crv3 = Fake()
    crv3.crv_type = "crv3"
    crv3.get_denom()
    assert Fake.calls == ["crv3"]  # the library's own method ran
    boot = _boot(8, 4, True)
    use_vectorised_denominator(type(boot))
    boot.get_denom()
    assert np.asarray(boot.denom).shape == (boot.v.shape[1],)


def test_twfe_bootstrap_unchanged_by_the_kernel() -> None:
    """The whole twfe() bootstrap with and without the replacement: same p-value and interval."""
    from hkfactor.evaluation.designs import twfe

    panel = make_panel(beta=0.3, seed=11)
    patched = twfe(panel, "y", "d", unit="city", time="year", reps=199, seed=3)
    current = wb.WildboottestCL.get_denom
    try:
        wb.WildboottestCL.get_denom = current.__wrapped__
        import hkfactor.evaluation.designs._twfe as mod

        orig_use = mod.use_vectorised_denominator
        mod.use_vectorised_denominator = lambda cls: None  # type: ignore[assignment]
        try:
            library = twfe(panel, "y", "d", unit="city", time="year", reps=199, seed=3)
        finally:
            mod.use_vectorised_denominator = orig_use
    finally:
        wb.WildboottestCL.get_denom = current
    assert patched.bootstrap.p_value == pytest.approx(library.bootstrap.p_value, abs=1e-12)
    assert patched.bootstrap.ci_low == pytest.approx(library.bootstrap.ci_low, rel=1e-9)
    assert patched.bootstrap.ci_high == pytest.approx(library.bootstrap.ci_high, rel=1e-9)
