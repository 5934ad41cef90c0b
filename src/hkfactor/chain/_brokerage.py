"""Gould–Fernandez brokerage, computed exactly as R's ``sna::brokerage``.

The oracle is R package *sna* (Butts), function ``brokerage(g, cl)`` and its C routine
``brokerage_R`` in ``gli.c``. Counts, expected counts, standard deviations and z-scores
here reproduce that implementation to floating-point precision; tests in
``tests/chain/test_brokerage.py`` compare against stored R output (and re-run R live when
``Rscript`` is available).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hkfactor.errors import InputError, Problem

__all__ = ["ROLES", "ROLE_LABELS", "BrokerageResult", "brokerage"]

#: Role codes in the column order R uses: coordinator, itinerant (consultant),
#: representative, gatekeeper, liaison, total.
ROLES: tuple[str, ...] = ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")

#: Bilingual role names (Gould & Fernandez 1989).
ROLE_LABELS: dict[str, dict[str, str]] = {
    "w_I": {"en": "coordinator", "zh": "协调人"},
    "w_O": {"en": "itinerant (consultant)", "zh": "顾问"},
    "b_IO": {"en": "representative", "zh": "代理人"},
    "b_OI": {"en": "gatekeeper", "zh": "守门人"},
    "b_O": {"en": "liaison", "zh": "联络人"},
    "t": {"en": "total", "zh": "合计"},
}


@dataclass(frozen=True)
class BrokerageResult:
    """Brokerage scores of every vertex and of the whole graph.

    Field names follow the list R's ``sna::brokerage`` returns. Arrays of vertex scores have
    shape ``(N, 6)`` with columns :data:`ROLES`; graph-level arrays have shape ``(6,)``;
    group arrays have shape ``(G, 6)`` (groups in order of first appearance, ``clid``).
    A z-score whose standard deviation is 0 is NaN (0/0) or ±inf, and a negative closed-form
    variance gives a NaN standard deviation, exactly as in R (which warns "NaNs produced").
    """

    nodes: tuple[str, ...]
    raw_nli: npt.NDArray[np.float64]
    exp_nli: npt.NDArray[np.float64]
    sd_nli: npt.NDArray[np.float64]
    z_nli: npt.NDArray[np.float64]
    raw_gli: npt.NDArray[np.float64]
    exp_gli: npt.NDArray[np.float64]
    sd_gli: npt.NDArray[np.float64]
    z_gli: npt.NDArray[np.float64]
    exp_grp: npt.NDArray[np.float64]
    sd_grp: npt.NDArray[np.float64]
    cl: tuple[str, ...]
    clid: tuple[str, ...]
    n: npt.NDArray[np.float64]
    N: int
    density: float

    def row(self, node: str) -> dict[str, dict[str, float]]:
        """Observed, expected and z-score of each role for one vertex."""
        try:
            i = self.nodes.index(node)
        except ValueError:
            raise InputError([Problem("graph", None, "node", f"no vertex {node!r}")]) from None
        return {
            role: {
                "observed": float(self.raw_nli[i, c]),
                "expected": float(self.exp_nli[i, c]),
                "sd": float(self.sd_nli[i, c]),
                "z": float(self.z_nli[i, c]),
            }
            for c, role in enumerate(ROLES)
        }


def _counts(adj: npt.NDArray[np.bool_], icl: npt.NDArray[np.intp], n_groups: int) -> npt.NDArray[np.float64]:
    """Open two-paths ``i -> j -> k`` (``i != k``, no tie ``i -> k``) by broker and groups.

    Returns ``T`` of shape ``(N, G, G)``: ``T[j, a, b]`` counts the open two-paths through
    broker ``j`` whose source is in group ``a`` and target in group ``b``.
    """
    a = adj.astype(np.float64)
    np.fill_diagonal(a, 0.0)  # loops are never part of a two-path (gli.c skips them)
    open_ = 1.0 - adj.astype(np.float64)
    np.fill_diagonal(open_, 0.0)  # source and target must differ
    onehot = np.zeros((adj.shape[0], n_groups))
    onehot[np.arange(adj.shape[0]), icl] = 1.0
    # W[a, j, k] = sum_i [i in a] A[i, j] B[i, k]
    w = np.einsum("ia,ij,ik->ajk", onehot, a, open_, optimize=True)
    # T[j, a, b] = sum_k W[a, j, k] A[j, k] [k in b]
    return np.einsum("ajk,jk,kb->jab", w, a, onehot, optimize=True)


def brokerage(
    adjacency: npt.ArrayLike,
    groups: Sequence[object],
    *,
    nodes: Sequence[str] | None = None,
) -> BrokerageResult:
    """Gould–Fernandez brokerage roles, as ``sna::brokerage(g, cl)`` computes them.

    A vertex ``j`` brokers the ordered pair ``(i, k)`` when ``i -> j -> k`` and there is no
    tie ``i -> k`` (``i``, ``j``, ``k`` distinct). With ``g(.)`` the group of a vertex the
    role is: coordinator ``w_I`` (all three in one group), itinerant/consultant ``w_O``
    (``g(i) = g(k) != g(j)``), representative ``b_IO`` (``g(i) = g(j) != g(k)``), gatekeeper
    ``b_OI`` (``g(j) = g(k) != g(i)``), liaison ``b_O`` (all three differ); ``t`` is the sum.

    Expected counts and variances assume a Bernoulli graph with density
    ``d = m / (N (N - 1))`` where ``m`` counts every non-zero cell (including loops, as
    ``as.edgelist.sna`` does). For a vertex of a group of size ``n_i`` the expectations are,
    with ``p = d^2 (1 - d)``: ``w_I = p (n_i-1)(n_i-2)``; ``w_O = p Σ_{l≠i} n_l (n_l-1)``;
    ``b_IO = b_OI = p (N-n_i)(n_i-1)``; ``b_O = p (Σ_{l≠i} n_l)^2 - Σ_{l≠i} n_l^2)``;
    ``t = p (N-1)(N-2)``; variances and the graph-level statistics are transcribed from the
    R source unchanged. ``z = (observed - expected) / sd``.

    Parameters
    ----------
    adjacency : array_like, shape (N, N)
        Directed adjacency matrix; any non-zero cell is a tie ``row -> column``.
    groups : sequence, length N
        Group (class) of each vertex; groups are ordered by first appearance (R's ``unique``).
    nodes : sequence of str, optional
        Vertex names (default ``"0"``…``"N-1"``).

    Returns
    -------
    BrokerageResult
        Observed (``raw_nli``), expected, sd and z per vertex; the same for the graph.

    Raises
    ------
    InputError
        If the matrix is not square, has NaN, or lengths disagree, or ``N < 3``.

    References
    ----------
    Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation: a formal approach to
    brokerage in transaction networks. *Sociological Methodology* 19, 89–126.
    Butts, C. T. (2008). Social network analysis with sna. *J. Stat. Software* 24(6).

    Examples
    --------
    >>> r = brokerage([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["a", "b", "c"], nodes=["x", "y", "z"])
    >>> r.row("y")["b_O"]["observed"]
    1.0
    """
    adj = np.asarray(adjacency, dtype=np.float64)
    problems: list[Problem] = []
    if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
        raise InputError([Problem("adjacency", None, None, f"must be square, got shape {adj.shape}")])
    big_n = adj.shape[0]
    if np.isnan(adj).any():
        problems.append(Problem("adjacency", None, None, "contains NaN"))
    if len(groups) != big_n:
        problems.append(Problem("groups", None, None, f"has {len(groups)} entries for {big_n} vertices"))
    names = tuple(str(x) for x in nodes) if nodes is not None else tuple(str(i) for i in range(big_n))
    if len(names) != big_n:
        problems.append(Problem("nodes", None, None, f"has {len(names)} names for {big_n} vertices"))
    if big_n < 3:
        problems.append(Problem("adjacency", None, None, "brokerage needs at least 3 vertices"))
    if problems:
        raise InputError(problems, title="cannot compute brokerage")

    cl = tuple(str(g) for g in groups)
    clid = tuple(dict.fromkeys(cl))
    icl = np.array([clid.index(c) for c in cl], dtype=np.intp)
    ng = len(clid)
    tie = adj != 0

    t = _counts(tie, icl, ng)  # (N, G, G)
    same = np.eye(ng, dtype=bool)
    own = icl  # group of the broker
    raw = np.zeros((big_n, 6))
    idx = np.arange(big_n)
    raw[:, 0] = t[idx, own, own]
    diag = np.einsum("jaa->ja", t)  # (N, G): source and target in the same group a
    raw[:, 1] = diag.sum(axis=1) - diag[idx, own]
    raw[:, 2] = t[idx, own, :].sum(axis=1) - t[idx, own, own]
    raw[:, 3] = t[idx, :, own].sum(axis=1) - t[idx, own, own]
    offdiag = np.where(same[None, :, :], 0.0, t)
    raw[:, 4] = offdiag.sum(axis=(1, 2)) - offdiag[idx, own, :].sum(axis=1) - offdiag[idx, :, own].sum(axis=1)
    raw[:, 5] = raw[:, :5].sum(axis=1)

    m = float(np.count_nonzero(tie))
    nf = float(big_n)
    d = m / (nf * (nf - 1.0))
    n = np.array([float(np.sum(icl == g)) for g in range(ng)])
    p = d**2 * (1 - d)
    q = d**3 * (1 - d) ** 3

    ebr = np.zeros((ng, 6))
    vbr = np.zeros((ng, 6))
    for i in range(ng):
        ni = n[i]
        rest = np.delete(n, i)
        ebr[i, 0] = p * (ni - 1) * (ni - 2)
        vbr[i, 0] = ebr[i, 0] * (1 - p) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * q
        ebr[i, 1] = p * np.sum(rest * (rest - 1))
        vbr[i, 1] = ebr[i, 1] * (1 - p) + 2 * np.sum(rest * (rest - 1) * (rest - 2)) * q
        ebr[i, 2] = p * (nf - ni) * (ni - 1)
        vbr[i, 2] = ebr[i, 2] * (1 - p) + 2 * (
            (ni - 1) * _choose2(nf - ni) + (nf - ni) * _choose2(ni - 1)
        ) * q
        ebr[i, 3] = ebr[i, 2]
        vbr[i, 3] = vbr[i, 2]
        ebr[i, 4] = p * (np.sum(np.outer(rest, rest)) - np.sum(rest**2))
        vbr[i, 4] = ebr[i, 4] * (1 - p) + 4 * np.sum(rest * _choose2(nf - rest - ni) * q)
        ebr[i, 5] = p * (nf - 1) * (nf - 2)
        vbr[i, 5] = ebr[i, 5] * (1 - p) + 2 * (nf - 1) * (nf - 2) * (nf - 3) * q

    # As in R: a negative variance (possible in the closed-form approximations for tiny
    # groups) gives a NaN standard deviation, and sd = 0 gives NaN or ±inf z-scores.
    with np.errstate(divide="ignore", invalid="ignore"):
        br_exp = ebr[icl]
        sd_grp = np.sqrt(vbr)
        br_sd = sd_grp[icl]
        br_z = (raw - br_exp) / br_sd
        gbr = raw.sum(axis=0)
        egbr, vgbr = _graph_level(n, nf, d)
        sd_g = np.sqrt(vgbr)
        z_g = (gbr - egbr) / sd_g

    return BrokerageResult(
        nodes=names,
        raw_nli=raw,
        exp_nli=br_exp,
        sd_nli=br_sd,
        z_nli=br_z,
        raw_gli=gbr,
        exp_gli=egbr,
        sd_gli=sd_g,
        z_gli=z_g,
        exp_grp=ebr,
        sd_grp=sd_grp,
        cl=cl,
        clid=clid,
        n=n,
        N=big_n,
        density=d,
    )


def _choose2(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """R's ``choose(x, 2)`` for real ``x``: ``x (x - 1) / 2`` (0 for ``x`` in {0, 1})."""
    xa = np.asarray(x, dtype=np.float64)
    return xa * (xa - 1.0) / 2.0


def _graph_level(
    n: npt.NDArray[np.float64], nf: float, d: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Expected graph-level brokerage and its variance (transcribed from ``sna::brokerage``)."""
    p = d**2 * (1 - d)
    d3 = d**3 * (1 - d) ** 3
    d4 = d**4 * (1 - d) ** 2
    d5 = d**5 * (1 - d)
    e = np.zeros(6)
    v = np.zeros(6)
    e[0] = p * np.sum(n * (n - 1) * (n - 2))
    v[0] = e[0] * (1 - p) + np.sum(n * (n - 1) * (n - 2) * (((4 * n - 10) * d3) - (4 * (n - 3) * d4) + ((n - 3) * d5)))
    e[1] = p * np.sum(n * (nf - n) * (n - 1))
    x = n[:, None]
    y = n[None, :]
    outer = x * y * (x - 1) * (((2 * x + 2 * y - 6) * d3) + ((nf - x - 1) * d5))
    v[1] = e[1] * (1 - p) + (np.sum(outer) - np.sum(n * n * (n - 1) * (((4 * n - 6) * d3) + ((nf - n - 1) * d5))))
    e[2] = p * np.sum(n * (nf - n) * (n - 1))
    v[2] = e[2] * (1 - p) + np.sum(n * (nf - n) * (n - 1) * (((nf - 3) * d3) + ((n - 2) * d5)))
    e[3] = e[2]
    v[3] = v[2]
    e[4] = p * (np.sum(x * y * (nf - x - y)) - np.sum(n * n * (nf - 2 * n)))
    v[4] = e[4] * (1 - p)
    g = len(n)
    for i in range(g):
        for j in range(g):
            for k in range(g):
                if i != j and j != k and i != k:
                    v[4] += n[i] * n[j] * n[k] * (
                        (4 * (nf - n[j]) - 2 * (n[i] + n[k] + 1)) * d3
                        - (4 * (nf - n[k]) - 2 * (n[i] + n[j] + 1)) * d4
                        + (nf - (n[i] + n[k] + 1)) * d5
                    )
    e[5] = p * nf * (nf - 1) * (nf - 2)
    v[5] = e[5] * (1 - p) + nf * (nf - 1) * (nf - 2) * (((4 * nf - 10) * d3) - (4 * (nf - 3) * d4) + ((nf - 3) * d5))
    return e, v
