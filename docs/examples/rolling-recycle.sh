#!/bin/sh
# Rolling recycle of one application pool across a poolhost web farm, one host at a time, with nothing
# lost: drain the host (HAProxy hears `drain`, then connections close at a response boundary), recycle
# the pool, undrain, and wait until the host answers ready before touching the next one.
#
#   rolling-recycle.sh POOL HOST...        e.g. rolling-recycle.sh Shop web1 web2 web3
#
# RUN is how a command reaches a host (default: ssh). ADMIN_PORT is webManagement's port, where
# /health/ready answers (default 9182). DRAIN_TIMEOUT bounds what in-flight requests get (seconds).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 POOL HOST..." >&2; exit 2; }
pool=$1
shift
RUN=${RUN:-ssh}
ADMIN_PORT=${ADMIN_PORT:-9182}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120}

for host in "$@"; do
  echo "== $host: drain"
  $RUN "$host" poolhost drain --timeout "$DRAIN_TIMEOUT"
  echo "== $host: recycle $pool"
  $RUN "$host" appcmd recycle apppool "/apppool.name:$pool"
  echo "== $host: undrain"
  $RUN "$host" poolhost undrain
  # Ready again (pool started, queue not filling) before the next host leaves the rotation.
  tries=0
  until $RUN "$host" curl -fsS "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || { echo "$host is not ready after 60 s; stopping the roll" >&2; exit 1; }
    sleep 1
  done
  echo "== $host: ready"
done
