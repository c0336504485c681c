#!/usr/bin/env bash
# Run JXC on the embedded default: SQLite under instance/, one process, demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt

export FLASK_APP=wsgi
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo --if-empty

host=${HOST:-127.0.0.1}
port=${PORT:-5000}
cat <<MSG

JXC is starting on http://$host:$port  (API docs: http://$host:$port/api/docs)
Demo logins (password jxc-demo): admin, manager, purchaser, sales, warehouse, finance, clerk

MSG
# The alerts scan (expiring batches, overdue invoices, late orders) runs in the server.
export ALERTS_SCHEDULER=${ALERTS_SCHEDULER:-1}
# One process, many threads: the embedded default needs no other service. Every open
# live-alert socket holds a thread for as long as it stays connected: size THREADS for the
# devices and browser tabs you expect, plus some for ordinary requests.
exec .venv/bin/gunicorn --no-control-socket --workers 1 --threads "${THREADS:-100}" \
  --bind "$host:$port" --access-logfile - wsgi:app
