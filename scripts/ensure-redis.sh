#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:6379 (the RQ task backend's tests use it).
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
answers() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if answers; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not installed; installing it from Debian's packages."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
for _ in $(seq 1 30); do answers && break; sleep 0.5; done
answers || { echo "Redis did not start on 127.0.0.1:6379." >&2; exit 1; }
echo "Redis is ready on 127.0.0.1:6379."
