#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 and the `aftersales` database exists.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed; installing it from Debian's packages."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1" postgres >/dev/null 2>&1; then
  # Fresh clusters allow only peer auth: let local TCP connections in without a password.
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
  as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$(dirname "$hba")")")" main reload
fi
psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='aftersales'" postgres | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -c "create database aftersales" postgres
echo "PostgreSQL is ready on 127.0.0.1:5432."
