# test/bench/events/clickhouse.sh — a throwaway ClickHouse server for the event
# benchmarks (funnels, attribution), sourced after test/bench/common.sh.
#
#   ch_start            install clickhouse-server when missing (as root, Debian's
#                       package, 18.16), start a server as a non-root user in a
#                       temporary directory on free ports; removed at exit.
#                       Returns 1 (and says why) when ClickHouse is unavailable.
#   ch_query SQL        run one query, print the result (TSV)
#   ch_load_pg TABLE DDL SELECT
#                       create TABLE with DDL (the column list and engine) and
#                       fill it from PostgreSQL: psql \copy (SELECT) TO STDOUT CSV
#                       piped into clickhouse-client INSERT ... FORMAT CSV
#   ch_median SQL [RUNS]
#                       median time of RUNS (default 3) runs in milliseconds, as
#                       clickhouse-client --time reports it
#   ch_version          the server version
#
# The server's timezone is UTC: load timestamps as 'YYYY-MM-DD HH:MI:SS' in UTC.

CH_DIR=""
CH_PORT=""
CH_PID=""

ch_stop() {
	if [ -n "$CH_PID" ]; then
		kill "$CH_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$CH_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$CH_PID" 2>/dev/null || true
		CH_PID=""
	fi
	[ -n "$CH_DIR" ] && rm -rf "$CH_DIR"
	CH_DIR=""
}

ch_start() {
	if ! command -v clickhouse-server >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ]; then
			say "installing clickhouse-server and clickhouse-client (Debian packages) ..."
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null 2>&1 \
				|| { say "ClickHouse: apt-get install failed; skipping the ClickHouse comparison"; return 1; }
		else
			say "ClickHouse: clickhouse-server is not installed (run as root to install it); skipping"
			return 1
		fi
	fi
	local user=clickhouse
	id "$user" >/dev/null 2>&1 || user=nobody
	CH_DIR=$(mktemp -d /tmp/persona-ch.XXXXXX)
	CH_PORT=$(persona_free_port)
	local http_port
	http_port=$(persona_free_port)
	while [ "$http_port" = "$CH_PORT" ]; do http_port=$(persona_free_port); done
	mkdir -p "$CH_DIR"/{data,tmp,user_files,format_schemas,log}
	cat > "$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/log/server.log</log><errorlog>$CH_DIR/log/error.log</errorlog><size>10M</size><count>1</count></logger>
  <tcp_port>$CH_PORT</tcp_port>
  <http_port>$http_port</http_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>64</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>16</max_concurrent_queries>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <mark_cache_size>536870912</mark_cache_size>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/tmp/</tmp_path>
  <user_files_path>$CH_DIR/user_files/</user_files_path>
  <format_schema_path>$CH_DIR/format_schemas/</format_schema_path>
  <users_config>$CH_DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
XML
	cat > "$CH_DIR/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage><load_balancing>random</load_balancing></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
	chown -R "$user" "$CH_DIR" 2>/dev/null || true
	trap 'ch_stop; persona_cluster_stop' EXIT
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$user" -- clickhouse-server --config-file="$CH_DIR/config.xml" >"$CH_DIR/log/stdout.log" 2>&1 &
	else
		clickhouse-server --config-file="$CH_DIR/config.xml" >"$CH_DIR/log/stdout.log" 2>&1 &
	fi
	CH_PID=$!
	for _ in $(seq 1 100); do
		if clickhouse-client --port "$CH_PORT" --query "SELECT 1" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$CH_PID" 2>/dev/null || break
		sleep 0.2
	done
	say "ClickHouse: the server did not start:"
	tail -5 "$CH_DIR/log/error.log" "$CH_DIR/log/stdout.log" 2>/dev/null >&2
	ch_stop
	return 1
}

ch_query() {
	clickhouse-client --port "$CH_PORT" --query "$1"
}

ch_version() {
	ch_query "SELECT version()"
}

ch_load_pg() {	# TABLE DDL SELECT
	local table=$1 ddl=$2 select=$3
	ch_query "DROP TABLE IF EXISTS $table"
	ch_query "CREATE TABLE $table $ddl"
	psql -X -q -c "\\copy ($select) TO STDOUT WITH (FORMAT csv, NULL '\\N')" \
		| clickhouse-client --port "$CH_PORT" --query "INSERT INTO $table FORMAT CSV"
	ch_query "OPTIMIZE TABLE $table FINAL" >/dev/null 2>&1 || true
}

ch_median() {	# SQL [RUNS]: median time of RUNS runs in ms, as clickhouse-client --time
	# measures it (query sent to last block received; not the client's start-up)
	local q=$1 runs=${2:-3} t times=""
	for _ in $(seq 1 "$runs"); do
		t=$(clickhouse-client --port "$CH_PORT" --format Null --time --query "$q" 2>&1 >/dev/null | tail -1)
		case $t in
			[0-9]*) times="$times $t" ;;
			*) say "ClickHouse: $t"; return 1 ;;
		esac
	done
	printf '%s\n' $times | sort -g | awk '{a[NR] = $1} END {printf "%.1f\n", a[int((NR + 1) / 2)] * 1000}'
}

# ch_load_events: the shared event table (test/bench/events/data.sql) as
# events(user_id UInt64, ts DateTime, event String, channel Nullable(String),
# revenue Nullable(Float64)), ordered by (user_id, ts); prints the row count.
ch_load_events() {
	ch_load_pg events \
		"(user_id UInt64, ts DateTime, event String, channel Nullable(String), revenue Nullable(Float64)) ENGINE = MergeTree() ORDER BY (user_id, ts)" \
		"SELECT user_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), event, channel, revenue FROM events"
	ch_query "SELECT count() FROM events"
}
