-- identity_resolve with its helper process (persona.identity_helper = on)
-- gives exactly what the backend gives alone (off), in the same row order:
-- on random inputs with rules and earlier runs, on batches that fill the
-- queue, on rows bigger than the queue; resolve.c's errors raised in the
-- helper reach the caller with their SQLSTATE, and the caller's errors stop
-- the helper.
BEGIN;
SELECT plan(26);

SET LOCAL client_min_messages = warning;
SELECT setseed(0.2718);

-- (the setting exists once the library is loaded, by the first call)
SELECT count(*) FROM identity_resolve('SELECT ''a'', ''b'', ''c''');
SELECT is(current_setting('persona.identity_helper'), 'auto', 'persona.identity_helper defaults to auto');

CREATE TEMP TABLE ids (record_id text, id_type text, id_value text);
CREATE TEMP TABLE prev (record_id text, person_id bigint);

CREATE FUNCTION pg_temp.rnd(lo int, hi int) RETURNS int LANGUAGE sql VOLATILE AS
$$ SELECT lo + floor(random() * (hi - lo + 1))::int $$;

CREATE FUNCTION pg_temp.gen(nrec int, nrows int, nvals int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE ids;
  INSERT INTO ids
  SELECT (ARRAY['crm:', 'app:', 'wx:', 'Crm:'])[pg_temp.rnd(1, 4)] || pg_temp.rnd(1, nrec),
         CASE WHEN random() < 0.03 THEN NULL ELSE (ARRAY['crm_id', 'phone', 'email', 'device'])[pg_temp.rnd(1, 4)] END,
         CASE WHEN random() < 0.03 THEN NULL WHEN random() < 0.02 THEN ' '
              ELSE (ARRAY['v', 'é', '张'])[pg_temp.rnd(1, 3)] || pg_temp.rnd(1, nvals) END
  FROM generate_series(1, nrows);
END $$;

-- the answer with its row order, resolved with the helper set to `mode`
CREATE FUNCTION pg_temp.answer(mode text, rules jsonb, prev_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a text;
BEGIN
  PERFORM set_config('persona.identity_helper', mode, true);
  SELECT string_agg(record_id || '=' || person_id, ',' ORDER BY o) INTO a
  FROM identity_resolve('SELECT record_id, id_type, id_value FROM ids', rules, prev_sql) WITH ORDINALITY r(record_id, person_id, o);
  PERFORM set_config('persona.identity_helper', 'auto', true);
  RETURN a;
END $$;

CREATE FUNCTION pg_temp.same(rules jsonb, prev_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  on_ text := pg_temp.answer('on', rules, prev_sql);
  off_ text := pg_temp.answer('off', rules, prev_sql);
BEGIN
  RETURN CASE WHEN on_ IS NULL AND off_ IS NULL THEN 'both NULL'
              WHEN on_ = off_ THEN 'same' ELSE 'on ' || coalesce(on_, 'NULL') || E'\noff ' || coalesce(off_, 'NULL') END;
END $$;

SELECT is((SELECT pg_temp.gen(nrec, nrows, nvals)::text || pg_temp.same(rules::jsonb, NULL)), 'same',
          format('helper = this backend alone (%s records, %s rows, rules %s)', nrec, nrows, rules))
FROM (VALUES
  (10, 15, 5, '{}'),
  (60, 120, 12, '{"types": [{"name": "crm_id", "limit": 1}, {"name": "phone", "limit": 2, "max_records": 4}], "blocked_values": ["v3"]}'),
  (30, 200, 5, '{"types": [{"name": "email", "limit": 1}, {"name": "device", "limit": 2, "max_records": 9}], "max_records": 7}'),
  (2000, 25000, 3000, '{}'),
  (2000, 25000, 800, '{"types": [{"name": "phone", "limit": 1}, {"name": "crm_id", "limit": 1}], "blocked_values": ["v1", "张2"]}')
) c(nrec, nrows, nvals, rules);

-- earlier runs: ids kept, merged, split, and new ones above the old max
SELECT is((SELECT pg_temp.gen(nrec, nrows, nvals)::text
               || pg_temp.same('{}', format('SELECT record_id, (%s + abs(hashtext(record_id)) %% %s)::bigint FROM ids TABLESAMPLE BERNOULLI (60) REPEATABLE (7)', base, spread))), 'same',
          format('helper = this backend alone with previous_sql (%s rows, earlier ids from %s)', nrows, base))
FROM (VALUES (40, 80, 10, 1, 30), (3000, 30000, 2000, 1000000, 5000)) c(nrec, nrows, nvals, base, spread);

-- no rows at all, and rows that only make records exist
TRUNCATE ids;
SELECT is(pg_temp.same('{}', NULL), 'both NULL', 'no rows: no answer either way');
INSERT INTO ids SELECT 'r' || g, NULL, NULL FROM generate_series(1, 50) g;
SELECT is(pg_temp.same('{}', NULL), 'same', 'records without identifiers');

-- rows of 300 kB (batches sent by size, not count) and one of 5 MB, more
-- than the whole queue holds
TRUNCATE ids;
INSERT INTO ids SELECT 'big' || g, 'blob', repeat(md5((g % 7)::text), 10000) FROM generate_series(1, 40) g;
INSERT INTO ids SELECT 'big' || g, 'phone', 'p' || (g % 13) FROM generate_series(1, 40) g;
INSERT INTO ids VALUES (repeat('R', 5000000), 'phone', 'p1'), ('huge2', 'blob', repeat('x', 5000000));
SELECT is(pg_temp.same('{"types": [{"name": "blob", "limit": 1}]}', NULL), 'same', 'long rows: the same answer');
SELECT is((SELECT length(record_id) FROM identity_resolve('SELECT * FROM ids') WHERE record_id LIKE 'RRR%'), 5000000,
          'a 5 MB record_id comes back whole');

-- resolve.c's errors, raised in the helper, reach the caller
TRUNCATE ids;
INSERT INTO ids VALUES ('a', 'phone', '1'), ('b', 'phone', '2');
SET LOCAL persona.identity_helper = on;
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT * FROM ids', '{}', 'SELECT ''a'', 9223372036854775807::bigint')$$,
  '22003', 'new person ids would exceed the bigint range', 'an id overflow in the helper is the same error');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c'' UNION ALL SELECT NULL, ''b'', ''c''')$$,
  '22004', 'identifiers_sql returned a NULL record_id', 'an error of the caller''s rows stops the helper');
SELECT throws_ok($$SELECT * FROM identity_resolve('SELECT ''a'', ''b'', ''c''', '{}', 'SELECT 1, 2')$$,
  '42804', NULL, 'a bad previous_sql, after the helper has all identifier rows');
SELECT lives_ok($$SELECT * FROM identity_resolve('SELECT * FROM ids')$$, 'and the next resolve works');

-- what a DBA sees: the helper in pg_stat_activity while it works, and no
-- helper left once the call is over (a helper exits just after its last
-- message, so wait for it; pg_stat_activity is read fresh each time)
CREATE FUNCTION pg_temp.helpers_left() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  n int;
BEGIN
  FOR i IN 1 .. 200 LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT count(*) INTO n FROM pg_stat_activity WHERE backend_type = 'persona identity helper';
    EXIT WHEN n = 0;
    PERFORM pg_sleep(0.05);
  END LOOP;
  RETURN n;
END $$;
SELECT is(pg_temp.helpers_left(), 0, 'no helper process is left behind by the errors');
SELECT pg_stat_clear_snapshot();
SELECT is((SELECT count(*)::int FROM identity_resolve($q$
             SELECT 'r' || g, 'seen', (SELECT count(*) FROM pg_stat_activity
                                       WHERE backend_type = 'persona identity helper' AND query LIKE '%for PID ' || pg_backend_pid())::text
             FROM generate_series(1, 3) g$q$) WHERE person_id = 1), 3,
          'while it works, the helper is in pg_stat_activity, named for its backend');
SELECT is(pg_temp.helpers_left(), 0, 'and gone after it');

-- when there is a helper: the first record's id says how many helpers
-- pg_stat_activity showed for this backend while its rows were read
CREATE FUNCTION pg_temp.helpers_seen(n int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  PERFORM pg_stat_clear_snapshot();
  SELECT record_id INTO r FROM identity_resolve(format($q$
    SELECT CASE WHEN g = 1 THEN 'seen:' || (SELECT count(*) FROM pg_stat_activity
                                            WHERE backend_type = 'persona identity helper' AND query LIKE '%%for PID ' || pg_backend_pid())
                ELSE 'r' || g END, 'k', (g %% 1000)::text
    FROM generate_series(1, %s) g$q$, n)) WHERE record_id LIKE 'seen:%';
  RETURN r;
END $$;
SET LOCAL persona.identity_helper = auto;
SELECT is(pg_temp.helpers_seen(600000), 'seen:1', 'auto: a helper for 600,000 rows');
SELECT is(pg_temp.helpers_seen(1000), 'seen:0', 'auto: none for 1,000 rows');
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(pg_temp.helpers_seen(600000), 'seen:0', 'auto: none when the session turned parallel query off');
RESET max_parallel_workers_per_gather;
SET LOCAL persona.identity_helper = on;
SET LOCAL max_parallel_workers = 0;
SELECT is(pg_temp.helpers_seen(1000), 'seen:0', 'on: none when max_parallel_workers leaves no worker, and still an answer');
RESET max_parallel_workers;
SELECT is(pg_temp.helpers_seen(1000), 'seen:1', 'on: a helper even for 1,000 rows');

-- the setting
SET LOCAL persona.identity_helper = off;
SELECT is(current_setting('persona.identity_helper'), 'off', 'off');
SELECT throws_ok($$SET LOCAL persona.identity_helper = sometimes$$, '22023', NULL, 'an unknown value is refused');

SELECT * FROM finish();
ROLLBACK;
