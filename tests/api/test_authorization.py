"""Who may call what: every /api rule is covered, and nothing is open by accident."""

import re

import pytest

from tests.support import assert_problem

ALL = {"admin", "manager", "purchaser", "sales", "warehouse", "finance", "clerk"}
CATALOG_WRITERS = {"admin", "manager", "purchaser"}
PARTNER_WRITERS = {"admin", "manager", "purchaser", "sales"}
PARTNER_READERS = PARTNER_WRITERS | {"finance"}
STOCK_WRITERS = {"admin", "manager", "warehouse"}
PURCHASING_WRITERS = {"admin", "manager", "purchaser"}
PURCHASING_READERS = PURCHASING_WRITERS | {"warehouse", "finance"}
FINANCE_WRITERS = {"admin", "finance"}
FINANCE_READERS = FINANCE_WRITERS | {"manager"}
SALES_WRITERS = {"admin", "manager", "sales"}
SALES_READERS = SALES_WRITERS | {"warehouse", "finance"}
STOCKTAKE_APPROVERS = {"admin", "manager"}
STOCKTAKE_WRITERS = STOCKTAKE_APPROVERS | {"clerk"}
STOCKTAKE_READERS = STOCKTAKE_WRITERS | {"warehouse"}
REPORT_READERS = {"admin", "manager", "purchaser", "finance", "sales", "warehouse"}
PUBLIC = {("POST", "/api/v1/auth/login"), ("GET", "/api/v1/health")}

# (method, rule) → the roles that may call it. A new endpoint must be added here.
EXPECTED = {
    ("GET", "/api/v1/openapi.json"): ALL,
    ("GET", "/api/docs"): ALL,
    ("GET", "/api/v1/auth/me"): ALL,
    ("POST", "/api/v1/auth/logout"): ALL,
    ("GET", "/api/v1/auth/tokens"): ALL,
    ("POST", "/api/v1/auth/tokens"): ALL,
    ("DELETE", "/api/v1/auth/tokens/<int:token_id>"): ALL,
    ("GET", "/api/v1/roles"): ALL,
    ("GET", "/api/v1/users"): {"admin", "manager"},
    ("POST", "/api/v1/users"): {"admin"},
    ("GET", "/api/v1/users/<int:user_id>"): {"admin", "manager"},
    ("PATCH", "/api/v1/users/<int:user_id>"): {"admin"},
    ("GET", "/api/v1/audit"): {"admin", "manager"},
    ("GET", "/api/v1/warehouses"): ALL,
    ("POST", "/api/v1/warehouses"): {"admin"},
    ("GET", "/api/v1/warehouses/<int:warehouse_id>"): ALL,
    ("PATCH", "/api/v1/warehouses/<int:warehouse_id>"): {"admin"},
    ("DELETE", "/api/v1/warehouses/<int:warehouse_id>"): {"admin"},
    ("GET", "/api/v1/warehouses/<int:warehouse_id>/locations"): ALL,
    ("POST", "/api/v1/warehouses/<int:warehouse_id>/locations"): {"admin"},
    ("GET", "/api/v1/warehouses/<int:warehouse_id>/locations/<int:location_id>"): ALL,
    ("PATCH", "/api/v1/warehouses/<int:warehouse_id>/locations/<int:location_id>"): {"admin"},
    ("DELETE", "/api/v1/warehouses/<int:warehouse_id>/locations/<int:location_id>"): {"admin"},
    ("GET", "/api/v1/categories"): ALL,
    ("POST", "/api/v1/categories"): CATALOG_WRITERS,
    ("PATCH", "/api/v1/categories/<int:category_id>"): CATALOG_WRITERS,
    ("DELETE", "/api/v1/categories/<int:category_id>"): CATALOG_WRITERS,
    ("GET", "/api/v1/products"): ALL,
    ("POST", "/api/v1/products"): CATALOG_WRITERS,
    ("GET", "/api/v1/products/<int:product_id>"): ALL,
    ("PATCH", "/api/v1/products/<int:product_id>"): CATALOG_WRITERS,
    ("DELETE", "/api/v1/products/<int:product_id>"): CATALOG_WRITERS,
    ("GET", "/api/v1/products/<int:product_id>/image"): ALL,
    ("PUT", "/api/v1/products/<int:product_id>/image"): CATALOG_WRITERS,
    ("DELETE", "/api/v1/products/<int:product_id>/image"): CATALOG_WRITERS,
    ("GET", "/api/v1/exports/products.<any(xlsx, csv):fmt>"): ALL,
    ("GET", "/api/v1/imports/products/template"): CATALOG_WRITERS,
    ("POST", "/api/v1/imports/products"): CATALOG_WRITERS,
    ("GET", "/api/v1/imports/annotated/<token>"): ALL,
    ("POST", "/api/v1/scan/decode"): ALL,
    ("GET", "/api/v1/scan/resolve"): ALL,
    ("GET", "/api/v1/imports/suppliers/template"): PARTNER_WRITERS,
    ("POST", "/api/v1/imports/suppliers"): PARTNER_WRITERS,
    ("GET", "/api/v1/imports/customers/template"): PARTNER_WRITERS,
    ("POST", "/api/v1/imports/customers"): PARTNER_WRITERS,
    ("GET", "/api/v1/imports/opening-stock/template"): STOCK_WRITERS,
    ("POST", "/api/v1/imports/opening-stock"): STOCK_WRITERS,
    ("GET", "/api/v1/exports/suppliers.<any(xlsx, csv):fmt>"): PARTNER_READERS,
    ("GET", "/api/v1/exports/customers.<any(xlsx, csv):fmt>"): PARTNER_READERS,
    ("GET", "/api/v1/suppliers"): PARTNER_READERS,
    ("POST", "/api/v1/suppliers"): PARTNER_WRITERS,
    ("GET", "/api/v1/suppliers/<int:supplier_id>"): PARTNER_READERS,
    ("PATCH", "/api/v1/suppliers/<int:supplier_id>"): PARTNER_WRITERS,
    ("DELETE", "/api/v1/suppliers/<int:supplier_id>"): PARTNER_WRITERS,
    ("GET", "/api/v1/customers"): PARTNER_READERS,
    ("POST", "/api/v1/customers"): PARTNER_WRITERS,
    ("GET", "/api/v1/customers/<int:customer_id>"): PARTNER_READERS,
    ("PATCH", "/api/v1/customers/<int:customer_id>"): PARTNER_WRITERS,
    ("DELETE", "/api/v1/customers/<int:customer_id>"): PARTNER_WRITERS,
    ("POST", "/api/v1/stock/movements"): STOCK_WRITERS,
    ("GET", "/api/v1/stock/movements"): ALL,
    ("GET", "/api/v1/stock/movements/<int:document_id>"): ALL,
    ("POST", "/api/v1/stock/movements/<int:document_id>/cancel"): STOCK_WRITERS,
    ("GET", "/api/v1/stock/balances"): ALL,
    ("GET", "/api/v1/stock/ledger"): ALL,
    ("GET", "/api/v1/labels/products.pdf"): ALL,
    ("GET", "/api/v1/labels/locations.pdf"): ALL,
    ("GET", "/api/v1/labels/batches.pdf"): ALL,
    ("GET", "/api/v1/purchase-orders"): PURCHASING_READERS,
    ("POST", "/api/v1/purchase-orders"): PURCHASING_WRITERS,
    ("GET", "/api/v1/purchase-orders/<int:order_id>"): PURCHASING_READERS,
    ("PATCH", "/api/v1/purchase-orders/<int:order_id>"): PURCHASING_WRITERS,
    ("POST", "/api/v1/purchase-orders/<int:order_id>/approve"): PURCHASING_WRITERS,
    ("POST", "/api/v1/purchase-orders/<int:order_id>/cancel"): PURCHASING_WRITERS,
    ("POST", "/api/v1/purchase-orders/<int:order_id>/close"): PURCHASING_WRITERS,
    ("GET", "/api/v1/purchase-orders/<int:order_id>/history"): PURCHASING_READERS,
    ("POST", "/api/v1/purchase-orders/<int:order_id>/receipts"): STOCK_WRITERS,
    ("GET", "/api/v1/purchase-orders/<int:order_id>/receipts"): PURCHASING_READERS,
    ("GET", "/api/v1/purchase-orders/<int:order_id>/returns"): PURCHASING_READERS,
    ("POST", "/api/v1/purchase-receipts/<int:receipt_id>/returns"): STOCK_WRITERS,
    ("GET", "/api/v1/supplier-bills"): FINANCE_READERS,
    ("POST", "/api/v1/supplier-bills"): FINANCE_WRITERS,
    ("GET", "/api/v1/supplier-bills/<int:bill_id>"): FINANCE_READERS,
    ("GET", "/api/v1/supplier-bills/billable"): FINANCE_READERS,
    ("POST", "/api/v1/supplier-bills/<int:bill_id>/post"): FINANCE_WRITERS,
    ("POST", "/api/v1/supplier-bills/<int:bill_id>/cancel"): FINANCE_WRITERS,
    ("GET", "/api/v1/supplier-payments"): FINANCE_READERS,
    ("POST", "/api/v1/supplier-payments"): FINANCE_WRITERS,
    ("GET", "/api/v1/supplier-payments/<int:payment_id>"): FINANCE_READERS,
    ("POST", "/api/v1/supplier-payments/<int:payment_id>/allocate"): FINANCE_WRITERS,
    ("GET", "/api/v1/payables"): FINANCE_READERS,
    ("GET", "/api/v1/payables/ageing"): FINANCE_READERS,
    ("GET", "/api/v1/suppliers/<int:supplier_id>/statement"): FINANCE_READERS,
    ("GET", "/api/v1/suppliers/<int:supplier_id>/statement.<any(xlsx, pdf):fmt>"): FINANCE_READERS,
    ("GET", "/api/v1/sales-orders"): SALES_READERS,
    ("POST", "/api/v1/sales-orders"): SALES_WRITERS,
    ("GET", "/api/v1/sales-orders/<int:order_id>"): SALES_READERS,
    ("PATCH", "/api/v1/sales-orders/<int:order_id>"): SALES_WRITERS,
    ("GET", "/api/v1/sales-orders/<int:order_id>/history"): SALES_READERS,
    ("POST", "/api/v1/sales-orders/<int:order_id>/confirm"): SALES_WRITERS,
    ("POST", "/api/v1/sales-orders/<int:order_id>/hold"): SALES_WRITERS,
    ("POST", "/api/v1/sales-orders/<int:order_id>/release"): SALES_WRITERS,
    ("POST", "/api/v1/sales-orders/<int:order_id>/cancel"): SALES_WRITERS,
    ("GET", "/api/v1/sales-orders/<int:order_id>/pick-list"): SALES_READERS,
    ("GET", "/api/v1/sales-orders/<int:order_id>/shipments"): SALES_READERS,
    ("POST", "/api/v1/sales-orders/<int:order_id>/shipments"): STOCK_WRITERS,
    ("GET", "/api/v1/shipments/<int:shipment_id>"): SALES_READERS,
    ("GET", "/api/v1/shipments/<int:shipment_id>/delivery-note.pdf"): SALES_READERS,
    ("POST", "/api/v1/sales-orders/<int:order_id>/invoices"): FINANCE_WRITERS,
    ("GET", "/api/v1/customer-invoices"): FINANCE_READERS,
    ("GET", "/api/v1/customer-invoices/<int:invoice_id>"): FINANCE_READERS,
    ("GET", "/api/v1/customer-receipts"): FINANCE_READERS,
    ("POST", "/api/v1/customer-receipts"): FINANCE_WRITERS,
    ("GET", "/api/v1/customer-receipts/<int:receipt_id>"): FINANCE_READERS,
    ("POST", "/api/v1/customer-receipts/<int:receipt_id>/allocate"): FINANCE_WRITERS,
    ("GET", "/api/v1/receivables"): FINANCE_READERS,
    ("GET", "/api/v1/receivables/ageing"): FINANCE_READERS,
    ("GET", "/api/v1/customers/<int:customer_id>/statement"): FINANCE_READERS,
    ("GET", "/api/v1/customers/<int:customer_id>/statement.<any(xlsx, pdf):fmt>"): FINANCE_READERS,
    ("POST", "/api/v1/shipments/<int:shipment_id>/returns"): STOCK_WRITERS,
    ("GET", "/api/v1/shipments/<int:shipment_id>/returns"): SALES_READERS,
    ("GET", "/api/v1/stocktakes"): STOCKTAKE_READERS,
    ("POST", "/api/v1/stocktakes"): STOCKTAKE_WRITERS,
    ("GET", "/api/v1/stocktakes/<int:stocktake_id>"): STOCKTAKE_READERS,
    ("PATCH", "/api/v1/stocktakes/<int:stocktake_id>"): STOCKTAKE_WRITERS,
    ("POST", "/api/v1/stocktakes/<int:stocktake_id>/start"): STOCKTAKE_WRITERS,
    ("POST", "/api/v1/stocktakes/<int:stocktake_id>/submit"): STOCKTAKE_WRITERS,
    ("POST", "/api/v1/stocktakes/<int:stocktake_id>/recount"): STOCKTAKE_APPROVERS,
    ("POST", "/api/v1/stocktakes/<int:stocktake_id>/approve"): STOCKTAKE_APPROVERS,
    ("POST", "/api/v1/stocktakes/<int:stocktake_id>/cancel"): STOCKTAKE_WRITERS,
    ("GET", "/api/v1/stocktakes/<int:stocktake_id>/history"): STOCKTAKE_READERS,
    ("POST", "/api/v1/stocktakes/<int:stocktake_id>/counts"): STOCKTAKE_WRITERS,
    ("GET", "/api/v1/stocktakes/<int:stocktake_id>/lines"): STOCKTAKE_READERS,
    ("GET", "/api/v1/stocktakes/<int:stocktake_id>/progress"): STOCKTAKE_READERS,
    ("GET", "/api/v1/stocktakes/<int:stocktake_id>/variances"): STOCKTAKE_READERS,
    ("GET", "/api/v1/stocktakes/<int:stocktake_id>/variances.<any(xlsx, pdf):fmt>"): (
        STOCKTAKE_READERS
    ),
    ("GET", "/api/v1/purchasing/reorder-suggestions"): PURCHASING_READERS,
    ("POST", "/api/v1/purchasing/reorder-suggestions"): PURCHASING_WRITERS,
    ("GET", "/api/v1/alerts/summary"): ALL,
    ("GET", "/api/v1/notifications"): ALL,
    ("GET", "/api/v1/notifications/unread-count"): ALL,
    ("POST", "/api/v1/notifications/<int:notification_id>/read"): ALL,
    ("POST", "/api/v1/notifications/read-all"): ALL,
    ("GET", "/api/v1/notifications/preferences"): ALL,
    ("PUT", "/api/v1/notifications/preferences"): ALL,
    ("GET", "/api/v1/push/key"): ALL,
    ("POST", "/api/v1/push/subscriptions"): ALL,
    ("DELETE", "/api/v1/push/subscriptions"): ALL,
    ("GET", "/api/v1/reports"): ALL,
    ("GET", "/api/v1/reports/dashboard"): REPORT_READERS,
    ("GET", "/api/v1/reports/replenishment"): REPORT_READERS,
    ("GET", "/api/v1/purchasing/demand-forecast"): PURCHASING_READERS,
    ("POST", "/api/v1/purchasing/demand-forecasts/refresh"): PURCHASING_WRITERS,
    ("GET", "/api/v1/reports/stock-balance"): REPORT_READERS,
    ("GET", "/api/v1/reports/stock-ledger"): REPORT_READERS,
    ("GET", "/api/v1/reports/inout-summary"): REPORT_READERS,
    ("GET", "/api/v1/reports/dead-stock"): REPORT_READERS,
    ("GET", "/api/v1/reports/stock-ageing"): REPORT_READERS,
    ("GET", "/api/v1/reports/expiry"): REPORT_READERS,
    ("GET", "/api/v1/reports/receivable-ageing"): FINANCE_READERS,
    ("GET", "/api/v1/reports/payable-ageing"): FINANCE_READERS,
    ("GET", "/api/v1/reports/gross-margin"): REPORT_READERS,
    ("GET", "/api/v1/reports/top-sellers"): REPORT_READERS,
    ("GET", "/api/v1/reports/sales-summary"): REPORT_READERS,
    ("GET", "/api/v1/reports/purchase-summary"): REPORT_READERS,
}


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def _concrete(rule: str) -> str:
    rule = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule)  # a choice: its first option
    return re.sub(r"<(?:\w+:)?\w+>", "999999", rule)


def test_every_api_rule_is_in_the_table(app):
    assert set(_api_rules(app)) == set(EXPECTED) | PUBLIC


def test_without_login_everything_but_login_and_health_is_401(app, client):
    for method, rule in _api_rules(app):
        response = client.open(_concrete(rule), method=method, json={})
        if (method, rule) in PUBLIC:
            assert response.status_code != 401, (method, rule)
        else:
            assert_problem(response, 401)


@pytest.mark.parametrize("role", sorted(ALL))
def test_role_matrix(role, login_as):
    client = login_as(role)
    for (method, rule), allowed in EXPECTED.items():
        if method == "POST" and rule.endswith("/logout"):
            continue  # would end this client's session mid-walk
        # An empty body: allowed callers get past the gate and stop at validation (or 404),
        # so the walk changes nothing.
        response = client.open(_concrete(rule), method=method, json={})
        if role in allowed:
            assert response.status_code not in (401, 403), (role, method, rule, response.json)
        else:
            assert_problem(response, 403)
