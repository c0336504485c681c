"""Demo partners: 10 suppliers and 30 customers, some of them the demo salesperson's."""

import random
from decimal import Decimal

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.partners import services as partners
from app.partners.models import Customer, Supplier

DEMO_SUPPLIERS = (
    ("可口可乐华东饮料有限公司", "陈经理", "上海市闵行区"),
    ("农夫山泉股份有限公司", "刘主管", "杭州市西湖区"),
    ("康师傅控股有限公司", "王先生", "天津市滨海新区"),
    ("旺旺食品贸易有限公司", "赵女士", "上海市青浦区"),
    ("三只松鼠股份有限公司", "孙经理", "芜湖市弋江区"),
    ("金龙鱼粮油食品有限公司", "周先生", "上海市浦东新区"),
    ("海天味业有限公司", "吴主管", "佛山市禅城区"),
    ("维达纸业有限公司", "郑女士", "江门市蓬江区"),
    ("宝洁日化贸易有限公司", "冯经理", "广州市黄埔区"),
    ("蓝月亮日化有限公司", "褚先生", "广州市天河区"),
)

_SHOP_KINDS = ("便利店", "超市", "批发部", "食杂店", "连锁店", "商行")
_PLACES = ("徐汇", "静安", "浦东", "闵行", "宝山", "南山", "福田", "罗湖", "龙岗", "宝安")
_SURNAMES = "张王李赵刘陈杨黄周吴"


def seed_partners() -> dict:
    """Create the demo suppliers and customers that are missing."""
    rng = random.Random(20261122)
    made = {"suppliers": 0, "customers": 0}
    for n, (name, contact, city) in enumerate(DEMO_SUPPLIERS, start=1):
        code = f"S{n:03d}"
        if db.session.scalar(select(Supplier.id).where(Supplier.code == code)):
            continue
        partners.create_supplier(
            {
                "code": code,
                "name": name,
                "contact": contact,
                "phone": f"021-{rng.randint(5000_0000, 6999_9999)}",
                "address": city,
                "payment_terms_days": rng.choice([30, 45, 60]),
                "lead_time_days": rng.choice([3, 5, 7, 10]),
                "rating": rng.randint(3, 5),
                "opening_payable": Decimal(rng.randint(0, 200)) * 100,
            }
        )
        made["suppliers"] += 1

    salesperson = db.session.scalar(select(User.id).where(User.username == "sales"))
    for n in range(1, 31):
        code = f"C{n:03d}"
        if db.session.scalar(select(Customer.id).where(Customer.code == code)):
            continue
        place = _PLACES[n % len(_PLACES)]
        contact = f"{_SURNAMES[n % len(_SURNAMES)]}老板"
        partners.create_customer(
            {
                "code": code,
                "name": f"{place}{'好又多美佳惠民鑫源'[n % 9]}{_SHOP_KINDS[n % len(_SHOP_KINDS)]}",
                "contacts": [{"name": contact, "phone": f"13{rng.randint(100000000, 999999999)}"}],
                "delivery_addresses": [
                    {"label": "门店", "address": f"{place}区建设路 {n} 号", "is_default": True}
                ],
                "price_level": "vip" if n % 5 == 0 else "retail",
                "credit_limit": Decimal(rng.choice([0, 5000, 10000, 20000])),
                "credit_days": rng.choice([0, 15, 30]),
                # Two of every three belong to the demo salesperson.
                "salesperson_id": salesperson if n % 3 else None,
                "opening_receivable": Decimal(rng.randint(0, 50)) * 100,
            }
        )
        made["customers"] += 1
    return made
