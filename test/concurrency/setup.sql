-- Data for the concurrency run, and the answers of a serial run to compare with.
SET client_min_messages = warning;
DROP TABLE IF EXISTS cc_tags, cc_events, cc_ledger, cc_identifiers, cc_expected;
CREATE TABLE cc_tags AS
SELECT 'tag_' || t AS tag, rb_build_agg(u) AS bm
FROM generate_series(1, 6) t, generate_series(0, 200000) u
WHERE hashint4(u * 7 + t) % (t + 1) = 0 GROUP BY t;
CREATE TABLE cc_events AS
SELECT u AS user_id,
       timestamptz '2026-01-01 00:00+00' + (hashint4(u * 31 + i) & 1048575) * interval '5 seconds' AS ts,
       (ARRAY['exposure', 'click', 'activate', 'register', 'pay', 'view'])[1 + (hashint4(u * 17 + i) & 2147483647) % 6] AS event,
       (ARRAY['search', 'wechat', 'direct', 'email'])[1 + (hashint4(u * 13 + i) & 2147483647) % 4] AS channel
FROM generate_series(1, 3000) u, generate_series(1, 12) i;
CREATE TABLE cc_ledger AS
SELECT m AS member_id,
       timestamptz '2026-01-01 00:00+00' + i * interval '3 days' AS ts,
       CASE WHEN hashint4(m * 11 + i) % 4 = 0 THEN -((hashint4(m + i) & 255))::numeric ELSE (hashint4(m * 3 + i) & 511)::numeric END AS delta,
       interval '180 days' AS expire_after
FROM generate_series(1, 2000) m, generate_series(1, 15) i;
CREATE TABLE cc_identifiers AS
SELECT 'r' || r AS record_id, t AS id_type,
       CASE t WHEN 'phone' THEN '138' || lpad(((hashint4(r) & 2147483647) % 4000)::text, 8, '0')
              WHEN 'email' THEN 'u' || ((hashint4(r * 7) & 2147483647) % 5000) || '@example.com'
              ELSE 'dev' || ((hashint4(r * 13) & 2147483647) % 6000) END AS id_value
FROM generate_series(1, 6000) r, unnest(ARRAY['phone', 'email', 'device']) t;
ANALYZE cc_tags, cc_events, cc_ledger, cc_identifiers;

CREATE TABLE cc_expected (name text PRIMARY KEY, answer text NOT NULL);
INSERT INTO cc_expected VALUES
 ('audience', (SELECT rb_tag_expr_count_agg(bm, tag, 'tag_1 & (tag_2 | tag_3) - tag_5')::text FROM cc_tags)),
 ('funnel', (SELECT window_funnel_counts(user_id, interval '7 days', ts, event = 'exposure', event = 'click',
                                          event = 'activate', event = 'register', event = 'pay')::text FROM cc_events)),
 ('attribution', (SELECT string_agg(coalesce(channel, '-') || '=' || round(conversions::numeric, 6), ' ' ORDER BY channel)
                  FROM unnest((SELECT attribution_agg(user_id, ts, CASE WHEN event <> 'pay' THEN channel END, event = 'pay', 1.0,
                                                      'linear', '{}') FROM cc_events)))),
 ('ledger', (SELECT sum(b)::text FROM (SELECT points_balance(points_agg(ts, delta, expire_after), timestamptz '2026-03-01 00:00+00') AS b
                                        FROM cc_ledger GROUP BY member_id) s)),
 ('identity', (SELECT count(DISTINCT person_id) || '/' || count(*)
               FROM identity_resolve('SELECT record_id, id_type, id_value FROM cc_identifiers',
                                     '{"types": [{"name": "phone", "max_records": 3}]}')));
SELECT name, left(answer, 60) AS answer FROM cc_expected ORDER BY name;
-- every concurrent read goes through this: a different answer is an error
CREATE FUNCTION cc_check(what text, got text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF got IS DISTINCT FROM (SELECT answer FROM cc_expected WHERE name = what) THEN
    RAISE EXCEPTION 'concurrent % answer differs from the serial one: %', what, left(got, 200);
  END IF;
  RETURN 1;
END $$;
