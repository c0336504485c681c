"""API baseline: requests/s and latency of the foundation endpoints under concurrency.

Starts gunicorn on a fresh SQLite (or DATABASE_URL) database with the demo company and
drives it from client processes. Prints one table; each figure is the median of --runs.

    .venv/bin/python -m bench.api [--clients 16] [--requests 2000] [--runs 3]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body) if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=payload, headers=all_headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def _client(args):
    """One client process: its share of requests, one after another."""
    port, scenario, token, count = args
    auth = {"Authorization": f"Bearer {token}"}
    latencies, errors = [], 0
    for n in range(count):
        if scenario == "health":
            call = ("GET", "/api/v1/health", None, {})
        elif scenario == "me (bearer)":
            call = ("GET", "/api/v1/auth/me", None, auth)
        elif scenario == "users list":
            call = ("GET", "/api/v1/users?per_page=20", None, auth)
        elif scenario == "write (no key)":
            call = ("POST", "/api/v1/auth/tokens", {"name": f"bench-{n}"}, auth)
        elif scenario == "write + Idempotency-Key":
            key = {"Idempotency-Key": uuid.uuid4().hex, **auth}
            call = ("POST", "/api/v1/auth/tokens", {"name": f"bench-{n}"}, key)
        else:  # replay of one key: answered from the stored response
            key = {"Idempotency-Key": "bench-replay", **auth}
            call = ("POST", "/api/v1/auth/tokens", {"name": "bench-replay"}, key)
        started = time.perf_counter()
        status, _ = _request(port, *call)
        latencies.append(time.perf_counter() - started)
        if status >= 500 or status in (401, 403, 409, 422):
            errors += 1
    return latencies, errors


def _wait_until_up(port, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if _request(port, "GET", "/api/v1/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def _run_scenario(port, scenario, token, clients, total):
    per_client = max(1, total // clients)
    started = time.perf_counter()
    with ProcessPoolExecutor(clients) as pool:
        results = list(pool.map(_client, [(port, scenario, token, per_client)] * clients))
    elapsed = time.perf_counter() - started
    latencies = sorted(lat for lats, _ in results for lat in lats)
    errors = sum(err for _, err in results)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "errors": errors,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="jxc-bench-"))
    env = dict(os.environ, JXC_CONFIG="production", SECRET_KEY="bench")
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.db'}")
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--no-control-socket",
            "-w",
            str(options.workers),
            "--threads",
            str(options.threads),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(port)
        status, body = _request(
            port, "POST", "/api/v1/auth/login", {"username": "admin", "password": "jxc-demo"}
        )
        assert status == 200, body
        # A bearer token for the load: no cookie jar, no CSRF, as an integration would.
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request(
            "POST",
            "/api/v1/auth/login",
            body=json.dumps({"username": "admin", "password": "jxc-demo"}),
            headers={"Content-Type": "application/json"},
        )
        response = conn.getresponse()
        cookie = response.getheader("Set-Cookie").split(";")[0]
        csrf = json.loads(response.read())["csrf_token"]
        conn.request(
            "POST",
            "/api/v1/auth/tokens",
            body=json.dumps({"name": "bench"}),
            headers={"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf},
        )
        token = json.loads(conn.getresponse().read())["token"]

        database = env["DATABASE_URL"].split(":")[0]
        print(
            f"\nJXC API baseline — {database}, gunicorn {options.workers} workers × "
            f"{options.threads} threads, {options.clients} client processes, "
            f"{options.requests} requests, median of {options.runs} runs\n"
        )
        print(f"| {'scenario':<26} | {'req/s':>8} | {'p50 ms':>7} | {'p95 ms':>7} | errors |")
        print(f"|{'-' * 28}|{'-' * 10}|{'-' * 9}|{'-' * 9}|--------|")
        for scenario in (
            "health",
            "me (bearer)",
            "users list",
            "write (no key)",
            "write + Idempotency-Key",
            "replay of one key",
        ):
            runs = [
                _run_scenario(port, scenario, token, options.clients, options.requests)
                for _ in range(options.runs)
            ]
            med = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p95")}
            errors = sum(r["errors"] for r in runs)
            print(
                f"| {scenario:<26} | {med['rps']:>8.0f} | {med['p50']:>7.1f} | "
                f"{med['p95']:>7.1f} | {errors:>6} |"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
