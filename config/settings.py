import os


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_list(name: str) -> list[str] | None:
    value = _env(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def normalise_database_url(url: str | None) -> str | None:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    if url is None:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    # Unset: a random key is created once and kept in instance/secret_key.
    SECRET_KEY = _env("SECRET_KEY")
    # Unset: a SQLite file in the instance folder (the embedded default).
    SQLALCHEMY_DATABASE_URI = normalise_database_url(_env("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 15000)
    # Several processes share live events through this queue (redis://…); one needs none.
    SOCKETIO_MESSAGE_QUEUE = _env("SOCKETIO_MESSAGE_QUEUE")
    # Installations that share one Redis keep their events apart by channel.
    SOCKETIO_CHANNEL = _env("SOCKETIO_CHANNEL", "jxc-socketio")
    # Other browser origins allowed to open a socket (comma-separated); unset: own origin.
    SOCKETIO_CORS_ORIGINS = _env_list("SOCKETIO_CORS_ORIGINS")

    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    SESSION_COOKIE_NAME = "jxc_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Self-hosted installs often start on plain http in a LAN; turn on behind TLS.
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT_PER_IP = _env("LOGIN_RATE_LIMIT_PER_IP", "30 per minute")
    LOGIN_RATE_LIMIT_PER_USERNAME = _env("LOGIN_RATE_LIMIT_PER_USERNAME", "10 per minute")

    IDEMPOTENCY_TTL_HOURS = _env_int("IDEMPOTENCY_TTL_HOURS", 72)
    # How long a duplicate waits for the first request with its key before a 409.
    IDEMPOTENCY_WAIT_SECONDS = float(_env("IDEMPOTENCY_WAIT_SECONDS", "10"))
    # A claim still "in progress" after this long belongs to a worker that died.
    IDEMPOTENCY_ABANDONED_AFTER_SECONDS = _env_int("IDEMPOTENCY_ABANDONED_AFTER_SECONDS", 300)

    API_DEFAULT_PER_PAGE = 20
    API_MAX_PER_PAGE = 100

    # argon2id parameters (argon2-cffi defaults; tests lower them for speed).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    PWA_DIST = _env("PWA_DIST")  # default: <project>/pwa/dist
    MEDIA_ROOT = _env("MEDIA_ROOT")  # product pictures; default: <instance>/media
    # Stock may go below zero for every product (otherwise only where a product allows it).
    ALLOW_NEGATIVE_STOCK = _env_bool("ALLOW_NEGATIVE_STOCK", False)
    # How much more than ordered a purchase order line may receive, as a share: "0.05" is
    # 5 %; "0" refuses any over-receipt.
    RECEIPT_TOLERANCE = _env("RECEIPT_TOLERANCE", "0")
    # A salesperson sees only the customers assigned to them.
    SALES_SEE_OWN_CUSTOMERS_ONLY = _env_bool("SALES_SEE_OWN_CUSTOMERS_ONLY", True)

    # The name printed at the top of statements and delivery notes.
    COMPANY_NAME = _env("COMPANY_NAME", "JXC")

    # A batch is announced this many days before it expires, unless its product says.
    EXPIRY_ALERT_DAYS = _env_int("EXPIRY_ALERT_DAYS", 30)
    # Run the alerts scan (expiring batches, overdue invoices, late orders) in each server
    # process, from its first request on and then every ALERTS_SCAN_INTERVAL_S; the scan
    # announces each item once however many processes run it. Off: `flask alerts scan`
    # from cron.
    ALERTS_SCHEDULER = _env_bool("ALERTS_SCHEDULER", False)
    ALERTS_SCAN_INTERVAL_S = _env_int("ALERTS_SCAN_INTERVAL_S", 3600)

    # Replenishment from the demand forecast: the cycle service level the reorder screen
    # plans for (0.90, 0.95, 0.98 or 0.99), how many days one order should cover beyond the
    # reorder point, and the lead time of a product never ordered from any supplier.
    REPLENISHMENT_SERVICE_LEVEL = _env("REPLENISHMENT_SERVICE_LEVEL", "0.95")
    REPLENISHMENT_REVIEW_DAYS = _env_int("REPLENISHMENT_REVIEW_DAYS", 7)
    REPLENISHMENT_DEFAULT_LEAD_DAYS = _env_int("REPLENISHMENT_DEFAULT_LEAD_DAYS", 7)

    # Web Push to phones whose app is closed. The VAPID key pair is made on first use and
    # kept in VAPID_PRIVATE_KEY_FILE (default: <instance>/vapid_private.pem); several
    # hosts must share one file, or browsers subscribed through one reject the others.
    WEBPUSH_ENABLED = _env_bool("WEBPUSH_ENABLED", True)
    VAPID_PRIVATE_KEY_FILE = _env("VAPID_PRIVATE_KEY_FILE")
    # Who push services contact about our pushes: a mailto: or https: URL.
    VAPID_SUBJECT = _env("VAPID_SUBJECT", "mailto:admin@localhost")
    # How long a push service keeps a push for a phone that is offline.
    WEBPUSH_TTL_S = _env_int("WEBPUSH_TTL_S", 86400)
    # Push services are https; plain http only for a local test receiver.
    WEBPUSH_ALLOW_HTTP = _env_bool("WEBPUSH_ALLOW_HTTP", False)

    API_TITLE = "JXC API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "v1/openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/static/swagger-ui/"


class ProductionConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    RATELIMIT_STORAGE_URI = "memory://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    IDEMPOTENCY_WAIT_SECONDS = 5.0
    WEBPUSH_ALLOW_HTTP = True
    # The Socket.IO test client refuses a queue; tests that need one pass it themselves.
    SOCKETIO_MESSAGE_QUEUE = None


def config_for_environment() -> type[Config]:
    return {"testing": TestingConfig, "production": ProductionConfig}.get(
        (_env("JXC_CONFIG") or "").lower(), Config
    )
