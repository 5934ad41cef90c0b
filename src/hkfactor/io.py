"""Reading and writing files safely: the public face of :mod:`hkfactor._io`.

Faces (CLI, report, web) write through these — atomic replacement, so a failure never leaves
a half-written file; every text cell of a CSV or Excel file neutralised against formula
injection (OWASP) — and read users' text files with the encoding detected and recorded.
"""

from __future__ import annotations

from hkfactor._io import (
    atomic_path,
    atomic_write,
    check_inside,
    neutralise_cell,
    neutralise_frame,
    read_text,
    restore_cell,
    write_csv,
    write_excel,
    write_folder_atomically,
)

__all__ = [
    "atomic_path",
    "atomic_write",
    "check_inside",
    "neutralise_cell",
    "neutralise_frame",
    "read_text",
    "restore_cell",
    "write_csv",
    "write_excel",
    "write_folder_atomically",
]
