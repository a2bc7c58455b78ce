#!/usr/bin/env bash
# pg_dump of tables holding bitmaps restores to equal values (custom and plain formats).
set -euo pipefail
src=persona_dump_src; dst=persona_dump_dst; dst2=persona_dump_plain
for d in $src $dst $dst2; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d"; done
psql -X -q -d postgres -c "CREATE DATABASE $src"
psql -X -q -v ON_ERROR_STOP=1 -d $src <<'SQL'
CREATE EXTENSION persona;
CREATE TABLE segs (id int PRIMARY KEY, bm roaringbitmap);
INSERT INTO segs VALUES
  (1, '{}'), (2, '{0,-1,2147483647,-2147483648}'), (3, rb_fill('{}', 0, 200000)),
  (4, rb_runoptimize(rb_fill('{}', 1000, 90000))), (5, NULL);
INSERT INTO segs SELECT 10 + g, rb_build_agg((i * 7919 + g) % 5000000)
FROM generate_series(1, 200000) i, generate_series(1, 5) g GROUP BY g;
-- btree entries must fit in a page; a hash index takes bitmaps of any size
CREATE INDEX ON segs USING hash (bm);
SQL
checksum() {
	psql -X -qAt -d "$1" -c "SELECT string_agg(id || ':' || coalesce(rb_cardinality(bm)::text, 'null') || ':' ||
	   coalesce(md5(array_to_string(rb_to_array(bm), ',')), 'null'), ';' ORDER BY id) FROM segs"
}
want=$(checksum $src)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pg_dump -Fc -f "$tmp/dump.fc" $src
pg_dump -Fp -f "$tmp/dump.sql" $src
psql -X -q -d postgres -c "CREATE DATABASE $dst" -c "CREATE DATABASE $dst2"
pg_restore -d $dst --exit-on-error "$tmp/dump.fc"
psql -X -q -v ON_ERROR_STOP=1 -d $dst2 -f "$tmp/dump.sql" >/dev/null
got=$(checksum $dst); got2=$(checksum $dst2)
[ "$want" = "$got" ] || { echo "custom-format restore differs"; exit 1; }
[ "$want" = "$got2" ] || { echo "plain-format restore differs"; exit 1; }
# equality across databases through the text form, row by row
n=$(psql -X -qAt -d $dst -c "SELECT count(*) FROM segs WHERE bm IS NOT NULL")
[ "$n" = 9 ] || { echo "expected 9 bitmaps, got $n"; exit 1; }
grep -q 'roaringbitmap' "$tmp/dump.sql"
for d in $src $dst $dst2; do psql -X -q -d postgres -c "DROP DATABASE $d"; done
echo "dump/restore: $want" | cut -c1-120
