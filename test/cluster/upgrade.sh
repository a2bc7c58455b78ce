#!/usr/bin/env bash
# ALTER EXTENSION persona UPDATE from every earlier release (each frozen
# src/upgrade/persona--V.sql), one database per release:
#   1. install release V, fill tables with its types, update, and check
#      the stored values and the functions still answer the same;
#   2. the updated installation has exactly the objects of a fresh install:
#      the same members, function signatures, bodies, labels and comments.
set -euo pipefail
export PGOPTIONS='-c client_min_messages=warning'
root=$(cd "$(dirname "$0")/../.." && pwd)
up=persona_upgrade; fresh=persona_fresh
Q=(psql -X -qAt -v ON_ERROR_STOP=1)
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$root/persona.control")

# Everything that defines the installed interface, one line per object.
catalog() {
	"${Q[@]}" -d "$1" <<'SQL'
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'persona'),
members AS (
  SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
  WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e')
SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
       || ' comment=' || coalesce(obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)::name), '-')
FROM members
UNION ALL
SELECT format('function %s(%s) returns %s %s strict=%s parallel=%s secdef=%s kind=%s src=%s bin=%s config=%s',
              p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),
              p.provolatile, p.proisstrict, p.proparallel, p.prosecdef, p.prokind, md5(p.prosrc),
              coalesce(p.probin, '-'), coalesce(p.proconfig::text, '-'))
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT format('aggregate %s trans=%s final=%s combine=%s serial=%s deserial=%s stype=%s sspace=%s init=%s',
              a.aggfnoid::regprocedure, a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
              a.aggdeserialfn, a.aggtranstype::regtype, a.aggtransspace, coalesce(a.agginitval, '-'))
FROM pg_aggregate a JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
UNION ALL
SELECT format('type %s len=%s align=%s storage=%s in=%s out=%s recv=%s send=%s',
              t.oid::regtype, t.typlen, t.typalign, t.typstorage, t.typinput, t.typoutput, t.typreceive, t.typsend)
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT format('operator %s(%s,%s) proc=%s commutator=%s negator=%s restrict=%s join=%s',
              o.oprname, o.oprleft::regtype, o.oprright::regtype, o.oprcode, o.oprcom::regoperator,
              o.oprnegate::regoperator, o.oprrest, o.oprjoin)
FROM pg_operator o JOIN members m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
UNION ALL
SELECT format('cast %s -> %s func=%s context=%s', c.castsource::regtype, c.casttarget::regtype,
              c.castfunc::regprocedure, c.castcontext)
FROM pg_cast c JOIN members m ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
UNION ALL
SELECT 'config dump ' || c::regclass::text || ' ' || coalesce(cond, '-')
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, cond) WHERE e.extname = 'persona'
ORDER BY 1;
SQL
}

releases=$(ls "$root"/src/upgrade/persona--[0-9]*.sql | sed -n 's|.*/persona--\([0-9.]*\)\.sql$|\1|p' | sort -V)
[ -n "$releases" ] || { echo "no frozen release in src/upgrade"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

update_from() {
	local from=$1
	for d in $up $fresh; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d"; done
	psql -X -q -d postgres -c "CREATE DATABASE $up" -c "CREATE DATABASE $fresh"
	"${Q[@]}" -d $up <<SQL
CREATE EXTENSION persona VERSION '$from';
CREATE TABLE tag_bitmaps (tag text, bm roaringbitmap);
INSERT INTO tag_bitmaps
SELECT 'tag_' || t, rb_build_agg(u) FROM generate_series(1, 5) t,
       generate_series(0, 300000, t) u GROUP BY t;
INSERT INTO tag_bitmaps VALUES ('empty', '{}'), ('edges', '{0,-1,2147483647,-2147483648}');
SQL
	before=$("${Q[@]}" -d $up -c "SELECT string_agg(tag || ':' || rb_cardinality(bm) || ':' || md5(rb_to_array(bm)::text), ';' ORDER BY tag) FROM tag_bitmaps")
	expr_before=$("${Q[@]}" -d $up -c "SELECT rb_tag_expr_count_agg(bm, tag, 'tag_2 & tag_3 | edges') FROM tag_bitmaps")

	"${Q[@]}" -d $up -c "ALTER EXTENSION persona UPDATE"
	got=$("${Q[@]}" -d $up -c "SELECT extversion FROM pg_extension WHERE extname = 'persona'")
	[ "$got" = "$current" ] || { echo "updated to $got, expected $current"; exit 1; }

	after=$("${Q[@]}" -d $up -c "SELECT string_agg(tag || ':' || rb_cardinality(bm) || ':' || md5(rb_to_array(bm)::text), ';' ORDER BY tag) FROM tag_bitmaps")
	expr_after=$("${Q[@]}" -d $up -c "SELECT rb_tag_expr_count_agg(bm, tag, 'tag_2 & tag_3 | edges') FROM tag_bitmaps")
	[ "$before" = "$after" ] || { echo "stored bitmaps read differently after the update"; exit 1; }
	[ "$expr_before" = "$expr_after" ] || { echo "expression count changed: $expr_before -> $expr_after"; exit 1; }
	# multiples of 6 in 0..300000, plus the 4 edge values (0 is already a multiple)
	[ "$expr_after" = $((300000 / 6 + 1 + 3)) ] || { echo "expression count $expr_after is wrong"; exit 1; }

	"${Q[@]}" -d $fresh -c "CREATE EXTENSION persona"

	catalog $up > "$tmp/upgraded"
	catalog $fresh > "$tmp/fresh"
	if ! diff -u "$tmp/fresh" "$tmp/upgraded" > "$tmp/diff"; then
		echo "an installation updated from $from differs from a fresh $current install:"
		head -40 "$tmp/diff"
		exit 1
	fi
	n=$(wc -l < "$tmp/fresh")
	for d in $up $fresh; do psql -X -q -d postgres -c "DROP DATABASE $d"; done
	echo "upgrade $from -> $current: data intact, $n catalog lines equal to a fresh install"
}

for r in $releases; do [ "$r" = "$current" ] || update_from "$r"; done
