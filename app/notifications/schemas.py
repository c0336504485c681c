import base64
import binascii

from cryptography.hazmat.primitives.asymmetric import ec
from marshmallow import Schema, ValidationError, fields, validate

from app.notifications.recipients import KINDS

KIND = validate.OneOf(tuple(KINDS))


# --- notifications -----------------------------------------------------------------------------


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": f"One of: {', '.join(KINDS)}"})
    data = fields.Dict(
        metadata={"description": "What the alert is about (ids, numbers, names, quantities), "
                  "for the app to word in the reader's language"}
    )  # fmt: skip
    warehouse_id = fields.Integer(allow_none=True)
    event_id = fields.String(metadata={"description": "The live event it came from"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationListArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1))
    unread = fields.Boolean(metadata={"description": "Only the unread ones"})
    kind = fields.String(validate=KIND)
    after_id = fields.Integer(
        validate=validate.Range(min=0),
        metadata={"description": "Only those after this id, oldest first: what a client "
                  "missed while it was disconnected"},
    )  # fmt: skip


class UnreadCountSchema(Schema):
    count = fields.Integer()


class ReadAllSchema(Schema):
    up_to_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "The newest id the reader saw; later ones stay unread"},
    )


class MarkedSchema(Schema):
    count = fields.Integer(metadata={"description": "How many were marked read"})


class AlertSummarySchema(Schema):
    low_stock = fields.Integer(
        allow_none=True, metadata={"description": "Product × warehouse below safety stock"}
    )
    expiring_batches = fields.Integer(
        allow_none=True, metadata={"description": "Batches in stock expired or in their window"}
    )
    orders_today = fields.Integer(allow_none=True, metadata={"description": "Sales orders"})


# --- preferences -------------------------------------------------------------------------------


def _known_kinds(kinds: list[str]) -> None:
    if unknown := sorted(set(kinds) - set(KINDS)):
        raise ValidationError(f"unknown kind: {', '.join(unknown)}; use any of: {', '.join(KINDS)}")


class PreferencesInSchema(Schema):
    kinds = fields.List(
        fields.String(),
        required=True,
        validate=[validate.Length(max=len(KINDS) * 2), _known_kinds],
        metadata={"description": "From available_kinds; [] for none"},
    )
    warehouse_ids = fields.List(
        fields.Integer(strict=True),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={"description": "Alerts of these warehouses only; null: all you may see"},
    )


class PreferencesSchema(Schema):
    kinds = fields.List(fields.String())
    warehouse_ids = fields.List(fields.Integer(), allow_none=True)
    customised = fields.Boolean(metadata={"description": "False: the role's defaults apply"})
    default_kinds = fields.List(fields.String())
    available_kinds = fields.List(
        fields.String(), metadata={"description": "The kinds your role may receive"}
    )


# --- Web Push ----------------------------------------------------------------------------------


def _decoded(value: str) -> bytes:
    """A key as browsers send it: base64url, padding optional."""
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("Not base64url.") from None


def _p256_point(value: str) -> None:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _decoded(value))
    except ValueError:
        raise ValidationError("Not a P-256 public key (65 bytes, uncompressed).") from None


def _auth_secret(value: str) -> None:
    if len(_decoded(value)) != 16:
        raise ValidationError("Must be 16 bytes.")


class PushKeysSchema(Schema):
    p256dh = fields.String(required=True, validate=[validate.Length(max=100), _p256_point])
    auth = fields.String(required=True, validate=[validate.Length(max=50), _auth_secret])


class PushSubscriptionInSchema(Schema):
    """What the browser's PushSubscription.toJSON() gives."""

    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    keys = fields.Nested(PushKeysSchema, required=True)
    expiration_time = fields.Raw(
        data_key="expirationTime",
        load_default=None,
        allow_none=True,
        load_only=True,
        metadata={"description": "Ignored"},
    )


class PushEndpointSchema(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class PushSubscriptionSchema(Schema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = fields.DateTime()


class PushKeySchema(Schema):
    public_key = fields.String(
        metadata={"description": "The VAPID application server key (base64url, uncompressed "
                  "P-256 point) for PushManager.subscribe()"}
    )  # fmt: skip
