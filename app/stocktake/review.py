"""The review of a stocktake: its variances, page by page with totals, and the same as a
printed variance report (.xlsx or PDF). Values (at the moving-average cost) only for
callers who may see costs; in a blind count, the variances only for reviewers."""

from decimal import Decimal

from flask import current_app

from app.core.db import utcnow
from app.core.errors import ValidationProblem
from app.core.printing import PrintColumn, PrintedDocument
from app.core.security import caller_can
from app.stocktake import quantities
from app.stocktake.services import check_sees_expected, get_stocktake, stocktake_detail

COST = "cost:read"
_SORTS = {
    "location": lambda r: r["location"]["code"] if r["location"] else "",
    "sku": lambda r: r["product"]["sku"],
    "difference": lambda r: r["difference"] or Decimal(0),
    "value": lambda r: r["value"] or Decimal(0),
}
DEFAULT_SORT = "location,sku"


def reviewed_variances(stocktake_id: int, args: dict) -> tuple[dict, list[dict], dict]:
    """(the stocktake, its variance rows as chosen by `threshold`/`all`/`q`, sorted, and
    their totals)."""
    stocktake = get_stocktake(stocktake_id)
    check_sees_expected(stocktake)
    rows = [row for row in quantities.variances(stocktake) if _chosen(row, args)]
    rows = _sorted(rows, args.get("sort"))
    return stocktake_detail(stocktake), rows, quantities.variance_totals(rows)


def variance_page(stocktake_id: int, args: dict) -> dict:
    _, rows, totals = reviewed_variances(stocktake_id, args)
    config = current_app.config
    per_page = min(args.get("per_page") or config["API_DEFAULT_PER_PAGE"],
                   config["API_MAX_PER_PAGE"])  # fmt: skip
    page = args.get("page", 1)
    first = (page - 1) * per_page
    return {"items": rows[first : first + per_page], "total": len(rows), "page": page,
            "per_page": per_page, "totals": totals}  # fmt: skip


def _chosen(row: dict, args: dict) -> bool:
    q = (args.get("q") or "").strip().lower()
    if q and q not in row["product"]["sku"].lower() and q not in row["product"]["name"].lower():
        return False
    if args.get("all"):
        return True
    if row["difference"] is None:  # not counted in its current round
        return False
    threshold = args.get("threshold")
    if threshold is None:
        return row["difference"] != 0
    return abs(row["difference"]) >= threshold


def _sorted(rows: list[dict], sort: str | None) -> list[dict]:
    """?sort=location,-difference from the allowed keys (value only for those who see it)."""
    keys = [k.strip() for k in (sort or DEFAULT_SORT).split(",") if k.strip()]
    allowed = set(_SORTS) if caller_can(COST) else set(_SORTS) - {"value"}
    for key in keys:
        if key.lstrip("-") not in allowed:
            choices = ", ".join(sorted(allowed))
            raise ValidationProblem({"sort": [f"cannot sort by '{key.lstrip('-')}'; use one of: "
                                              f"{choices}"]})  # fmt: skip
    for key in reversed(keys):  # stable sorts, the last key first
        rows = sorted(rows, key=_SORTS[key.lstrip("-")], reverse=key.startswith("-"))
    return rows


# --- the printed report ----------------------------------------------------------------------

WORDS = {
    "zh-CN": {
        "title": "盘点差异表",
        "number": "盘点单号",
        "warehouse": "仓库",
        "mode": "盘点方式",
        "modes": {"full": "全盘", "cycle": "循环盘点"},
        "blind": "盲盘",
        "state": "状态",
        "states": {
            "draft": "草稿",
            "counting": "盘点中",
            "review": "待审核",
            "posted": "已过账",
            "cancelled": "已取消",
        },
        "started": "开始时间",
        "submitted": "提交时间",
        "approved": "审核",
        "document": "调整单",
        "printed": "打印时间",
        "line": "行",
        "location": "库位",
        "sku": "编码",
        "product": "品名",
        "batch": "批号",
        "unit": "单位",
        "expected": "账面数",
        "counted": "实盘数",
        "difference": "差异",
        "unit_cost": "单位成本",
        "value": "差异金额",
        "gains": "盘盈",
        "losses": "盘亏",
        "net": "合计",
        "keys": "项",
        "signatures": ["盘点人", "复核人", "审核人"],
    },
    "en": {
        "title": "Stocktake variance report",
        "number": "Stocktake",
        "warehouse": "Warehouse",
        "mode": "Mode",
        "modes": {"full": "Full count", "cycle": "Cycle count"},
        "blind": "blind",
        "state": "State",
        "states": {
            "draft": "Draft",
            "counting": "Counting",
            "review": "In review",
            "posted": "Posted",
            "cancelled": "Cancelled",
        },
        "started": "Started",
        "submitted": "Submitted",
        "approved": "Approved",
        "document": "Adjustment",
        "printed": "Printed",
        "line": "#",
        "location": "Location",
        "sku": "SKU",
        "product": "Product",
        "batch": "Batch",
        "unit": "Unit",
        "expected": "Expected",
        "counted": "Counted",
        "difference": "Difference",
        "unit_cost": "Unit cost",
        "value": "Value",
        "gains": "Gains",
        "losses": "Losses",
        "net": "Total",
        "keys": "keys",
        "signatures": ["Counted by", "Checked by", "Approved by"],
    },
}
LANGUAGES = tuple(WORDS)


def printed(stocktake: dict, rows: list[dict], totals: dict, lang: str) -> PrintedDocument:
    """The variance report in `lang`: the stocktake's facts, a row per key, and the gains,
    losses and total (with values for those who may see costs)."""
    words = WORDS[lang]
    with_cost = caller_can(COST)
    columns = [
        PrintColumn(words["line"], 0.4),
        PrintColumn(words["location"], 0.9),
        PrintColumn(words["sku"], 1.1),
        PrintColumn(words["product"], 1.9),
        PrintColumn(words["batch"], 0.9),
        PrintColumn(words["unit"], 0.5),
        PrintColumn(words["expected"], 0.8, numeric=True),
        PrintColumn(words["counted"], 0.8, numeric=True),
        PrintColumn(words["difference"], 0.8, numeric=True),
    ]
    if with_cost:
        columns += [PrintColumn(words["unit_cost"], 0.9, numeric=True),
                    PrintColumn(words["value"], 1, numeric=True)]  # fmt: skip
    body = []
    for number, row in enumerate(rows, 1):
        cells = [
            str(number),
            row["location"]["code"] if row["location"] else "",
            row["product"]["sku"],
            row["product"]["name"],
            row["batch"]["number"] if row["batch"] else "",
            row["product"]["unit"],
            _plain(row["expected"]),
            _plain(row["counted"]),
            _signed(row["difference"]),
        ]
        if with_cost:
            cells += [row["unit_cost"].quantize(Decimal("0.01")), row["value"]]
        body.append(cells)

    def summary(label: str, keys: int, value: Decimal) -> list:
        cells = ["", "", "", label, "", "", "", "", f"{keys} {words['keys']}"]
        return cells + (["", value] if with_cost else [])

    return PrintedDocument(
        title=words["title"],
        company=current_app.config["COMPANY_NAME"],
        columns=columns,
        facts=_facts(stocktake, words),
        rows=body,
        summary=[
            summary(words["gains"], totals["gains"], totals["value_gain"]),
            summary(words["losses"], totals["losses"], totals["value_loss"]),
            summary(words["net"], totals["keys"], totals["value_net"]),
        ],
        signatures=words["signatures"],
    )


def _facts(stocktake: dict, words: dict) -> list[tuple[str, str]]:
    warehouse = stocktake["warehouse"]
    mode = words["modes"][stocktake["mode"]] + (
        f" ({words['blind']})" if stocktake["blind"] else ""
    )
    facts = [
        (words["number"], stocktake["number"]),
        (words["warehouse"], f"{warehouse['code']} {warehouse['name']}"),
        (words["mode"], mode),
        (words["state"], words["states"][stocktake["state"]]),
        (words["started"], _when(stocktake["started_at"])),
        (words["submitted"], _when(stocktake["submitted_at"])),
    ]
    if stocktake["approved_at"]:
        approver = stocktake["approved_by"]
        who = approver["display_name"] or approver["username"]
        facts.append((words["approved"], f"{_when(stocktake['approved_at'])} {who}"))
    if stocktake["document"]:
        facts.append((words["document"], stocktake["document"]["number"]))
    facts.append((words["printed"], _when(utcnow())))
    return facts


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


def _plain(value: Decimal | None) -> str:
    """12.000 → "12": quantities as people write them."""
    return "" if value is None else format(value.normalize(), "f")


def _signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + _plain(value)
