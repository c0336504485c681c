from decimal import Decimal

from flask_login import login_user
from marshmallow import fields

from app.auth.models import User
from app.core.schemas import RestrictedFieldsSchema, restricted


class PriceSchema(RestrictedFieldsSchema):
    sku = fields.String()
    retail_price = fields.Decimal(as_string=True)
    cost = fields.Decimal(as_string=True, metadata=restricted("cost:read"))
    margin = fields.Decimal(
        as_string=True, data_key="gross_margin", metadata=restricted("cost:read")
    )


ITEM = {
    "sku": "A-1",
    "retail_price": Decimal("9.90"),
    "cost": Decimal("6.10"),
    "margin": Decimal("3.80"),
}


def _dump_as(app, roles):
    with app.test_request_context():
        login_user(User(id=1, username="u", roles=roles, active=True, auth_epoch=0))
        return PriceSchema().dump(ITEM)


def test_cost_fields_are_absent_without_the_permission(app):
    assert _dump_as(app, ["warehouse"]) == {"sku": "A-1", "retail_price": "9.90"}
    assert _dump_as(app, ["sales"]) == {"sku": "A-1", "retail_price": "9.90"}


def test_cost_fields_are_present_with_the_permission(app):
    assert _dump_as(app, ["purchaser"]) == {
        "sku": "A-1",
        "retail_price": "9.90",
        "cost": "6.10",
        "gross_margin": "3.80",
    }


def test_outside_a_request_nothing_restricted_leaks(app):
    with app.app_context():
        assert "cost" not in PriceSchema().dump(ITEM)


def test_the_restriction_is_documented():
    assert "cost:read" in PriceSchema().fields["cost"].metadata["description"]
