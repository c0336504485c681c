from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.audit import Audited
from app.core.db import TimestampMixin, UTCDateTime, VersionMixin, utcnow
from app.core.permissions import is_warehouse_scoped, permissions_for
from app.extensions import db


class User(Audited, TimestampMixin, VersionMixin, UserMixin, db.Model):
    __tablename__ = "users"
    # The login itself is audited as an event; its timestamp is not a change to record.
    __audit_exclude__ = frozenset({"password_hash", "last_login_at"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Roles are a small fixed set (app.core.permissions.ROLES).
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    warehouse_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or disable: every existing session of the user ends.
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_epoch}"

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.roles or ())

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def is_warehouse_scoped(self) -> bool:
        return is_warehouse_scoped(self.roles or ())


class ApiToken(Audited, db.Model):
    __tablename__ = "api_tokens"
    __audit_exclude__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
