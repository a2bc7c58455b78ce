#!/usr/bin/env bash
# Every ```sql block of the README runs without error, in order, in a fresh database.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
db=persona_readme
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -d $db -c "CREATE EXTENSION persona"
blocks=$(awk '/^```sql/{f=1; next} /^```/{f=0} f' "$root/README.md")
n=$(grep -c '^```sql' "$root/README.md")
[ "$n" -gt 0 ] || { echo "no sql examples found"; exit 1; }
printf '%s\n' "$blocks" | psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null
psql -X -q -d postgres -c "DROP DATABASE $db"
echo "$n README example blocks ran"
