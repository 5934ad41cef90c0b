"""Reading and writing files safely: the public face of :mod:`hkfactor._io`.

Faces (CLI, report, web) write through these — atomic replacement, so a failure never leaves
a half-written file — and read users' text files with the encoding detected and recorded.
"""

from __future__ import annotations

from hkfactor._io import atomic_path, atomic_write, read_text

__all__ = ["atomic_path", "atomic_write", "read_text"]
