#!/usr/bin/env bash
# Runs .ci/run on a fresh clone of HEAD, N times in a row (default 3), as CI would; stops at the first
# failure. Each run's log is kept in the clone's folder, printed at the end.
# Usage: scripts/ci-fresh-clone.sh [times]
set -euo pipefail
times="${1:-3}"
top="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
for run in $(seq 1 "$times"); do
  clone="$(mktemp -d /tmp/poolhost-ci-XXXXXX)"
  # As a CI workspace is: other users may search it (SpecificUser pools run the checkout's w3wp.js).
  chmod 755 "$clone"
  git clone --quiet "$top" "$clone/main"
  # CI lays shared/ beside the clone, read-only.
  [ -d "$top/../shared" ] && cp -r "$top/../shared" "$clone/shared" && chmod -R a-w "$clone/shared"
  started=$(date +%s)
  if (cd "$clone/main" && CI=true bash .ci/run </dev/null >"$clone/ci.log" 2>&1); then
    echo "run $run/$times passed in $(( $(date +%s) - started )) s: $(tail -n 1 "$clone/ci.log") (log: $clone/ci.log)"
  else
    echo "run $run/$times FAILED after $(( $(date +%s) - started )) s (log: $clone/ci.log):"
    grep -A 40 '^failed:' "$clone/ci.log" || tail -n 40 "$clone/ci.log"
    exit 1
  fi
done
