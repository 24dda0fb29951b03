#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) run, for the tests of the
# scale-out configuration: starts them when installed but stopped, installs them when missing.
set -euo pipefail

sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
    if ! command -v pg_ctlcluster >/dev/null; then
        $sudo apt-get update -q
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
        fresh_pg=1
    fi
    version=$(ls /etc/postgresql | sort -V | tail -1)
    $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
    if [ "${fresh_pg:-0}" = 1 ]; then
        # A fresh cluster trusts no TCP login: give the postgres role the password the tests use.
        $sudo su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
    fi
fi
pg_up || { echo "PostgreSQL did not start" >&2; exit 1; }

if ! redis_up; then
    if ! command -v redis-server >/dev/null; then
        $sudo apt-get update -q
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
    fi
    mkdir -p /tmp/profai-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /tmp/profai-redis --logfile /tmp/profai-redis/redis.log
    for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi
redis_up || { echo "Redis did not start" >&2; exit 1; }
echo "services: PostgreSQL and Redis are up"
