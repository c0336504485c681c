from flask import request


def client_ip() -> str:
    # ProxyFix (TRUSTED_PROXIES) has already put the real client into remote_addr.
    return request.remote_addr or "unknown"
