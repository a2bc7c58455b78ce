# persona — PGXS build.
#
#   make demo    build, install, start a throwaway cluster, load data, answer questions
#                (KEEP=1: leave the cluster running and print how to connect)
#   make test    build, install, run pg_regress (sql/, expected/) and pgTAP (test/pgtap/)
#
# Both install missing Debian packages first when run as root (test/deps.sh).
# Set PGHOST/PGPORT/PGDATABASE to use an existing server instead of a
# throwaway cluster.

EXTENSION   = persona
EXTVERSION  = 0.5.0
MODULE_big  = persona

# One folder per module under src/; each holds its C and its SQL.  The
# install script is assembled from the module SQL in this order.
MODULES_SQL = src/bitmap/roaringbitmap.sql \
              src/bitmap64/roaringbitmap64.sql \
              src/audience/audience.sql \
              src/identity/identity.sql \
              src/funnel/funnel.sql \
              src/attribution/attribution.sql \
              src/loyalty/loyalty.sql
SRCS        = $(sort $(wildcard src/*.c src/*/*.c))
OBJS        = $(SRCS:.c=.o)

DATA_built  = $(EXTENSION)--$(EXTVERSION).sql
# Released versions are frozen in src/upgrade/: the install script of each
# earlier release (persona--A.sql, so a DBA or a test can install it) and one
# upgrade script per step (persona--A--B.sql).  Never edited once released.
DATA        = $(wildcard src/upgrade/$(EXTENSION)--*.sql)

PG_CPPFLAGS = -I$(srcdir)/src -std=gnu99
SHLIB_LINK  = -lroaring

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

EXTRA_CLEAN = test/unit/*_test

PG_CONFIG ?= $(shell test -x /usr/lib/postgresql/15/bin/pg_config && echo /usr/lib/postgresql/15/bin/pg_config || echo pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all install installcheck:
	@echo "PostgreSQL server headers not found: run 'make test' or 'make demo' as root to install them, or set PG_CONFIG" >&2; exit 1
endif

# PGXS tracks no header dependencies: rebuild everything when a header changes
$(OBJS): $(wildcard src/*.h src/*/*.h)

$(EXTENSION)--$(EXTVERSION).sql: src/persona.sql $(MODULES_SQL)
	cat $^ > $@

.PHONY: test demo unit bench
test:
	@bash test/run.sh

demo:
	@KEEP='$(KEEP)' bash test/demo/run.sh

# plain-C unit tests of the algorithm cores (no PostgreSQL needed)
unit:
	@bash test/unit/run.sh
