#!/usr/bin/env bash
# Serve the app with gunicorn and run the search indexer beside it; stopping one stops both.
set -euo pipefail
BIN="${BIN:-.venv/bin}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
WORKERS="${WORKERS:-2}"

"$BIN/flask" --app app search index --follow &
indexer=$!
"$BIN/gunicorn" --workers "$WORKERS" --bind "$HOST:$PORT" --access-logfile - 'app:create_app()' &
server=$!
stop() { kill -TERM "$server" "$indexer" 2>/dev/null || true; }
trap stop INT TERM EXIT
# Whichever ends first (Ctrl-C, a crash), the trap stops the other.
wait -n "$server" "$indexer" || true
stop
wait || true
