"""The FastAPI application: pages and JSON API over one service layer.

Every page ``/X`` has a JSON twin under ``/api/…`` calling the same service function
(:mod:`hkfactor.web._service`); the page renders the returned data with a Jinja2 template, the
API returns it. Safe by default: GET only on the built-in data (read-only), every parameter
bounded and validated with a 4xx message in the request's language, HTML autoescaped, no
traceback ever sent, a strict Content-Security-Policy (no inline script, nothing from another
origin), uploads size-capped and kept in temporary folders.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Body, FastAPI, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hkfactor import __version__
from hkfactor.web import _evaluation, _models, _project
from hkfactor.web import _service as svc
from hkfactor.web._errors import ParamError, WebError
from hkfactor.web._i18n import LANGS, tr
from hkfactor.web._models import Aggregation, Normalisation, Weighting
from hkfactor.web._state import Store
from hkfactor.web._workbench import MAX_UPLOAD_BYTES, TOKEN_PATTERN, Workbench

__all__ = ["Lang", "create_app"]

log = logging.getLogger("hkfactor.web")
HERE = Path(__file__).resolve().parent


class Lang(enum.StrEnum):
    """Language of a page or an API answer."""

    zh = "zh"
    en = "en"


class Download(enum.StrEnum):
    panel = "panel"
    observations = "observations"
    coverage = "coverage"
    datapackage = "datapackage"


class DownloadFormat(enum.StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    zip = "zip"


class WorkbenchFile(enum.StrEnum):
    """The downloads of an evaluated upload."""

    xlsx = "evaluation.xlsx"
    html = "report.html"
    recipe = "recipe.json"
    framework = "framework.yaml"
    zip = "project.zip"


class Grouping(enum.StrEnum):
    side = "side"
    stage = "stage"
    channel = "channel"
    type = "type"


LangQ = Annotated[Lang | None, Query(description="zh or en (default: the server's language)")]

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'")
_SECURITY_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class _SecurityHeaders:
    """Adds the security headers to every response (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURITY_HEADERS if k not in names]
                if static and message["status"] == 200:  # assets are versioned (?v=…) and never change
                    extra.append((b"cache-control", b"public, max-age=86400"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _ResponseCache:
    """Keeps finished GET responses of the read-only pages, API and assets (bounded LRU, by path + query).

    The built-in data never changes while the server runs, so a page or an answer for one URL
    is the same every time; the workbench (per-user uploads) is never cached. Only 200 answers
    of at most ``max_bytes`` are kept.
    """

    def __init__(self, app: ASGIApp, *, max_entries: int = 512, max_bytes: int = 4 * 1024 * 1024,
                 skip: tuple[str, ...] = ("/workbench", "/api/workbench")) -> None:
        self.app = app
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.skip = skip
        self._cache: OrderedDict[tuple[str, bytes], tuple[Message, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        if hit is not None:
            await send(hit[0])
            await send({"type": "http.response.body", "body": hit[1], "more_body": False})
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def record(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                keep = size <= self.max_bytes
            await send(message)

        await self.app(scope, receive, record)
        if keep and start is not None:
            with self._lock:
                self._cache[key] = (start, b"".join(chunks))
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)


# ---------------------------------------------------------------------- rendering helpers


def _request_lang(request: Request, default: str) -> str:
    q = request.query_params.get("lang")
    return q if q in LANGS else default


def _url(path: str, lang: str, **params: Any) -> str:
    """``path?params&lang=`` with empty parameters left out."""
    items = [(k, v) for k, v in params.items() if v not in (None, "", False)]
    items.append(("lang", lang))
    return f"{path}?{urlencode(items, doseq=True)}"


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _make_env() -> Environment:
    env = Environment(loader=PackageLoader("hkfactor.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    return env


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _message_of(err: Any, lang: str) -> str:
    return _validation_message(err, lang)


def _validation_message(err: dict[str, Any], lang: str) -> str:
    loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
    name = loc[-1] if loc else "?"
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        key, params = "error.required", {}
    elif kind == "string_too_long":
        key, params = "error.too_long", {"max": ctx.get("max_length")}
    elif kind in ("greater_than_equal", "greater_than"):
        key, params = "error.ge", {"lo": ctx.get("ge", ctx.get("gt"))}
    elif kind in ("less_than_equal", "less_than"):
        key, params = "error.le", {"hi": ctx.get("le", ctx.get("lt"))}
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        key, params = "error.integer", {}
    elif kind in ("bool_parsing", "bool_type"):
        key, params = "error.boolean", {}
    elif kind == "enum":
        key, params = "error.choice", {"value": str(err.get("input", ""))[:40],
                                       "valid": str(ctx.get("expected", "")).replace("'", "")}
    elif kind == "string_pattern_mismatch":
        key, params = "error.type", {"expected": ctx.get("pattern", "")}
    else:
        key, params = "error.type", {"expected": str(err.get("msg", kind))[:80]}
    return tr("error.param", lang, name=name, problem=tr(key, lang, **params))


# ---------------------------------------------------------------------- the application


def create_app(*, lang: str = "zh", warm: bool = True, idle_seconds: float = 1800.0,
               store: Store | None = None) -> FastAPI:
    """Build the web application.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of a page asked for without ``?lang=``.
    warm : bool
        Load the built-in data (and the built-in evaluation, in the background) at start-up,
        so that the first visitor does not wait.
    idle_seconds : float
        An uploaded file is deleted after this long without a visit.
    store : Store, optional
        The data to show (default: the built-in data).

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> from hkfactor.web import create_app
    >>> with TestClient(create_app(lang="en")) as client:          # doctest: +SKIP
    ...     client.get("/api/evidence/claims", params={"channel": "trade"}).json()["total"]
    8
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    default_lang = lang
    store = store or Store()
    bench = Workbench(idle_seconds=idle_seconds)
    env = _make_env()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            await run_in_threadpool(store.warm)
            threading.Thread(target=_warm_evaluation, daemon=True, name="hkfactor-web-evaluation").start()
        try:
            yield
        finally:
            bench.close_all()

    app = FastAPI(
        title="hkfactor observatory API",
        version=__version__,
        description="The JSON twin of every page of `hkfactor serve`: the paper's evidence and audit, the "
                    "innovation chain, the sourced panel, the evaluation and the workbench. "
                    "Every endpoint takes `lang=zh|en`.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        swagger_ui_parameters={"syntaxHighlight": False},
    )
    app.add_middleware(_SecurityHeaders)
    app.add_middleware(_ResponseCache)  # outermost: a cached response already carries the security headers
    app.state.store = store
    app.state.workbench = bench
    app.mount("/static", StaticFiles(packages=[("hkfactor.web", "static")]), name="static")

    def L(lang_: Lang | None) -> str:
        return lang_.value if lang_ is not None else default_lang

    def page(request: Request, template: str, lang_: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
        other = "en" if lang_ == "zh" else "zh"
        params = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
        switch = f"{request.url.path}?{urlencode([*params.items(), ('lang', other)])}"

        def t(key: str, **kw: Any) -> str:
            return tr(key, lang_, **kw)

        def u(path: str, **kw: Any) -> str:
            return _url(path, lang_, **kw)

        html = env.get_template(template).render(
            lang=lang_, t=t, u=u, switch_url=switch, path=request.url.path, version=__version__, **ctx)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, key_or_msg: Callable[[str], str],
                       problems: list[Callable[[str], str]] | None = None) -> Response:
        lang_ = _request_lang(request, default_lang)
        if _is_api(request):
            body = {"status": status, "error": key_or_msg(lang_), "message_zh": key_or_msg("zh"),
                    "message_en": key_or_msg("en")}
            if problems:
                body["problems"] = [p(lang_) for p in problems]
            return JSONResponse(body, status_code=status)
        return page(request, "error.html", lang_, status=status, status_code=status, message=key_or_msg(lang_),
                    problems=[p(lang_) for p in problems or []])

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errs = list(exc.errors())

        def first(lang_: str) -> str:
            return tr("error.invalid", lang_)

        return error_response(request, 422, first,
                              [functools.partial(_message_of, e) for e in errs[:10]])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "error.not_found", 405: "error.method"}.get(exc.status_code)
        if key is None:
            return error_response(request, exc.status_code, lambda lg: str(exc.detail)[:200])
        return error_response(request, exc.status_code, lambda lg: tr(key, lg))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return error_response(request, 500, lambda lg: tr("error.internal", lg))

    # ------------------------------------------------------------------ pages
    api_doc: dict[str, Any] = {"include_in_schema": False, "response_class": HTMLResponse}

    @app.get("/", **api_doc)
    def home_page(request: Request, lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        return page(request, "home.html", lg, overview=svc.overview(store, lg))

    @app.get("/evidence", **api_doc)
    def evidence_page(
        request: Request,
        channel: Annotated[str, Query(max_length=40)] = "",
        year: Annotated[str, Query(max_length=4, pattern=r"^(\d{4})?$")] = "",
        geography: Annotated[str, Query(max_length=20)] = "",
        status: Annotated[str, Query(max_length=20)] = "",
        q: Annotated[str, Query(max_length=100)] = "",
        lang: LangQ = None,
    ) -> HTMLResponse:
        lg = L(lang)
        y = int(year) if year else None
        if y is not None and not 1900 <= y <= 2100:
            raise ParamError("year", "error.range", lo=1900, hi=2100)
        data = svc.claims(store, lg, channel=channel or None, year=y, geography=geography or None,
                          status=status or None, q=q or None, limit=500)
        return page(request, "evidence.html", lg, claims=data, options=svc.evidence_options(store, lg),
                    audit=svc.audit_summary(store, lg), timeline=svc.timeline(store, lg),
                    f={"channel": channel, "year": year, "geography": geography, "status": status, "q": q})

    @app.get("/evidence/claims/{claim_id}", **api_doc)
    def claim_page(request: Request, claim_id: Annotated[str, PathParam(max_length=20)],
                   lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        return page(request, "claim.html", lg, c=svc.claim_detail(store, lg, claim_id))

    @app.get("/chain", **api_doc)
    def chain_page(
        request: Request,
        channel: Annotated[str, Query(max_length=40)] = "",
        stage: Annotated[str, Query(max_length=20)] = "",
        side: Annotated[str, Query(max_length=20)] = "",
        year: Annotated[str, Query(max_length=4, pattern=r"^(\d{4})?$")] = "",
        a: Annotated[str, Query(max_length=60)] = "",
        b: Annotated[str, Query(max_length=60)] = "",
        via: Annotated[str, Query(max_length=200)] = "",
        by: Grouping = Grouping.side,
        lang: LangQ = None,
    ) -> HTMLResponse:
        lg = L(lang)
        y = int(year) if year else None
        if y is not None and not 1900 <= y <= 2100:
            raise ParamError("year", "error.range", lo=1900, hi=2100)
        graph = svc.chain_graph(store, lg, channel=channel or None, stage=stage or None, side=side or None, year=y)
        found = None
        path_error = None
        if a and b:
            try:
                found = svc.chain_path(store, lg, a=a, b=b, via=[v.strip() for v in via.split(",")])
            except WebError as exc:
                path_error = exc.message(lg)
        return page(request, "chain.html", lg, graph=graph, options=svc.chain_options(store, lg),
                    brokerage=svc.brokerage(store, lg, by=by.value, limit=15), found=found, path_error=path_error,
                    f={"channel": channel, "stage": stage, "side": side, "year": year, "a": a, "b": b, "via": via,
                       "by": by.value})

    @app.get("/chain/nodes/{node}", **api_doc)
    def node_page(request: Request, node: Annotated[str, PathParam(max_length=60)],
                  lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        return page(request, "node.html", lg, n=svc.chain_node(store, lg, node))

    @app.get("/data", **api_doc)
    def data_page(request: Request, lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        return page(request, "data.html", lg, series=svc.series_list(store, lg), coverage=svc.coverage(store, lg),
                    downloads=svc.DOWNLOADS)

    @app.get("/data/series/{code}", **api_doc)
    def series_page(request: Request, code: Annotated[str, PathParam(max_length=80)],
                    lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        return page(request, "series.html", lg, s=svc.series_detail(store, lg, code))

    @app.get("/evaluation", **api_doc)
    def evaluation_page(
        request: Request,
        normalisation: Normalisation = Normalisation.minmax,
        weighting: Weighting = Weighting.entropy,
        aggregation: Aggregation = Aggregation.arithmetic,
        min_year_coverage: Annotated[float, Query(ge=0.0, le=1.0)] = 0.5,
        lang: LangQ = None,
    ) -> HTMLResponse:
        lg = L(lang)
        cov = _coverage(min_year_coverage)
        ev = _evaluation.builtin_page(lg)
        if ev.get("ok"):
            ev["default_variant"] = ev["variant"]
            ev["variant"] = _evaluation.builtin_variant(lg, normalisation=normalisation.value, weighting=weighting.value,
                                                        aggregation=aggregation.value, min_year_coverage=cov)
        return page(request, "evaluation.html", lg, ev=ev, choices=_choices(),
                    f={"normalisation": normalisation.value, "weighting": weighting.value,
                       "aggregation": aggregation.value, "min_year_coverage": cov})

    @app.get("/workbench", **api_doc)
    def workbench_page(request: Request, lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        return page(request, "workbench.html", lg, session=None, v=None, limits=_limits(bench), choices=_choices())

    @app.post("/workbench", include_in_schema=False)
    async def workbench_upload_page(
        request: Request,
        file: Annotated[UploadFile, File()],
        framework: Annotated[UploadFile | None, File()] = None,
        recipe: Annotated[UploadFile | None, File()] = None,
        sheet: Annotated[str, Form(max_length=40)] = "",
        lang: LangQ = None,
    ) -> Response:
        lg = L(lang)
        s = await _upload(bench, file, framework, recipe, sheet)
        return RedirectResponse(_url(f"/workbench/{s.token}", lg), status_code=303)

    @app.get("/workbench/{token}", **api_doc)
    def workbench_result_page(request: Request, token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)],
                              lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        s = bench.get(token)
        return page(request, "workbench.html", lg, session=s, v=_project.view(s, lg), limits=_limits(bench),
                    choices=_choices())

    @app.post("/workbench/{token}/evaluate", include_in_schema=False)
    async def workbench_evaluate_page(
        request: Request,
        token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)],
        column: Annotated[list[str] | None, Form(max_length=_MAX_INDICATORS)] = None,
        direction: Annotated[list[str] | None, Form(max_length=_MAX_INDICATORS)] = None,
        name: Annotated[str, Form(max_length=80)] = "",
        normalisation: Annotated[Normalisation, Form()] = Normalisation.minmax,
        weighting: Annotated[Weighting, Form()] = Weighting.entropy,
        aggregation: Annotated[Aggregation, Form()] = Aggregation.topsis,
        lang: LangQ = None,
    ) -> Response:
        lg = L(lang)
        s = bench.get(token)
        methods = {"normalisation": normalisation.value, "weighting": weighting.value, "aggregation": aggregation.value}
        cols, dirs = column or [], direction or []
        if len(cols) != len(dirs):
            raise ParamError("direction", "error.type", expected="one per column")
        mapping = [(c, d) for c, d in zip(cols, dirs, strict=True)]
        await _evaluate(bench, s, mapping if cols else None, name, methods)
        return RedirectResponse(_url(f"/workbench/{s.token}", lg) + "#result", status_code=303)

    @app.post("/workbench/{token}/close", include_in_schema=False)
    def workbench_close_page(request: Request, token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)],
                             lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        bench.close(token)
        return page(request, "workbench.html", lg, session=None, v=None, closed=True, limits=_limits(bench),
                    choices=_choices())

    @app.get("/api", **api_doc)
    def api_page(request: Request, lang: LangQ = None) -> HTMLResponse:
        lg = L(lang)
        endpoints = [
            {"method": m.upper(), "path": p, "summary": (op.get("description") or op.get("summary", "")).split("\n")[0],
             "params": [x["name"] for x in op.get("parameters", [])]}
            for p, ops in app.openapi()["paths"].items() for m, op in ops.items()
        ]
        return page(request, "api.html", lg, endpoints=endpoints)

    # ------------------------------------------------------------------ JSON API
    @app.get("/api/overview", tags=["overview"])
    def api_overview(lang: LangQ = None) -> dict[str, Any]:
        """Counts of the built-in evidence and the audit by status."""
        return svc.overview(store, L(lang))

    @app.get("/api/evidence/options", tags=["evidence"], response_model=_models.OptionsOut)
    def api_evidence_options(lang: LangQ = None) -> dict[str, Any]:
        """Values the claim filters accept: channels, geographies, statuses, the year range."""
        return svc.evidence_options(store, L(lang))

    @app.get("/api/evidence/claims", tags=["evidence"], response_model=_models.ClaimsOut,
             responses={422: {"model": _models.ErrorOut}})
    def api_claims(
        channel: Annotated[str | None, Query(max_length=40, description="channel code, e.g. trade")] = None,
        year: Annotated[int | None, Query(ge=1900, le=2100, description="claims whose period covers it")] = None,
        geography: Annotated[str | None, Query(max_length=20, description="geography code, e.g. SZ")] = None,
        status: Annotated[str | None, Query(max_length=20, description="audit status")] = None,
        q: Annotated[str | None, Query(max_length=100, description="text in id, measure, value, locator")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 200,
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """The paper's quantitative claims with their audit status, filtered."""
        return svc.claims(store, L(lang), channel=channel, year=year, geography=geography, status=status, q=q,
                          limit=limit, offset=offset)

    @app.get("/api/evidence/claims/{claim_id}", tags=["evidence"], response_model=_models.ClaimDetailOut,
             responses={404: {"model": _models.ErrorOut}})
    def api_claim(claim_id: Annotated[str, PathParam(max_length=20)], lang: LangQ = None) -> dict[str, Any]:
        """One claim with its recomputations and corroborations."""
        return svc.claim_detail(store, L(lang), claim_id)

    @app.get("/api/evidence/audit", tags=["evidence"], response_model=_models.AuditOut)
    def api_audit(lang: LangQ = None) -> dict[str, Any]:
        """Claims by audit status, by channel, and every recomputation of the paper's arithmetic."""
        return svc.audit_summary(store, L(lang))

    @app.get("/api/evidence/timeline", tags=["evidence"], response_model=_models.TimelineOut,
             responses={422: {"model": _models.ErrorOut}})
    def api_timeline(
        channel: Annotated[str | None, Query(max_length=40)] = None,
        start: Annotated[int | None, Query(ge=1900, le=2100)] = None,
        end: Annotated[int | None, Query(ge=1900, le=2100)] = None,
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """The dated events of the chronology, oldest first."""
        return svc.timeline(store, L(lang), channel=channel, start=start, end=end)

    @app.get("/api/chain/options", tags=["chain"])
    def api_chain_options(lang: LangQ = None) -> dict[str, Any]:
        """Values the graph filters accept, groupings, and the year range."""
        return svc.chain_options(store, L(lang))

    @app.get("/api/chain/graph", tags=["chain"], response_model=_models.GraphOut,
             responses={422: {"model": _models.ErrorOut}})
    def api_graph(
        channel: Annotated[str | None, Query(max_length=40)] = None,
        stage: Annotated[str | None, Query(max_length=20)] = None,
        side: Annotated[str | None, Query(max_length=20)] = None,
        year: Annotated[int | None, Query(ge=1900, le=2100, description="as attested up to this year")] = None,
        undated: Annotated[bool, Query(description="keep undated actors when a year is given")] = True,
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """The innovation-chain graph, nodes positioned by stage (x) and side (y)."""
        return svc.chain_graph(store, L(lang), channel=channel, stage=stage, side=side, year=year, undated=undated)

    @app.get("/api/chain/nodes/{node}", tags=["chain"], response_model=_models.NodeOut,
             responses={404: {"model": _models.ErrorOut}, 422: {"model": _models.ErrorOut}})
    def api_node(node: Annotated[str, PathParam(max_length=60, description="id or name")],
                 lang: LangQ = None) -> dict[str, Any]:
        """One actor with its relations (and their sources) and the events naming it."""
        return svc.chain_node(store, L(lang), node)

    @app.get("/api/chain/path", tags=["chain"], response_model=_models.PathOut,
             responses={404: {"model": _models.ErrorOut}, 422: {"model": _models.ErrorOut}})
    def api_path(
        a: Annotated[str, Query(min_length=1, max_length=60, description="from: id or name")],
        b: Annotated[str, Query(min_length=1, max_length=60, description="to: id or name")],
        via: Annotated[list[str] | None, Query(max_length=svc.MAX_VIA)] = None,
        directed: bool = False,
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """Shortest path between two actors, every hop with its relation and sources."""
        for v in via or []:
            if len(v) > 60:
                raise ParamError("via", "error.too_long", max=60)
        return svc.chain_path(store, L(lang), a=a, b=b, via=via or [], directed=directed)

    @app.get("/api/chain/brokerage", tags=["chain"], response_model=_models.BrokerageOut)
    def api_brokerage(by: Grouping = Grouping.side, limit: Annotated[int, Query(ge=1, le=200)] = 20,
                      lang: LangQ = None) -> dict[str, Any]:
        """Degree, betweenness and Gould–Fernandez brokerage of the actors, most brokering first."""
        return svc.brokerage(store, L(lang), by=by.value, limit=limit)

    @app.get("/api/data/series", tags=["data"], response_model=_models.SeriesListOut)
    def api_series_list(lang: LangQ = None) -> dict[str, Any]:
        """Every panel series: span, years filled, count by grade, observations excluded."""
        return svc.series_list(store, L(lang))

    @app.get("/api/data/series/{code}", tags=["data"], response_model=_models.SeriesDetailOut,
             responses={404: {"model": _models.ErrorOut}})
    def api_series(code: Annotated[str, PathParam(max_length=80)], lang: LangQ = None) -> dict[str, Any]:
        """One series: resolved values with the reason each won, every observation, breaks."""
        return svc.series_detail(store, L(lang), code)

    @app.get("/api/data/coverage", tags=["data"], response_model=_models.CoverageOut)
    def api_coverage(lang: LangQ = None) -> dict[str, Any]:
        """Series × years grid of the winning observation's grade."""
        return svc.coverage(store, L(lang))

    @app.get("/api/data/download/{name}.{fmt}", tags=["data"],
             responses={200: {"content": {"text/csv": {}, "application/zip": {}}},
                        404: {"model": _models.ErrorOut}})
    def api_download(name: Download, fmt: DownloadFormat) -> Response:
        """The panel, the observations or the coverage table as CSV (UTF-8 with BOM) or Excel; the data package as ZIP."""
        if fmt.value not in svc.DOWNLOADS[name.value]:
            raise WebError(404, "error.not_found")
        body = store.download(name.value, fmt.value)
        media = {"csv": "text/csv; charset=utf-8", "zip": "application/zip",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt.value]
        return Response(body, media_type=media, headers={
            "content-disposition": f'attachment; filename="hkfactor-{name.value}.{fmt.value}"'})

    @app.get("/api/evaluation", tags=["evaluation"], response_model=_models.EvaluationOut)
    def api_evaluation(lang: LangQ = None) -> dict[str, Any]:
        """The built-in evaluation: the identification headline, the robustness band of D, the placebo
        benchmarks, the designs, indicators, decisions, and the default methods' results (``ok: false``
        with a reason when it cannot run)."""
        return _evaluation.builtin_page(L(lang))

    @app.get("/api/evaluation/variant", tags=["evaluation"], response_model=_models.VariantOut,
             responses={422: {"model": _models.ErrorOut}})
    def api_evaluation_variant(
        normalisation: Normalisation = Normalisation.minmax,
        weighting: Weighting = Weighting.entropy,
        aggregation: Aggregation = Aggregation.arithmetic,
        min_year_coverage: Annotated[float, Query(ge=0.0, le=1.0, description="one of 0.3 … 0.8")] = 0.5,
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """The built-in evaluation re-run with other methods (no robustness; cached per recipe): indices,
        coupling, trend similarity and ranks. ``ok: false`` with the problems when the recipe leaves too
        little data."""
        lg = L(lang)
        cov = _coverage(min_year_coverage)
        if not _evaluation.builtin_page(lg).get("ok"):
            raise WebError(503, "evaluation.not_ready")
        return _evaluation.builtin_variant(lg, normalisation=normalisation.value, weighting=weighting.value,
                                           aggregation=aggregation.value, min_year_coverage=cov)

    @app.post("/api/workbench", tags=["workbench"], response_model=_models.UploadOut, status_code=201,
              responses={413: {"model": _models.ErrorOut}, 415: {"model": _models.ErrorOut},
                         422: {"model": _models.ErrorOut}, 503: {"model": _models.ErrorOut}})
    async def api_upload(
        file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK) or .xlsx, at most 5 MB")],
        framework: Annotated[UploadFile | None, File(description="framework YAML (optional)")] = None,
        recipe: Annotated[UploadFile | None, File(description="recipe.json of a saved project (optional)")] = None,
        sheet: Annotated[str, Form(max_length=40)] = "",
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """Upload a data table (with a framework and a saved recipe, optionally): the detected layout, the
        problems found, the columns to map, and the evaluation when a framework is known."""
        lg = L(lang)
        s = await _upload(bench, file, framework, recipe, sheet)
        return _project.view(s, lg)

    @app.get("/api/workbench/{token}", tags=["workbench"], response_model=_models.UploadOut,
             responses={404: {"model": _models.ErrorOut}})
    def api_upload_result(token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)], lang: LangQ = None) -> dict[str, Any]:
        """The state of an earlier upload (while it is kept)."""
        return _project.view(bench.get(token), L(lang))

    @app.post("/api/workbench/{token}/evaluate", tags=["workbench"], response_model=_models.UploadOut,
              responses={404: {"model": _models.ErrorOut}, 422: {"model": _models.ErrorOut},
                         503: {"model": _models.ErrorOut}})
    async def api_upload_evaluate(
        token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)],
        body: Annotated[_models.EvaluateIn, Body()],
        lang: LangQ = None,
    ) -> dict[str, Any]:
        """Evaluate an upload: map columns to one subsystem (``indicators``; omit it to keep the framework
        in use) and choose the methods. Returns every table of the evaluation."""
        lg = L(lang)
        s = bench.get(token)
        mapping = [(i.column, i.direction.value) for i in body.indicators] if body.indicators is not None else None
        methods = {k: v.value for k, v in (("normalisation", body.normalisation), ("weighting", body.weighting),
                                           ("aggregation", body.aggregation)) if v is not None}
        await _evaluate(bench, s, mapping, body.name, methods)
        return _project.view(s, lg)

    @app.get("/api/workbench/{token}/download/{name}", tags=["workbench"],
             responses={200: {"content": {"application/zip": {}, "text/html": {}}},
                        404: {"model": _models.ErrorOut}})
    async def api_upload_download(token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)], name: WorkbenchFile,
                                  lang: LangQ = None) -> Response:
        """The evaluated upload's Excel workbook, HTML report (in ``lang``), replayable recipe.json, framework
        YAML, or all of them with the inputs as a ZIP (replay with ``hkfactor evaluate --recipe recipe.json``)."""
        s = bench.get(token)
        body, media, filename = await run_in_threadpool(_project.download, s, name.value, L(lang))
        return Response(body, media_type=media, headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})

    @app.delete("/api/workbench/{token}", tags=["workbench"], status_code=204)
    def api_upload_close(token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)]) -> Response:
        """Delete an upload and its temporary folder."""
        if not bench.close(token):
            raise WebError(404, "error.session")
        return Response(status_code=204)

    return app


def _limits(bench: Workbench) -> dict[str, int]:
    return {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "minutes": int(bench.idle_seconds // 60)}


_MAX_INDICATORS = 200


def _warm_evaluation() -> None:
    """Compute the built-in evaluation in the background (a failure is logged; the page then says why)."""
    try:
        _evaluation.builtin_page("en")
    except Exception:
        log.exception("the built-in evaluation failed while warming up")


def _choices() -> dict[str, Any]:
    return {"normalisation": [m.value for m in Normalisation], "weighting": [m.value for m in Weighting],
            "aggregation": [m.value for m in Aggregation], "coverage": list(_evaluation.COVERAGES)}


def _coverage(v: float) -> float:
    """``min_year_coverage`` must be one of the offered values (each is a cached evaluation)."""
    for c in _evaluation.COVERAGES:
        if abs(v - c) < 1e-9:
            return c
    raise ParamError("min_year_coverage", "error.choice", value=f"{v:g}",
                     valid=", ".join(f"{c:g}" for c in _evaluation.COVERAGES))


async def _read_capped(f: UploadFile) -> bytes:
    data = await f.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise WebError(413, "error.upload_size", mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    return data


async def _optional(f: UploadFile | None, suffixes: tuple[str, ...], key: str) -> tuple[bytes | None, str]:
    if f is None or not f.filename:
        return None, ""
    if Path(f.filename).suffix.lower() not in suffixes:
        raise WebError(415, key)
    return await _read_capped(f), f.filename


async def _upload(bench: Workbench, file: UploadFile, framework: UploadFile | None, recipe: UploadFile | None,
                  sheet: str) -> Any:
    """Store an upload and check it (in a worker thread, at most two at once)."""
    data = await _read_capped(file)
    fw_bytes, fw_name = await _optional(framework, (".yaml", ".yml"), "error.upload_framework")
    rc_bytes, rc_name = await _optional(recipe, (".json",), "error.upload_recipe")
    s = bench.create(file.filename or "", data, framework=fw_bytes, framework_name=fw_name, recipe=rc_bytes,
                     recipe_name=rc_name)
    s.sheet = (int(sheet) if sheet.strip().isdigit() else sheet.strip()) or None
    if not bench.slots.acquire(blocking=False):
        bench.close(s.token)
        raise WebError(503, "error.busy")
    try:
        await run_in_threadpool(_project.check, s)
    finally:
        bench.slots.release()
    return s


async def _evaluate(bench: Workbench, s: Any, mapping: list[tuple[str, str]] | None, name: str,
                    methods: dict[str, Any]) -> None:
    """Map columns (when given) and evaluate, in a worker thread (at most two at once)."""
    chosen: list[tuple[str, str, str]] = []
    if mapping is not None:
        units = {c["name"]: c.get("unit", "") for c in (s.inspection.candidates if s.inspection else [])}
        bad = [c for c, _d in mapping if c not in units]
        if bad:
            raise ParamError("column", "error.choice", value=bad[0][:40], valid=", ".join(list(units)[:20]))
        if any(d not in ("+", "-", "0") for _c, d in mapping):
            raise ParamError("direction", "error.choice", value="?", valid="+, -, 0")
        chosen = [(c, d, units[c]) for c, d in mapping if d != "0"]
        if not chosen:
            raise WebError(422, "workbench.none_chosen")
    elif s.framework is None:
        raise WebError(422, "workbench.none_chosen")
    if not bench.slots.acquire(blocking=False):
        raise WebError(503, "error.busy")
    try:
        await run_in_threadpool(_project.evaluate, s, chosen if mapping is not None else None, name, methods)
    finally:
        bench.slots.release()
