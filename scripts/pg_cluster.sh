#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder,
# started on a loopback port, trust authentication for a `claimwire` role.
#   scripts/pg_cluster.sh start   prints `export CLAIMWIRE_TEST_POSTGRES=...` and
#                                 `export CLAIMWIRE_PG_DIR=...` for eval
#   scripts/pg_cluster.sh stop    stops the cluster in $CLAIMWIRE_PG_DIR, removes it
# initdb refuses to run as root, so as root the server runs as the `postgres` user
# that the distribution's package creates.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg_cluster: no PostgreSQL server installed (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  dir=$(mktemp -d /tmp/claimwire-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=${CLAIMWIRE_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  as_owner "$bin/initdb" -D "$dir/data" -U claimwire --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null
  echo "export CLAIMWIRE_TEST_POSTGRES=postgres://claimwire@127.0.0.1:$port/postgres"
  echo "export CLAIMWIRE_PG_DIR=$dir"
  ;;
stop)
  dir=${CLAIMWIRE_PG_DIR:?CLAIMWIRE_PG_DIR is not set}
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
