"""Demo catalogue: categories and ~200 products with valid EAN-13 codes and case units."""

import random
from decimal import Decimal

from sqlalchemy import select

from app.catalog import services as catalog
from app.catalog.models import Category, Product
from app.extensions import db

# category → sub-category → [(brand, item, specs, unit, case name, case size, price)]
DEMO_CATALOGUE = {
    "饮料 Drinks": {
        "碳酸饮料 Soda": [
            ("可口可乐", "可口可乐", ["330ml", "500ml", "1.25L", "2L"], "瓶", "箱", 24, "3.00"),
            ("百事", "百事可乐", ["330ml", "500ml", "1L"], "瓶", "箱", 24, "3.00"),
            ("雪碧", "雪碧柠檬味汽水", ["330ml", "500ml", "2L"], "瓶", "箱", 24, "3.00"),
        ],
        "饮用水 Water": [
            (
                "农夫山泉",
                "农夫山泉天然水",
                ["380ml", "550ml", "1.5L", "4L"],
                "瓶",
                "箱",
                24,
                "2.00",
            ),
            ("怡宝", "怡宝纯净水", ["350ml", "555ml", "1.555L"], "瓶", "箱", 24, "2.00"),
        ],
        "茶饮 Tea": [
            ("康师傅", "冰红茶", ["250ml", "500ml", "1L"], "瓶", "箱", 15, "3.50"),
            ("统一", "绿茶", ["500ml", "1L"], "瓶", "箱", 15, "3.50"),
            ("东方树叶", "乌龙茶", ["500ml", "900ml"], "瓶", "箱", 15, "5.00"),
        ],
    },
    "零食 Snacks": {
        "饼干 Biscuits": [
            ("奥利奥", "奥利奥夹心饼干", ["97g", "194g", "388g"], "袋", "箱", 24, "7.50"),
            ("康师傅", "3+2苏打夹心饼干", ["125g", "250g"], "袋", "箱", 24, "6.00"),
        ],
        "坚果 Nuts": [
            ("三只松鼠", "每日坚果", ["25g", "375g", "750g"], "袋", "箱", 12, "9.90"),
            ("洽洽", "原味瓜子", ["150g", "260g", "500g"], "袋", "箱", 20, "8.50"),
        ],
        "糖果 Sweets": [
            ("大白兔", "奶糖", ["114g", "227g", "500g"], "袋", "箱", 30, "12.00"),
            ("德芙", "丝滑牛奶巧克力", ["43g", "80g", "252g"], "块", "盒", 12, "9.90"),
        ],
    },
    "粮油 Staples": {
        "大米 Rice": [
            ("金龙鱼", "东北大米", ["2.5kg", "5kg", "10kg"], "袋", None, 0, "29.90"),
            ("福临门", "泰国香米", ["5kg", "10kg"], "袋", None, 0, "49.90"),
        ],
        "食用油 Oil": [
            ("金龙鱼", "黄金比例调和油", ["1.8L", "5L"], "桶", "箱", 4, "69.90"),
            ("鲁花", "5S压榨花生油", ["900ml", "1.8L", "5L"], "桶", "箱", 6, "59.90"),
        ],
        "调味品 Seasoning": [
            ("海天", "金标生抽", ["500ml", "1.28L", "1.9L"], "瓶", "箱", 12, "9.80"),
            ("老干妈", "风味豆豉油制辣椒", ["210g", "280g"], "瓶", "箱", 24, "10.50"),
            ("太太乐", "鸡精", ["100g", "200g", "454g"], "袋", "箱", 40, "7.90"),
        ],
    },
    "日用品 Household": {
        "纸品 Paper": [
            ("维达", "超韧抽纸", ["3层100抽", "3层130抽"], "提", "箱", 8, "19.90"),
            ("清风", "原木卷纸", ["4层140g×10卷", "3层200g×12卷"], "提", "箱", 6, "24.90"),
        ],
        "洗护 Care": [
            ("海飞丝", "去屑洗发露", ["200ml", "400ml", "750ml"], "瓶", "箱", 12, "39.90"),
            ("舒肤佳", "纯白清香香皂", ["100g", "3块装"], "块", "箱", 48, "5.50"),
            ("高露洁", "美白牙膏", ["90g", "140g", "180g"], "支", "箱", 48, "12.90"),
            ("蓝月亮", "深层洁净洗衣液", ["1kg", "2kg", "3kg"], "瓶", "箱", 6, "29.90"),
        ],
    },
}


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def _ensure_category(name: str, parent_id: int | None) -> int:
    existing = db.session.scalar(
        select(Category.id).where(
            Category.name == name,
            Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id,
        )
    )
    return existing or catalog.create_category(name, parent_id).id


def seed_catalogue(target: int = 200) -> int:
    """Create the demo products that are missing; returns how many were created."""
    rng = random.Random(20261122)  # the same demo every time
    created, serial = 0, 0
    rows = []
    for top, subs in DEMO_CATALOGUE.items():
        top_id = _ensure_category(top, None)
        for sub, items in subs.items():
            sub_id = _ensure_category(sub, top_id)
            for brand, item, specs, unit, case, size, price in items:
                for spec in specs:
                    for flavour in ("", "（家庭装）", "（促销装）"):
                        rows.append((sub_id, brand, item, spec, flavour, unit, case, size, price))
    for sub_id, brand, item, spec, flavour, unit, case, size, price in rows[:target]:
        serial += 1
        sku = f"JXC-{serial:04d}"
        if db.session.scalar(select(Product.id).where(Product.sku == sku)):
            continue
        retail = Decimal(price) * Decimal(rng.choice(["0.8", "1", "1.2", "1.5", "2"]))
        retail = retail.quantize(Decimal("0.1"))
        units = []
        if case:
            units.append(
                {
                    "name": case,
                    "factor": Decimal(size),
                    "barcode": ean13(f"69{serial:05d}88{rng.randint(100, 999)}"),
                }
            )
        catalog.create_product(
            {
                "sku": sku,
                "name": f"{brand} {item} {spec}{flavour}".replace(f"{brand} {brand}", brand),
                "spec": spec,
                "brand": brand,
                "category_id": sub_id,
                "unit": unit,
                "barcodes": [ean13(f"69{serial:05d}10{rng.randint(100, 999)}")],
                "units": units,
                "retail_price": retail,
                "wholesale_price": (retail * Decimal("0.85")).quantize(Decimal("0.01")),
                "min_price": (retail * Decimal("0.75")).quantize(Decimal("0.01")),
                "level_prices": {"vip": (retail * Decimal("0.9")).quantize(Decimal("0.01"))},
                "safety_stock": Decimal(rng.choice([0, 12, 24, 48, 100])),
                "reorder_point": Decimal(rng.choice([0, 24, 48])),
                "reorder_qty": Decimal(size * 2 if size else 20),
                "track_batches": flavour == "（促销装）",
                "track_expiry": brand in ("三只松鼠", "洽洽", "大白兔"),
                "shelf_life_days": 270 if brand in ("三只松鼠", "洽洽", "大白兔") else None,
            }
        )
        created += 1
    return created
