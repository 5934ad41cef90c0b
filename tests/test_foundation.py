"""Shared foundations: registries, file reading with encoding detection, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkfactor._io import atomic_write, read_table, read_text
from hkfactor._registry import Registry
from hkfactor.errors import InputError, MethodNotFoundError, SpecError


def test_registry_lists_valid_names_on_unknown() -> None:
    reg = Registry("demo")

    @reg.register("b")
    def _b() -> int:
        return 2

    @reg.register("a")
    def _a() -> int:
        return 1

    assert reg["a"]() == 1
    with pytest.raises(MethodNotFoundError, match=r"unknown demo method 'zz'; valid: a, b"):
        reg["zz"]
    with pytest.raises(SpecError, match="registered twice"):
        reg.register("a")(_a)


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("gbk", b"", "gb18030")],
)
def test_read_table_detects_encoding(tmp_path: Path, encoding: str, prefix: bytes, expected: str) -> None:
    p = tmp_path / "d.csv"
    p.write_bytes(prefix + "城市,值\n深圳,1.5\n香港,2\n".encode(encoding))
    df = read_table(p)
    assert list(df.columns) == ["城市", "值"]
    assert df["城市"].tolist() == ["深圳", "香港"]
    assert df.attrs["encoding"] == expected


def test_read_text_rejects_undecodable(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_bytes(b"a,b\n\xff\xfe\xfa,1\n")
    with pytest.raises(InputError, match="not valid UTF-8 or GBK"):
        read_text(p)


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    p.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(p) as fh:
        fh.write("new")
        raise RuntimeError("boom")
    assert p.read_text(encoding="utf-8") == "old"
    assert [q.name for q in tmp_path.iterdir()] == ["out.txt"]
    with atomic_write(p) as fh:
        fh.write("new")
    assert p.read_text(encoding="utf-8") == "new"


def test_atomic_write_respects_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "o.txt") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "o.txt").stat().st_mode & 0o777 == 0o644
