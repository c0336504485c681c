"""Suppliers and customers. Each public function owns its transaction."""

from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.catalog.codes import pinyin_initials
from app.core.errors import Forbidden, NotFound, ValidationProblem
from app.core.records import check_version, code_taken, duplicate_code, normalise_code
from app.core.security import caller_can
from app.extensions import db
from app.partners.models import PAYABLE_READERS, Customer, Supplier

# Fields a PATCH copies as they come (text is stripped first); code, salesperson and
# version have rules of their own.
SUPPLIER_TEXT = ("name", "contact", "phone", "address", "tax_id", "note")
SUPPLIER_VALUES = ("payment_terms_days", "lead_time_days", "rating", "opening_payable", "active")
CUSTOMER_TEXT = ("name", "price_level", "note")
CUSTOMER_VALUES = ("credit_limit", "credit_days", "opening_receivable", "active")
CUSTOMER_LISTS = ("contacts", "delivery_addresses")


def _stripped(entries: list[dict]) -> list[dict]:
    return [
        {key: value.strip() if isinstance(value, str) else value for key, value in entry.items()}
        for entry in entries
    ]


def _apply(record, changes: dict, text: tuple[str, ...], values: tuple[str, ...]) -> None:
    for field in text:
        if field in changes:
            setattr(record, field, changes[field].strip())
    for field in values:
        if field in changes:
            setattr(record, field, changes[field])


# --- suppliers ---------------------------------------------------------------------------


def _check_may_set_payable(details: dict) -> None:
    """A role that may not see opening payables may not set them blind either.

    Outside a request (seed scripts, the shell) the caller is trusted.
    """
    if "opening_payable" not in details or not has_request_context():
        return
    if not any(caller_can(permission) for permission in PAYABLE_READERS):
        raise Forbidden(
            "Your role may not set opening payables.",
            errors={"opening_payable": ["your role may not set this"]},
        )


# What ?q= searches, for lists and exports alike.
def supplier_search_columns():
    return (Supplier.code, Supplier.name, Supplier.contact, Supplier.phone)


def customer_search_columns():
    return (Customer.code, Customer.name, Customer.pinyin_initials)


def supplier_query(active: bool | None = None):
    stmt = select(Supplier)
    if active is not None:
        stmt = stmt.where(Supplier.active.is_(active))
    return stmt


def get_supplier(supplier_id: int) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"No supplier with id {supplier_id}.")
    return supplier


def create_supplier(details: dict) -> Supplier:
    supplier = add_supplier(details)
    db.session.commit()
    return supplier


def add_supplier(details: dict) -> Supplier:
    """Check and add a supplier to the caller's transaction (imports add many at once)."""
    _check_may_set_payable(details)
    code = normalise_code(details["code"])
    if code_taken(Supplier, code):
        raise duplicate_code("supplier", code)
    supplier = Supplier(code=code)
    _apply(supplier, details, SUPPLIER_TEXT, SUPPLIER_VALUES)
    db.session.add(supplier)
    return supplier


def update_supplier(supplier_id: int, changes: dict) -> Supplier:
    supplier = get_supplier(supplier_id)
    check_version(supplier, changes["version"])
    change_supplier(supplier, changes)
    db.session.commit()
    return supplier


def change_supplier(supplier: Supplier, changes: dict) -> Supplier:
    """Check and apply changes within the caller's transaction."""
    _check_may_set_payable(changes)
    if "code" in changes:
        code = normalise_code(changes["code"])
        if code_taken(Supplier, code, except_id=supplier.id):
            raise duplicate_code("supplier", code)
        supplier.code = code
    _apply(supplier, changes, SUPPLIER_TEXT, SUPPLIER_VALUES)
    return supplier


def archive_supplier(supplier_id: int) -> None:
    """Suppliers are never deleted (purchase orders and payables point at them): archive."""
    supplier = get_supplier(supplier_id)
    supplier.active = False
    db.session.commit()


# --- customers ---------------------------------------------------------------------------


def _sales_only_caller() -> int | None:
    """The caller's user id when sales is their only role; None otherwise."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.id if set(current_user.roles or ()) == {"sales"} else None


def own_customers_only() -> int | None:
    """The salesperson whose customers the caller is limited to, or None for all of them.

    The setting SALES_SEE_OWN_CUSTOMERS_ONLY (on by default) keeps a salesperson's
    customer list to their own accounts; anyone with another role sees every customer.
    """
    if not current_app.config["SALES_SEE_OWN_CUSTOMERS_ONLY"]:
        return None
    return _sales_only_caller()


def _check_salesperson(salesperson_id: int | None) -> None:
    limited_to = own_customers_only()
    if limited_to is not None and salesperson_id != limited_to:
        # Otherwise the customer would vanish from the salesperson's own list.
        raise ValidationProblem({"salesperson_id": ["you can only assign customers to yourself"]})
    if salesperson_id is None:
        return
    user = db.session.get(User, salesperson_id)
    if user is None or not user.active:
        raise ValidationProblem({"salesperson_id": [f"no active user with id {salesperson_id}"]})
    if "sales" not in (user.roles or ()):
        raise ValidationProblem(
            {"salesperson_id": [f"user {user.username} does not have the sales role"]}
        )


def customer_query(
    active: bool | None = None,
    salesperson_id: int | None = None,
    price_level: str | None = None,
):
    """Customers the current user may see (a salesperson, by setting: only their own)."""
    stmt = select(Customer)
    if active is not None:
        stmt = stmt.where(Customer.active.is_(active))
    if salesperson_id is not None:
        stmt = stmt.where(Customer.salesperson_id == salesperson_id)
    if price_level:
        stmt = stmt.where(Customer.price_level == price_level.strip())
    limited_to = own_customers_only()
    if limited_to is not None:
        stmt = stmt.where(Customer.salesperson_id == limited_to)
    return stmt


def get_customer(customer_id: int) -> Customer:
    """A customer the current user may see; others do not exist for them."""
    customer = db.session.scalar(customer_query().where(Customer.id == customer_id))
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return customer


def create_customer(details: dict) -> Customer:
    """Create a customer; a salesperson who names nobody becomes its salesperson."""
    customer = add_customer(details)
    db.session.commit()
    return customer


def add_customer(details: dict) -> Customer:
    """Check and add a customer to the caller's transaction (imports add many at once)."""
    salesperson_id = details.get("salesperson_id")
    if salesperson_id is None:
        salesperson_id = _sales_only_caller()
    _check_salesperson(salesperson_id)
    code = normalise_code(details["code"])
    if code_taken(Customer, code):
        raise duplicate_code("customer", code)
    customer = Customer(code=code, salesperson_id=salesperson_id)
    _apply(customer, details, CUSTOMER_TEXT, CUSTOMER_VALUES)
    customer.pinyin_initials = pinyin_initials(customer.name)
    for field in CUSTOMER_LISTS:
        setattr(customer, field, _stripped(details.get(field, [])))
    db.session.add(customer)
    return customer


def update_customer(customer_id: int, changes: dict) -> Customer:
    customer = get_customer(customer_id)
    check_version(customer, changes["version"])
    change_customer(customer, changes)
    db.session.commit()
    return customer


def change_customer(customer: Customer, changes: dict) -> Customer:
    """Check and apply changes within the caller's transaction."""
    if "salesperson_id" in changes:
        _check_salesperson(changes["salesperson_id"])
        customer.salesperson_id = changes["salesperson_id"]
    if "code" in changes:
        code = normalise_code(changes["code"])
        if code_taken(Customer, code, except_id=customer.id):
            raise duplicate_code("customer", code)
        customer.code = code
    _apply(customer, changes, CUSTOMER_TEXT, CUSTOMER_VALUES)
    customer.pinyin_initials = pinyin_initials(customer.name)
    for field in CUSTOMER_LISTS:
        if field in changes:
            setattr(customer, field, _stripped(changes[field]))
    return customer


def archive_customer(customer_id: int) -> None:
    """Customers are never deleted (orders and receivables point at them): archive."""
    customer = get_customer(customer_id)
    customer.active = False
    db.session.commit()
