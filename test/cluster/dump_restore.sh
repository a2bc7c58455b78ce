#!/usr/bin/env bash
# pg_dump of a database holding every persona type and the dictionary restores
# (custom and plain formats) to equal answers for a fixed set of queries.
set -euo pipefail
src=persona_dump_src; dst=persona_dump_dst; dst2=persona_dump_plain
for d in $src $dst $dst2; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d"; done
psql -X -q -d postgres -c "CREATE DATABASE $src"
psql -X -q -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION persona;
CREATE TABLE segs (id int PRIMARY KEY, bm roaringbitmap);
INSERT INTO segs VALUES
  (1, '{}'), (2, '{0,-1,2147483647,-2147483648}'), (3, rb_fill('{}', 0, 200000)),
  (4, rb_runoptimize(rb_fill('{}', 1000, 90000))), (5, NULL);
INSERT INTO segs SELECT 10 + g, rb_build_agg((i * 7919 + g) % 5000000)
FROM generate_series(1, 200000) i, generate_series(1, 5) g GROUP BY g;
-- btree entries must fit in a page; a hash index takes bitmaps of any size
CREATE INDEX ON segs USING hash (bm);
-- every other type: 64-bit bitmaps, aggregate states, journeys, chains, sets, ledgers
CREATE TABLE everything AS
SELECT g % 5 AS k,
       rb64_build_agg((g::bigint << 34) + g) AS b64,
       funnel_counts_agg(g % 6, 5) AS fc,
       journey_agg(timestamptz '2026-01-01 00:00+00' + g * interval '1 hour', 'ch' || g % 4, g % 9 = 0, g % 7) AS j,
       markov_agg(ARRAY['ch' || g % 3, 'ch' || g % 4], g % 4 = 0, g::float8, 2) AS mc,
       shapley_agg(ARRAY['ch' || g % 3, 'ch' || g % 4], g % 4 = 0, g::float8) AS cs,
       points_agg(timestamptz '2026-01-01 00:00+00' + g * interval '1 day', (g % 50 - 10)::numeric, interval '90 days') AS pl,
       rb_tag_expr_agg(rb_build(ARRAY[g, g + 1]), 'tag_' || g % 3, 'tag_0 | tag_1 - tag_2') AS te
FROM generate_series(1, 2000) g GROUP BY g % 5;
-- states of the one-pass aggregates (concrete types)
-- the dictionary: ids that must survive
SELECT count(dict_encode('openid', 'o' || g)) FROM generate_series(1, 500) g;
SELECT count(dict_encode('unionid', 'u' || g)) FROM generate_series(1, 300) g;
SQL
checksum() {
	psql -X -qAt -d "$1" -c "SELECT string_agg(id || ':' || coalesce(rb_cardinality(bm)::text, 'null') || ':' ||
	   coalesce(md5(array_to_string(rb_to_array(bm), ',')), 'null'), ';' ORDER BY id) FROM segs"
	psql -X -qAt -d "$1" <<'Q'
SELECT string_agg(concat_ws(':', k, rb64_cardinality(b64), md5(rb64_to_array(b64)::text), fc::text,
         (SELECT string_agg(channel || '=' || round(conversions::numeric, 9), ',' ORDER BY channel) FROM attribute(j, 'linear')),
         (SELECT string_agg(channel || '=' || round(removal_effect::numeric, 9), ',' ORDER BY channel) FROM markov_attribution(mc)),
         (SELECT string_agg(channel || '=' || round(conversions::numeric, 9), ',' ORDER BY channel) FROM shapley_attribution(cs)),
         points_balance(pl, timestamptz '2026-12-31 00:00+00'), points_expiring(pl, timestamptz '2031-01-01 00:00+00', interval '1 year'),
         md5(rb_to_array(te)::text),
         md5(j::text || mc::text || cs::text || pl::text || te::text)), ';' ORDER BY k) FROM everything;
SELECT namespace_count FROM (SELECT count(*) || ' ' || sum(dict_encode('openid', 'o' || g)) AS namespace_count
                             FROM generate_series(1, 500) g) s;
SELECT dict_decode('unionid', 300) || ' ' || coalesce(dict_decode('unionid', 301), 'none');
Q
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
# the dictionary went along: 500 openids, and the next unionid is 301
[ "$(psql -X -qAt -d $dst -c "SELECT count(*) FROM persona_dict WHERE namespace = 'openid'")" = 500 ] \
	|| { echo "dictionary rows missing after restore"; exit 1; }
[ "$(psql -X -qAt -d $dst -c "SELECT dict_encode('unionid', 'a key new after the restore')")" = 301 ] \
	|| { echo "the restored dictionary does not continue at 301"; exit 1; }
grep -q 'roaringbitmap' "$tmp/dump.sql"
for d in $src $dst $dst2; do psql -X -q -d postgres -c "DROP DATABASE $d"; done
echo "dump/restore: $(printf "%s" "$want" | wc -l) answer lines equal after custom and plain restores"
