"""The local web observatory: ``hkfactor serve``.

A FastAPI application with server-rendered pages (Jinja2) and a JSON API over the public
API of :mod:`hkfactor` — the paper's evidence and its audit, the innovation chain, the sourced
panel, the evaluation and a workbench for one's own data. It runs on this computer
(``127.0.0.1`` by default) and needs no network: every script, style and chart library is
packaged with hkfactor. The core never imports this package; it needs the ``web`` extra
(``pip install "hkfactor[web]"``).

Examples
--------
>>> from fastapi.testclient import TestClient
>>> from hkfactor.web import create_app
>>> with TestClient(create_app(lang="en")) as client:                       # doctest: +SKIP
...     client.get("/api/chain/path", params={"a": "HKUST", "b": "DJI"}).json()["nodes"][1]["label"]
'Blue Bay Incubator'
"""

from __future__ import annotations

from hkfactor.web._app import create_app

__all__ = ["create_app", "serve"]


def serve(*, host: str = "127.0.0.1", port: int = 8000, lang: str = "zh") -> None:
    """Run the observatory with Uvicorn until interrupted (blocking).

    Parameters
    ----------
    host : str
        Address to listen on; the default ``127.0.0.1`` is reachable from this computer only.
    port : int
        TCP port.
    lang : {"zh", "en"}
        Language of pages opened without ``?lang=``.
    """
    import uvicorn

    uvicorn.run(create_app(lang=lang), host=host, port=port, log_level="warning", server_header=False,
                date_header=False)
