"""One error format for the whole API: application/problem+json (RFC 9457)."""

import logging
import re
from http import HTTPStatus

from flask import Flask, Response, current_app, json, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_MIME = "application/problem+json"
# Problem types are stable names (RFC 9457 allows any URI): "urn:jxc:problem:<slug>".
PROBLEM_BASE = "urn:jxc:problem:"


class Problem(Exception):
    """A refusal the client can understand: its status, a stable type and a detail."""

    status = 400
    type = "bad-request"
    title = None

    def __init__(
        self,
        detail: str,
        *,
        errors: dict | None = None,
        status: int | None = None,
        type: str | None = None,
        title: str | None = None,
        headers: dict | None = None,
        **extra,
    ):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.status = status or self.status
        self.type = type or self.type
        self.title = title or self.title or HTTPStatus(self.status).phrase
        self.headers = headers or {}
        self.extra = extra


class ValidationProblem(Problem):
    status = 422
    type = "validation-error"

    def __init__(self, errors: dict, detail: str = "The request has invalid fields.", **kw):
        super().__init__(detail, errors=errors, **kw)


class NotFound(Problem):
    status = 404
    type = "not-found"


class Conflict(Problem):
    status = 409
    type = "conflict"


class StaleVersion(Conflict):
    type = "stale-version"

    def __init__(self, detail: str = "Someone else changed this record; reload and try again."):
        super().__init__(detail, errors={"version": ["stale"]})


class Unauthorized(Problem):
    status = 401
    type = "unauthorized"


class Forbidden(Problem):
    status = 403
    type = "forbidden"


def problem_response(
    status: int,
    detail: str,
    *,
    type: str | None = None,
    title: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
) -> Response:
    phrase = HTTPStatus(status).phrase
    body = {
        "type": PROBLEM_BASE + (type or phrase.lower().replace(" ", "-")),
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _webargs_errors(messages) -> dict:
    """webargs nests messages by location ({"json": {field: [..]}}); flatten them."""
    errors: dict = {}
    if not isinstance(messages, dict):
        return {"_request": _as_list(messages)}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for field, reasons in fields.items():
                errors.setdefault(field, []).extend(_flatten_reasons(reasons))
        else:
            errors.setdefault(f"_{location}", []).extend(_as_list(fields))
    return errors


def _flatten_reasons(reasons) -> list:
    if isinstance(reasons, dict):  # a nested schema or a list index
        out = []
        for key, value in reasons.items():
            out.extend(f"{key}: {reason}" for reason in _flatten_reasons(value))
        return out
    return _as_list(reasons)


def _as_list(value) -> list:
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def http_exception_to_problem(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _webargs_errors(data["messages"]) if "messages" in data else None
    if status == 422 and errors:
        detail = "The request has invalid fields."
        type_ = "validation-error"
    elif errors:
        detail = "; ".join(reason for reasons in errors.values() for reason in reasons)
        type_ = None
    else:
        detail = data.get("message") or error.description or HTTPStatus(status).phrase
        type_ = None
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    retry_after = None
    if status == 429:
        type_ = "rate-limited"
        detail = "Too many requests; try again later."
        limit_response = getattr(error, "response", None)
        if limit_response is not None:
            retry_after = limit_response.headers.get("Retry-After")
    if retry_after:
        headers["Retry-After"] = retry_after
    return problem_response(status, detail, type=type_, errors=errors, headers=headers)


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")
_PG_KEY = re.compile(r"Key \(([^)]+)\)=\(([^)]*)\) already exists")


def integrity_error_to_problem(error: IntegrityError) -> Response:
    """Say which field clashed, in words, for SQLite and PostgreSQL alike."""
    message = str(error.orig)
    fields: list[str] = []
    if match := _SQLITE_UNIQUE.search(message):
        fields = [part.strip().split(".")[-1] for part in match.group(1).split(",")]
    elif match := _PG_KEY.search(message):
        fields = [f.strip().strip('"') for f in match.group(1).split(",")]
        fields = [re.sub(r"^lower\((\w+)\)$", r"\1", f) for f in fields]
    if fields:
        names = ", ".join(fields)
        detail = f"A record with this {names} already exists."
        errors = {field: ["already exists"] for field in fields}
        return problem_response(409, detail, type="duplicate", errors=errors)
    if "FOREIGN KEY" in message.upper():
        detail = "This refers to a record that does not exist or is still in use."
        return problem_response(409, detail, type="integrity-error")
    return problem_response(409, "The change conflicts with existing data.", type="integrity-error")


def _rollback() -> None:
    """A refused request leaves nothing half-done behind."""
    current_app.extensions["sqlalchemy"].session.rollback()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(error: Problem):
        _rollback()
        return problem_response(
            error.status,
            error.detail,
            type=error.type,
            title=error.title,
            errors=error.errors,
            headers=error.headers,
            extra=error.extra,
        )

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        _rollback()
        if not is_api_request():
            raise error
        return integrity_error_to_problem(error)

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError):
        _rollback()
        return _problem(StaleVersion())

    @app.errorhandler(Exception)
    def _unhandled(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        _rollback()
        if not is_api_request():
            return Response("Internal Server Error", status=500, mimetype="text/plain")
        return problem_response(
            500, "Something went wrong on our side; it has been logged.", type="server-error"
        )
