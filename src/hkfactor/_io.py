"""File input and output shared by every layer.

* :func:`read_text` decodes a text file that may be UTF-8, UTF-8 with a byte-order mark,
  or GBK/GB18030 (what Excel on a Chinese Windows writes), and says which it used.
* :func:`read_table` reads CSV, Excel or Parquet into a DataFrame of strings or numbers.
* :func:`atomic_write` writes a file via a temporary sibling and ``os.replace`` so a crash
  never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd

from hkfactor._table import decode_text
from hkfactor.errors import InputError, Problem

__all__ = ["atomic_path", "atomic_write", "read_table", "read_text"]

def read_text(path: str | Path, *, encoding: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a text file.

    Decoding follows :func:`hkfactor._table.decode_text` (the one rule for every text file a
    user gives): a byte-order mark decides; else strict UTF-8; else GB18030 (a superset of GBK
    and GB2312) when the result is plausible Chinese text. A file that none of these decode, or
    that GB18030 turns into mojibake (Big5, Shift-JIS, Latin-1), raises :class:`InputError`
    with advice; nothing is silently replaced. ``encoding`` overrides detection.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(p), None, None, f"cannot read file: {exc.strerror}")]) from None
    text, enc, _how = decode_text(raw, file=str(p), encoding=encoding)
    return text, enc


def read_table(path: str | Path, *, sheet: str | int = 0, dtype: type | None = None) -> pd.DataFrame:
    """Read a CSV (any of the encodings :func:`read_text` accepts), Excel or Parquet file.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xls`` or ``.parquet`` file.
    sheet : str or int, optional
        Excel sheet name or position (default: the first).
    dtype : type, optional
        Passed to the reader; use ``str`` to keep every cell as printed.

    Returns
    -------
    pandas.DataFrame
        ``df.attrs["encoding"]`` records the detected text encoding for CSV input.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in {".csv", ".txt", ".tsv"}:
            text, enc = read_text(p)
            sep = "\t" if suffix == ".tsv" else ","
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=dtype, keep_default_na=dtype is not str)
            if dtype is str:
                df = df.fillna("")
            df.attrs["encoding"] = enc
            return df
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(p, sheet_name=sheet, dtype=dtype)
        if suffix == ".parquet":
            return pd.read_parquet(p)
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError([Problem(str(p), None, None, "file not found")]) from None
    except ImportError as exc:
        raise InputError(
            [Problem(str(p), None, None, f"reading {suffix} needs an optional package: {exc}")]
        ) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError([Problem(str(p), None, None, f"cannot parse as a table: {exc}")]) from None
    raise InputError(
        [Problem(str(p), None, None, f"unsupported file type {suffix!r}; expected .csv, .xlsx or .parquet")]
    )


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it into place atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the output the permissions a plain open() would (0666 & ~umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_write(
    path: str | Path, mode: Literal["w", "wb"] = "w", *, encoding: str = "utf-8"
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through :func:`atomic_path`."""
    with atomic_path(path) as tmp:
        if mode == "wb":
            with open(tmp, "wb") as fh:
                yield fh
        else:
            with open(tmp, "w", encoding=encoding, newline="") as fh:
                yield fh
