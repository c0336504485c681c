"""flask-smorest, set up to speak problem+json and to document the house conventions."""

import http

from apispec import BasePlugin
from flask import request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from app.core.errors import PROBLEM_MIME, http_exception_to_problem, is_api_request
from app.core.schemas import ProblemSchema

WRITE_METHODS = ("post", "put", "patch", "delete")


class ConventionsPlugin(BasePlugin):
    """Document on every write the headers the API honours there."""

    def init_spec(self, spec):
        spec.components.parameter(
            "IdempotencyKey",
            "header",
            {
                "name": "Idempotency-Key",
                "schema": {"type": "string", "maxLength": 200},
                "description": "Send the same key again to get the first response back "
                "(header Idempotent-Replayed: true) without running the request twice.",
            },
        )
        spec.components.parameter(
            "CsrfToken",
            "header",
            {
                "name": "X-CSRF-Token",
                "schema": {"type": "string"},
                "description": "Required with the session cookie (from login or /auth/me); "
                "not with a bearer token.",
            },
        )

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method in WRITE_METHODS:
                parameters = operation.setdefault("parameters", [])
                parameters.append("IdempotencyKey")
                parameters.append("CsrfToken")


class JxcApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("spec_kwargs", {"extra_plugins": [ConventionsPlugin()]})
        super().__init__(*args, **kwargs)

    def _register_responses(self):
        """Error responses are documented as application/problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_MIME
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIME)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        if is_api_request():
            return http_exception_to_problem(error)
        if error.code == 404 and request.method in ("GET", "HEAD"):
            from app.core.pwa import serve_pwa

            return serve_pwa(request.path)
        return error


class ApiBlueprint(Blueprint):
    """A blueprint whose error responses are documented as problem+json."""

    def documents_errors(self, *statuses: int):
        def decorator(func):
            for status in statuses:
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorator
