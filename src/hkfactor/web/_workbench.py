"""Uploads of the workbench: each in its own temporary folder, deleted on close or when idle.

A session is a random token (``secrets.token_urlsafe``) naming a folder made by
:func:`tempfile.mkdtemp`. The uploaded bytes are written under fixed names (``data.csv``,
``data.xlsx``, ``framework.yaml``) — the client's file name is only shown, never used as a
path — so no upload can reach outside its folder. Sizes are capped while reading; sessions
idle longer than ``idle_seconds`` are swept on every workbench request and all are removed when
the server stops.
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

__all__ = ["DATA_SUFFIXES", "MAX_SESSIONS", "MAX_UPLOAD_BYTES", "TOKEN_PATTERN", "Session", "Workbench"]

#: largest accepted upload (data file or framework), bytes
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: most sessions kept at once (oldest idle ones are dropped first)
MAX_SESSIONS = 32
#: accepted data file suffixes → the fixed name it is stored under
DATA_SUFFIXES: dict[str, str] = {".csv": "data.csv", ".txt": "data.csv", ".xlsx": "data.xlsx"}
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass
class Session:
    """One upload: its folder, the shown file name, the result of the check, the last access."""

    token: str
    folder: Path
    filename: str
    result: dict[str, Any] = field(default_factory=dict)
    framework_name: str = ""
    last_used: float = field(default_factory=time.monotonic)


def _shown(filename: str) -> str:
    """A client's file name reduced to what is shown: its last part, no control characters, ≤ 120 chars."""
    return re.sub(r"[\x00-\x1f\x7f]", "", Path((filename or "").replace("\\", "/")).name)[:120]


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
               framework_name: str = "") -> Session:
        """Store an upload in a new session folder (validated: suffix, size, not empty)."""
        suffix = Path(filename or "").suffix.lower()
        if suffix not in DATA_SUFFIXES:
            raise WebError(415, "error.upload_type")
        if not data:
            raise WebError(422, "error.upload_empty")
        if len(data) > MAX_UPLOAD_BYTES or (framework is not None and len(framework) > MAX_UPLOAD_BYTES):
            raise WebError(413, "error.upload_size", mb=MAX_UPLOAD_BYTES // (1024 * 1024))
        self.sweep()
        with self._lock:
            while len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions.values(), key=lambda s: s.last_used)
                self._drop(oldest.token)
            folder = Path(tempfile.mkdtemp(prefix="hkfactor-workbench-", dir=self.root))
            token = secrets.token_urlsafe(24)
            (folder / DATA_SUFFIXES[suffix]).write_bytes(data)
            if framework is not None:
                (folder / "framework.yaml").write_bytes(framework)
            s = Session(token=token, folder=folder, filename=_shown(filename), framework_name=_shown(framework_name))
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

    @staticmethod
    def data_file(s: Session) -> Path:
        """The stored data file of a session."""
        for name in ("data.csv", "data.xlsx"):
            if (s.folder / name).exists():
                return s.folder / name
        raise WebError(404, "error.session")  # pragma: no cover - create always writes one

    @staticmethod
    def framework_file(s: Session) -> Path | None:
        p = s.folder / "framework.yaml"
        return p if p.exists() else None
