#!/usr/bin/env bash
# Run the whole test suite. PostgreSQL, Redis and Chromium tests use TEST_DATABASE_URL,
# TEST_REDIS_URL and /usr/bin/chromium; they skip when absent (fail with JXC_REQUIRE_ALL=1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
