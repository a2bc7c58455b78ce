-- The caller's SQL given to identity_resolve (identifiers_sql, previous_sql)
-- and connected_components (edges_sql) runs read-only and with the caller's
-- rights: statements that write are refused before they run, writes by the
-- functions a query calls fail, the transaction is writable again afterwards
-- (with and without the helper process); a bare table name gets a hint.
BEGIN;
SELECT plan(32);

SET LOCAL client_min_messages = warning;

CREATE TABLE idr (record_id text, id_type text, id_value text);
INSERT INTO idr VALUES ('a', 'phone', '1'), ('b', 'phone', '1'), ('c', 'email', 'x');
CREATE TABLE idr_prev (record_id text, person_id bigint);
INSERT INTO idr_prev VALUES ('a', 7);
CREATE TABLE idr_edges (a int, b int);
INSERT INTO idr_edges VALUES (1, 2), (2, 3);
CREATE SEQUENCE idr_seq;

-- "SQLSTATE message / detail / hint" of the error a statement raises
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  s text; m text; d text; h text;
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN s || ' ' || m || coalesce(' / ' || nullif(d, ''), '') || coalesce(' / ' || nullif(h, ''), '');
END $$;

-- a function that writes, called from a SELECT
CREATE FUNCTION pg_temp.wipe() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  DELETE FROM idr;
  RETURN 1;
END $$;

CREATE FUNCTION pg_temp.rows() RETURNS text LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM idr) || ',' || (SELECT count(*) FROM idr_prev) || ',' || (SELECT count(*) FROM idr_edges)
$$;

\set hint 'Give a query (SELECT, VALUES or TABLE) that only reads; do the writes before or after the call.'

-- statements that write are refused before they run
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('DELETE FROM idr RETURNING record_id, id_type, id_value')$$),
  '25006 identity_resolve runs its query read-only / identifiers_sql is a DELETE statement. / ' || :'hint',
  'identifiers_sql: DELETE ... RETURNING is refused');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('WITH d AS (DELETE FROM idr RETURNING *) SELECT * FROM d')$$),
  '25006 identity_resolve runs its query read-only / identifiers_sql has a data-modifying WITH (DELETE d). / ' || :'hint',
  'identifiers_sql: a data-modifying WITH is refused');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT * FROM idr FOR UPDATE')$$),
  '25006 identity_resolve runs its query read-only / identifiers_sql locks rows (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE or FOR KEY SHARE). / ' || :'hint',
  'identifiers_sql: SELECT ... FOR UPDATE is refused');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT * FROM (SELECT * FROM idr FOR KEY SHARE) s')$$),
  '25006 identity_resolve runs its query read-only / identifiers_sql locks rows (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE or FOR KEY SHARE). / ' || :'hint',
  'identifiers_sql: a row lock in a subquery is refused');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT * INTO idr_copy FROM idr')$$),
  '25006 identity_resolve runs its query read-only / identifiers_sql is a SELECT INTO, which creates a table. / ' || :'hint',
  'identifiers_sql: SELECT INTO is refused');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT * FROM idr', '{}', 'UPDATE idr_prev SET person_id = 8 RETURNING record_id, person_id')$$),
  '25006 identity_resolve runs its query read-only / previous_sql is an UPDATE statement. / ' || :'hint',
  'previous_sql: UPDATE ... RETURNING is refused');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('INSERT INTO idr_edges VALUES (5, 6) RETURNING a, b')$$),
  '25006 connected_components runs its query read-only / edges_sql is an INSERT statement. / ' || :'hint',
  'edges_sql: INSERT ... RETURNING is refused');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('TRUNCATE idr_edges')$$),
  '25006 connected_components runs its query read-only / edges_sql is a TRUNCATE TABLE statement. / ' || :'hint',
  'edges_sql: a utility statement is refused');
SELECT is(pg_temp.rows(), '3,1,2', 'no row was written');

-- writes by the functions a query calls fail: the query runs in a read-only transaction
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM idr WHERE pg_temp.wipe() = 1')$$),
  '25006 identity_resolve runs its query read-only / identifiers_sql: cannot execute DELETE in a read-only transaction. / ' || :'hint',
  'identifiers_sql: a function that deletes fails');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT * FROM idr', '{}', 'SELECT record_id, pg_temp.wipe() FROM idr_prev')$$),
  '25006 identity_resolve runs its query read-only / previous_sql: cannot execute DELETE in a read-only transaction. / ' || :'hint',
  'previous_sql: a function that deletes fails');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('SELECT nextval(''idr_seq''), 1')$$),
  '25006 connected_components runs its query read-only / edges_sql: cannot execute nextval() in a read-only transaction. / ' || :'hint',
  'edges_sql: nextval fails');
SELECT is(pg_temp.rows(), '3,1,2', 'still no row was written');

-- afterwards the transaction is writable again
SELECT is(current_setting('transaction_read_only'), 'off', 'not read-only after the refused queries');
SELECT is((SELECT count(*)::int FROM identity_resolve('SELECT * FROM idr', '{}', 'TABLE idr_prev')), 3, 'a read-only query runs');
SELECT is((SELECT count(*)::int FROM connected_components('TABLE idr_edges')), 3, 'TABLE is a query');
SELECT lives_ok($$INSERT INTO idr VALUES ('d', 'email', 'x')$$, 'the transaction writes after identity_resolve');
SELECT lives_ok($$SELECT nextval('idr_seq')$$, 'nextval works after connected_components');
SELECT is(current_setting('transaction_read_only'), 'off', 'not read-only after the queries that ran');

-- the same with the helper process
SET LOCAL persona.identity_helper = on;
SELECT is((SELECT count(*)::int FROM identity_resolve('SELECT * FROM idr', '{}', 'TABLE idr_prev')), 4, 'with the helper: a read-only query runs');
SELECT lives_ok($$INSERT INTO idr VALUES ('e', 'email', 'y')$$, 'with the helper: the transaction writes afterwards');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('SELECT * FROM idr', '{}', 'SELECT record_id, pg_temp.wipe() FROM idr_prev')$$),
  '25006 identity_resolve runs its query read-only / previous_sql: cannot execute DELETE in a read-only transaction. / ' || :'hint',
  'with the helper: previous_sql that deletes fails');
SELECT is(pg_temp.rows(), '5,1,2', 'with the helper: nothing deleted');
RESET persona.identity_helper;

-- one query, not a table name
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('idr')$$),
  '42601 identifiers_sql must be a query, not a table name / Write a query that returns (record_id text, id_type text, id_value text), for example SELECT record_id, id_type, id_value FROM idr.',
  'identifiers_sql: a bare table name gets a hint');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve(' public."idr" ; ')$$),
  '42601 identifiers_sql must be a query, not a table name / Write a query that returns (record_id text, id_type text, id_value text), for example SELECT record_id, id_type, id_value FROM public."idr".',
  'identifiers_sql: a qualified, quoted table name with a semicolon');
SELECT is(pg_temp.err($$SELECT * FROM identity_resolve('TABLE idr', '{}', 'idr_prev')$$),
  '42601 previous_sql must be a query, not a table name / Write a query that returns (record_id text, person_id bigint), for example SELECT record_id, person_id FROM idr_prev.',
  'previous_sql: a bare table name gets a hint');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('idr_edges')$$),
  '42601 edges_sql must be a query, not a table name / Write a query that returns (integer, integer), for example SELECT a, b FROM idr_edges.',
  'edges_sql: a bare table name gets a hint');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('select')$$),
  '22023 edges_sql must return 2 columns (integer, integer), not 0',
  'a one-word statement is not taken for a table name');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('TABLE idr_edges; TABLE idr_edges')$$),
  '42601 edges_sql must be one query, not 2 statements',
  'two statements are refused');
SELECT is(pg_temp.err($$SELECT * FROM connected_components('  ')$$),
  '22023 edges_sql must be a query that returns rows',
  'an empty query is refused');

-- the caller's rights: the query reads only what the caller may read
CREATE ROLE persona_caller_sql_reader;
GRANT SELECT ON idr TO persona_caller_sql_reader;
SET LOCAL ROLE persona_caller_sql_reader;
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT * FROM idr', '{}', 'TABLE idr_prev')$$,
  '42501', 'permission denied for table idr_prev', 'previous_sql runs with the caller''s rights');
SELECT throws_ok($$SELECT * FROM connected_components('TABLE idr_edges')$$,
  '42501', 'permission denied for table idr_edges', 'edges_sql runs with the caller''s rights');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
