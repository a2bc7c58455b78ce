-- Loyalty ledgers: on random ledgers, points_balance / points_expired /
-- points_expiring equal an independent plpgsql replay of the FIFO rules;
-- parallel equals serial; daily states combined equal one pass; text and
-- binary round trips (empty state too).
BEGIN;
SELECT plan(18);

SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'Europe/Berlin';	-- expiry by months/days crosses DST here
DO $$ BEGIN PERFORM setseed(0.4242); END $$;

-- 400 members, ~30 rows each over two years: earnings (some never expire, expiry by days
-- or months), redemptions (some larger than the balance), many ties at equal ts
CREATE TEMP TABLE rows AS
SELECT m AS member,
       timestamptz '2024-01-01' + (floor(random() * 90) * 8 + floor(random() * 2) * 4) * interval '1 day'
         + (floor(random() * 2) * 12) * interval '1 hour' AS ts,
       CASE WHEN random() < 0.65 THEN round((random() * 500)::numeric + 0.01, 2)
            ELSE -round((random() * 700)::numeric + 0.01, 2) END AS delta,
       (ARRAY[NULL, '30 days', '90 days', '1 month', '6 months', '1 year', '8 days'])[1 + floor(random() * 7)::int]::interval AS expire_after
FROM generate_series(1, 400) m, generate_series(1, 30) r
WHERE random() < 0.95;
UPDATE rows SET expire_after = NULL WHERE delta < 0;

-- the independent replay: lots in arrays, each redemption scans for the lot to draw
CREATE FUNCTION pg_temp.replay(p_member int, as_of timestamptz, within interval,
    OUT balance numeric, OUT expired numeric, OUT expiring numeric) LANGUAGE plpgsql AS $$
DECLARE
  r record;
  lot_exp timestamptz[] := '{}';
  lot_at timestamptz[] := '{}';
  lot_rem numeric[] := '{}';
  debt numeric := 0;
  need numeric;
  take numeric;
  best int;
  n int;
BEGIN
  expired := 0;
  FOR r IN SELECT ts, delta, ts + expire_after AS exp FROM rows
           WHERE member = p_member AND ts <= as_of
           ORDER BY ts, delta < 0, ts + expire_after LOOP
    n := coalesce(array_length(lot_rem, 1), 0);
    FOR i IN 1 .. n LOOP
      IF lot_rem[i] > 0 AND lot_exp[i] <= r.ts THEN
        expired := expired + lot_rem[i]; lot_rem[i] := 0;
      END IF;
    END LOOP;
    IF r.delta > 0 THEN
      take := least(debt, r.delta);
      debt := debt - take;
      lot_exp := lot_exp || r.exp; lot_at := lot_at || r.ts; lot_rem := lot_rem || (r.delta - take);
    ELSE
      need := -r.delta;
      LOOP
        EXIT WHEN need = 0;
        best := NULL;
        FOR i IN 1 .. coalesce(array_length(lot_rem, 1), 0) LOOP
          IF lot_rem[i] > 0 AND (best IS NULL
               OR coalesce(lot_exp[i], 'infinity') < coalesce(lot_exp[best], 'infinity')
               OR (coalesce(lot_exp[i], 'infinity') = coalesce(lot_exp[best], 'infinity') AND lot_at[i] < lot_at[best])) THEN
            best := i;
          END IF;
        END LOOP;
        EXIT WHEN best IS NULL;
        take := least(need, lot_rem[best]);
        lot_rem[best] := lot_rem[best] - take;
        need := need - take;
      END LOOP;
      debt := debt + need;
    END IF;
  END LOOP;
  balance := -debt;
  expiring := 0;
  FOR i IN 1 .. coalesce(array_length(lot_rem, 1), 0) LOOP
    IF lot_rem[i] > 0 THEN
      IF lot_exp[i] <= as_of THEN
        expired := expired + lot_rem[i];
      ELSE
        balance := balance + lot_rem[i];
        IF lot_exp[i] <= as_of + within THEN expiring := expiring + lot_rem[i]; END IF;
      END IF;
    END IF;
  END LOOP;
END $$;

CREATE TEMP TABLE ledgers AS
SELECT member, points_agg(ts, delta, expire_after) AS l FROM rows GROUP BY member;
CREATE TEMP TABLE as_ofs AS
SELECT unnest(ARRAY['2024-03-15', '2024-06-01 12:00', '2024-12-31', '2025-04-09', '2026-01-01']::timestamptz[]) AS as_of;

CREATE TEMP TABLE compared AS
SELECT l.member, a.as_of, points_balance(l.l, a.as_of) AS b, points_expired(l.l, a.as_of) AS e,
       points_expiring(l.l, a.as_of, '45 days') AS x, r.*
FROM ledgers l CROSS JOIN as_ofs a CROSS JOIN LATERAL pg_temp.replay(l.member, a.as_of, '45 days') r;

SELECT is((SELECT count(*) FROM compared), 2000::bigint, '400 members x 5 as_of compared');
SELECT is((SELECT count(*) FROM compared WHERE b IS DISTINCT FROM balance), 0::bigint,
          'points_balance equals the plpgsql FIFO replay');
SELECT is((SELECT count(*) FROM compared WHERE e IS DISTINCT FROM expired), 0::bigint,
          'points_expired equals the plpgsql FIFO replay');
SELECT is((SELECT count(*) FROM compared WHERE x IS DISTINCT FROM expiring), 0::bigint,
          'points_expiring equals the plpgsql FIFO replay');
SELECT ok((SELECT count(*) FROM compared WHERE b < 0) > 0 AND (SELECT count(*) FROM compared WHERE e > 0) > 0
          AND (SELECT count(*) FROM compared WHERE x > 0) > 0,
          'the random ledgers exercise debt, expiry and expiring points');
-- sum of the lots = balance + debt; the first lot expires at points_next_expiry
SELECT is((SELECT count(*) FROM ledgers l CROSS JOIN as_ofs a
           WHERE (SELECT min(expires_at) FROM points_lots(l.l, a.as_of)) IS DISTINCT FROM points_next_expiry(l.l, a.as_of)),
          0::bigint, 'points_next_expiry is the earliest expiry among points_lots');
SELECT is((SELECT count(*) FROM ledgers l CROSS JOIN as_ofs a
           WHERE points_balance(l.l, a.as_of) > 0
             AND (SELECT sum(remaining) FROM points_lots(l.l, a.as_of)) <> points_balance(l.l, a.as_of)),
          0::bigint, 'without debt, the lots add up to the balance');

-- daily states combined equal one pass
CREATE TEMP TABLE daily AS
SELECT member, date_trunc('day', ts) AS day, points_agg(ts, delta, expire_after) AS l
FROM rows GROUP BY member, date_trunc('day', ts);
SELECT is((SELECT count(*) FROM (SELECT member, points_agg(l) AS l FROM daily GROUP BY member) d
           JOIN ledgers USING (member) WHERE d.l::text <> ledgers.l::text), 0::bigint,
          'points_agg over daily ledgers equals one pass (identical state)');

-- parallel equals serial
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE TABLE big_rows AS SELECT * FROM rows;
ANALYZE big_rows;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE p text := ''; r text;
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP p := p || r || E'\n'; END LOOP;
  RETURN p;
END $$;
SELECT matches(pg_temp.plan_of('SELECT points_agg(ts, delta, expire_after) FROM big_rows'),
               'Partial Aggregate', 'one ledger over the table: the plan has a Partial Aggregate');
CREATE TEMP TABLE par_one AS SELECT points_agg(ts, delta, expire_after)::text AS l FROM big_rows;
CREATE TEMP TABLE par_bal AS SELECT sum(points_balance(l, '2025-01-01')) AS s, count(*) AS n
  FROM (SELECT member, points_agg(ts, delta, expire_after) AS l FROM big_rows GROUP BY member) g;
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is((SELECT l FROM par_one), (SELECT points_agg(ts, delta, expire_after)::text FROM big_rows),
          'parallel points_agg equals serial (whole table, identical state)');
SELECT is((SELECT s FROM par_bal),
          (SELECT sum(points_balance(l, '2025-01-01')) FROM (SELECT member, points_agg(ts, delta, expire_after) AS l FROM big_rows GROUP BY member) g),
          'parallel points_agg grouped by member equals serial (sum of balances)');

-- text round trip, empty included
SELECT is((SELECT count(*) FROM ledgers WHERE l::text::points_ledger::text <> l::text), 0::bigint,
          'text output then input gives the same state');
SELECT is('{}'::points_ledger::text, '{}', 'the empty ledger round-trips through text');

-- binary round trip through COPY (FORMAT binary), empty included
CREATE TEMP TABLE bin_in (member int, l points_ledger);
INSERT INTO bin_in SELECT member, l FROM ledgers UNION ALL SELECT 0, '{}';
COPY bin_in TO '/tmp/persona_loyalty_ledgers.bin' (FORMAT binary);
CREATE TEMP TABLE bin_out (member int, l points_ledger);
COPY bin_out FROM '/tmp/persona_loyalty_ledgers.bin' (FORMAT binary);
SELECT is((SELECT count(*) FROM bin_in i JOIN bin_out o USING (member) WHERE i.l::text = o.l::text), 401::bigint,
          'binary COPY out and in gives the same 401 states (the empty one too)');
SELECT is((SELECT points_ledger_send(l) FROM bin_out WHERE member = 0), '\x0000000100000000'::bytea,
          'the empty ledger''s binary form is version 1, no events');
SELECT is((SELECT count(*) FROM bin_out o JOIN ledgers USING (member)
           WHERE points_balance(o.l, '2025-01-01') <> points_balance(ledgers.l, '2025-01-01')), 0::bigint,
          'balances read from the binary copies are the originals');

-- a long ledger: 30,000 rows, 2,000 distinct (time, kind) — merged while aggregating
CREATE TEMP TABLE long_rows AS
SELECT timestamptz '2025-01-01' + (g % 1000) * interval '1 hour' AS ts,
       CASE WHEN g % 3 = 0 THEN -(g % 7 + 0.25) ELSE g % 11 + 1.5 END AS delta
FROM generate_series(1, 30000) g;
SELECT is((SELECT points_balance(points_agg(ts, delta, NULL), '2030-01-01') FROM long_rows),
          (SELECT sum(delta) FROM long_rows),
          'without expiry the balance of a 30,000-row ledger is exactly the sum of its rows');
SELECT is((SELECT length(regexp_replace(points_agg(ts, delta, NULL)::text, '[^,]', '', 'g')) + 1 FROM long_rows),
          (SELECT count(DISTINCT (ts, delta < 0))::int FROM long_rows),
          'the state holds one event per distinct (time, kind)');

SELECT * FROM finish();
ROLLBACK;
