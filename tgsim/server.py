"""The HTTP face of the simulator: Bot API routes and file downloads over aiohttp."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tgsim.errors import ApiError
from tgsim.params import Params, Upload

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

log = logging.getLogger(__name__)

Handler = Callable[["Simulator", Params], Awaitable[Any]]


async def read_params(request: web.Request) -> Params:
    """Parse query string plus a JSON, form-urlencoded or multipart body."""
    data: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    raise ApiError(400, "Bad Request: can't parse JSON") from None
                if isinstance(body, dict):
                    data.update(body)
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename or key, value.file.read(), value.content_type)
                else:
                    data[key] = value
    return Params(data, files)


def json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    """Answer with JSON like the Bot API (non-ASCII kept as is)."""
    return web.Response(text=json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json")


def build_app(sim: Simulator, methods: dict[str, Handler]) -> web.Application:
    """Create the aiohttp application serving the Bot API and file downloads."""

    async def api(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        if token != sim.token:
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        handler = methods.get(method.lower())
        if handler is None:
            # api.telegram.org's answer; tests fail on any method the simulator lacks.
            sim.unknown_methods.append(method)
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        try:
            params = await read_params(request)
        except ApiError as exc:
            return json_response(exc.to_dict(), exc.code)
        sim.requests.append({"method": method, "params": params.loggable()})
        try:
            sim.injected_failure(method)
            result = await handler(sim, params)
        except ApiError as exc:
            transport = request.transport
            if transport is not None and not transport.is_closing():
                # An abandoned long poll (client gone) is nobody's error.
                sim.record_error(method, exc, params)
            return json_response(exc.to_dict(), exc.code)
        except Exception:
            log.exception("simulator failed in %s", method)
            exc = ApiError(500, "Internal Server Error: simulator bug")
            sim.record_error(method, exc, params)
            return json_response(exc.to_dict(), 500)
        finally:
            sim.notify()
        return json_response({"ok": True, "result": result})

    async def download(request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != sim.token:
            return json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        record = sim.world.files_by_path.get(request.match_info["path"])
        if record is None:
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream")

    app = web.Application(client_max_size=60 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", api)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    return app
