"""The shared endpoints: health and the audit log."""

from flask import current_app
from marshmallow import Schema, fields
from sqlalchemy import select, text

from app.core.api_docs import ApiBlueprint
from app.core.audit import AuditLog
from app.core.pagination import list_page
from app.core.schemas import ListArgsSchema, page_of
from app.core.security import public, requires
from app.extensions import db

blp = ApiBlueprint("core", __name__, url_prefix="/api/v1", description="Health and audit log")


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok or degraded"})
    database = fields.String(metadata={"description": "ok or unreachable"})
    version = fields.String()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    username = fields.String(allow_none=True)
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    request_id = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)


class AuditArgsSchema(ListArgsSchema):
    entity = fields.String()
    entity_id = fields.String()
    user_id = fields.Integer()
    action = fields.String()
    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)


@blp.route("/health")
@public
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database is unreachable")
def health():
    """Is the service up and can it reach its database? No login needed."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        current_app.logger.exception("health check: database unreachable")
        database = "unreachable"
    finally:
        db.session.rollback()
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "version": current_app.config["JXC_VERSION"],
    }
    return body, 200 if database == "ok" else 503


@blp.route("/audit")
@requires("audit:read")
@blp.arguments(AuditArgsSchema, location="query")
@blp.response(200, page_of(AuditEntrySchema))
@blp.documents_errors(401, 403)
def list_audit(args):
    """Who changed what and when, newest first."""
    stmt = select(AuditLog)
    for name in ("entity", "entity_id", "user_id", "action"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(AuditLog, name) == args[name])
    if args.get("since"):
        stmt = stmt.where(AuditLog.at >= args["since"])
    if args.get("until"):
        stmt = stmt.where(AuditLog.at < args["until"])
    return list_page(
        stmt,
        args,
        search=(AuditLog.entity, AuditLog.username, AuditLog.action),
        sortable={"at": AuditLog.at, "id": AuditLog.id},
        default_sort="-id",
    )
