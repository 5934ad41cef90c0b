"""A vectorised CRV1 denominator for the ``wildboottest`` package (used by pyfixest's wild bootstrap).

``wildboottest`` 0.3 computes the bootstrap denominator of the CRV1 wild cluster bootstrap with a
numba function that it defines — and therefore compiles — inside ``WildboottestCL.get_denom`` on
every call: about half a second per call, four calls per design, most of ``hkfactor evaluate``'s
time. The computation itself is a matrix product. :func:`use_vectorised_denominator` replaces that
one method with the same arithmetic in NumPy,

.. math:: Z = C \\odot V - H V, \\qquad \\text{denom}_b = \\text{ssc}\\,\\sum_g Z_{gb}^2,

where :math:`C_g = R (X'X)^{-1} s_g` (the library's ``Cg``), :math:`H_{gh} = R (X'X)^{-1} X_g'X_g
(X'X)^{-1} s_h` and :math:`V` the :math:`G \\times B` bootstrap weights. Everything else — scores,
weights, null imposition, t statistics, p-values — stays the library's. CRV3 and any other case
fall through to the library's own method. ``tests/evaluation/designs`` checks the replacement
against the library's numba path to 1e-10 on synthetic data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["crv1_denominator", "use_vectorised_denominator"]

_PATCHED = "_hkfactor_vectorised"


def crv1_denominator(R: Any, tXXinv: Any, tXgXg: Any, scores: Any, v: Any, ssc: float) -> np.ndarray:
    """The CRV1 bootstrap denominators, one per replication (length ``v.shape[1]``).

    Parameters
    ----------
    R : array (k,)
        Restriction vector.
    tXXinv : array (k, k)
        :math:`(X'X)^{-1}`.
    tXgXg : sequence of arrays (k, k)
        :math:`X_g'X_g` per bootstrap cluster.
    scores : array (k, G)
        Cluster scores.
    v : array (G, B)
        Bootstrap weights.
    ssc : float
        Small-sample correction.

    Examples
    --------
    >>> import numpy as np
    >>> R, I = np.array([1.0, 0.0]), np.eye(2)
    >>> d = crv1_denominator(R, I, [I, I], np.array([[1.0, -1.0], [0.0, 0.0]]), np.ones((2, 3)), 1.0)
    >>> d.round(6).tolist()   # Z = C*v - H v = [1, -1] - [0, 0]
    [2.0, 2.0, 2.0]
    """
    r = np.asarray(R, dtype=float) @ np.asarray(tXXinv, dtype=float)          # (k,)
    cg = r @ np.asarray(scores, dtype=float)                                   # (G,)
    a = np.einsum("k,gkl,lm->gm", r, np.asarray(tXgXg, dtype=float), tXXinv)   # (G, k)
    h = a @ np.asarray(scores, dtype=float)                                    # (G, G)
    vv = np.asarray(v, dtype=float)
    z = cg[:, None] * vv - h @ vv
    return np.asarray(ssc * np.einsum("gb,gb->b", z, z))


def use_vectorised_denominator(cls: Any) -> None:
    """Give ``cls`` (``wildboottest.wildboottest.WildboottestCL``) the vectorised CRV1 denominator.

    Idempotent. Only the ``crv1`` branch changes; ``crv3`` calls the library's method.
    """
    original = cls.get_denom
    if getattr(original, _PATCHED, False):
        return

    def get_denom(self: Any) -> None:
        if getattr(self, "crv_type", None) != "crv1":
            original(self)
            return
        self.denom = crv1_denominator(self.R, self.tXXinv, list(self.tXgXg_list), self.scores_mat, self.v,
                                      float(self.ssc))

    setattr(get_denom, _PATCHED, True)
    get_denom.__wrapped__ = original  # type: ignore[attr-defined]
    get_denom.__doc__ = (original.__doc__ or "") + "\n(hkfactor: CRV1 denominator vectorised in NumPy.)"
    cls.get_denom = get_denom
