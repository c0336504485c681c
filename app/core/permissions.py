"""The permission matrix: the one place that says which role may do what.

A permission is "<area>:<read|write>", plus `cost:read` for purchase costs, margins and
supplier prices (schemas drop cost fields for callers without it) and
`inventory:override` for a manager's override (issuing an expired batch) and
`sales:approve` for a manager's approval (a price below the minimum, an order over the
customer's credit limit) and `stocktake:approve` for a manager's review of a stocktake
(expected quantities in a blind count, recounts, posting the variances).
"""

AREAS = (
    "users",
    "audit",
    "warehouses",
    "catalog",
    "partners",
    "inventory",
    "purchasing",
    "sales",
    "stocktake",
    "finance",
    "reports",
)

PERMISSIONS: tuple[str, ...] = tuple(
    f"{area}:{action}"
    for area in AREAS
    for action in ("read", "write")
    if (area, action) not in {("audit", "write"), ("reports", "write")}
) + ("cost:read", "inventory:override", "sales:approve", "stocktake:approve")


def _grant(*specs: str) -> frozenset[str]:
    """Expand "catalog:rw" into read and write; "catalog:r" into read only."""
    granted: set[str] = set()
    for spec in specs:
        area, modes = spec.split(":")
        if "r" in modes:
            granted.add(f"{area}:read")
        if "w" in modes:
            granted.add(f"{area}:write")
    unknown = granted - set(PERMISSIONS)
    assert not unknown, f"unknown permissions {unknown}"
    return frozenset(granted)


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "manager": frozenset({"inventory:override", "sales:approve", "stocktake:approve"})
    | _grant(
        "users:r",
        "audit:r",
        "warehouses:r",
        "catalog:rw",
        "partners:rw",
        "inventory:rw",
        "purchasing:rw",
        "sales:rw",
        "stocktake:rw",
        "finance:r",
        "reports:r",
        "cost:r",
    ),
    "purchaser": _grant(
        "warehouses:r",
        "catalog:rw",
        "partners:rw",
        "inventory:r",
        "purchasing:rw",
        "reports:r",
        "cost:r",
    ),
    "sales": _grant(
        "warehouses:r", "catalog:r", "partners:rw", "inventory:r", "sales:rw", "reports:r"
    ),
    "warehouse": _grant(
        "warehouses:r",
        "catalog:r",
        "inventory:rw",
        "purchasing:r",
        "sales:r",
        "stocktake:r",
        "reports:r",
    ),
    "finance": _grant(
        "warehouses:r",
        "catalog:r",
        "partners:r",
        "inventory:r",
        "purchasing:r",
        "sales:r",
        "finance:rw",
        "reports:r",
        "cost:r",
    ),
    "clerk": _grant("warehouses:r", "catalog:r", "inventory:r", "stocktake:rw"),
}

ROLES: tuple[str, ...] = tuple(ROLE_PERMISSIONS)

# Roles whose work is tied to a place: when such a user has warehouses assigned, they
# see and move stock in those warehouses only.
WAREHOUSE_SCOPED_ROLES = frozenset({"warehouse", "clerk"})


def permissions_for(roles) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def is_warehouse_scoped(roles) -> bool:
    """Scoped only when every role the user holds is a warehouse-bound one."""
    roles = set(roles)
    return bool(roles) and roles <= WAREHOUSE_SCOPED_ROLES
