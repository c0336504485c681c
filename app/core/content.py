"""Request bodies: JSON unless a view declares otherwise with @accepts(...)."""

from flask import current_app, request

from app.core.errors import Problem, ValidationProblem, is_api_request

_DEFAULT = ("application/json",)


def accepts(*media_types: str):
    """Let a view take other body types, e.g. @accepts("multipart/form-data")."""

    def decorator(func):
        func._jxc_accepts = media_types
        return func

    return decorator


def reject_unsupported_body() -> None:
    """before_request: a body of a type the endpoint does not take is a 415."""
    if not is_api_request() or request.endpoint is None:
        return
    if not request.content_length and "Transfer-Encoding" not in request.headers:
        return  # no body
    view = current_app.view_functions.get(request.endpoint)
    accepted = getattr(view, "_jxc_accepts", _DEFAULT)
    if request.mimetype not in accepted:
        raise Problem(
            f"Send the body as {' or '.join(accepted)}, not {request.mimetype or 'untyped data'}.",
            status=415,
            type="unsupported-media-type",
        )


def uploaded_bytes(field: str) -> bytes:
    """A file sent as multipart field `field`, or as the whole request body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get(field)
        if upload is None:
            raise ValidationProblem({field: [f"send the file in the field '{field}'"]})
        return upload.read()
    return request.get_data()
