-- persona 0.1.0 → 0.2.0: changes to the objects of 0.1.0 come first, then the
-- modules new in 0.2.0 are appended by the Makefile.
\echo Use "ALTER EXTENSION persona UPDATE" to load this file. \quit
