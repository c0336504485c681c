"""The delivery note (送货单) that goes with a shipment: who it is for and where, what is
in it with batches, the carrier and tracking number, and boxes for signatures. No prices:
the floor prints it, and the customer's receiving clerk signs it."""

from flask import current_app

from app.core.db import utcnow
from app.core.printing import PrintColumn, PrintedDocument
from app.extensions import db
from app.partners.models import Customer
from app.sales.models import SalesOrder
from app.trade.lines import plain

WORDS = {
    "zh-CN": {
        "title": "送货单",
        "number": "送货单号",
        "order": "销售订单",
        "customer": "客户",
        "address": "送货地址",
        "shipped": "发货日期",
        "carrier": "承运商",
        "tracking": "运单号",
        "line": "行",
        "sku": "编码",
        "product": "品名",
        "unit": "单位",
        "qty": "数量",
        "batch": "批号 / 效期",
        "total": "合计",
        "signatures": ["发货人", "承运人", "收货人签字及日期"],
        "footer": "请当面点清货物，如有破损或短缺请在签收时注明。",
    },
    "en": {
        "title": "Delivery note",
        "number": "Delivery note no.",
        "order": "Sales order",
        "customer": "Customer",
        "address": "Deliver to",
        "shipped": "Shipped on",
        "carrier": "Carrier",
        "tracking": "Tracking no.",
        "line": "#",
        "sku": "SKU",
        "product": "Product",
        "unit": "Unit",
        "qty": "Qty",
        "batch": "Batch / expiry",
        "total": "Total",
        "signatures": ["Shipped by", "Carrier", "Received by (signature and date)"],
        "footer": "Please count the goods on delivery and note any damage or shortage.",
    },
}
LANGUAGES = tuple(WORDS)


def delivery_note(shipment: dict, lang: str) -> PrintedDocument:
    """A shipment (as `shipping.shipment_detail` gives it) as a printable delivery note."""
    words = WORDS[lang]
    order = db.session.get(SalesOrder, shipment["order"]["id"])
    customer = db.session.get(Customer, order.customer_id)
    rows = []
    for number, line in enumerate(shipment["lines"], 1):
        batches = "; ".join(
            f"{p['batch']['number']}"
            + (f" ({p['batch']['expiry']})" if p["batch"]["expiry"] else "")
            for p in line["picked"]
            if p["batch"]
        )
        rows.append([str(number), line["product"]["sku"], line["product"]["name"], line["unit"],
                     plain(line["qty"]), batches])  # fmt: skip
    return PrintedDocument(
        title=words["title"],
        company=current_app.config["COMPANY_NAME"],
        columns=[
            PrintColumn(words["line"], 0.4),
            PrintColumn(words["sku"], 1.3),
            PrintColumn(words["product"], 2.6),
            PrintColumn(words["unit"], 0.6),
            PrintColumn(words["qty"], 0.9, numeric=True),
            PrintColumn(words["batch"], 1.8),
        ],
        facts=[
            (words["number"], shipment["number"]),
            (words["order"], order.number),
            (words["customer"], f"{customer.code} {customer.name}"),
            (words["address"], order.delivery_address or "—"),
            (words["shipped"], shipment["shipped_at"].date().isoformat()),
            (words["carrier"], shipment["carrier"] or "—"),
            (words["tracking"], shipment["tracking_no"] or "—"),
        ],
        rows=rows,
        footer=f"{words['footer']}  ({utcnow():%Y-%m-%d %H:%M} UTC)",
        signatures=words["signatures"],
    )
