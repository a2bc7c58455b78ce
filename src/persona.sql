-- persona: the extension script is assembled by the Makefile from this
-- header and each module's .sql, in the order the Makefile lists them.
\echo Use "CREATE EXTENSION persona" to load this file. \quit
