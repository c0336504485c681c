from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from app.core.schemas import (
    CODE,
    DecimalString,
    ListArgsSchema,
    RestrictedFieldsSchema,
    SyncArgsSchema,
    restricted,
)
from app.partners.models import PAYABLE_READERS

# Numeric(18, 2): sixteen digits before the point.
MONEY_MAX = Decimal("9999999999999999.99")
DAYS = validate.Range(min=0, max=365)
RATING = validate.Range(min=1, max=5)
MAX_LIST = 20


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


NAME = [validate.Length(min=1, max=120), _not_blank]
PRICE_LEVEL = [validate.Length(min=1, max=20), _not_blank]


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def _money(**kwargs) -> DecimalString:
    return DecimalString(2, minimum=0, validate=validate.Range(max=MONEY_MAX), **kwargs)


def _days(**kwargs) -> fields.Integer:
    return fields.Integer(strict=True, validate=DAYS, **kwargs)


# --- suppliers ---------------------------------------------------------------------------


class SupplierSchema(RestrictedFieldsSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    contact = fields.String()
    phone = fields.String()
    address = fields.String()
    tax_id = fields.String()
    payment_terms_days = fields.Integer()
    lead_time_days = fields.Integer()
    rating = fields.Integer(allow_none=True)
    opening_payable = _money(metadata=restricted(*PAYABLE_READERS, description="期初应付, yuan."))
    active = fields.Boolean()
    note = fields.String()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class SupplierCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    contact = _text(60, load_default="")
    phone = _text(40, load_default="")
    address = _text(255, load_default="")
    tax_id = _text(40, load_default="")
    payment_terms_days = _days(load_default=30)
    lead_time_days = _days(load_default=7)
    rating = fields.Integer(strict=True, allow_none=True, load_default=None, validate=RATING)
    opening_payable = _money()  # left out: 0, and no finance permission needed
    note = _text(500, load_default="")


class SupplierUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    code = fields.String(validate=CODE)
    name = fields.String(validate=NAME)
    contact = _text(60)
    phone = _text(40)
    address = _text(255)
    tax_id = _text(40)
    payment_terms_days = _days()
    lead_time_days = _days()
    rating = fields.Integer(strict=True, allow_none=True, validate=RATING)
    opening_payable = _money()
    active = fields.Boolean()
    note = _text(500)


class SupplierListArgsSchema(ListArgsSchema):
    active = fields.Boolean()


# --- customers ---------------------------------------------------------------------------


class ContactSchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=60), _not_blank])
    phone = _text(40, load_default="")
    title = _text(60, load_default="")


class DeliveryAddressSchema(Schema):
    label = _text(40, load_default="")
    address = fields.String(required=True, validate=[validate.Length(min=1, max=255), _not_blank])
    is_default = fields.Boolean(load_default=False)


def _one_default_at_most(addresses: list[dict]) -> None:
    if sum(1 for a in addresses if a.get("is_default")) > 1:
        raise ValidationError("At most one address can be the default.")


def _contacts(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(ContactSchema), validate=validate.Length(max=MAX_LIST), **kwargs
    )


def _addresses(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(DeliveryAddressSchema),
        validate=[validate.Length(max=MAX_LIST), _one_default_at_most],
        **kwargs,
    )


class CustomerSchema(RestrictedFieldsSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    contacts = fields.List(fields.Nested(ContactSchema))
    delivery_addresses = fields.List(fields.Nested(DeliveryAddressSchema))
    price_level = fields.String()
    credit_limit = _money()
    credit_days = fields.Integer()
    salesperson_id = fields.Integer(allow_none=True)
    pinyin_initials = fields.String(metadata={"description": "助记码, for searching offline"})
    opening_receivable = _money(metadata={"description": "期初应收, yuan."})
    active = fields.Boolean()
    note = fields.String()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class CustomerCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    contacts = _contacts(load_default=list)
    delivery_addresses = _addresses(load_default=list)
    price_level = fields.String(load_default="retail", validate=PRICE_LEVEL)
    credit_limit = _money(load_default=Decimal("0"))
    credit_days = _days(load_default=0)
    salesperson_id = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "A user with the sales role; a salesperson's own id if left out."},
    )
    opening_receivable = _money(load_default=Decimal("0"))
    note = _text(500, load_default="")


class CustomerUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    code = fields.String(validate=CODE)
    name = fields.String(validate=NAME)
    contacts = _contacts()
    delivery_addresses = _addresses()
    price_level = fields.String(validate=PRICE_LEVEL)
    credit_limit = _money()
    credit_days = _days()
    salesperson_id = fields.Integer(strict=True, allow_none=True)
    opening_receivable = _money()
    active = fields.Boolean()
    note = _text(500)


class CustomerListArgsSchema(ListArgsSchema, SyncArgsSchema):
    active = fields.Boolean()
    salesperson_id = fields.Integer()
    price_level = fields.String(validate=validate.Length(max=20))
