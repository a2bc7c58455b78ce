-- Attribution: rule-based models on hand-made journeys with known answers.
SET extra_float_digits = 0;
SET timezone = 'UTC';
CREATE TABLE touches (user_id bigint, ts timestamptz, channel text, is_conversion boolean, value float8);
INSERT INTO touches VALUES
  -- 1: one touch
  (1, '2026-01-01 10:00', 'email',  false, NULL),
  (1, '2026-01-02 10:00', NULL,     true,  100),
  -- 2: two touches (position_based splits first : last)
  (2, '2026-01-01 10:00', 'search', false, NULL),
  (2, '2026-01-03 10:00', 'wechat', false, NULL),
  (2, '2026-01-04 10:00', NULL,     true,  50),
  -- 3: equal timestamps: channel name order (byte order: "Weibo" < "kol" < "sms")
  (3, '2026-01-05 10:00', 'sms',    false, NULL),
  (3, '2026-01-05 10:00', 'kol',    false, NULL),
  (3, '2026-01-05 10:00', 'Weibo',  false, NULL),
  (3, '2026-01-05 10:00', 'app',    true,  30),     -- its own channel is not a touch
  -- 4: touches outside the 30-day lookback (exactly 30 days before is outside)
  (4, '2025-11-01 00:00', 'kol',    false, NULL),
  (4, '2025-12-02 00:00', 'sms',    false, NULL),
  (4, '2025-12-10 00:00', 'email',  false, NULL),
  (4, '2026-01-01 00:00', NULL,     true,  10),
  -- 5: a conversion without touches, and a NULL value (0)
  (5, '2026-01-01 00:00', NULL,     true,  70),
  (5, '2026-01-02 00:00', NULL,     true,  NULL),
  -- 6: several conversions: each takes the touches since the previous one
  (6, '2026-01-01 00:00', 'search', false, NULL),
  (6, '2026-01-02 00:00', 'email',  false, NULL),
  (6, '2026-01-03 00:00', NULL,     true,  20),
  (6, '2026-01-04 00:00', 'email',  false, NULL),
  (6, '2026-01-04 00:00', NULL,     true,  40),     -- a touch at the conversion instant counts
  (6, '2026-01-05 00:00', 'wechat', false, NULL),   -- after the last conversion: not credited
  -- 7: direct-only path, and direct among others
  (7, '2026-01-01 00:00', 'direct', false, NULL),
  (7, '2026-01-02 00:00', 'direct', false, NULL),
  (7, '2026-01-03 00:00', NULL,     true,  5),
  (7, '2026-01-04 00:00', 'kol',    false, NULL),
  (7, '2026-01-05 00:00', 'direct', false, NULL),
  (7, '2026-01-06 00:00', NULL,     true,  8),
  -- 8: ignored rows: NULL ts, neither touch nor conversion
  (8, NULL,               'email',  false, NULL),
  (8, '2026-01-01 00:00', NULL,     false, NULL),
  (8, '2026-01-01 00:00', 'email',  NULL,  NULL);
CREATE TABLE journeys AS
SELECT user_id, journey_agg(ts, channel, is_conversion, value) AS j FROM touches GROUP BY user_id;

-- the paths
SELECT user_id, p.* FROM journeys, journey_paths(j) p ORDER BY user_id, converted DESC, p.value;
SELECT user_id, p.* FROM journeys, journey_paths(j, '{"lookback": "60 days"}') p WHERE user_id = 4;

-- every model, every journey
SELECT user_id, m AS model, a.channel, round(a.conversions::numeric, 6) AS conversions, round(a.value::numeric, 6) AS value
FROM journeys,
     unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct', 'linear', 'position_based', 'time_decay']) m,
     attribute(j, m) a
ORDER BY user_id, m, a.channel;

-- options
SELECT a.* FROM journeys, attribute(j, 'position_based', '{"first": 0.3, "last": 0.5}') a WHERE user_id = 2;
SELECT a.* FROM journeys, attribute(j, 'last_non_direct', '{"direct_channels": ["direct", "kol"]}') a WHERE user_id = 7;
SELECT a.* FROM journeys, attribute(j, 'first_touch', '{"lookback": "60 days"}') a WHERE user_id = 4;
-- time decay: touches 3 and 1 days before, half-life 2 days: weights 2^-1.5 and 2^-0.5
SELECT a.channel, round(a.conversions::numeric, 12) AS conversions,
       round((CASE a.channel WHEN 'a' THEN 2 ^ (-1.5) ELSE 2 ^ (-0.5) END / (2 ^ (-1.5) + 2 ^ (-0.5)))::numeric, 12) AS expected
FROM (SELECT journey_agg(ts, ch, conv, 1) AS j FROM (VALUES ('2026-01-01'::timestamptz, 'a', false), ('2026-01-03', 'b', false), ('2026-01-04', NULL, true)) v(ts, ch, conv)) s,
     attribute(j, 'time_decay', '{"half_life": "2 days"}') a ORDER BY 1;
-- collapse_repeats: A A B counts as A B
SELECT o.opts, a.channel, a.conversions
FROM (SELECT journey_agg(ts, ch, conv, 1) AS j FROM (VALUES ('2026-01-01'::timestamptz, 'a', false), ('2026-01-02', 'a', false), ('2026-01-03', 'b', false), ('2026-01-04', NULL, true)) v(ts, ch, conv)) s,
     (VALUES ('{}'::jsonb), ('{"collapse_repeats": true}')) o(opts),
     attribute(j, 'linear', o.opts) a ORDER BY 1, 2;

-- attribution_agg: the same credits summed over users, sorted by channel, NULL last
SELECT m AS model, attribution_agg(user_id, ts, channel, is_conversion, value, m, '{}')
FROM touches, unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct', 'linear']) m
GROUP BY m ORDER BY m;
SELECT (unnest(attribution_agg(user_id, ts, channel, is_conversion, value, 'linear', NULL))).* FROM touches;
-- no rows: NULL; rows without conversions: empty
SELECT attribution_agg(user_id, ts, channel, is_conversion, value, 'linear', '{}') FROM touches WHERE false;
SELECT attribution_agg(user_id, ts, channel, is_conversion, value, 'linear', '{}') FROM touches WHERE NOT is_conversion;
SELECT journey_agg(ts, channel, is_conversion, value) IS NULL AS no_rows FROM touches WHERE false;

-- NULL arguments of the scalar functions
SELECT count(*) FROM attribute(NULL, 'linear');
SELECT count(*) FROM journeys, attribute(j, NULL) WHERE user_id = 1;
-- the journey type round-trips through text
SELECT count(*) AS round_trips FROM journeys WHERE j::text::journey::text = j::text;
