#!/usr/bin/env bash
# The suite on SQLite and, beside it, the tests PostgreSQL can change (TEST_DATABASE_URL):
# two processes for two cores. SQLite prints as it goes; PostgreSQL's report follows it.
# Fails when either run fails.
set -uo pipefail
BIN=${BIN:-.venv/bin}

log=$(mktemp --suffix=-pytest-postgresql.log)
TEST_DB_BACKEND=postgresql "$BIN/pytest" "$@" >"$log" 2>&1 &
postgres=$!
trap 'kill "$postgres" 2>/dev/null; rm -f "$log"' EXIT INT TERM

"$BIN/pytest" "$@"
sqlite_status=$?
wait "$postgres"
postgres_status=$?

echo "== on PostgreSQL, the tests the database can change"
cat "$log"
echo "== SQLite exit $sqlite_status, PostgreSQL exit $postgres_status"
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]
