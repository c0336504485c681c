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
# One process, many threads: the embedded default needs no other service.
exec .venv/bin/gunicorn --no-control-socket --workers 1 --threads 16 \
  --bind "$host:$port" --access-logfile - wsgi:app
