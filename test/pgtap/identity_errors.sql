-- Identity: bad input gives clean errors with a proper SQLSTATE and a message
-- that says what is expected; volatility labels; the dictionary's privileges
-- and read-only transactions.
BEGIN;
SELECT plan(46);

SET LOCAL client_min_messages = warning;

-- identifiers_sql
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT NULL::text, ''t'', ''v''')$$,
  '22004', 'identifiers_sql returned a NULL record_id', 'a NULL record_id is an error');
SELECT throws_ok($$SELECT * FROM identity_resolve($q$SELECT * FROM (VALUES ('a', 'phone', '1'), (NULL, 'phone', '1')) v$q$)$$,
  '22004', 'identifiers_sql returned a NULL record_id', '... also after good rows');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b''')$$,
  '22023', 'identifiers_sql must return 3 columns (record_id text, id_type text, id_value text), not 2', 'too few columns');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c'', ''d''')$$,
  '22023', 'identifiers_sql must return 3 columns (record_id text, id_type text, id_value text), not 4', 'too many columns');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', 1')$$,
  '42804', 'identifiers_sql must return columns (record_id text, id_type text, id_value text)', 'a non-text column');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT 1::bigint, ''b'', ''c''')$$,
  '42804', 'identifiers_sql must return columns (record_id text, id_type text, id_value text)', 'a bigint record_id must be cast to text');
SELECT throws_ok($$SELECT * FROM identity_resolve('INSERT INTO pg_temp.nothing VALUES (1)')$$,
  '42P01', NULL, 'a broken query reports its own error');
SELECT throws_ok($$SELECT * FROM identity_resolve(NULL)$$,
  '22004', 'identifiers_sql must not be NULL', 'NULL identifiers_sql');
SELECT lives_ok($$SELECT * FROM identity_resolve('SELECT ''a''::varchar, ''b''::varchar, ''c''::varchar')$$, 'varchar columns are accepted');
SELECT lives_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', NULL)$$, 'NULL rules mean no rules');

-- rules
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"limits": 1}')$$,
  '22023', 'invalid rules: unknown key "limits"', 'unknown key');
SELECT throws_like($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"limits": 1}')$$,
  '%unknown key%', 'unknown key (message)');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": "x", "limit": -1}]}')$$,
  '22023', 'invalid rules: element 1 of "types": "limit" must be between 0 and 4294967295', 'negative limit');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": "x"}, {"name": "y", "max_records": -2}]}')$$,
  '22023', 'invalid rules: element 2 of "types": "max_records" must be between 0 and 4294967295', 'negative max_records of a type');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"max_records": -5}')$$,
  '22023', 'invalid rules: "max_records" must be between 0 and 4294967295', 'negative default max_records');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": "x", "limit": 1.5}]}')$$,
  '22023', 'invalid rules: element 1 of "types": "limit" must be an integer', 'fractional limit');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": "x", "limit": "1"}]}')$$,
  '22023', 'invalid rules: element 1 of "types": "limit" must be an integer, not a string', 'limit as a string');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": {"name": "x"}}')$$,
  '22023', 'invalid rules: "types" must be an array of objects, not an object', 'types not an array');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": ["x"]}')$$,
  '22023', 'invalid rules: element 1 of "types" must be an object, not a string', 'types element not an object');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"limit": 1}]}')$$,
  '22023', 'invalid rules: element 1 of "types" has no "name"', 'type without a name');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": 5}]}')$$,
  '22023', 'invalid rules: element 1 of "types": "name" must be a string, not a number', 'name not a string');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": "x", "lim": 1}]}')$$,
  '22023', 'invalid rules: element 1 of "types": unknown key "lim"', 'unknown key in a type');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"types": [{"name": "x"}, {"name": "x"}]}')$$,
  '22023', 'invalid rules: type "x" is listed twice in "types"', 'a type listed twice');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{"blocked_values": [1]}')$$,
  '22023', 'invalid rules: element 1 of "blocked_values" must be a string, not a number', 'blocked value not a string');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '[]')$$,
  '22023', 'invalid rules: expected a JSON object', 'rules not an object');

-- previous_sql
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{}', 'SELECT ''a''')$$,
  '22023', 'previous_sql must return 2 columns (record_id text, person_id bigint), not 1', 'previous_sql column count');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{}', 'SELECT ''a'', ''1''')$$,
  '42804', 'previous_sql must return columns (record_id text, person_id bigint)', 'previous_sql column types');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{}', 'SELECT NULL::text, 1')$$,
  '22004', 'previous_sql returned a NULL record_id', 'previous_sql NULL record_id');
SELECT is((SELECT person_id FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{}', 'SELECT ''a'', NULL::int')), 1::bigint,
  'previous rows with a NULL person_id are skipped');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{}', $q$SELECT 'z', 9223372036854775807$q$)$$,
  '22003', 'new person ids would exceed the bigint range', 'new ids past bigint');

-- edges_sql
SELECT throws_ok($$SELECT * FROM connected_components('SELECT 1')$$,
  '22023', 'edges_sql must return 2 columns (integer, integer), not 1', 'edges_sql column count');
SELECT throws_ok($$SELECT * FROM connected_components('SELECT 1, 2.5')$$,
  '42804', 'edges_sql must return columns (integer, integer)', 'edges_sql column types');
SELECT throws_ok($$SELECT * FROM connected_components('CREATE TEMP TABLE zz (a int)')$$,
  '25006', 'connected_components runs its query read-only', 'edges_sql not a query (a write)');

-- normalizers
SELECT throws_ok($$SELECT normalize_phone('13812345678', 'China')$$,
  '22023', 'invalid default_country "China"', 'default_country must be a two-letter code');
SELECT is(normalize_phone(NULL), NULL, 'normalize_phone is strict');

-- the dictionary
SELECT throws_ok($$SET TRANSACTION READ ONLY; SELECT dict_encode('ro', 'new key')$$,
  '25006', NULL, 'no new keys in a read-only transaction');
SELECT is(dict_decode('nosuchnamespace', 1), NULL, 'an unknown id decodes to NULL');

-- volatility, strictness and parallel labels
SELECT is((SELECT string_agg(proname || ':' || provolatile::text || proparallel::text || CASE WHEN proisstrict THEN 's' ELSE '' END, ',' ORDER BY proname)
           FROM pg_proc WHERE proname IN ('connected_components', 'identity_resolve', 'dict_encode', 'dict_decode',
                                          'normalize_phone', 'normalize_email')),
          'connected_components:vus,dict_decode:sss,dict_encode:vus,identity_resolve:vu,normalize_email:iss,normalize_phone:iss',
          'volatility, parallel safety and strictness');
SELECT is((SELECT count(*) FROM pg_proc WHERE proname IN ('connected_components', 'identity_resolve') AND prosecdef)::int, 0,
          'the SPI functions run with the caller''s rights');
SELECT is((SELECT count(*) FROM pg_proc p WHERE proname IN ('connected_components', 'identity_resolve', 'dict_encode', 'dict_decode',
                                          'normalize_phone', 'normalize_email') AND obj_description(p.oid, 'pg_proc') IS NULL)::int, 0,
          'every function has a comment');
SELECT ok((SELECT extconfig @> ARRAY['persona_dict'::regclass::oid] FROM pg_extension WHERE extname = 'persona'),
          'the dictionary table is dumped with the extension''s data');

-- privileges: a user who may not insert into the dictionary cannot add keys
CREATE ROLE persona_dict_reader;
GRANT SELECT ON persona_dict TO persona_dict_reader;
SELECT dict_encode('priv', 'known');
SET LOCAL ROLE persona_dict_reader;
SELECT is(dict_encode('priv', 'known'), 1, 'a reader can look up a known key');
SELECT throws_ok($$SELECT dict_encode('priv', 'unknown')$$, '42501', 'permission denied for table persona_dict',
  'a reader cannot add a key');
RESET ROLE;

-- relocatable: the dictionary is found in whatever schema the extension lives in
CREATE SCHEMA persona_moved;
ALTER EXTENSION persona SET SCHEMA persona_moved;
SELECT is(persona_moved.dict_encode('moved', 'k'), 1, 'dict_encode after ALTER EXTENSION ... SET SCHEMA');
SELECT is(persona_moved.dict_decode('moved', 1), 'k', 'dict_decode after ALTER EXTENSION ... SET SCHEMA');
SELECT is((SELECT count(*) FROM persona_moved.persona_dict WHERE namespace = 'moved')::int, 1, 'the key is in the moved table');
ALTER EXTENSION persona SET SCHEMA public;

SELECT * FROM finish();
ROLLBACK;
