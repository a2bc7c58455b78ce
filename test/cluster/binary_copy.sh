#!/usr/bin/env bash
# Binary COPY round trip, and corrupt bitmaps through binary COPY: clean 22P03 errors.
set -euo pipefail
db=persona_copy
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION persona" \
  -c "CREATE TABLE a (bm roaringbitmap); CREATE TABLE b (bm roaringbitmap)" \
  -c "INSERT INTO a SELECT rb_build_agg(i * g) FROM generate_series(1, 100000) i, generate_series(1, 4) g GROUP BY g" \
  -c "INSERT INTO a VALUES ('{}'), (rb_runoptimize(rb_fill('{}', 5, 500000)))"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
psql -X -q -d $db -c "\\copy a TO '$tmp/a.bin' WITH (FORMAT binary)"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "\\copy b FROM '$tmp/a.bin' WITH (FORMAT binary)"
same=$(psql -X -qAt -d $db -c "SELECT count(*) FROM a JOIN b USING (bm)")
[ "$same" = 6 ] || { echo "binary COPY round trip: $same of 6 rows equal"; exit 1; }

# one-row binary COPY files with a given field (hex)
mkcopy() {
	local hex=$1 len=$(( ${#1} / 2 ))
	{
		printf 'PGCOPY\n\377\r\n\0'
		printf '\0\0\0\0\0\0\0\0'
		printf '\0\1'
		printf "\\x$(printf %02x $((len >> 24 & 255)))\\x$(printf %02x $((len >> 16 & 255)))\\x$(printf %02x $((len >> 8 & 255)))\\x$(printf %02x $((len & 255)))"
		printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')"
		printf '\377\377'
	} > "$tmp/bad.bin"
}
fails=0
while read -r name hex; do
	[ -n "$name" ] || continue
	mkcopy "$hex"
	out=$(psql -X -q -d $db -c "\\copy b FROM '$tmp/bad.bin' WITH (FORMAT binary)" 2>&1 || true)
	state=$(psql -X -q -d $db -v VERBOSITY=verbose -c "\\set VERBOSITY verbose" -c "\\copy b FROM '$tmp/bad.bin' WITH (FORMAT binary)" 2>&1 | grep -o 'ERROR:  [0-9A-Z]*' | head -1 || true)
	if ! printf '%s' "$out" | grep -q 'invalid roaringbitmap data' || [ "$state" != "ERROR:  22P03" ]; then
		echo "case $name: expected a 22P03 invalid roaringbitmap data error, got: $out ($state)"; fails=$((fails + 1))
	fi
done <<'CASES'
truncated 3a3000
bad_cookie 3b31000001000000
huge_count 3a300000ffffffff
unsorted_keys 3a300000020000000100000000000000180000001a00000001000200
dup_values 3a30000001000000000001001000000001000100
trailing 3a3000000100000000000000100000000100ff
overlapping_runs 3b30000001000005000200010001000100010001
garbage 0102030405060708090a0b0c
CASES
mkcopy 3a3000000100000000000000100000000100
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "\\copy b FROM '$tmp/bad.bin' WITH (FORMAT binary)" \
  || { echo "a valid hand-made binary row was refused"; fails=$((fails + 1)); }
[ "$(psql -X -qAt -d $db -c "SELECT rb_to_array(bm) FROM b WHERE rb_cardinality(bm) = 1")" = "{1}" ] \
  || { echo "hand-made row did not read back as {1}"; fails=$((fails + 1)); }
psql -X -q -d postgres -c "DROP DATABASE $db"
[ $fails = 0 ]
