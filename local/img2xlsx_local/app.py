"""The local server (Starlette): the SPA at ``/``, the Lambda API handler at ``/api/*`` (requests become
payload-v2 events), the bucket's POST upload and presigned GET at ``/_local/*``, and the worker pool."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from img2xlsx.jobs.settings import Settings
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from . import events
from .handlers import Handler
from .objects import OBJECTS_PATH, UPLOAD_PATH, LocalObjectStore, S3Error
from .workers import WorkerPool

log = logging.getLogger("img2xlsx.local")

DEFAULT_SETTINGS = Settings()
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def max_upload_request(max_upload_bytes: int) -> int:
    """Largest upload request the server will even parse; the signed policy sets the real, per-job limit."""
    return max(64 * 1024 * 1024, max_upload_bytes + 1024 * 1024)


# Largest API request body (a job request is ~100 bytes, a 10 000-cell table edit under 1 MB; API Gateway
# itself stops at 10 MB with a 413, the handler at 1 MB).
MAX_API_BODY = 1024 * 1024
NO_STORE = {"cache-control": "no-store"}
# A request body must keep coming: no byte for BODY_IDLE_SECONDS (S3 drops an idle upload after about 20 s
# with RequestTimeout) or the whole body taking longer than its bound ends the request with 408 (slowloris).
BODY_IDLE_SECONDS = 20.0
API_BODY_SECONDS = 15.0  # an API body is at most 1 MB
UPLOAD_BODY_SECONDS = 600.0  # 20 MB at 35 KB/s; the signed form's expiry is checked when the upload starts


def create_app(
    *,
    objects: LocalObjectStore,
    pool: WorkerPool,
    api_handler: Handler,
    dist_dir: Path | None,
    on_startup: Any = None,
    max_upload_bytes: int = DEFAULT_SETTINGS.max_upload_bytes,
    on_uploaded: Callable[[str], Any] | None = None,
) -> Starlette:
    """``max_upload_bytes``: the service's upload limit (``Settings.max_upload_bytes``). ``on_uploaded(key)``
    runs once an upload is stored, before its event is queued (the server marks the job ``queued`` there, as
    the converter does within a second of S3's event in AWS, so a backlog of conversions does not count as
    jobs still awaiting their upload)."""
    request_limit = max_upload_request(max_upload_bytes)
    # A Lambda execution environment handles one event at a time, and the handler relies on it: Powertools'
    # resolver keeps the current event on a module-level object. Requests run in a thread pool here, so they
    # enter the handler one at a time (each call takes milliseconds).
    api_lock = threading.Lock()

    def _invoke_api(event: dict[str, Any]) -> Any:
        with api_lock:
            return api_handler(event, events.LambdaContext("img2xlsx-api-local", 30))

    async def api(request: Request) -> Response:
        try:
            body = await _read_capped(request, MAX_API_BODY)
        except ClientDisconnect:
            # The client went away mid-body (or stalled and was cut off): nobody is left to answer.
            log.info(
                "%s %s: the client disconnected before sending the whole body",
                request.method,
                request.url.path,
            )
            return Response(status_code=400)
        if body is None:
            return JSONResponse({"message": "Request Entity Too Large"}, status_code=413, headers=NO_STORE)
        event = events.http_api_event(
            method=request.method,
            path=request.url.path,
            query_string=request.url.query,
            # CloudFront sets this header itself in AWS; here nobody in front overwrites a forged one.
            headers=[(k, v) for k, v in request.headers.items() if k.lower() != "cloudfront-viewer-address"],
            body=body,
            source_ip=request.client.host if request.client else "127.0.0.1",
        )
        result = await run_in_threadpool(_invoke_api, event)
        reply = events.http_api_reply(result)
        response = Response(reply.body, status_code=reply.status)
        for name, value in reply.headers:
            if name.lower() != "content-length":
                response.headers.append(name, value)
        return response

    async def upload(request: Request) -> Response:
        try:
            declared = int(request.headers.get("content-length", "0"))
        except ValueError:
            declared = 0
        if declared > request_limit:
            return _s3_error(
                S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            )
        try:
            form = await request.form(max_files=1, max_fields=50)
        except Exception as exc:  # python-multipart / starlette raise several types for a broken body
            return _s3_error(
                S3Error(
                    400,
                    "MalformedPOSTRequest",
                    f"The body of your POST request is not well-formed multipart/form-data: {exc}",
                )
            )
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise S3Error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
            fields = fields_before_file(form.multi_items())
            size = file.size if file.size is not None else _measure(file)
            key = await run_in_threadpool(objects.accept_post, fields, file.file, size)
        except S3Error as err:
            return _s3_error(err)
        finally:
            await form.close()
        if on_uploaded is not None:
            await run_in_threadpool(on_uploaded, key)
        source_ip = request.client.host if request.client else "127.0.0.1"
        await run_in_threadpool(
            pool.submit, events.s3_object_created_event(objects.bucket, key, size, source_ip)
        )
        return Response(status_code=204)  # S3's default success_action_status

    async def download(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            obj = objects.open_download(key, request.query_params)
        except S3Error as err:
            return _s3_error(err)
        except ValueError:
            return _s3_error(S3Error(400, "InvalidArgument", "Invalid object key."))
        disposition = "attachment" if obj.filename else "inline"
        return FileResponse(
            obj.path,
            media_type=obj.content_type,
            filename=obj.filename,
            content_disposition_type=disposition,
            headers={"cache-control": "private, max-age=300"},
        )

    async def config(_: Request) -> Response:
        """The SPA's runtime configuration: a same-origin API here (the AWS deploy writes its own)."""
        return JSONResponse(
            {"apiBase": "/api", "environment": "local"}, headers={"cache-control": "no-store"}
        )

    async def not_built(_: Request) -> Response:
        return HTMLResponse(
            "<!doctype html><title>img2xlsx</title><h1>The web app is not built</h1>"
            "<p>Run <code>make frontend</code> (or <code>make run</code>) and reload.</p>",
            status_code=503,
        )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            await run_in_threadpool(on_startup)
        replayed = await run_in_threadpool(pool.start)
        if replayed:
            log.info("resumed %d queued conversion(s) from the last run", replayed)
        try:
            yield
        finally:
            await run_in_threadpool(pool.stop)

    routes: list[Any] = [
        Route("/api", api, methods=_METHODS),
        Route("/api/{rest:path}", api, methods=_METHODS),
        Route(UPLOAD_PATH, upload, methods=["POST"]),
        Route(OBJECTS_PATH + "{key:path}", download, methods=["GET", "HEAD"]),
        Route("/config.json", config, methods=["GET"]),
    ]
    if dist_dir is not None and (dist_dir / "index.html").is_file():
        routes.append(Mount("/", app=SiteFiles(directory=dist_dir, html=True), name="spa"))
    else:
        routes.append(Route("/{rest:path}", not_built, methods=["GET"]))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyTimeout)
    return app


def fields_before_file(items: list[tuple[str, Any]]) -> dict[str, str]:
    """The form's text fields, read as S3 reads a POST: the file must be the last part and fields after it
    are ignored, so a form that sends the file first lacks its key and signature (a 400, as from S3)."""
    fields: dict[str, str] = {}
    for name, value in items:
        if not isinstance(value, str):
            break
        fields[name] = value
    return fields


class SiteFiles(StaticFiles):
    """The built SPA, without source maps: they reveal the sources, and production never serves them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path.endswith(".map"):
            return Response("Not Found", status_code=404, media_type="text/plain")
        return await super().get_response(path, scope)


class BodyTimeout:
    """Pure ASGI middleware cutting off a request whose body stalls (slowloris): each body chunk must come
    within ``BODY_IDLE_SECONDS`` and the whole body within its route's bound. On a stall the client gets
    408 with ``Connection: close`` and the app sees a disconnect (which every route handles quietly)."""

    def __init__(self, app: Any, idle: float | None = None) -> None:
        self.app = app
        self.idle = idle

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        idle = BODY_IDLE_SECONDS if self.idle is None else self.idle
        total = API_BODY_SECONDS if scope["path"].startswith("/api") else UPLOAD_BODY_SECONDS
        deadline = loop.time() + total
        state = {"body_done": False, "cut": False, "started": False}

        async def timed_receive() -> Any:
            if state["body_done"] or state["cut"]:
                return await receive() if not state["cut"] else {"type": "http.disconnect"}
            try:
                async with asyncio.timeout(max(0.0, min(idle, deadline - loop.time()))):
                    message = await receive()
            except TimeoutError:
                state["cut"] = True
                log.info("%s %s: the request body stalled; cut off", scope["method"], scope["path"])
                if not state["started"]:
                    state["started"] = True
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 408,
                            "headers": [(b"content-type", b"text/plain"), (b"connection", b"close")],
                        }
                    )
                    await send({"type": "http.response.body", "body": b"Request Timeout: the body stalled"})
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["body_done"] = True
            return message

        async def guarded_send(message: Any) -> None:
            if state["cut"]:
                return  # the 408 went out instead
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, timed_receive, guarded_send)


# What CloudFront adds in AWS (template.yaml), minus the buckets' origins: everything is same-origin here.
# Serving the SPA under the same policy locally lets the browser tests catch a violation before a deploy.
_SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'; connect-src 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering) adding the site's security headers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.encode(), v.encode())
                    for k, v in _SECURITY_HEADERS.items()
                    if k.encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes (reading no further: memory stays bounded)."""
    try:
        if int(request.headers.get("content-length") or 0) > limit:
            return None
    except ValueError:
        pass
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _s3_error(err: S3Error) -> Response:
    return Response(err.to_xml(), status_code=err.status, media_type="application/xml")


def _measure(file: UploadFile) -> int:
    file.file.seek(0, 2)
    size = file.file.tell()
    file.file.seek(0)
    return size
