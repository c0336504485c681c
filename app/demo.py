"""The demo company: one user per role, two warehouses, a catalogue, partners and stock.
Safe to run again."""

from app.auth import services as auth_services
from app.core.permissions import ROLES
from app.demo_catalog import seed_catalogue
from app.demo_finance import seed_finance
from app.demo_history import seed_history
from app.demo_partners import seed_partners
from app.demo_purchasing import seed_purchasing
from app.demo_sales import seed_sales
from app.demo_stock import seed_days_of_work, seed_opening_stock
from app.demo_stocktake import seed_stocktakes
from app.inventory.services import ensure_locations, ensure_warehouse
from app.purchasing import replenishment

DEMO_PASSWORD = "jxc-demo"

DEMO_WAREHOUSES = (
    ("SH01", "上海总仓 Shanghai Main", "上海市浦东新区张江路 88 号"),
    ("SZ01", "深圳分仓 Shenzhen", "深圳市南山区科技园 6 号"),
)

DEMO_NAMES = {
    "admin": "系统管理员",
    "manager": "王经理",
    "purchaser": "李采购",
    "sales": "张销售",
    "warehouse": "赵仓管",
    "finance": "钱财务",
    "clerk": "孙盘点",
}


# Zone-aisle-shelf codes: A-01-01 … B-03-04.
DEMO_LOCATIONS = [
    f"{zone}-{aisle:02d}-{shelf:02d}"
    for zone in "AB"
    for aisle in (1, 2, 3)
    for shelf in (1, 2, 3, 4)
]


def seed_demo() -> dict:
    """Create what is missing; never touch what exists. Returns what was created."""
    warehouses = [ensure_warehouse(code, name, address) for code, name, address in DEMO_WAREHOUSES]
    for warehouse in warehouses:
        ensure_locations(warehouse.id, DEMO_LOCATIONS)
    created_users = []
    for role in ROLES:
        if auth_services.find_user_by_username(role) is not None:
            continue
        # Floor staff and clerks work in the main warehouse; everyone else sees all.
        scoped = role in ("warehouse", "clerk")
        auth_services.create_user(
            role,
            DEMO_PASSWORD,
            [role],
            display_name=DEMO_NAMES[role],
            warehouse_ids=[warehouses[0].id] if scoped else [],
        )
        created_users.append(role)
    return {
        "users": created_users,
        "warehouses": [w.code for w in warehouses],
        "products": seed_catalogue(),
        **seed_partners(),
        **_stock(),
        "purchase_orders": seed_purchasing(),
        "supplier_bills": seed_finance(),
        "sales_orders": seed_sales(),
        "stocktakes": seed_stocktakes(),
        "forecasts": replenishment.refresh().count,
    }


def _stock() -> dict:
    """Opening stock, twelve weeks of sales since, then today's work — once."""
    opening = seed_opening_stock()
    if not opening:
        return {"stock_documents": 0, "past_orders": 0}
    past_orders = seed_history()
    return {"stock_documents": opening + seed_days_of_work(), "past_orders": past_orders}
