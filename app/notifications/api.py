from flask import current_app
from flask_login import current_user

from app.core.api_docs import ApiBlueprint
from app.core.errors import NotFound
from app.core.pagination import paginate
from app.core.schemas import page_of
from app.core.security import requires
from app.notifications import alerts, push, services
from app.notifications.schemas import (
    AlertSummarySchema,
    MarkedSchema,
    NotificationListArgsSchema,
    NotificationSchema,
    PreferencesInSchema,
    PreferencesSchema,
    PushEndpointSchema,
    PushKeySchema,
    PushSubscriptionInSchema,
    PushSubscriptionSchema,
    ReadAllSchema,
    UnreadCountSchema,
)

blp = ApiBlueprint(
    "notifications", __name__, url_prefix="/api/v1", description="Notifications and Web Push"
)


@blp.route("/alerts/summary")
@requires(None)
@blp.response(200, AlertSummarySchema)
@blp.documents_errors(401)
def alert_summary():
    """Low stock, expiring batches and today's sales orders, counted within what you may
    see (null for what your role does not show): the home screen's live tiles."""
    return alerts.summary()


@blp.route("/notifications")
@requires(None)
@blp.arguments(NotificationListArgsSchema, location="query")
@blp.response(200, page_of(NotificationSchema))
@blp.documents_errors(401, 422)
def list_notifications(args):
    """Your notifications, newest first. After a reconnect, `after_id` = the newest id you
    have gives what came since, oldest first."""
    stmt = services.notification_query(current_user.id, args)
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/notifications/unread-count")
@requires(None)
@blp.response(200, UnreadCountSchema)
@blp.documents_errors(401)
def unread_count():
    """How many of your notifications are unread (the badge)."""
    return {"count": services.unread_count(current_user.id)}


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@requires(None)
@blp.response(200, NotificationSchema)
@blp.documents_errors(401, 404)
def mark_read(notification_id):
    """Mark one of your notifications read (again: no change)."""
    return services.mark_read(current_user.id, notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@requires(None)
@blp.arguments(ReadAllSchema)
@blp.response(200, MarkedSchema)
@blp.documents_errors(401, 422)
def mark_all_read(args):
    """Mark your unread notifications read, up to `up_to_id` when given."""
    return {"count": services.mark_all_read(current_user.id, args["up_to_id"])}


@blp.route("/notifications/preferences")
@requires(None)
@blp.response(200, PreferencesSchema)
@blp.documents_errors(401)
def get_preferences():
    """Which kinds you get and from which warehouses; your role's defaults until you
    choose."""
    return services.preferences_of(current_user)


@blp.route("/notifications/preferences", methods=["PUT"])
@requires(None)
@blp.arguments(PreferencesInSchema)
@blp.response(200, PreferencesSchema)
@blp.documents_errors(401, 422)
def put_preferences(args):
    """Choose the kinds you get (from `available_kinds`) and the warehouses (null: all you
    may see). A kind your role does not receive or a warehouse you may not see is a 422."""
    return services.set_preferences(current_user, args)


@blp.route("/push/key")
@requires(None)
@blp.response(200, PushKeySchema)
@blp.documents_errors(401, 404)
def push_key():
    """The key to subscribe to Web Push with (404 when Web Push is turned off)."""
    if not current_app.config["WEBPUSH_ENABLED"]:
        raise NotFound("Web Push is turned off on this server.", type="push-disabled")
    return {"public_key": push.sender().application_server_key()}


@blp.route("/push/subscriptions", methods=["POST"])
@requires(None)
@blp.arguments(PushSubscriptionInSchema)
@blp.response(201, PushSubscriptionSchema)
@blp.alt_response(200, schema=PushSubscriptionSchema, description="Known already; now yours")
@blp.documents_errors(401, 422)
def subscribe(args):
    """Register this browser for pushes (the JSON of its PushSubscription). The same
    endpoint again is a 200, and moves the subscription to you."""
    subscription, created = services.subscribe(current_user.id, args)
    return subscription, 201 if created else 200


@blp.route("/push/subscriptions", methods=["DELETE"])
@requires(None)
@blp.arguments(PushEndpointSchema)
@blp.response(204)
@blp.documents_errors(401, 422)
def unsubscribe(args):
    """Stop pushes to this browser (call before logging out). Unknown: nothing to do."""
    services.unsubscribe(current_user.id, args["endpoint"])
