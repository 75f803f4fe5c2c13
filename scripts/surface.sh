#!/usr/bin/env bash
# What the portal shows the outside world, written to one folder so that two versions of the
# code can be compared: `scripts/surface.sh OUT` writes
#   routes.txt    `flask routes` (endpoint, methods, rule), sorted by rule;
#   commands.txt  every `flask` command and sub-command with its options;
#   openapi.json  the OpenAPI document, keys sorted;
#   seed.txt      what `seed-demo` prints (random secrets masked), then every table's row count.
# `scripts/surface.sh --compare REV` writes the surface of REV (checked out in a temporary
# worktree, run with this checkout's virtual environment) and of the working tree, and fails
# on any difference. A change that only moves code must leave all four files the same.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BIN:-$here/.venv/bin}"

surface() {  # surface SOURCE_DIR OUT_DIR
  local src="$1" out="$2" work
  mkdir -p "$out"
  work="$(mktemp -d)"
  (
    cd "$src"
    export PYTHONPATH="$src" SAFETECH_BASE_URL=http://127.0.0.1:5000
    export SAFETECH_DATABASE_URL="sqlite:///$work/surface.db" DATABASE_URL="sqlite:///$work/surface.db"
    export SAFETECH_UPLOAD_DIR="$work/uploads" SAFETECH_SEARCH_INDEX_DIR="$work/index"
    export SAFETECH_KEYS_DIR="$work/keys" SAFETECH_OUTBOX_DIR="$work/outbox"
    export SAFETECH_PDF_CACHE_DIR="$work/pdf-cache" SAFETECH_SECRET_KEY=surface
    "$bin/python" -P - "$out" <<'PY'
import json
import sys
from pathlib import Path

import click

sys.path.insert(0, ".")
from app import create_app  # noqa: E402

out = Path(sys.argv[1])
app = create_app()
rows = sorted(
    (rule.rule, ",".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})), rule.endpoint)
    for rule in app.url_map.iter_rules()
)
(out / "routes.txt").write_text("".join(f"{r}\t{m}\t{e}\n" for r, m, e in rows))


def describe(command: click.Command, prefix: str) -> list[str]:
    options = sorted(
        "/".join(sorted(p.opts + p.secondary_opts)) if isinstance(p, click.Option) else p.name or ""
        for p in command.params
    )
    lines = [f"{prefix} {' '.join(options)}".rstrip()]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            lines += describe(command.commands[name], f"{prefix} {name}")
    return lines


lines: list[str] = []
for name in sorted(app.cli.commands):
    lines += describe(app.cli.commands[name], name)
(out / "commands.txt").write_text("\n".join(lines) + "\n")

with app.test_client() as client:
    document = client.get("/api/v1/openapi.json").get_json()
(out / "openapi.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
PY
    "$bin/flask" --app app db upgrade >/dev/null 2>&1
    # The second-factor secrets are random on every run.
    "$bin/flask" --app app seed-demo 2>&1 | sed -E 's/TOTP secret [A-Z2-7]+/TOTP secret (random)/' >"$out/seed.txt"
    "$bin/python" -P - "$work/surface.db" >>"$out/seed.txt" <<'PY'
import sqlite3
import sys

connection = sqlite3.connect(sys.argv[1])
tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
for table in sorted(tables):
    count = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
    print(f"{table}\t{count}")
PY
  )
  rm -rf "$work"
}

if [[ "${1:-}" == "--compare" ]]; then
  rev="${2:?usage: scripts/surface.sh --compare REV}"
  tmp="$(mktemp -d)"
  trap 'git -C "$here" worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  git -C "$here" worktree add --detach "$tmp/tree" "$rev" >/dev/null 2>&1
  surface "$tmp/tree" "$tmp/before"
  surface "$here" "$tmp/after"
  if diff -ru "$tmp/before" "$tmp/after"; then
    echo "Same surface as $rev: routes, commands, OpenAPI document and demo data."
  else
    echo "The surface differs from $rev (see above)." >&2
    exit 1
  fi
else
  surface "$here" "${1:?usage: scripts/surface.sh OUT | --compare REV}"
fi
