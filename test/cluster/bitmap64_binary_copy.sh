#!/usr/bin/env bash
# roaringbitmap64 through binary COPY: a round trip of values over several high
# keys (>= 2^63 included), and corrupt portable 64-bit bytes: clean 22P03 errors.
set -euo pipefail
db=persona_copy64
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION persona" \
  -c "CREATE TABLE a (bm roaringbitmap64); CREATE TABLE b (bm roaringbitmap64)" \
  -c "INSERT INTO a SELECT rb64_build_agg((g::bigint << 62) | (i::bigint * (g + 1) * 40503)) FROM generate_series(1, 100000) i, generate_series(0, 3) g GROUP BY g" \
  -c "INSERT INTO a VALUES ('{}'), (rb64_runoptimize(rb64_fill('{}', 4294967290, 4294967296 * 3))), ('{-1,0,9223372036854775807,-9223372036854775808}')"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
psql -X -q -d $db -c "\\copy a TO '$tmp/a.bin' WITH (FORMAT binary)"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "\\copy b FROM '$tmp/a.bin' WITH (FORMAT binary)"
same=$(psql -X -qAt -d $db -c "SELECT count(*) FROM a JOIN b USING (bm)")
[ "$same" = 7 ] || { echo "binary COPY round trip: $same of 7 rows equal"; exit 1; }
bytes=$(psql -X -qAt -d $db -c "SELECT count(*) FROM a JOIN b ON a.bm::bytea = b.bm::bytea")
[ "$bytes" = 7 ] || { echo "binary COPY round trip: $bytes of 7 rows byte-identical"; exit 1; }

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
inner5=3a3000000100000000000000100000000500
fails=0
while read -r name hex; do
	[ -n "$name" ] || continue
	hex=${hex//INNER/$inner5}
	mkcopy "$hex"
	out=$(psql -X -q -d $db -v VERBOSITY=verbose -c "\\set VERBOSITY verbose" -c "\\copy b FROM '$tmp/bad.bin' WITH (FORMAT binary)" 2>&1 || true)
	# a pattern match, not grep -q: with pipefail an early grep exit can fail the pipe
	if [[ $out != *'invalid roaringbitmap64 data'* || $out != *'ERROR:  22P03'* ]]; then
		echo "case $name: expected a 22P03 invalid roaringbitmap64 data error, got: $out"; fails=$((fails + 1))
	fi
done <<'CASES'
truncated_count 01000000000000
count_no_buckets 0100000000000000
count_2p64_minus_1 ffffffffffffffff01000000INNER
unsorted_keys 020000000000000002000000INNER01000000INNER
duplicate_keys 020000000000000001000000INNER01000000INNER
bad_inner 0100000000000000010000003c3000000100000000000000100000000500
empty_inner 0100000000000000010000003a30000000000000
trailing 010000000000000001000000INNER00
truncated_inner 0100000000000000010000003a30000001000000000001001000000005
bitmap32 INNER
CASES
mkcopy 010000000000000001000000$inner5
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "\\copy b FROM '$tmp/bad.bin' WITH (FORMAT binary)" \
  || { echo "a valid hand-made binary row was refused"; fails=$((fails + 1)); }
[ "$(psql -X -qAt -d $db -c "SELECT rb64_to_array(bm) FROM b WHERE rb64_min(bm) = 4294967301")" = "{4294967301}" ] \
  || { echo "hand-made row did not read back as {4294967301}"; fails=$((fails + 1)); }
# several buckets are stored with a directory, but COPY carries the portable
# bytes, written out by hand for {1, 2^32 + 2, -1}; and they load back
portable=0300000000000000000000003a3000000100000000000000100000000100010000003a3000000100000000000000100000000200ffffffff3a30000001000000ffff000010000000ffff
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "\\copy (SELECT '{1,4294967298,-1}'::roaringbitmap64) TO '$tmp/three.bin' WITH (FORMAT binary)"
hex=$(od -An -v -tx1 "$tmp/three.bin" | tr -d ' \n')
[[ $hex == *"0000004a$portable"* ]] \
  || { echo "binary COPY of a three-bucket value is not its portable serialization"; fails=$((fails + 1)); }
mkcopy "$portable"
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "TRUNCATE b" -c "\\copy b FROM '$tmp/bad.bin' WITH (FORMAT binary)"
[ "$(psql -X -qAt -d $db -c "SELECT rb64_to_array(bm)::text || ' ' || (bm = '{1,4294967298,-1}') || ' ' || pg_column_size(bm) FROM b")" = "{1,4294967298,-1} true 87" ] \
  || { echo "the portable three-bucket row did not load back as {1,4294967298,-1}, stored with its directory (86 bytes and a 1-byte header)"; fails=$((fails + 1)); }
psql -X -q -d postgres -c "DROP DATABASE $db"
[ $fails = 0 ]
