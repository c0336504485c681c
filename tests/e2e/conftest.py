"""A real server with the built PWA and the demo company, and a phone-sized Chromium."""

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import PROJECT_ROOT, create_app
from app.demo import seed_demo
from app.extensions import db
from config import TestingConfig
from tests.support import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app on a real port, in a thread; stop() and start() again to go 'offline'."""

    def __init__(self, app, port: int):
        self.app, self.port = app, port
        self.url = f"http://127.0.0.1:{port}"
        self._server = None

    def start(self):
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture(scope="session")
def pwa_dist() -> Path:
    # E2E_PWA_DIST: a build elsewhere, so a build in progress does not disturb a run.
    dist = Path(os.environ.get("E2E_PWA_DIST") or PROJECT_ROOT / "pwa" / "dist")
    if not (dist / "index.html").is_file():
        unavailable("the PWA is not built (scripts/test.sh builds it)")
    return dist


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The demo company made once (its twelve weeks of past take a while); each test
    gets a copy of its own."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        seed_demo()
        db.engine.dispose()  # every write is in the file
    return path


@pytest.fixture
def live_server(tmp_path, pwa_dist, demo_database):
    database = tmp_path / "e2e.db"
    shutil.copyfile(demo_database, database)
    app = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", PWA_DIST=str(pwa_dist)
    )
    server = LiveServer(app, _free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_driver():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, request):
    """A 390×844 phone page; a screenshot of it is saved when the test ends."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"))
    context.close()


@pytest.fixture
def camera_phone(playwright_driver, request):
    """camera_phone(video) → a 390×844 phone page whose camera films `video` (a .y4m).

    The fake camera is a launch flag, so each call starts its own Chromium.
    """
    opened = []

    def open_phone(video: Path):
        browser = playwright_driver.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-US"
        )
        page = context.new_page()
        opened.append((browser, page))
        return page

    yield open_phone
    ARTIFACTS.mkdir(exist_ok=True)
    for index, (browser, page) in enumerate(opened):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final-{index}.png"))
        browser.close()


def log_in(page, base_url: str, username: str) -> None:
    """Log in through the login page as a demo user and wait for the home screen."""
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.get_by_test_id("login-username").locator("input").fill(username)
    page.get_by_test_id("login-password").locator("input").fill("jxc-demo")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home")).to_be_visible()


def wait_for_service_worker(page) -> None:
    """Until the service worker controls the page (then it opens with no network)."""
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000
    )


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
