-- persona 0.4.0 → 0.5.0.  Open for development: every change to a module's SQL is
-- appended here as well (test/cluster/upgrade.sh compares an updated database with a
-- fresh install).  Frozen at the release of 0.5.0.
\echo Use "ALTER EXTENSION persona UPDATE" to load this file. \quit

-- == signatures (points_lots, tier_timeline) ==


-- == search_path: SQL-language functions qualified ==


-- == friendlier errors: int8 and integer-window overloads ==


-- == dictionary ==


-- == caller SQL read-only ==


-- == sequences ==

