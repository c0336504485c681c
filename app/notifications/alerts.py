"""The alerts scan: what needs attention because of the date, not because of a change.

- batch.expiring: a batch with stock in a warehouse whose expiry is within its product's
  alert window (products.expiry_alert_days, else EXPIRY_ALERT_DAYS), announced once when
  it enters the window, and once more if it is still in stock after it has expired
  (days_left < 0): expired stock on a shelf is the most urgent case, and a batch that
  arrived already inside its window or already expired is announced too.
- receivable.overdue: a posted customer invoice with money open after its due date, once.
- po.late: an approved or partly received purchase order past its expected date, once per
  expected date (moved to a later date, it is announced again if that passes too).

Each item is announced once however often the scan runs and however many processes run
it: an AlertMark row is inserted first (insert-if-absent on a unique key), and only the
scan whose insert went in emits the event. Events become stored notifications (the
preparer in app.notifications.services) with the marks, in one transaction.
"""

import logging
import threading
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask, current_app
from flask_login import current_user
from sqlalchemy import func, select

from app.catalog.models import Product
from app.core.db import utcnow
from app.core.events import emit
from app.core.security import allowed_warehouse_ids
from app.core.transactions import insert_ignoring_duplicates, run_transaction
from app.extensions import db
from app.inventory import stock
from app.inventory.models import Batch, StockBalance, Warehouse
from app.inventory.refs import product_refs, warehouse_ref
from app.notifications.models import AlertMark
from app.partners.models import Customer, Supplier
from app.purchasing import replenishment
from app.purchasing.models import PurchaseOrder
from app.sales.models import CustomerInvoice, SalesOrder
from app.sales.services import order_query

log = logging.getLogger(__name__)

LATE_STATES = ("approved", "partially_received")
FORECAST_MAX_AGE = timedelta(hours=24)


def scan(today: date | None = None) -> dict[str, int]:
    """Find what is due and announce what is new; returns how many of each kind."""
    today = today or utcnow().date()

    def work():
        return {
            "batch.expiring": _expiring_batches(today),
            "receivable.overdue": _overdue_invoices(today),
            "po.late": _late_orders(today),
        }

    return run_transaction(work)


def summary() -> dict:
    """What needs attention now, within what the caller may see: the home screen's live
    tiles (None for a figure the caller's role does not show)."""
    today = utcnow().date()
    tiles = {"low_stock": None, "expiring_batches": None, "orders_today": None}
    if current_user.can("inventory:read"):
        below = stock.balances_by_warehouse({"below_safety": True, "page": 1, "per_page": 1})
        tiles["low_stock"] = below["total"]
        tiles["expiring_batches"] = len(due_batches(today, allowed_warehouse_ids()))
    if current_user.can("sales:read"):
        since = datetime.combine(today, time.min, tzinfo=UTC)
        orders = order_query().where(SalesOrder.created_at >= since).subquery()
        tiles["orders_today"] = db.session.scalar(select(func.count()).select_from(orders))
    return tiles


def _first_time(mark_kind: str, key: str, today: date) -> bool:
    """Mark an item announced; False when a scan (maybe running right now) already did."""
    inserted = db.session.execute(
        insert_ignoring_duplicates(AlertMark.__table__)
        .values(kind=mark_kind, key=key, marked_on=today)
        .returning(AlertMark.id)  # rowcount is not reliable here on every driver
    )
    return inserted.first() is not None


def _unmarked(mark_kind: str, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    marked = set(
        db.session.scalars(
            select(AlertMark.key).where(AlertMark.kind == mark_kind, AlertMark.key.in_(keys))
        )
    )
    return set(keys) - marked


def _warehouse_refs(ids) -> dict[int, dict]:
    rows = db.session.scalars(select(Warehouse).where(Warehouse.id.in_(list(ids))))
    return {warehouse.id: warehouse_ref(warehouse) for warehouse in rows}


# --- batches -----------------------------------------------------------------------------------


def due_batches(today: date, warehouse_ids=None) -> list[tuple[str, object]]:
    """(mark kind, row) per batch × warehouse with stock that is expired or inside its
    product's alert window; only the warehouses given, when given."""
    default_window = current_app.config["EXPIRY_ALERT_DAYS"]
    widest = db.session.scalar(select(func.max(Product.expiry_alert_days))) or 0
    horizon = today + timedelta(days=max(default_window, widest))
    qty = func.sum(StockBalance.on_hand).label("qty")
    stmt = (
        select(Batch.id, Batch.number, Batch.expiry, Batch.product_id, StockBalance.warehouse_id,
               Product.expiry_alert_days, qty)
        .join(StockBalance, StockBalance.batch_id == Batch.id)
        .join(Product, Product.id == Batch.product_id)
        .where(Batch.expiry.is_not(None), Batch.expiry <= horizon)
        .group_by(Batch.id, Batch.number, Batch.expiry, Batch.product_id,
                  StockBalance.warehouse_id, Product.expiry_alert_days)
        .having(qty > 0)
        .order_by(Batch.expiry, Batch.id, StockBalance.warehouse_id)
    )  # fmt: skip
    if warehouse_ids is not None:
        stmt = stmt.where(StockBalance.warehouse_id.in_(list(warehouse_ids)))
    due = []  # expired, or inside the product's own window
    for row in db.session.execute(stmt):
        window = default_window if row.expiry_alert_days is None else row.expiry_alert_days
        if row.expiry < today:
            due.append(("batch.expired", row))
        elif row.expiry <= today + timedelta(days=window):
            due.append(("batch.expiring", row))
    return due


def _expiring_batches(today: date) -> int:
    due = due_batches(today)
    new = {
        mark_kind: _unmarked(mark_kind, [_batch_key(r) for k, r in due if k == mark_kind])
        for mark_kind in ("batch.expiring", "batch.expired")
    }
    due = [(k, r) for k, r in due if _batch_key(r) in new[k]]
    products = product_refs({row.product_id for _, row in due})
    warehouses = _warehouse_refs({row.warehouse_id for _, row in due})
    announced = 0
    for mark_kind, row in due:
        if not _first_time(mark_kind, _batch_key(row), today):
            continue
        days_left = (row.expiry - today).days
        emit(
            "batch.expiring",
            {
                "product": products[row.product_id],
                "batch": {"id": row.id, "number": row.number},
                "expiry": row.expiry.isoformat(),
                "days_left": days_left,
                "expired": days_left < 0,
                "qty": str(row.qty),
                "warehouse_id": row.warehouse_id,
                "warehouse": warehouses[row.warehouse_id],
            },
            rooms=("role:manager", f"warehouse:{row.warehouse_id}"),
        )
        announced += 1
    return announced


def _batch_key(row) -> str:
    return f"{row.id}@{row.warehouse_id}"


# --- receivables -------------------------------------------------------------------------------


def _overdue_invoices(today: date) -> int:
    rows = db.session.execute(
        select(CustomerInvoice, Customer, SalesOrder.number)
        .join(Customer, Customer.id == CustomerInvoice.customer_id)
        .join(SalesOrder, SalesOrder.id == CustomerInvoice.order_id)
        .where(
            CustomerInvoice.overdue_on(today),
            CustomerInvoice.total > CustomerInvoice.paid + CustomerInvoice.credited,
        )
        .order_by(CustomerInvoice.due_date, CustomerInvoice.id)
    ).all()
    new = _unmarked("receivable.overdue", [str(invoice.id) for invoice, _, _ in rows])
    announced = 0
    for invoice, customer, order_number in rows:
        key = str(invoice.id)
        if key not in new or not _first_time("receivable.overdue", key, today):
            continue
        emit(
            "receivable.overdue",
            {
                "invoice": {"id": invoice.id, "number": invoice.number},
                "order": {"id": invoice.order_id, "number": order_number},
                "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
                "due_date": invoice.due_date.isoformat(),
                "days_overdue": (today - invoice.due_date).days,
                "open": str(invoice.open_amount),
                "warehouse_id": None,  # money is owed by the customer, not by a place
            },
            rooms=("role:manager", "role:finance"),
        )
        announced += 1
    return announced


# --- purchase orders ---------------------------------------------------------------------------


def _late_orders(today: date) -> int:
    rows = db.session.execute(
        select(PurchaseOrder, Supplier)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(
            PurchaseOrder.state.in_(LATE_STATES),
            PurchaseOrder.expected_date.is_not(None),
            PurchaseOrder.expected_date < today,
        )
        .order_by(PurchaseOrder.expected_date, PurchaseOrder.id)
    ).all()
    new = _unmarked("po.late", [_order_key(order) for order, _ in rows])
    warehouses = _warehouse_refs({order.warehouse_id for order, _ in rows})
    announced = 0
    for order, supplier in rows:
        key = _order_key(order)
        if key not in new or not _first_time("po.late", key, today):
            continue
        emit(
            "po.late",
            {
                "order": {"id": order.id, "number": order.number, "state": order.state},
                "supplier": {"id": supplier.id, "code": supplier.code, "name": supplier.name},
                "expected_date": order.expected_date.isoformat(),
                "days_late": (today - order.expected_date).days,
                "warehouse_id": order.warehouse_id,
                "warehouse": warehouses[order.warehouse_id],
            },
            rooms=("role:manager", "role:purchaser"),
        )
        announced += 1
    return announced


def _order_key(order: PurchaseOrder) -> str:
    return f"{order.id}@{order.expected_date.isoformat()}"


# --- the scheduler -----------------------------------------------------------------------------


class AlertScheduler:
    """Runs the scan in a daemon thread: once when the process serves its first request,
    then every ALERTS_SCAN_INTERVAL_S; demand forecasts older than a day are remade after
    it. Started by a request, not by create_app, so CLI
    commands never scan and a pre-forking server starts it in each worker, not in the
    parent whose threads do not survive the fork."""

    def __init__(self, app: Flask):
        self.app = app
        self.completed_scans = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._scanned = threading.Condition()

    def start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="jxc-alerts", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_for_scans(self, count: int, timeout: float = 30) -> bool:
        with self._scanned:
            return self._scanned.wait_for(lambda: self.completed_scans >= count, timeout)

    def _run(self) -> None:
        interval = self.app.config["ALERTS_SCAN_INTERVAL_S"]
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    found = scan()
                    remade = replenishment.refresh_if_stale(FORECAST_MAX_AGE)
                log.info("alerts scan: %s; forecasts remade: %s", found, remade)
            except Exception:  # the next round may well succeed (a locked database)
                log.exception("alerts scan failed")
            with self._scanned:
                self.completed_scans += 1
                self._scanned.notify_all()
            self._stop.wait(interval)


def init_scheduler(app: Flask) -> AlertScheduler:
    scheduler = AlertScheduler(app)
    app.extensions["jxc_alerts"] = scheduler
    app.before_request(scheduler.start)
    return scheduler
