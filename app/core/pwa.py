"""Serve the built PWA at / with history fallback, and Swagger UI's assets."""

from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory
from swagger_ui_bundle import swagger_ui_path

# Paths the SPA fallback must never answer: the API and the socket endpoint.
_NOT_PWA = ("/api", "/socket.io")


def _dist() -> Path:
    return Path(current_app.config["PWA_DIST"])


def serve_pwa(path: str) -> Response:
    """A real file from the build, else index.html so the client router takes over."""
    if path.startswith(_NOT_PWA):
        return Response("Not Found", status=404, mimetype="text/plain")
    dist = _dist()
    relative = path.lstrip("/")
    candidate = (dist / relative).resolve()
    if relative and candidate.is_file() and dist.resolve() in candidate.parents:
        response = send_from_directory(dist, relative)
        if relative.startswith("assets/"):  # content-hashed names never change
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        else:  # index.html, sw.js, the manifest: always revalidate
            response.cache_control.no_cache = True
        return response
    if not (dist / "index.html").is_file():
        return Response(
            "The PWA is not built: run `npm --prefix pwa ci && npm --prefix pwa run build`.",
            status=503,
            mimetype="text/plain",
        )
    response = send_from_directory(dist, "index.html")
    response.cache_control.no_cache = True
    return response


def register_pwa(app: Flask) -> None:
    @app.route("/")
    def pwa_index():
        return serve_pwa("/")

    @app.route("/static/swagger-ui/<path:filename>")
    def swagger_ui_asset(filename):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)
