from flask import current_app, g, request
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.models import ApiToken, User
from app.auth.schemas import (
    LoginResultSchema,
    LoginSchema,
    MeSchema,
    RoleListSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page, paginate
from app.core.permissions import ROLE_PERMISSIONS
from app.core.schemas import ListArgsSchema, page_of
from app.core.security import csrf_token, forget_csrf_token, public, requires
from app.extensions import limiter

blp = ApiBlueprint("auth", __name__, url_prefix="/api/v1", description="Login, users and tokens")


def _login_username() -> str:
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return f"login:{str(name or '').strip().lower()[:80]}"


def _failed(response) -> bool:
    return response.status_code >= 400


def _me(user) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": list(user.roles),
        "permissions": user.permissions,
        "warehouse_ids": list(user.warehouse_ids),
        "warehouses": services.warehouses_of(user),
        "csrf_token": csrf_token(),
    }


@blp.route("/auth/login", methods=["POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_USERNAME"],
    key_func=_login_username,
    deduct_when=_failed,
)
@blp.arguments(LoginSchema)
@blp.response(200, LoginResultSchema)
@blp.documents_errors(401, 403, 429)
def login(args):
    """Log in with a username and password; sets the session cookie."""
    user = services.authenticate(args["username"], args["password"])
    forget_csrf_token()  # a fresh token for a fresh session
    login_user(user)
    g.authenticated_by = "session"
    me = _me(user)
    return {"user": me, "csrf_token": me["csrf_token"]}


@blp.route("/auth/logout", methods=["POST"])
@requires(None)
@blp.response(204)
@blp.documents_errors(401, 403)
def logout():
    """End this session."""
    logout_user()
    forget_csrf_token()


@blp.route("/auth/me")
@requires(None)
@blp.response(200, MeSchema)
@blp.documents_errors(401)
def me():
    """Who is logged in: roles, permissions, warehouses and the CSRF token."""
    return _me(current_user)


@blp.route("/auth/tokens")
@requires(None)
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, page_of(TokenSchema))
@blp.documents_errors(401)
def list_tokens(args):
    """Your API tokens (the token itself is never shown again)."""
    stmt = services.token_query(current_user.id).order_by(ApiToken.created_at.desc())
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/auth/tokens", methods=["POST"])
@requires(None)
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenCreatedSchema)
@blp.documents_errors(401, 403)
def create_token(args):
    """Create an API token for integrations and devices; the token is shown once."""
    token, plain = services.issue_token(current_user.id, args["name"])
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at,
        "last_used_at": None,
        "token": plain,
    }


@blp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@requires(None)
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def revoke_token(token_id):
    """Revoke one of your API tokens; it stops working at once."""
    services.revoke_token(current_user.id, token_id)


@blp.route("/roles")
@requires(None)
@blp.response(200, RoleListSchema)
@blp.documents_errors(401)
def list_roles():
    """The roles and the permissions each grants."""
    return {
        "items": [
            {"name": name, "permissions": sorted(perms)} for name, perms in ROLE_PERMISSIONS.items()
        ]
    }


@blp.route("/users")
@requires("users:read")
@blp.arguments(UserListArgsSchema, location="query")
@blp.response(200, page_of(UserSchema))
@blp.documents_errors(401, 403)
def list_users(args):
    """Users, searchable by username and name, filterable by role and active."""
    return list_page(
        services.user_query(args.get("role"), args.get("active")),
        args,
        search=(User.username, User.display_name),
        sortable={
            "username": User.username,
            "display_name": User.display_name,
            "created_at": User.created_at,
            "last_login_at": User.last_login_at,
            "id": User.id,
        },
        default_sort="username",
    )


@blp.route("/users", methods=["POST"])
@requires("users:write")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.documents_errors(401, 403, 409)
def create_user(args):
    """Create a user with roles and (for floor staff and clerks) warehouses."""
    return services.create_user(
        args["username"],
        args["password"],
        args["roles"],
        display_name=args["display_name"],
        warehouse_ids=args["warehouse_ids"],
        active=args["active"],
    )


@blp.route("/users/<int:user_id>")
@requires("users:read")
@blp.response(200, UserSchema)
@blp.documents_errors(401, 403, 404)
def get_user(user_id):
    return services.get_user(user_id)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@requires("users:write")
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.documents_errors(401, 403, 404, 409)
def update_user(changes, user_id):
    """Change roles, warehouses, name or password, or disable; `version` must match."""
    return services.update_user(user_id, changes, acting_user_id=current_user.id)
