"""Users, passwords, sessions and API tokens. Each public function owns its transaction."""

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import String, cast, select

from app.auth.models import ApiToken, User
from app.core import audit
from app.core.db import utcnow, write_intent
from app.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationProblem,
)
from app.core.permissions import ROLES
from app.core.records import check_version
from app.extensions import db
from app.inventory.models import Warehouse

TOKEN_PREFIX = "jxc_"
# Writing last_used_at on every call would make every read a write.
_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _password_matches(user: User | None, password: str) -> bool:
    hasher = _hasher()
    if user is None:
        # Spend the same time as a real check so unknown usernames are not revealed.
        hasher.hash(password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def authenticate(username: str, password: str) -> User:
    """Check a login; record it (and failures) in the audit log."""
    user = find_user_by_username(username)
    if not _password_matches(user, password):
        audit.record(
            "login_failed", "users", user.id if user else None, after={"username": username}
        )
        db.session.commit()
        raise Unauthorized("Wrong username or password.", type="invalid-credentials")
    if not user.active:
        audit.record("login_refused", "users", user.id, user=user)
        db.session.commit()
        raise Forbidden("This account is disabled.", type="account-disabled")
    user.last_login_at = utcnow()
    audit.record("login", "users", user.id, user=user)
    db.session.commit()
    return user


def _detached(user: User | None) -> User | None:
    """Load-and-release: end the read so the request's writes can take the write lock."""
    if user is not None:
        db.session.expunge(user)
    db.session.rollback()
    return user


def user_for_session(session_id: str) -> User | None:
    """Flask-Login user loader: the id is "<user id>:<auth epoch>"."""
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    with write_intent(False):
        user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.auth_epoch != int(epoch):
        return _detached(None)
    return _detached(user)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    """Resolve a bearer token to an active user, or None."""
    digest = _token_digest(token.strip())
    with write_intent(False):
        row = db.session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
        ).one_or_none()
    if row is None or not row.User.active:
        return _detached(None)
    api_token, user = row.ApiToken, row.User
    token_id, last_used = api_token.id, api_token.last_used_at
    _detached(user)
    now = utcnow()
    if last_used is None or now - last_used > _TOKEN_TOUCH_INTERVAL:
        with write_intent(), db.engine.begin() as conn:
            conn.execute(
                ApiToken.__table__.update()
                .where(ApiToken.__table__.c.id == token_id)
                .values(last_used_at=now)
            )
    return user


def _check_roles_and_warehouses(roles, warehouse_ids) -> None:
    errors = {}
    if roles is not None:
        if not roles:
            errors["roles"] = ["give the user at least one role"]
        elif unknown := sorted(set(roles) - set(ROLES)):
            errors["roles"] = [f"unknown role: {', '.join(unknown)}"]
    if warehouse_ids:
        found = set(db.session.scalars(select(Warehouse.id).where(Warehouse.id.in_(warehouse_ids))))
        if missing := sorted(set(warehouse_ids) - found):
            errors["warehouse_ids"] = [f"no such warehouse: {', '.join(map(str, missing))}"]
    if errors:
        raise ValidationProblem(errors)


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def create_user(
    username: str,
    password: str,
    roles: list[str],
    *,
    display_name: str = "",
    warehouse_ids: list[int] | None = None,
    active: bool = True,
) -> User:
    username = username.strip().lower()
    warehouse_ids = _unique(warehouse_ids or [])
    _check_roles_and_warehouses(roles, warehouse_ids)
    if find_user_by_username(username) is not None:
        raise Conflict(
            f"The username '{username}' is taken.",
            type="duplicate",
            errors={"username": ["already exists"]},
        )
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        roles=_unique(roles),
        warehouse_ids=warehouse_ids,
        active=active,
    )
    db.session.add(user)
    db.session.commit()
    return user


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def update_user(user_id: int, changes: dict, *, acting_user_id: int | None = None) -> User:
    """Apply a PATCH: `version` must match; a new password or disabling ends sessions."""
    user = get_user(user_id)
    check_version(user, changes["version"])
    _check_roles_and_warehouses(changes.get("roles"), changes.get("warehouse_ids"))
    if user_id == acting_user_id:
        if changes.get("active") is False:
            raise ValidationProblem({"active": ["you cannot disable your own account"]})
        if "roles" in changes and "admin" in user.roles and "admin" not in changes["roles"]:
            raise ValidationProblem({"roles": ["you cannot remove your own admin role"]})
    if "display_name" in changes:
        user.display_name = changes["display_name"].strip() or user.username
    if "roles" in changes:
        user.roles = _unique(changes["roles"])
    if "warehouse_ids" in changes:
        user.warehouse_ids = _unique(changes["warehouse_ids"])
    ends_sessions = False
    if "password" in changes:
        user.password_hash = hash_password(changes["password"])
        ends_sessions = True
    if "active" in changes and changes["active"] != user.active:
        user.active = changes["active"]
        ends_sessions = ends_sessions or not user.active
    if ends_sessions:
        user.auth_epoch = (user.auth_epoch or 0) + 1
    db.session.commit()
    return user


def user_query(role: str | None = None, active: bool | None = None):
    stmt = select(User)
    if role:
        # Roles are stored as a JSON list; match the quoted name in its text.
        stmt = stmt.where(cast(User.roles, String).like(f'%"{role}"%'))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt


def warehouses_of(user: User) -> list[Warehouse]:
    if not user.warehouse_ids:
        return []
    return list(
        db.session.scalars(
            select(Warehouse).where(Warehouse.id.in_(user.warehouse_ids)).order_by(Warehouse.code)
        )
    )


def issue_token(user_id: int, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the plain token is returned once and stored only hashed."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name.strip(), token_hash=_token_digest(plain))
    db.session.add(token)
    db.session.commit()
    return token, plain


def token_query(user_id: int):
    return select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))


def revoke_token(user_id: int, token_id: int) -> None:
    token = db.session.scalar(token_query(user_id).where(ApiToken.id == token_id))
    if token is None:
        raise NotFound(f"No API token with id {token_id}.")
    token.revoked_at = utcnow()
    db.session.commit()
