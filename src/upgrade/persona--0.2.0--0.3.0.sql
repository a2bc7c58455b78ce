-- persona 0.2.0 → 0.3.0.  Until 0.3.0 is released this script collects every SQL
-- change made to the module files since 0.2.0 (test/cluster/upgrade.sh fails when
-- an update leaves the catalog different from a fresh install); frozen at release.
\echo Use "ALTER EXTENSION persona UPDATE" to load this file. \quit
