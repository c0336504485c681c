"""flask-smorest, set up to speak problem+json and to document it."""

from flask import request
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException

from app.core.errors import http_exception_to_problem, is_api_request
from app.core.schemas import ProblemSchema

# Responses every protected endpoint may give, documented once per endpoint.
PROTECTED_RESPONSES = (401, 403)
WRITE_RESPONSES = (409, 422)


class JxcApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

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
                func = self.alt_response(status, response=_response_name(status))(func)
            return func

        return decorator


def _response_name(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).name
