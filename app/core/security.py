"""Who is calling and what they may do: authentication gate, CSRF, permission checks."""

import hmac
import secrets
from functools import wraps

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from app.core.db import SAFE_METHODS
from app.core.errors import Forbidden, Unauthorized, is_api_request

CSRF_HEADER = "X-CSRF-Token"
_CSRF_SESSION_KEY = "csrf_token"


def public(func):
    """Mark an /api endpoint as open without login (login, health)."""
    func._jxc_public = True
    return func


def requires(permission: str | None):
    """Refuse the call unless the current user holds `permission` (None: any user)."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            ensure_permission(permission)
            return func(*args, **kwargs)

        wrapper._jxc_permission = permission
        return wrapper

    return decorator


def ensure_permission(permission: str | None) -> None:
    if not current_user.is_authenticated:
        raise Unauthorized("Log in or send an API token.")
    if permission and not current_user.can(permission):
        raise Forbidden(f"Your role does not allow this ({permission}).")


def caller_can(permission: str) -> bool:
    """Does the caller of this request hold `permission`? (False outside a request.)"""
    if not has_request_context():
        return False
    return bool(current_user and current_user.is_authenticated and current_user.can(permission))


def allowed_warehouse_ids(user=None) -> frozenset[int] | None:
    """The warehouses a user is limited to, or None when they may see all."""
    user = user or current_user
    if not user.is_authenticated or not user.is_warehouse_scoped:
        return None
    ids = frozenset(user.warehouse_ids)
    return ids or None


def csrf_token() -> str:
    token = session.get(_CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[_CSRF_SESSION_KEY] = token
    return token


def forget_csrf_token() -> None:
    session.pop(_CSRF_SESSION_KEY, None)


def _endpoint_is_public() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(view is not None and getattr(view, "_jxc_public", False))


def guard_api_request() -> None:
    """Before every /api request: login unless public, and CSRF for cookie writes."""
    if not is_api_request() or request.endpoint is None:
        return  # unknown path or method: routing answers 404/405
    if _endpoint_is_public():
        return
    if not current_user.is_authenticated:
        raise Unauthorized("Log in or send an API token.")
    # The role decides before the body is looked at: a refusal should not depend on it.
    view = current_app.view_functions[request.endpoint]
    ensure_permission(getattr(view, "_jxc_permission", None))
    if request.method in SAFE_METHODS or g.get("authenticated_by") == "token":
        return
    sent = request.headers.get(CSRF_HEADER, "")
    expected = session.get(_CSRF_SESSION_KEY, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(f"Missing or wrong {CSRF_HEADER} header.", type="csrf-failed")


class TokenAwareSessionInterface(SecureCookieSessionInterface):
    """No session cookie for token-authenticated calls: a device with a token has no jar."""

    def save_session(self, app, session, response):
        if g.get("authenticated_by") == "token":
            return None
        return super().save_session(app, session, response)
