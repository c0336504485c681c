"""The supplier statement (供应商对账单): what we owed a supplier at the start of a period,
each bill, credit for goods sent back and payment in it with the running balance, and what
we owed at its end — the sheet both sides tick off against their own books.

Bills count on their bill date, credits on the day of the return, payments on the day
paid; the supplier's opening payable stands before everything. The closing balance on a
day equals that supplier's balance in the payables.
"""

from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.errors import NotFound, ValidationProblem
from app.core.printing import PrintColumn, PrintedDocument
from app.extensions import db
from app.finance.models import SupplierBill, SupplierPayment
from app.finance.services import OWING, ZERO, return_credits
from app.partners.models import Supplier

# Each kind of entry: its total's name and its side; also the order of entries on one day.
TOTALS = {"bill": ("billed", "increase"), "return": ("returned", "decrease"),
          "payment": ("paid", "decrease")}  # fmt: skip
KINDS = tuple(TOTALS)

WORDS = {
    "zh-CN": {
        "title": "供应商对账单",
        "party": "供应商",
        "period": "期间",
        "printed": "打印日期",
        "date": "日期",
        "kind": "类型",
        "number": "单号",
        "reference": "对方单号/参考",
        "increase": "应付增加",
        "decrease": "应付减少",
        "balance": "余额",
        "opening": "期初余额",
        "closing": "期末余额",
        "total": "本期合计",
        "bill": "发票",
        "return": "退货",
        "payment": "付款",
        "footer": "请核对上述往来明细，如有不符请于收到后 7 日内告知。",
    },
    "en": {
        "title": "Supplier statement",
        "party": "Supplier",
        "period": "Period",
        "printed": "Printed",
        "date": "Date",
        "kind": "Type",
        "number": "Number",
        "reference": "Their number / reference",
        "increase": "Owed more",
        "decrease": "Owed less",
        "balance": "Balance",
        "opening": "Opening balance",
        "closing": "Closing balance",
        "total": "Period total",
        "bill": "Bill",
        "return": "Return",
        "payment": "Payment",
        "footer": "Please check the entries above and tell us of any difference within 7 days.",
    },
}
LANGUAGES = tuple(WORDS)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The days a statement covers: by default this month so far."""
    end = end or utcnow().date()
    start = start or end.replace(day=1)
    if start > end:
        raise ValidationProblem({"from": ["must not be after to"]})
    return start, end


def running(opening: Decimal, entries: list[dict], totals: dict[str, tuple[str, str]]) -> dict:
    """Entries sorted by day and kind (in the order `totals` names the kinds) with the
    balance after each; `totals` maps each kind to (its total's name, increase|decrease)."""
    kinds = list(totals)
    entries.sort(key=lambda e: (e["date"], kinds.index(e["kind"]), e["number"]))
    balance = opening
    for entry in entries:
        balance += entry["increase"] - entry["decrease"]
        entry["balance"] = balance
    sums = {
        name: sum((e[side] for e in entries if e["kind"] == kind), ZERO)
        for kind, (name, side) in totals.items()
    }
    return {"opening": opening, "entries": entries,
            "totals": {"opening": opening, **sums, "closing": balance}}  # fmt: skip


def statement(supplier_id: int, start: date | None, end: date | None) -> dict:
    """The statement of one supplier from `start` to `end`, both days included (default:
    this month so far)."""
    start, end = period(start, end)
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"No supplier with id {supplier_id}.")

    bills = db.session.scalars(
        select(SupplierBill).where(
            SupplierBill.supplier_id == supplier_id,
            SupplierBill.state.in_(OWING),
            SupplierBill.bill_date.between(start, end),
        )
    )
    payments = db.session.scalars(
        select(SupplierPayment).where(
            SupplierPayment.supplier_id == supplier_id,
            SupplierPayment.paid_on.between(start, end),
        )
    )
    credits = return_credits(supplier_id)
    entries = [
        *(entry(b.bill_date, "bill", b.id, b.number, b.bill_no, increase=b.total) for b in bills),
        *(
            entry(c["date"], "return", c["return_id"], c["number"], "", decrease=c["amount"])
            for c in credits
            if start <= c["date"] <= end
        ),
        *(
            entry(p.paid_on, "payment", p.id, p.number, p.reference, decrease=p.amount)
            for p in payments
        ),
    ]
    opening = (
        supplier.opening_payable
        + total_of(SupplierBill.total, SupplierBill.supplier_id == supplier_id,
                   SupplierBill.state.in_(OWING), SupplierBill.bill_date < start)
        - sum((c["amount"] for c in credits if c["date"] < start), ZERO)
        - total_of(SupplierPayment.amount, SupplierPayment.supplier_id == supplier_id,
                   SupplierPayment.paid_on < start)
    )  # fmt: skip
    return {
        "supplier": {"id": supplier.id, "code": supplier.code, "name": supplier.name},
        "start": start,
        "end": end,
        **running(opening, entries, TOTALS),
    }


def entry(day, kind, id_, number, reference, *, increase=ZERO, decrease=ZERO) -> dict:
    return {"date": day, "kind": kind, "id": id_, "number": number, "reference": reference,
            "increase": increase, "decrease": decrease}  # fmt: skip


def total_of(column, *conditions) -> Decimal:
    return Decimal(db.session.scalar(select(func.sum(column)).where(*conditions)) or 0)


def printed(data: dict, lang: str) -> PrintedDocument:
    """The supplier statement as a printable document in `lang`."""
    return printed_statement(data, WORDS[lang], data["supplier"])


def printed_statement(data: dict, words: dict, party: dict) -> PrintedDocument:
    """A statement (a supplier's or a customer's) as a printable document; `words` gives
    its title, labels and the names of its kinds of entry, `party` whose it is."""
    columns = [
        PrintColumn(words["date"], 1.1),
        PrintColumn(words["kind"], 0.7),
        PrintColumn(words["number"], 1.5),
        PrintColumn(words["reference"], 1.5),
        PrintColumn(words["increase"], 1.2, numeric=True),
        PrintColumn(words["decrease"], 1.2, numeric=True),
        PrintColumn(words["balance"], 1.2, numeric=True),
    ]
    totals = data["totals"]
    return PrintedDocument(
        title=words["title"],
        company=current_app.config["COMPANY_NAME"],
        columns=columns,
        facts=[
            (words["party"], f"{party['code']} {party['name']}"),
            (words["period"], f"{data['start'].isoformat()} — {data['end'].isoformat()}"),
            (words["printed"], utcnow().date().isoformat()),
        ],
        rows=[
            [data["start"].isoformat(), "", words["opening"], "", None, None, data["opening"]],
            *(
                [
                    e["date"].isoformat(),
                    words[e["kind"]],
                    e["number"],
                    e["reference"],
                    e["increase"] or None,
                    e["decrease"] or None,
                    e["balance"],
                ]
                for e in data["entries"]
            ),
        ],  # fmt: skip
        summary=[
            ["", "", words["total"], "", _side(data, "increase"), _side(data, "decrease"), None],
            [data["end"].isoformat(), "", words["closing"], "", None, None, totals["closing"]],
        ],  # fmt: skip
        footer=words["footer"],
    )


def _side(data: dict, side: str) -> Decimal:
    return sum((e[side] for e in data["entries"]), ZERO)
