"""JXC 进销存: purchase, sales and inventory for small and medium businesses."""

import os
import secrets
import time
import uuid
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for_environment

__version__ = "0.1.0"

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    config: object | None = None, *, instance_path: str | Path | None = None, **overrides
) -> Flask:
    """Build the app: settings, storage, extensions, API, error handling, CLI, PWA."""
    instance_path = Path(instance_path or PROJECT_ROOT / "instance")
    app = Flask(__name__, instance_path=str(instance_path), static_folder=None)
    app.config.from_object(config or config_for_environment())
    app.config.update(overrides)
    app.config["JXC_VERSION"] = __version__
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _configure_defaults(app)
    _register_extensions(app)
    _register_api(app)
    _register_request_hooks(app)
    _register_cli(app)
    from app.core.pwa import register_pwa

    register_pwa(app)
    return app


def _connect_arg(config, name: str, value) -> None:
    """A database driver argument, unless the configuration already sets it."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault(name, value)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def _configure_defaults(app: Flask) -> None:
    config = app.config
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'jxc.db'}"
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from app.core.db import QueuedWritersConnection

        _connect_arg(config, "factory", QueuedWritersConnection)
    elif config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # JIT compiling costs 0.1–0.2 s a statement and pays back only on queries far
        # longer than a report's.
        _connect_arg(config, "options", "-c jit=off")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path) / "secret_key")
    if not config.get("PWA_DIST"):
        config["PWA_DIST"] = str(PROJECT_ROOT / "pwa" / "dist")
    if config.get("TRUSTED_PROXIES"):
        n = config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def _instance_secret_key(path: Path) -> str:
    """A random key made once per installation, so sessions survive restarts."""
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another worker may be between creating and writing it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it to make a new secret key")


def _register_extensions(app: Flask) -> None:
    from app.auth import services as auth_services
    from app.core.audit import init_audit
    from app.core.db import compare_column_types, configure_sqlite
    from app.core.events import init_events
    from app.core.security import TokenAwareSessionInterface
    from app.extensions import db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        compare_type=compare_column_types,
        render_as_batch=True,
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    app.session_interface = TokenAwareSessionInterface()
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user_from_session(session_id):
        # A request that brings its own credential is judged by it alone, cookie or not.
        if request.headers.get("Authorization"):
            return None
        return auth_services.user_for_session(session_id)

    @login_manager.request_loader
    def _load_user_from_bearer(req):
        scheme, _, token = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = auth_services.user_for_token(token)
        if user is not None:
            g.authenticated_by = "token"
        return user

    limiter.init_app(app)
    init_audit()
    init_events(app)
    from app.notifications.setup import init_notifications
    from app.realtime.setup import init_realtime

    init_realtime(app)
    init_notifications(app)


def _register_api(app: Flask) -> None:
    from app.auth.api import blp as auth_blp
    from app.catalog.api import blp as catalog_blp
    from app.core.api import blp as core_blp
    from app.core.errors import register_error_handlers
    from app.extensions import api
    from app.finance.api import blp as finance_blp
    from app.imports.api import blp as imports_blp
    from app.inventory.api import blp as inventory_blp
    from app.notifications.api import blp as notifications_blp
    from app.partners.api import blp as partners_blp
    from app.purchasing.api import blp as purchasing_blp
    from app.reports.api import blp as reports_blp
    from app.sales.api import blp as sales_blp
    from app.scanning.api import blp as scanning_blp
    from app.stocktake.api import blp as stocktake_blp

    api.init_app(app)
    api.spec.components.security_scheme(
        "cookie", {"type": "apiKey", "in": "cookie", "name": "jxc_session"}
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"cookie": []}, {"bearer": []}]
    blueprints = (
        core_blp, auth_blp, inventory_blp, catalog_blp, partners_blp, imports_blp, scanning_blp,
        purchasing_blp, finance_blp, sales_blp, stocktake_blp, notifications_blp, reports_blp,
    )  # fmt: skip
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    register_error_handlers(app)


def _register_request_hooks(app: Flask) -> None:
    from app.core.content import reject_unsupported_body
    from app.core.errors import is_api_request
    from app.core.idempotency import init_idempotency
    from app.core.security import guard_api_request

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex

    app.before_request(guard_api_request)
    app.before_request(reject_unsupported_body)
    init_idempotency(app)

    @app.after_request
    def _stamp(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if is_api_request():
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _register_cli(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
