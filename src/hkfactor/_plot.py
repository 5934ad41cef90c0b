"""Figure text drawn exactly as written: no mathtext, no TeX, no stray control characters.

Matplotlib reads a label with two ``$`` as mathtext (``"HK$ 3 bn to HK$ 5 bn"`` turns into
italic garble, an unbalanced ``$`` or ``\\frac`` raises :class:`ValueError` while saving) and,
with ``text.usetex``, hands it to TeX. Labels in hkfactor are user and source text, so figures
are drawn with :data:`PLAIN_TEXT_RC` (``text.parse_math`` off, ``text.usetex`` off) and labels
pass through :func:`plain_label`.

Usage in a figure module::

    with matplotlib.rc_context({**rc, **PLAIN_TEXT_RC}):
        ax.text(x, y, plain_label(name))

or wrap a whole drawing function in :func:`plain_text`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["PLAIN_TEXT_RC", "plain_label", "plain_text"]

#: rcParams that make every Text artist draw its string literally.
PLAIN_TEXT_RC: dict[str, Any] = {"text.parse_math": False, "text.usetex": False}

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_label(value: object, *, max_len: int = 500) -> str:
    """A label as text to draw literally: control characters removed, at most ``max_len`` characters.

    ``$`` is kept as it is — draw it with :data:`PLAIN_TEXT_RC` (or ``parse_math=False`` on
    the artist) so it is not read as mathtext.

    Examples
    --------
    >>> plain_label("HK$ 3 bn\\x07 to HK$ 5 bn")
    'HK$ 3 bn to HK$ 5 bn'
    >>> plain_label("x" * 600)[-3:], len(plain_label("x" * 600))
    ('xx…', 500)
    """
    s = _CONTROL.sub("", "" if value is None else str(value))
    return s if len(s) <= max_len else s[: max_len - 1] + "…"


@contextlib.contextmanager
def plain_text() -> Iterator[None]:
    """Context in which matplotlib draws every string literally (:data:`PLAIN_TEXT_RC`).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> with plain_text():
    ...     fig = Figure()
    ...     t = fig.text(0, 0, "$\\\\frac{1$")
    ...     fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
    >>> t.get_parse_math()
    False
    """
    import matplotlib

    with matplotlib.rc_context(PLAIN_TEXT_RC):  # type: ignore[arg-type]  # stubs want Literal keys
        yield
