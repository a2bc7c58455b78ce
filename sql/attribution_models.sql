-- Attribution: Markov removal effects and Shapley values on small, worked examples.
SET extra_float_digits = 0;
CREATE TABLE paths (path text[], converted boolean, value float8);
-- a converts 1 of 2 times alone; a > b never; b alone 1 of 1; one conversion without touches
INSERT INTO paths VALUES ('{a}', true, 10), ('{a}', false, 0), ('{a,b}', false, 0), ('{b}', true, 20), ('{}', true, 5);

SELECT * FROM markov_transitions((SELECT markov_agg(path, converted, value) FROM paths));
-- P(b) = 1/2, P(a) = 1/3 + 1/3 P(b) = 1/2; P = (3 P(a) + P(b) + 1) / 5 = 3/5.
-- Without a: (P(b) + 1) / 5 = 3/10, removal effect 1/2; without b: P(a) = 1/3, P = 2/5,
-- effect 1/3.  The 2 conversions with touches split 1/2 : 1/3, the empty path's goes to NULL.
SELECT channel, round(removal_effect::numeric, 12) AS removal_effect,
       round(conversions::numeric, 12) AS conversions, round(value::numeric, 12) AS value
FROM markov_attribution((SELECT markov_agg(path, converted, value) FROM paths));
SELECT * FROM markov_transitions((SELECT markov_agg(path, converted, value, 2) FROM paths));
SELECT channel, round(removal_effect::numeric, 12) AS removal_effect, round(conversions::numeric, 12) AS conversions
FROM markov_attribution((SELECT markov_agg(path, converted, value, 2) FROM paths));

-- Shapley: {a}: rate 1/2, {b}: 1/1, {a,b}: 0/1.  For {a} and {b} the player takes it all.
SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value) FROM paths));
-- {a,b} converting at rate 1 with {a} 1/2 and {b} 0: phi_a = (1/2 + 1)/2 = 3/4, phi_b = 1/4
SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value)
  FROM (VALUES ('{a}'::text[], true, 1), ('{a}', false, 0), ('{b}', false, 0), ('{b,a,b}', true, 8)) v(path, converted, value)));
-- v(a) = 1, v(b) = 1, v(ab) = 1/2: phi = 1/4 each, equal shares
SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value)
  FROM (VALUES ('{a}'::text[], true, 1), ('{b}', true, 1), ('{a,b}', true, 4), ('{a,b}', false, 0)) v(path, converted, value)));
-- negative values count as 0: v(a) = 1, v(b) = 0, v(ab) = 1/5: phi_a = 0.6, phi_b = -0.4 -> a takes all
SELECT * FROM shapley_attribution((SELECT shapley_agg(path, converted, value)
  FROM (VALUES ('{a}'::text[], true, 1), ('{b}', false, 0), ('{a,b}', true, 10), ('{a,b}', false, 0),
               ('{a,b}', false, 0), ('{a,b}', false, 0), ('{a,b}', false, 0)) v(path, converted, value)));

-- empty aggregates are NULL; NULL rows are skipped
SELECT markov_agg(path, converted, value) IS NULL AS m, shapley_agg(path, converted, value) IS NULL AS s FROM paths WHERE false;
SELECT markov_agg(path, converted, value)::text = (SELECT markov_agg(path, converted, value)::text FROM paths) AS nulls_skipped
FROM (SELECT * FROM paths UNION ALL VALUES (NULL::text[], true, 1::float8), ('{a}', NULL, 1)) s;

-- text and binary round trips
SELECT markov_agg(path, converted, value, 3)::text::markov_chain::text = markov_agg(path, converted, value, 3)::text AS markov_text,
       shapley_agg(path, converted, value)::text::channel_sets::text = shapley_agg(path, converted, value)::text AS sets_text
FROM paths;
