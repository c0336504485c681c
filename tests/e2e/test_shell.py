"""The PWA shell on a phone: log in, see the home, and still open it with no network."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, shot, wait_for_service_worker

pytestmark = pytest.mark.e2e


def test_warehouse_user_logs_in_and_the_shell_opens_offline(live_server, phone):
    log_in(phone, live_server.url, "warehouse")
    home = phone.get_by_test_id("home")
    expect(home).to_contain_text("赵仓管")  # the demo user's display name
    expect(home).to_contain_text("SH01")  # their one assigned warehouse
    expect(phone.get_by_test_id("offline-banner")).to_be_hidden()
    # A warehouse user has no user administration in the tab bar.
    expect(phone.locator(".van-tabbar")).to_be_visible()
    expect(phone.locator(".van-tabbar")).not_to_contain_text("Users")
    shot(phone, "shell-home-online")

    wait_for_service_worker(phone)
    # The surest offline: the server is gone, and the browser is told so too.
    live_server.stop()
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_test_id("home")).to_be_visible()
    expect(phone.get_by_test_id("home")).to_contain_text("赵仓管")
    expect(phone.get_by_test_id("offline-banner")).to_be_visible()
    shot(phone, "shell-home-offline")

    live_server.start()
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("offline-banner")).to_be_hidden(timeout=15000)


def test_wrong_password_shows_the_reason(live_server, phone):
    phone.goto(live_server.url + "/")
    phone.get_by_test_id("login-username").locator("input").fill("warehouse")
    phone.get_by_test_id("login-password").locator("input").fill("not-the-password")
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_text("Wrong username or password.")).to_be_visible()
    shot(phone, "login-wrong-password")


def test_admin_sees_user_administration(live_server, phone):
    log_in(phone, live_server.url, "admin")
    expect(phone.locator(".van-tabbar")).to_contain_text("Users")
    phone.locator(".van-tabbar").get_by_text("Users").click()
    expect(phone.get_by_text("warehouse", exact=True).first).to_be_visible()
    shot(phone, "admin-users")


def test_a_chinese_browser_gets_the_chinese_ui(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("login-submit")).to_have_text("登录")
    page.get_by_test_id("login-username").locator("input").fill("manager")
    page.get_by_test_id("login-password").locator("input").fill("wrong-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_have_text("用户名或密码错误。")
    log_in(page, live_server.url, "manager")
    expect(page.get_by_test_id("home")).to_contain_text("经理")
    expect(page.get_by_test_id("home")).to_contain_text("全部仓库")  # managers are not scoped
    shot(page, "home-zh-manager")
    context.close()


def test_admin_creates_a_user_and_sees_field_errors_inline(live_server, phone):
    log_in(phone, live_server.url, "admin")
    phone.goto(live_server.url + "/users/new")
    expect(phone.get_by_test_id("tab-users")).to_have_class(re.compile("van-tabbar-item--active"))
    phone.get_by_test_id("user-username").locator("input").fill("new.clerk")
    phone.get_by_test_id("user-password").locator("input").fill("short")
    phone.get_by_test_id("role-clerk").click()
    phone.get_by_test_id("user-save").click()
    # The server's reason appears under the password field; nothing was created.
    expect(phone.get_by_test_id("user-password")).to_contain_text("8")
    shot(phone, "user-create-error")

    phone.get_by_test_id("user-password").locator("input").fill("long-enough-1")
    phone.get_by_test_id("user-save").click()
    expect(phone.get_by_test_id("user-new.clerk")).to_be_visible()
    expect(phone.get_by_test_id("user-new.clerk")).to_contain_text("Stocktake clerk")


def test_manager_reads_the_audit_log(live_server, phone):
    log_in(phone, live_server.url, "manager")
    phone.get_by_test_id("shortcut-audit").click()
    entry = phone.get_by_text("manager · logged in").first
    expect(entry).to_be_visible()
    shot(phone, "audit-log")


def test_a_user_creates_an_api_token_sees_it_once_and_revokes_it(live_server, phone):
    log_in(phone, live_server.url, "warehouse")
    phone.get_by_test_id("tab-me").click()
    shot(phone, "settings")
    phone.get_by_text("API tokens").first.click()
    phone.get_by_test_id("token-name").locator("input").fill("Scanner 1")
    phone.get_by_test_id("token-create").click()
    token = phone.get_by_test_id("token-value")
    expect(token).to_contain_text("jxc_")
    shot(phone, "token-created")
    plain = token.inner_text()

    # The token works as a bearer credential for this user.
    me = phone.request.get(
        live_server.url + "/api/v1/auth/me", headers={"Authorization": f"Bearer {plain}"}
    )
    assert me.ok and me.json()["username"] == "warehouse"

    phone.get_by_role("button", name="Close").click()
    row = phone.locator(".van-swipe-cell", has_text="Scanner 1")
    expect(row).to_contain_text("Never used")
    row.locator(".van-swipe-cell__wrapper").drag_to(
        row, source_position={"x": 300, "y": 20}, target_position={"x": 100, "y": 20}
    )
    phone.get_by_role("button", name="Revoke").click()
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.locator(".van-swipe-cell", has_text="Scanner 1")).to_have_count(0)
    gone = phone.request.get(
        live_server.url + "/api/v1/auth/me", headers={"Authorization": f"Bearer {plain}"}
    )
    assert gone.status == 401


def test_admin_sets_up_a_warehouse_with_locations(live_server, phone):
    log_in(phone, live_server.url, "admin")
    phone.get_by_test_id("shortcut-warehouses").click()
    expect(phone.get_by_test_id("warehouse-SH01")).to_be_visible()
    phone.get_by_test_id("warehouse-create").click()
    phone.get_by_test_id("warehouse-code").locator("input").fill("gz01")
    phone.get_by_test_id("warehouse-name").locator("input").fill("广州仓 Guangzhou")
    phone.get_by_test_id("warehouse-save").click()
    expect(phone.get_by_test_id("warehouse-code").locator("input")).to_have_value("GZ01")

    for code in ("a-01-01", "A-01-01"):
        phone.get_by_test_id("location-create").click()
        phone.get_by_test_id("location-code").locator("input").fill(code)
        phone.locator(".van-dialog__confirm").click()
    # The second is a duplicate: the dialog stays open with the reason under the code.
    expect(phone.get_by_test_id("location-code")).to_contain_text("already exists")
    shot(phone, "location-duplicate")
    phone.locator(".van-dialog__cancel").click()
    expect(phone.get_by_test_id("location-A-01-01")).to_have_count(1)
    shot(phone, "warehouse-with-location")


def _find_product(page, base_url, query):
    page.goto(base_url + "/products")
    page.get_by_test_id("product-search").locator("input").fill(query)
    page.get_by_test_id("product-search").locator("input").press("Enter")


def test_manager_finds_a_product_by_pinyin_and_edits_its_price(live_server, phone, tmp_path):
    log_in(phone, live_server.url, "manager")
    _find_product(phone, live_server.url, "kkkl330")
    first = phone.get_by_test_id("product-JXC-0001")
    expect(first).to_contain_text("可口可乐")
    shot(phone, "products-pinyin-search")
    with phone.expect_download() as download:
        phone.get_by_test_id("export-products-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    first.click()
    price = phone.get_by_test_id("product-retail-price").locator("input")
    expect(price).not_to_have_value("0")
    expect(phone.get_by_test_id("product-cost")).to_be_visible()  # managers see cost
    price.fill("4.20")
    # The main warehouse keeps more in stock than the product's default.
    phone.get_by_placeholder("same as above").first.fill("120")
    phone.get_by_test_id("product-save").click()
    expect(phone.get_by_text("Saved")).to_be_visible()
    # A picture from the phone: it shows at once as a thumbnail.
    picture = tmp_path / "coke.png"
    Image.new("RGB", (800, 600), (220, 20, 40)).save(picture)
    phone.locator(".van-uploader input[type=file]").set_input_files(str(picture))
    expect(phone.get_by_test_id("product-image")).to_be_visible()
    shot(phone, "product-edited")
    saved = phone.request.get(live_server.url + "/api/v1/products?q=JXC-0001").json()["items"][0]
    assert saved["retail_price"] == "4.20"
    assert [(s["safety_stock"], s["reorder_point"]) for s in saved["warehouse_settings"]] == [
        ("120.000", None)
    ]


def test_warehouse_staff_never_see_cost(live_server, phone):
    log_in(phone, live_server.url, "warehouse")
    _find_product(phone, live_server.url, "JXC-0001")
    phone.get_by_test_id("product-JXC-0001").click()
    expect(phone.get_by_test_id("product-sku").locator("input")).to_have_value("JXC-0001")
    expect(phone.get_by_test_id("product-cost")).to_have_count(0)
    page_text = phone.locator("body").inner_text()
    assert "cost" not in page_text.lower() and "成本" not in page_text
    expect(phone.get_by_test_id("product-save")).to_have_count(0)  # read-only for them
    shot(phone, "product-warehouse-view")


def test_a_salesperson_sees_their_customers_and_adds_one(live_server, phone):
    log_in(phone, live_server.url, "sales")
    phone.get_by_test_id("shortcut-customers").click()
    expect(phone.get_by_test_id("partner-C001")).to_be_visible()  # theirs
    expect(phone.get_by_test_id("partner-C003")).to_have_count(0)  # someone else's
    shot(phone, "sales-customers")
    phone.get_by_test_id("partner-create").click()
    phone.get_by_test_id("partner-code").locator("input").fill("c100")
    phone.get_by_test_id("partner-name").locator("input").fill("徐汇新开便利店")
    phone.get_by_test_id("customer-credit-limit").locator("input").fill("-5")
    phone.get_by_test_id("partner-save").click()
    expect(phone.get_by_test_id("customer-credit-limit")).to_contain_text("at least 0")
    phone.get_by_test_id("customer-credit-limit").locator("input").fill("3000")
    phone.get_by_test_id("partner-save").click()
    expect(phone.get_by_test_id("partner-code").locator("input")).to_have_value("C100")
    shot(phone, "customer-created")
    mine = phone.request.get(live_server.url + "/api/v1/customers?q=C100").json()["items"]
    assert mine[0]["credit_limit"] == "3000.00" and mine[0]["salesperson_id"] is not None


def test_manager_grows_the_category_tree(live_server, phone):
    log_in(phone, live_server.url, "manager")
    phone.get_by_test_id("shortcut-categories").click()
    expect(phone.get_by_test_id("category-饮料 Drinks")).to_be_visible()
    phone.get_by_test_id("category-add").click()
    phone.get_by_test_id("category-name").locator("input").fill("冷冻食品")
    phone.locator(".van-dialog__confirm").click()
    frozen = phone.get_by_test_id("category-冷冻食品")
    expect(frozen).to_be_visible()
    frozen.locator(".add-child").click()
    phone.get_by_test_id("category-name").locator("input").fill("速冻水饺")
    phone.locator(".van-dialog__confirm").click()
    expect(phone.get_by_test_id("category-速冻水饺")).to_be_visible()
    shot(phone, "categories")
    tree = phone.request.get(live_server.url + "/api/v1/categories").json()["items"]
    frozen_node = next(node for node in tree if node["name"] == "冷冻食品")
    assert [child["name"] for child in frozen_node["children"]] == ["速冻水饺"]


def _sheet(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["商品编码 SKU", "名称 Name", "零售价 Retail price"])
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_manager_imports_products_and_sees_bad_rows(live_server, phone, tmp_path):
    log_in(phone, live_server.url, "manager")
    _find_product(phone, live_server.url, "")
    phone.get_by_test_id("product-import").click()
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    _sheet(bad, [["NEW-1", "新品一", "5.00"], ["NEW-2", "新品二", "-1"]])
    _sheet(good, [["NEW-1", "新品一", "5.00"], ["NEW-2", "新品二", "6.50"]])

    phone.locator(".van-uploader input[type=file]").set_input_files(str(bad))
    phone.get_by_test_id("import-run").click()
    errors = phone.get_by_test_id("import-errors")
    expect(errors).to_contain_text("Row 3")
    expect(errors).to_contain_text("Retail price")
    shot(phone, "import-rejected")
    assert phone.request.get(live_server.url + "/api/v1/products?q=NEW-").json()["total"] == 0

    phone.locator(".van-uploader input[type=file]").set_input_files(str(good))
    phone.get_by_test_id("import-run").click()
    expect(phone.get_by_test_id("import-outcome")).to_contain_text("2 created")
    assert phone.request.get(live_server.url + "/api/v1/products?q=NEW-").json()["total"] == 2
