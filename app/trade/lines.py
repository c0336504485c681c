"""Order lines, as purchase and sales orders both keep them: a product in one of its
units (the base unit or a packing unit with its factor), a quantity, a price per that
unit, a discount and a tax rate, and the amounts rounded to the cent."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

from sqlalchemy.orm import lazyload

from app.catalog.models import Product
from app.extensions import db

ZERO = Decimal(0)
CENT = Decimal("0.01")
QTY_PLACES = Decimal("0.001")
# Money(): sixteen digits before the point.
AMOUNT_MAX = Decimal("9999999999999999.99")
DEFAULT_TAX_RATE = Decimal("0.13")  # the common VAT rate, where none is given or known


def plain(value) -> str:
    """12.000 → "12": quantities as people write them."""
    return format(Decimal(value).normalize(), "f")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amounts(qty, unit_price, discount, tax_rate) -> tuple[Decimal, Decimal, Decimal]:
    """(amount, tax, total) of a line: amount = qty × price × (1 − discount) and tax =
    amount × rate, each to the cent (half up); an order's totals add these up."""
    with localcontext() as context:
        context.prec = 60  # the largest quantity times the largest price, exactly
        amount = cents(qty * unit_price * (1 - discount))
        tax = cents(amount * tax_rate)
    return amount, tax, amount + tax


def line_product(row: dict, problems: dict) -> tuple[Product, str, Decimal] | None:
    """(product, unit, factor) for a line's product_id and unit (default: the base unit),
    or None with the reason in `problems`. An archived product is a problem too."""
    product = db.session.get(Product, row["product_id"], options=[lazyload("*")])
    if product is None:
        problems["product_id"] = ["no such product"]
        return None
    if not product.active:
        problems["product_id"] = [f"{product.sku} is archived"]
    wanted = row.get("unit")
    if not wanted or wanted == product.unit:
        return product, product.unit, Decimal(1)
    found = next((u for u in product.units if u.name == wanted), None)
    if found is None:
        known = ", ".join([product.unit, *(u.name for u in product.units)])
        problems["unit"] = [f"{product.sku} is counted in {known}"]
        return None
    return product, found.name, found.factor


def priced_line(product: Product, unit: str, factor: Decimal, row: dict, problems: dict) -> dict:
    """The line as it is stored: unit, factor, base quantity, price terms and amounts.
    `row` holds qty, unit_price, discount and tax_rate."""
    qty = row["qty"]
    base_qty = qty * factor
    if qty <= 0:
        problems["qty"] = ["must be more than 0"]
    elif base_qty != base_qty.quantize(QTY_PLACES):
        problems["qty"] = ["more than 3 decimal places of the base unit"]
    amount, tax, total = line_amounts(qty, row["unit_price"], row["discount"], row["tax_rate"])
    if total > AMOUNT_MAX:
        problems["qty"] = ["the line's amount is too large"]
    return {
        "product_id": product.id,
        "unit": unit,
        "factor": factor,
        "qty": qty,
        "base_qty": base_qty,
        "unit_price": row["unit_price"],
        "discount": row["discount"],
        "tax_rate": row["tax_rate"],
        "amount": amount,
        "tax": tax,
        "total": total,
    }


def order_totals(lines) -> tuple[Decimal, Decimal, Decimal]:
    """(amount, tax, total) of an order: the sums of its rounded lines (价税合计)."""
    return tuple(sum((line[key] for line in lines), ZERO) for key in ("amount", "tax", "total"))
