#!/bin/sh
# Migrations run once, before the process starts, never in each web worker.
set -e
if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then
  agency db upgrade
fi
exec "$@"
