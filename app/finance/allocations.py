"""Allocating money to documents: a payment to supplier bills, a receipt to customer
invoices. One rule for both: a document takes money only while it is open, never beyond
its open amount, and a payment never gives more than is left of it; what is not
allocated stays with the payment (a prepayment)."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from app.core.db import utcnow
from app.core.errors import ValidationProblem

ZERO = Decimal(0)


def checked(rows: Sequence[dict], documents: dict, *, key: str, owner: Callable,
            owner_id: int, available: Decimal, what: str) -> list[tuple]:  # fmt: skip
    """(document, amount) per row — `rows` name documents by `key` — or a 422 naming every
    allocation that does not fit. `documents` are the named ones, read afresh; `owner`
    gives a document's supplier or customer id; `what` names the document in errors."""
    errors: dict[str, list[str]] = {}
    asked: dict[int, Decimal] = defaultdict(Decimal)
    fitting = []
    for index, row in enumerate(rows):
        document = documents.get(row[key])
        if document is None or owner(document) != owner_id:
            errors[f"allocations.{index}.{key}"] = [f"no {what} {row[key]} of this account"]
            continue
        if document.state != "posted":
            errors[f"allocations.{index}.{key}"] = [
                f"{document.number} is {document.state}; only a posted {what} takes money"
            ]
            continue
        asked[document.id] += row["amount"]
        if asked[document.id] > document.open_amount:
            errors[f"allocations.{index}.amount"] = [
                f"allocation {index + 1} ({row['amount']}) is more than {document.number} has "
                f"open ({document.open_amount - asked[document.id] + row['amount']})"
            ]
        fitting.append((document, row["amount"]))
    total = sum((row["amount"] for row in rows), ZERO)
    if total > available:
        errors.setdefault("allocations", []).append(
            f"allocations add up to {total}, more than the {available} left of the payment"
        )
    if errors:
        raise ValidationProblem(errors)
    return fitting


def apply(payment, allocations, make: Callable, *, user_id: int) -> None:
    """Record each (document, amount): `make(document, amount, at, user_id)` builds the
    allocation row; a document paid in full becomes `paid`."""
    now = utcnow()
    for document, amount in allocations:
        payment.allocations.append(make(document, amount, now, user_id))
        payment.allocated += amount
        document.paid += amount
        if document.open_amount <= 0:
            document.state = "paid"
