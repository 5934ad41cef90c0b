"""``hkfactor serve``: the local web observatory (a thin launcher over :mod:`hkfactor.web`)."""

from __future__ import annotations

import socket
import sys
from typing import Annotated

import typer

from hkfactor.cli._common import Lang, LangOpt, app, console, err_console
from hkfactor.errors import InputError, Problem

__all__ = ["serve_command"]

_LOCAL = {"127.0.0.1", "localhost", "::1"}


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default: this computer only) / 监听地址")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port / 端口")] = 8000,
    lang: LangOpt = Lang.zh,
) -> None:
    """Open the local web observatory: evidence, chain, data, evaluation, workbench.

    启动本地网页观测台：证据、创新链、数据、评价与工作台（浏览器访问，无需联网）。
    """
    try:
        from hkfactor.web import serve
    except ImportError as exc:
        raise InputError([Problem("hkfactor serve", None, None,
                                  f"the web extra is not installed ({exc.name}); run: pip install \"hkfactor[web]\"")],
                         title="missing dependency") from None
    zh = lang == Lang.zh
    if host not in _LOCAL:
        err_console.print("注意：--host 不是本机地址，同一网络中的其他计算机也能访问。" if zh else
                          "note: --host is not a loopback address; other computers on the network can reach the server.")
    shown = f"[{host}]" if ":" in host else host
    console.print(("观测台：" if zh else "Observatory: ") + f"http://{shown}:{port}/"
                  + ("（按 Ctrl+C 停止）" if zh else " (Ctrl+C to stop)"), highlight=False)
    _check_free(host, port)
    try:
        serve(host=host, port=port, lang=lang.value)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        raise typer.Exit() from None


def _check_free(host: str, port: int) -> None:
    """Fail with a clear message (not a Uvicorn log line) when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError([Problem("hkfactor serve", None, "--host", f"unknown host {host!r}: {exc.strerror}")],
                         title="cannot start the server") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        if hasattr(socket, "SO_REUSEADDR") and sys.platform != "win32":
            # as Uvicorn does: a port left in TIME_WAIT by closed connections is free to listen on
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise InputError([Problem("hkfactor serve", None, "--port",
                                      f"cannot listen on {host}:{port}: {exc.strerror} (try another --port)")],
                             title="cannot start the server") from None
