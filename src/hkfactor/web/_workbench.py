"""Uploads of the workbench: each in its own temporary folder, deleted on close or when idle.

A session is a random token (``secrets.token_urlsafe``) naming a folder made by
:func:`tempfile.mkdtemp`. The data file is written as ``inputs/<name>``, where ``<name>`` is the
client's file name reduced to its last part with every character other than letters, digits,
``-_.()`` and spaces replaced (so problems and the report name the file as the user knows it, and
no upload can reach outside its folder); the framework as ``inputs/framework.yaml``, a saved
recipe as ``upload.recipe.json``. Sizes are capped while reading; sessions idle longer than
``idle_seconds`` are swept on every workbench request and all are removed when the server stops.
A session also keeps what was read and evaluated (objects, never sent as they are), and the
reports written for download under ``reports/``.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hkfactor.web._errors import WebError

__all__ = ["DATA_SUFFIXES", "MAX_SESSIONS", "MAX_UPLOAD_BYTES", "TOKEN_PATTERN", "Session", "Workbench", "safe_name"]

#: largest accepted upload (data file or framework), bytes
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: most sessions kept at once (oldest idle ones are dropped first)
MAX_SESSIONS = 32
#: accepted data file suffixes → the suffix it is stored with
DATA_SUFFIXES: dict[str, str] = {".csv": ".csv", ".txt": ".csv", ".xlsx": ".xlsx"}
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass
class Session:
    """One upload: its folder, the shown file names, what was read and evaluated, the last access."""

    token: str
    folder: Path
    filename: str
    data_path: Path
    framework_name: str = ""
    recipe_name: str = ""
    sheet: str | int | None = None
    #: what the reader found (hkfactor.web._evaluation.Inspection)
    inspection: Any = None
    #: problems of the last step (reading against a framework, a recipe, evaluating)
    problems: list[Any] = field(default_factory=list)
    #: the data as read against the framework (an EvalPanel), when reading succeeded
    panel: Any = None
    #: the framework in use, where it came from ("upload", "builtin", "mapping") and its YAML text
    framework: Any = None
    framework_source: str = ""
    framework_yaml: str = ""
    #: the column mapping of the form: (series, direction, unit); the subsystem's name
    mapping: list[tuple[str, str, str]] = field(default_factory=list)
    name: str = ""
    #: the recipe of the last evaluation (or of the uploaded recipe.json) and the evaluation
    recipe: Any = None
    evaluation: Any = None
    #: written reports by language (folders under ``reports/``)
    reports: dict[str, Path] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    last_used: float = field(default_factory=time.monotonic)

    @property
    def framework_path(self) -> Path:
        return self.folder / "inputs" / "framework.yaml"

    @property
    def recipe_path(self) -> Path:
        return self.folder / "upload.recipe.json"

    def shown(self) -> dict[str, str]:
        """Stored path prefixes → what the user calls them (problems never show the temp folder)."""
        return {str(self.folder / "inputs") + "/": "", str(self.folder) + "/": "",
                str(self.recipe_path): self.recipe_name or "recipe.json"}


def _shown(filename: str) -> str:
    """A client's file name reduced to what is shown: its last part, no control characters, ≤ 120 chars."""
    return re.sub(r"[\x00-\x1f\x7f]", "", Path((filename or "").replace("\\", "/")).name)[:120]


def safe_name(filename: str, suffix: str) -> str:
    """The name a data file is stored under: the shown name's stem with only letters, digits,
    ``-_.()`` and spaces (others become ``_``), at most 80 characters, and ``suffix``.

    Examples
    --------
    >>> safe_name("../../etc/深圳 数据.csv", ".csv")
    '深圳 数据.csv'
    >>> safe_name("..", ".csv")
    'data.csv'
    """
    stem = Path(_shown(filename)).stem if _shown(filename) not in ("", ".", "..") else ""
    stem = re.sub(r"[^\w\-. ()（）]+", "_", stem).strip(" ._")[:80]
    return f"{stem or 'data'}{suffix}"


class Workbench:
    """The live upload sessions of one server."""

    def __init__(self, *, idle_seconds: float = 1800.0, root: Path | None = None) -> None:
        self.idle_seconds = idle_seconds
        self.root = root
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        #: parses running at once are bounded (each may run an evaluation)
        self.slots = threading.BoundedSemaphore(2)

    def __len__(self) -> int:
        return len(self._sessions)

    def sweep(self) -> None:
        """Delete sessions idle longer than ``idle_seconds``."""
        now = time.monotonic()
        with self._lock:
            old = [t for t, s in self._sessions.items() if now - s.last_used > self.idle_seconds]
            for t in old:
                self._drop(t)

    def _drop(self, token: str) -> None:
        s = self._sessions.pop(token, None)
        if s is not None:
            shutil.rmtree(s.folder, ignore_errors=True)

    def create(self, filename: str, data: bytes, *, framework: bytes | None = None,
               framework_name: str = "", recipe: bytes | None = None, recipe_name: str = "") -> Session:
        """Store an upload in a new session folder (validated: suffix, size, not empty)."""
        suffix = Path(filename or "").suffix.lower()
        if suffix not in DATA_SUFFIXES:
            raise WebError(415, "error.upload_type")
        if not data:
            raise WebError(422, "error.upload_empty")
        if any(b is not None and len(b) > MAX_UPLOAD_BYTES for b in (data, framework, recipe)):
            raise WebError(413, "error.upload_size", mb=MAX_UPLOAD_BYTES // (1024 * 1024))
        self.sweep()
        with self._lock:
            while len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions.values(), key=lambda s: s.last_used)
                self._drop(oldest.token)
            folder = Path(tempfile.mkdtemp(prefix="hkfactor-workbench-", dir=self.root))
            token = secrets.token_urlsafe(24)
            (folder / "inputs").mkdir()
            path = folder / "inputs" / safe_name(filename, DATA_SUFFIXES[suffix])
            path.write_bytes(data)
            s = Session(token=token, folder=folder, filename=_shown(filename), data_path=path,
                        framework_name=_shown(framework_name), recipe_name=_shown(recipe_name))
            if framework is not None:
                s.framework_path.write_bytes(framework)
            if recipe is not None:
                s.recipe_path.write_bytes(recipe)
            self._sessions[token] = s
            return s

    def get(self, token: str) -> Session:
        """The live session ``token`` (its idle clock restarts); 404 when unknown or expired."""
        self.sweep()
        if not _TOKEN.fullmatch(token or ""):
            raise WebError(404, "error.session")
        with self._lock:
            s = self._sessions.get(token)
            if s is None:
                raise WebError(404, "error.session")
            s.last_used = time.monotonic()
            return s

    def close(self, token: str) -> bool:
        """Delete a session and its folder; True when it existed."""
        with self._lock:
            existed = token in self._sessions
            self._drop(token)
            return existed

    def close_all(self) -> None:
        """Delete every session (the server is stopping)."""
        with self._lock:
            for t in list(self._sessions):
                self._drop(t)
