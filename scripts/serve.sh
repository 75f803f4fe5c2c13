#!/usr/bin/env bash
# Serve the app with gunicorn and run the search indexer beside it; stopping one stops both.
# Prints "SafeTech Registry ready at <address>" once /healthz answers.
set -euo pipefail
BIN="${BIN:-.venv/bin}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
WORKERS="${WORKERS:-2}"
# A wildcard address is reached through the loopback here.
case "$HOST" in 0.0.0.0 | :: | "[::]") local_host=127.0.0.1 ;; *) local_host="$HOST" ;; esac
# Labels are signed with, and links name, this address: the one served unless set otherwise.
export SAFETECH_BASE_URL="${SAFETECH_BASE_URL:-http://$local_host:$PORT}"

"$BIN/flask" --app app search index --follow &
indexer=$!
"$BIN/gunicorn" --workers "$WORKERS" --bind "$HOST:$PORT" --access-logfile - 'app:create_app()' &
server=$!

announce_when_ready() {
    local health="http://$local_host:$PORT/healthz" where="${SAFETECH_BASE_URL%/}/"
    if [ "$where" != "http://$local_host:$PORT/" ]; then
        where="$where (listening on $HOST:$PORT)"
    fi
    for _ in $(seq 600); do
        kill -0 "$server" 2>/dev/null || return 0
        if "$BIN/python" -c 'import sys, urllib.request as r
r.build_opener(r.ProxyHandler({})).open(sys.argv[1], timeout=2).close()' "$health" 2>/dev/null
        then
            echo "SafeTech Registry ready at $where"
            return 0
        fi
        sleep 0.5
    done
    echo "SafeTech Registry did not answer at $health after 5 minutes" >&2
}
announce_when_ready &
announcer=$!

stop() { kill -TERM "$server" "$indexer" "$announcer" 2>/dev/null || true; }
trap stop INT TERM EXIT
# Whichever ends first (Ctrl-C, a crash), the trap stops the other.
wait -n "$server" "$indexer" || true
stop
wait || true
