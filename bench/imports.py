"""Product import speed: 5,000 rows from .xlsx into SQLite (target: under 10 s).

.venv/bin/python -m bench.imports [--rows 5000] [--runs 3]
"""

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from app import create_app
from app.demo import seed_demo
from app.extensions import db
from config import TestingConfig
from tests.support import ApiClient


def ean13(n: int) -> str:
    body = f"691{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "商品编码 SKU",
            "名称 Name",
            "品牌 Brand",
            "零售价 Retail price",
            "条码 Barcodes",
            "包装单位 Units (name=factor:barcode)",
            "分类 Category",
            "安全库存 Safety stock",
        ]
    )
    for n in range(rows):
        sheet.append(
            [
                f"B-{n:05d}",
                f"批量商品 {n} 号",
                "品牌",
                "12.80",
                ean13(n),
                f"箱=24:{ean13(500_000 + n)}",
                "饮料 Drinks/碳酸饮料 Soda",
                "10",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def one_run(data: bytes) -> float:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            TestingConfig,
            instance_path=Path(folder),
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.db",
        )
        app.test_client_class = ApiClient
        with app.app_context():
            db.create_all()
            seed_demo()
        client = app.test_client()
        client.login("manager", "jxc-demo")
        started = time.perf_counter()
        response = client.post(
            "/api/v1/imports/products",
            data={"file": (io.BytesIO(data), "bulk.xlsx")},
            content_type="multipart/form-data",
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.get_json()
        with app.app_context():
            db.engine.dispose()
        return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    data = workbook(options.rows)
    times = [one_run(data) for _ in range(options.runs)]
    print(f"\nProduct import, SQLite, {options.rows} rows (.xlsx {len(data) // 1024} KiB)\n")
    print("| run | seconds | rows/s |")
    print("|-----|---------|--------|")
    for n, seconds in enumerate(times, start=1):
        print(f"| {n} | {seconds:.2f} | {options.rows / seconds:.0f} |")
    median = statistics.median(times)
    print(f"| median | {median:.2f} | {options.rows / median:.0f} |")


if __name__ == "__main__":
    main()
