"""Benchmark: latency of the web observatory under 50 concurrent clients, on loopback only.

Run:  .venv/bin/python benchmarks/bench_web.py [requests_per_url] [concurrency]

Starts ``hkfactor serve`` (one Uvicorn worker) on 127.0.0.1 at a free port in a subprocess,
warms every URL once, then for each URL sends ``requests_per_url`` GET requests (default 500)
from ``concurrency`` clients (default 50) at once and prints p50 / p95 / max latency and
throughput. The load generator runs on the same machine (it shares the CPU with the server).
Uvicorn uses httptools and uvloop when installed (the ``web`` extra). Bounded in count and time;
the server is stopped at the end. Goal: p95 < 100 ms on 2 cores. Then re-evaluation requests that
miss every cache (each a recipe not asked for before), one client and four: goal p95 < 150 ms.
Not a test: numbers vary by machine.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

URLS = [
    "/", "/evidence", "/evidence?channel=trade&lang=en", "/chain", "/data", "/data/series/sz_pct_applications",
    "/evaluation", "/api/evidence/claims?status=conflicts", "/api/chain/graph?side=HK",
    "/api/chain/path?a=HKUST&b=DJI&via=%E6%B1%AA%E6%BB%94", "/api/data/coverage", "/api/evaluation?lang=en",
    "/static/vendor/cytoscape.min.js",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, url: str) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; returns the status (body read and dropped)."""
    writer.write(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _hammer(port: int, url: str, n: int, concurrency: int) -> tuple[list[float], float, int]:
    """``n`` GETs of ``url`` from ``concurrency`` keep-alive connections (a minimal client, so that the
    load generator costs little CPU next to the server)."""
    lat: list[float] = []
    errors = 0
    left = n

    async def worker() -> None:
        nonlocal errors, left
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while left > 0:
                left -= 1
                t0 = time.perf_counter()
                status = await _get(reader, writer, f"127.0.0.1:{port}", url)
                lat.append(time.perf_counter() - t0)
                errors += status != 200
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return lat, time.perf_counter() - t0, errors


def _variant_urls() -> list[str]:
    """Every distinct recipe the evaluation page offers, in a shuffled (seeded) order."""
    import itertools
    import random

    from hkfactor.web._evaluation import COVERAGES

    urls = [f"/api/evaluation/variant?normalisation={n}&weighting={w}&aggregation={a}&min_year_coverage={c:g}"
            for n, w, a, c in itertools.product(("minmax", "rank"), ("entropy", "critic", "equal", "manual"),
                                                ("arithmetic", "geometric", "topsis", "grey"), COVERAGES)]
    random.Random(0).shuffle(urls)
    return urls


def _reevaluations(port: int) -> None:
    """Re-evaluation requests that miss every cache: each asks for a recipe not asked for before
    (the built-in evaluation re-run with other methods, in process). Half one at a time, half from
    four clients at once."""
    urls = _variant_urls()
    half = len(urls) // 2
    lat: list[float] = []
    for url in urls[:half]:
        t0 = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=120).read()
        lat.append(time.perf_counter() - t0)
    rows = [("re-evaluation, uncached, 1 client", lat)]

    async def four() -> list[float]:
        out: list[float] = []
        todo = list(urls[half:])

        async def worker() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                while todo:
                    url = todo.pop()
                    t0 = time.perf_counter()
                    await _get(reader, writer, f"127.0.0.1:{port}", url)
                    out.append(time.perf_counter() - t0)
            finally:
                writer.close()

        await asyncio.gather(*(worker() for _ in range(4)))
        return out

    rows.append(("re-evaluation, uncached, 4 clients", asyncio.run(four())))
    for label, xs in rows:
        q = statistics.quantiles(xs, n=100)
        print(f"{label + f' ({len(xs)} recipes)':58s} {q[49] * 1e3:8.1f} {q[94] * 1e3:8.1f} {max(xs) * 1e3:8.1f}")


def main(n: int = 500, concurrency: int = 50) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "hkfactor", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        for url in URLS:  # warm: first computation of each answer (later ones come from the response cache)
            urllib.request.urlopen(base + url, timeout=120).read()
        print(f"hkfactor serve on {base}: {n} GET per URL, {concurrency} concurrent clients (same machine)")
        print(f"{'URL':58s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'req/s':>8s} {'errors':>6s}")
        all_lat: list[float] = []
        for url in URLS:
            lat, wall, errors = asyncio.run(_hammer(port, url, n, concurrency))
            all_lat += lat
            q = statistics.quantiles(lat, n=100)
            print(f"{url[:58]:58s} {q[49] * 1e3:8.1f} {q[94] * 1e3:8.1f} {max(lat) * 1e3:8.1f} {n / wall:8.0f} {errors:6d}")
        q = statistics.quantiles(all_lat, n=100)
        print(f"{'all':58s} {q[49] * 1e3:8.1f} {q[94] * 1e3:8.1f} {max(all_lat) * 1e3:8.1f}")
        _reevaluations(port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
