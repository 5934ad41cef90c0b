"""File input and output shared by every layer.

* :func:`read_text` decodes a text file that may be UTF-8, UTF-8 with a byte-order mark,
  or GBK/GB18030 (what Excel on a Chinese Windows writes), and says which it used.
* :func:`read_table` reads CSV, Excel or Parquet into a DataFrame of strings or numbers.
* :func:`atomic_write` writes a file via a temporary sibling and ``os.replace`` so a crash
  never leaves a half-written output; :func:`write_folder_atomically` does the same for a
  whole folder (the new folder replaces the old one as one unit).
* :func:`neutralise_cell` makes a text cell safe for CSV and Excel (OWASP CSV-injection rule;
  control characters stripped); :func:`write_csv` and :func:`write_excel` apply it to every
  text cell, header and index label and write atomically. :func:`restore_cell` is its inverse
  for files hkfactor reads back.

Atomic writes stage inside the target's own parent folder (never ``/tmp``), so the final
rename never crosses devices; a name collision (a folder where a file goes, a file where a
folder goes) is reported before anything is replaced; leftovers of a killed run
(``.NAME.PID.*.tmp`` files, ``.NAME.partial-PID-*`` folders whose process is gone) are removed
by the next write into the same folder, and a failing write removes its own.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import errno
import io
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from hkfactor._table import decode_text
from hkfactor.errors import InputError, Problem

__all__ = [
    "OUTPUT_MARKER",
    "atomic_path",
    "atomic_write",
    "check_inside",
    "clean_leftovers",
    "neutralise_cell",
    "neutralise_frame",
    "read_table",
    "read_text",
    "restore_cell",
    "write_csv",
    "write_excel",
    "write_folder_atomically",
]

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


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


_LEFTOVER_RE = re.compile(r"\A\..+\.(?:(?P<fpid>\d+)\.[^.]+\.tmp|partial-(?P<dpid>\d+)-[0-9a-f]+(?:\.old)?)\Z")


def clean_leftovers(folder: str | Path) -> list[Path]:
    """Remove what killed writes left in ``folder``; return what was removed.

    Only hkfactor's own staging names are touched — ``.NAME.PID.RANDOM.tmp`` files and
    ``.NAME.partial-PID-HEX`` folders — and only when process ``PID`` no longer runs (a
    concurrent writer's staging is left alone). Symbolic links are never followed.
    """
    d = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(d))
    except OSError:
        return removed
    for e in entries:
        m = _LEFTOVER_RE.match(e.name)
        if not m:
            continue
        pid = int(m.group("fpid") or m.group("dpid"))
        if _pid_alive(pid):
            continue
        try:
            if m.group("dpid") and e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)
            else:
                os.unlink(e.path)
            removed.append(Path(e.path))
        except OSError:
            pass
    return removed


def check_inside(root: str | Path, path: str | Path) -> Path:
    """``path`` (relative to ``root`` or absolute under it), checked not to leave ``root``.

    Raises :class:`InputError` when ``path`` escapes ``root`` (``..``) or when a folder between
    ``root`` and ``path`` — or ``path`` itself — is a symbolic link: hkfactor never writes
    through a link inside an output folder into another place.
    """
    r = Path(root)
    p = Path(path)
    rel = p.relative_to(r) if p.is_absolute() and r.is_absolute() and p.is_relative_to(r) else p
    if rel.is_absolute() or ".." in rel.parts:
        raise InputError([Problem(str(p), None, None, f"is outside the output folder {r}")], title="unsafe output path")
    cur = r
    for part in rel.parts:
        cur = cur / part
        if cur.is_symlink():
            raise InputError([Problem(str(cur), None, None, "is a symbolic link inside the output folder; hkfactor "
                                      "does not write through links — remove it or choose another folder")],
                             title="unsafe output path")
    return r / rel


def _write_error(target: Path, exc: OSError) -> InputError:
    where = exc.filename if isinstance(exc.filename, str) and exc.filename else str(target)
    return InputError([Problem(str(target), None, None, f"cannot write ({where}): {exc.strerror or exc}")],
                      title="cannot write output")


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it into place atomically.

    The temporary file ``.NAME.PID.RANDOM.tmp`` is in ``path``'s own folder (same device, so
    the rename is atomic); it is removed if the body fails. An existing *folder* at ``path``
    is an :class:`InputError` raised before anything is written; an :class:`OSError`
    (permission, disk full) becomes an :class:`InputError` naming the file.
    """
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        raise InputError([Problem(str(target), None, None, "a folder of this name is in the way of the file to be "
                                  "written; remove or rename it, or choose another output name")],
                         title="output name collision")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _write_error(target, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the output the permissions a plain open() would (0666 & ~umask).
    os.chmod(tmp_path, 0o666 & ~_umask())
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        raise _write_error(target, exc) from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


#: Written into every folder :func:`write_folder_atomically` creates: "hkfactor may replace this".
OUTPUT_MARKER = ".hkfactor-output"


def _files_under(d: Path, skip: str = "") -> set[str]:
    out: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(d):
        rel = Path(dirpath).relative_to(d)
        if rel == Path("."):
            dirnames[:] = [x for x in dirnames if x != skip]
        out.update((rel / f).as_posix() for f in filenames)
        out.update((rel / x).as_posix() for x in dirnames if Path(dirpath, x).is_symlink())
    return out


def _check_replaceable(target: Path, stage: Path) -> None:
    """InputError unless ``target`` may be replaced: empty, hkfactor's, or only files of the new output."""
    if not target.is_dir() or (target / OUTPUT_MARKER).is_file():
        return
    foreign = sorted(_files_under(target, skip=stage.name) - _files_under(stage) - {OUTPUT_MARKER})
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise InputError([Problem(str(target), None, None, f"this folder holds files hkfactor did not write ({shown}); "
                                  "it would be replaced as a whole — give a new or empty folder")],
                         title="output folder not replaced")


@contextlib.contextmanager
def write_folder_atomically(out_dir: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``out_dir`` as one unit.

    The staging folder ``.NAME.partial-PID-HEX`` is created in ``out_dir``'s parent (same
    device). On success the old folder and the new one are swapped atomically where the
    kernel allows it (Linux ``renameat2``; otherwise two renames a few microseconds apart) and
    the old contents are removed; readers see the old folder or the new one, complete, never a
    mixture. If the body raises, the staging folder is removed and ``out_dir`` is untouched.
    An existing ``out_dir`` is replaced only when it is empty, carries the marker file
    :data:`OUTPUT_MARKER` (every folder written here does) or holds only files that the new
    output also has — a folder with anything else is an :class:`InputError`, left untouched.
    When ``out_dir`` is a mount point (its parent is on another device), the entries are
    staged in ``out_dir`` itself and moved into place one by one.

    Raises
    ------
    InputError
        ``out_dir`` is an existing file or a symbolic link (raised before anything is
        written), or the folder cannot be written (permission, disk full).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "tables"
    >>> with write_folder_atomically(out) as stage:
    ...     _ = (stage / "a.csv").write_text("x\\n1\\n", encoding="utf-8")
    >>> sorted(p.name for p in out.iterdir())
    ['.hkfactor-output', 'a.csv']
    """
    target = Path(out_dir)
    if target.is_symlink():
        raise InputError([Problem(str(target), None, None, "is a symbolic link; give the real folder (hkfactor "
                                  "replaces the folder and never writes through a link)")],
                         title="unsafe output path")
    if target.exists() and not target.is_dir():
        raise InputError([Problem(str(target), None, None, "is an existing file, but a folder is to be written "
                                  "here; remove or rename it, or choose another output name")],
                         title="output name collision")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(parent)
        mount = target.is_dir() and os.stat(parent).st_dev != os.stat(target).st_dev
        if mount:
            clean_leftovers(target)
        base = target if mount else parent
        stage = base / f".{target.name or 'out'}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        stage.mkdir(mode=0o777)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        yield stage
        (stage / OUTPUT_MARKER).write_text("written by hkfactor; the folder may be replaced by the next run\n",
                                           encoding="utf-8")
        _check_replaceable(target, stage)
        if mount:
            for entry in sorted(stage.iterdir()):
                dest = target / entry.name
                if dest.is_dir() and not dest.is_symlink() and entry.is_dir():
                    old = target / f".{entry.name}.partial-{os.getpid()}-{secrets.token_hex(4)}.old"
                    os.rename(dest, old)
                    os.rename(entry, dest)
                    shutil.rmtree(old)
                else:
                    if dest.is_dir() and not dest.is_symlink():
                        shutil.rmtree(dest)
                    os.replace(entry, dest)
            stage.rmdir()
        elif target.is_dir():
            if not _exchange(stage, target):
                old = parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}.old"
                os.rename(target, old)
                os.rename(stage, target)
                stage = old
            shutil.rmtree(stage)
        else:
            os.rename(stage, target)
    except OSError as exc:
        raise _write_error(target, exc) from None
    finally:
        if stage.exists() and stage != target:
            shutil.rmtree(stage, ignore_errors=True)


# ------------------------------------------------------------------ safe cells

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection),
#: with their full-width forms (a CJK input method types those).
_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER_RE = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?\Z")
#: Characters XML 1.0 (and so openpyxl) cannot store.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_RE = re.compile("\\A'*[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _risky(s: str) -> bool:
    rest = s.lstrip("'")
    if not rest or rest[0] not in _TRIGGERS:
        return False
    return not (rest[0] in "+-" and _NUMBER_RE.match(rest) is not None)


def neutralise_cell(value: Any, *, strip_control: bool = True) -> Any:
    """A cell made safe for CSV and Excel; values that are not text are returned unchanged.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their
    full-width forms) gets a leading ``'`` so no spreadsheet runs it as a formula (OWASP CSV
    injection); ``+``/``-`` followed by a plain number (``-3.5``, ``+1e3``) is left alone.
    Text that already starts with ``'`` before such a character gets one more, so
    :func:`restore_cell` gives back exactly the original. Control characters that XML (and
    so Excel) cannot hold are removed (``strip_control=False`` keeps them: CSV can hold them,
    and a CSV written by :func:`write_csv` then reads back exactly).

    Examples
    --------
    >>> neutralise_cell("=1+1"), neutralise_cell("-3.5"), neutralise_cell("-x"), neutralise_cell(2)
    ("'=1+1", '-3.5', "'-x", 2)
    >>> restore_cell(neutralise_cell("@SUM(A1)")) == "@SUM(A1)"
    True
    """
    if not isinstance(value, str):
        return value
    s = _CONTROL_RE.sub("", value) if strip_control and _CONTROL_RE.search(value) else value
    return "'" + s if _risky(s) else s


def restore_cell(value: str) -> str:
    """Inverse of :func:`neutralise_cell` for text hkfactor reads back (one ``'`` dropped).

    Examples
    --------
    >>> restore_cell("'=1+1"), restore_cell("'quoted'"), restore_cell("''=x")
    ('=1+1', "'quoted'", "'=x")
    """
    if value.startswith("'") and _risky(value[1:]):
        return value[1:]
    return value


def _safe_labels(index: pd.Index, strip: bool) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_safe_labels(lv, strip) for lv in index.levels])  # type: ignore[misc]
    name = neutralise_cell(index.name, strip_control=strip)
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return pd.Index([neutralise_cell(v, strip_control=strip) for v in index], name=name, dtype=object)
    return index.rename(name) if isinstance(index.name, str) else index


def _needs(col: pd.Series) -> pd.Series:
    """Which cells of a text column :func:`neutralise_cell` would change (vectorised when it can)."""
    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        return col.str.contains(_NEEDS_RE.pattern, regex=True, na=False).astype(bool)
    obj = col.astype(object)
    if pd.api.types.infer_dtype(obj, skipna=True) == "string":  # text and missing only: one regex pass
        return obj.str.contains(_NEEDS_RE.pattern, regex=True, na=False).astype(bool)
    return obj.map(lambda v: isinstance(v, str) and _NEEDS_RE.search(v) is not None).astype(bool)


def neutralise_frame(df: pd.DataFrame, *, index: bool = True, strip_control: bool = True) -> pd.DataFrame:
    """A copy of ``df`` with :func:`neutralise_cell` applied to every text cell, column label
    and (``index=True``) index label. Numbers, dates and missing values are unchanged."""
    out = df.copy()
    strip = strip_control
    out.columns = _safe_labels(out.columns, strip)
    if index:
        out.index = _safe_labels(out.index, strip)
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        need = _needs(col)
        if bool(need.any()):
            col = col.astype(object).copy()
            col[need.to_numpy(bool)] = [neutralise_cell(v, strip_control=strip) for v in col[need.to_numpy(bool)]]
        out.isetitem(j, col)  # type: ignore[arg-type]
    return out


def write_csv(
    df: pd.DataFrame,
    path: str | Path,
    *,
    index: bool = False,
    encoding: str = "utf-8",
    **to_csv: Any,
) -> Path:
    """Write ``df`` as CSV atomically with every text cell, header and index label neutralised.

    ``encoding="utf-8-sig"`` writes a byte-order mark (Excel then opens Chinese text intact);
    other keyword arguments go to :meth:`pandas.DataFrame.to_csv` (``lineterminator``
    defaults to ``"\\n"``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_csv(pd.DataFrame({"name": ["=1+1", "ok"]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8").splitlines()
    ['name', "'=1+1", 'ok']
    """
    target = Path(path)
    safe = neutralise_frame(df, index=index, strip_control=False)
    to_csv.setdefault("lineterminator", "\n")
    if "quoting" not in to_csv and _has_cr(safe, index):
        # Python's csv writer quotes a field only for the characters of the line terminator: a
        # lone CR in a cell would otherwise be written bare and split the row in every reader.
        to_csv["quoting"] = csv.QUOTE_NONNUMERIC
    with atomic_write(target, encoding=encoding) as fh:
        safe.to_csv(fh, index=index, **to_csv)
    return target


def _has_cr(df: pd.DataFrame, index: bool) -> bool:
    labels = [*map(str, df.columns), *(map(str, df.index) if index else ())]
    if any("\r" in x for x in labels):
        return True
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            if col.dtype != object:
                if bool(col.str.contains("\r", regex=False, na=False).any()):
                    return True
            elif bool(col.map(lambda v: isinstance(v, str) and "\r" in v).any()):
                return True
    return False


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        base = _SHEET_BAD.sub("_", _CONTROL_RE.sub("", str(n))).strip("'")[:31] or "Sheet"
        cand, k = base, 2
        while cand.casefold() in {o.casefold() for o in out}:
            suffix = f"~{k}"
            cand, k = base[: 31 - len(suffix)] + suffix, k + 1
        out.append(cand)
    return out


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | Path, *, index: bool = False) -> Path:
    """Write one ``.xlsx`` workbook atomically, one sheet per table, every text cell safe.

    Cells are neutralised (:func:`neutralise_cell`: no cell is ever a formula, control
    characters removed); sheet names are made valid for Excel (at most 31 characters, no
    ``[]:*?/\\``, unique).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> p = write_excel({"t": pd.DataFrame({"a": ["+cmd|' /C calc'!A0"]})}, pathlib.Path(tempfile.mkdtemp()) / "x.xlsx")
    >>> openpyxl.load_workbook(p)["t"]["A2"].data_type
    's'
    """
    import openpyxl

    target = Path(path)
    names = _sheet_names(sheets)
    # openpyxl's write-only workbook streams rows: several times faster than a DataFrame.to_excel
    wb = openpyxl.Workbook(write_only=True)
    for name, df in zip(names, sheets.values(), strict=True):
        safe = neutralise_frame(df, index=index)
        if index:
            safe = safe.reset_index()
        ws = wb.create_sheet(title=name)
        ws.append([_excel_value(c) for c in safe.columns])
        for row in safe.itertuples(index=False, name=None):
            ws.append([_excel_value(v) for v in row])
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _excel_value(v: Any) -> Any:
    """A cell as openpyxl writes it: missing values empty, NumPy scalars as Python numbers."""
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, np.generic):
        v = v.item()
        return None if isinstance(v, float) and v != v else v
    if isinstance(v, (str, int, float, bool)):
        return v
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


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
