#!/bin/sh
# Wait for the database and migrate it once before the process starts, never in each web
# worker. Several containers may start together: migrate.py takes a PostgreSQL advisory lock
# around the upgrade. SKIP_MIGRATIONS=1 (the scheduler) waits until the schema is at head.
#
#   web        agency serve: WEB_WORKERS workers on PORT, trusting FORWARDED_ALLOW_IPS' headers
#   scheduler  the one scheduler of periodic work (a second one stands by)
#   anything else is run as given, e.g. `agency user create ...`, `agency demo load`
set -e
here=$(dirname "$0")
if [ "${SKIP_MIGRATIONS:-0}" = "1" ]; then
  python "$here/migrate.py" --wait-only
else
  python "$here/migrate.py"
fi
case "$1" in
  web)
    shift
    exec agency serve --host 0.0.0.0 --port "${PORT:-8000}" --workers "${WEB_WORKERS:-2}" \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" "$@"
    ;;
  scheduler)
    shift
    exec agency scheduler "$@"
    ;;
esac
exec "$@"
