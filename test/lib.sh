# test/lib.sh — shared by `make test`, `make demo` and the benchmarks.
#
#   persona_deps        install missing Debian packages (as root), once
#   persona_install     build and install the extension into the system PostgreSQL
#   persona_cluster     use PGHOST/PGPORT/PGDATABASE if set, else start a throwaway
#                       cluster (removed at exit, on failure too)

PERSONA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=${PG_MAJOR:-15}
# PG_CONFIG picks another PostgreSQL installation (a relocated copy, a
# source build); its bindir provides initdb, pg_ctl and pg_regress.
if [ -n "${PG_CONFIG:-}" ] && [ -x "$PG_CONFIG" ]; then
	PG_BIN=$("$PG_CONFIG" --bindir)
else
	PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
fi

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

persona_deps() {
	local want="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libroaring-dev postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl make gcc"
	local missing=""
	for p in $want; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		die "missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)"
	fi
	say "installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || die "apt-get update failed"
	# postgresql-common would create and start a default cluster; we never use it
	mkdir -p /etc/postgresql-common/createcluster.d
	echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/persona.conf
	apt-get install -y -qq --no-install-recommends $missing >/dev/null || die "apt-get install failed"
}

persona_install() {
	local pgc=$PG_BIN/pg_config
	make -s -C "$PERSONA_ROOT" PG_CONFIG=$pgc >/dev/null || die "build failed"
	if [ -w "$($pgc --pkglibdir)" ]; then
		make -s -C "$PERSONA_ROOT" PG_CONFIG=$pgc install >/dev/null || die "install failed"
	else
		die "cannot write to $($pgc --pkglibdir): run as root or as the owner of the PostgreSQL installation"
	fi
}

# Run a command as the postgres OS user when we are root (initdb refuses root).
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

persona_free_port() {
	local port
	for _ in $(seq 1 200); do
		port=$(( 20000 + RANDOM % 30000 ))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
			echo $port
			return 0
		fi
	done
	die "no free TCP port found"
}

persona_cluster_stop() {
	if [ -n "${PERSONA_PGDATA:-}" ] && [ -d "$PERSONA_PGDATA" ]; then
		as_pg $PG_BIN/pg_ctl -D "$PERSONA_PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
		rm -rf "$PERSONA_TMP"
	fi
}

persona_cluster() {
	if [ -n "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}" ]; then
		say "using the server at PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGDATABASE=${PGDATABASE:-}"
		return 0
	fi
	PERSONA_TMP=$(mktemp -d /tmp/persona.XXXXXX)
	PERSONA_PGDATA=$PERSONA_TMP/data
	local sock=$PERSONA_TMP/sock port
	mkdir -p "$sock"
	[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PERSONA_TMP"
	trap persona_cluster_stop EXIT
	trap 'exit 130' INT TERM
	as_pg $PG_BIN/initdb -D "$PERSONA_PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
		|| as_pg $PG_BIN/initdb -D "$PERSONA_PGDATA" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null \
		|| die "initdb failed"
	port=$(persona_free_port)
	cat >> "$PERSONA_PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_parallel_workers_per_gather = 2
log_min_messages = warning
CONF
	as_pg $PG_BIN/pg_ctl -D "$PERSONA_PGDATA" -l "$PERSONA_TMP/server.log" -w start >/dev/null \
		|| { cat "$PERSONA_TMP/server.log" >&2; die "could not start the throwaway cluster"; }
	export PGHOST=$sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	say "throwaway cluster on port $port (socket $sock), removed at exit"
}
