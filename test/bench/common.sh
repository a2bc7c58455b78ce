# test/bench/common.sh — shared by the benchmarks: a server (throwaway unless
# PGHOST/PGPORT/PGDATABASE are set), the data set at SCALE, and a timer.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$PERSONA_ROOT"
SCALE=${SCALE:-1}
BENCH_DB=${BENCH_DB:-persona_bench}

# bench_setup [DATA_SQL]: DATA_SQL (default test/bench/data.sql, the tag data)
# is generated once per SCALE and remembered in bench_data.
bench_setup() {
	local data=${1:-test/bench/data.sql}
	BENCH_LOAD0=$(cut -d' ' -f1 /proc/loadavg)
	persona_deps
	persona_install
	persona_cluster
	if ! psql -X -qAt -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1; then
		psql -X -q -d postgres -c "CREATE DATABASE $BENCH_DB"
	fi
	export PGDATABASE=$BENCH_DB
	# A database holding an older persona is updated; one whose version string
	# equals the built one but whose objects differ (a development build) is not
	# touched by ALTER EXTENSION, so the version is checked, and a failure stops
	# the benchmark instead of timing the wrong code.
	psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION IF NOT EXISTS persona" \
		-c "ALTER EXTENSION persona UPDATE" || die "cannot create or update persona in $BENCH_DB"
	local want got
	want=$(sed -n 's/^EXTVERSION *= *//p' Makefile)
	got=$(psql -X -qAt -c "SELECT extversion FROM pg_extension WHERE extname = 'persona'")
	[ "$got" = "$want" ] || die "persona $got in $BENCH_DB after ALTER EXTENSION UPDATE, built $want"
	psql -X -q -c "CREATE TABLE IF NOT EXISTS bench_data (data text PRIMARY KEY, scale text)"
	have=$(psql -X -qAt -c "SELECT scale FROM bench_data WHERE data = '$data'")
	if [ "$have" != "$SCALE" ]; then
		say "generating $data at SCALE=$SCALE ..."
		local t0=$(date +%s)
		psql -X -q -v scale="$SCALE" -f "$data" >&2
		psql -X -q -c "INSERT INTO bench_data VALUES ('$data', '$SCALE') ON CONFLICT (data) DO UPDATE SET scale = excluded.scale"
		say "generated in $(( $(date +%s) - t0 )) s"
	fi
	# the timer: median of 3 runs of a query, server side, in milliseconds
	psql -X -q <<'SQL'
CREATE OR REPLACE FUNCTION bench_median(q text, runs int DEFAULT 3) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE t timestamptz; ms float8[] := '{}';
BEGIN
  FOR i IN 1 .. runs LOOP
    t := clock_timestamp();
    EXECUTE q;
    ms := ms || extract(epoch FROM clock_timestamp() - t) * 1000;
  END LOOP;
  RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x);
END $$;
SQL
}

# machine: the hardware, the server and the 1-minute load average when the
# benchmark started and now (2 shared cores: a figure means little without it)
machine() {
	printf '%s, %s cores, %s GiB RAM, PostgreSQL %s, load average %s at the start, %s now' \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)" \
		"$(awk '/MemTotal/ {printf "%d", $2/1048576}' /proc/meminfo)" \
		"$(psql -X -qAt -c 'SHOW server_version' | cut -d' ' -f1)" \
		"${BENCH_LOAD0:-?}" "$(cut -d' ' -f1 /proc/loadavg)"
}
