#!/usr/bin/env bash
# The dictionary is part of the data: pg_dump (custom and plain formats) carries
# persona_dict's rows, a restored database decodes the same ids, and new keys
# continue densely after the restored ones.
set -euo pipefail
src=persona_dict_src; dst=persona_dict_dst; dst2=persona_dict_plain
for d in $src $dst $dst2; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d"; done
psql -X -q -d postgres -c "CREATE DATABASE $src"
psql -X -q -v ON_ERROR_STOP=1 -d $src <<'SQL'
CREATE EXTENSION persona;
SELECT count(dict_encode('openid', 'o' || g)) FROM generate_series(1, 1000) g \g /dev/null
SELECT count(dict_encode('unionid', 'u' || g)) FROM generate_series(1, 300) g \g /dev/null
SQL
checksum() {
	psql -X -qAt -d "$1" -c "SELECT count(*) || ':' || md5(string_agg(namespace || '/' || key || '/' || id, ',' ORDER BY namespace, id)) FROM persona_dict"
}
want=$(checksum $src)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pg_dump -Fc -f "$tmp/dump.fc" $src
pg_dump -Fp -f "$tmp/dump.sql" $src
psql -X -q -d postgres -c "CREATE DATABASE $dst" -c "CREATE DATABASE $dst2"
pg_restore -d $dst --exit-on-error "$tmp/dump.fc"
psql -X -q -v ON_ERROR_STOP=1 -d $dst2 -f "$tmp/dump.sql" >/dev/null
[ "$want" = "$(checksum $dst)" ] || { echo "custom-format restore differs"; exit 1; }
[ "$want" = "$(checksum $dst2)" ] || { echo "plain-format restore differs"; exit 1; }
got=$(psql -X -qAt -d $dst -c "SELECT dict_decode('openid', 777) || ' ' || dict_encode('openid', 'o777') || ' ' || dict_encode('openid', 'new key') || ' ' || dict_encode('unionid', 'new key')")
[ "$got" = "o777 777 1001 301" ] || { echo "after restore: got '$got', want 'o777 777 1001 301'"; exit 1; }
for d in $src $dst $dst2; do psql -X -q -d postgres -c "DROP DATABASE $d"; done
echo "dictionary dump/restore: $want"
