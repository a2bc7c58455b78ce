-- Inputs the libFuzzer targets (test/fuzz) found, kept as regression tests.
BEGIN;
SELECT plan(4);
CREATE TEMP TABLE ev (ts timestamptz, e text);
INSERT INTO ev VALUES ('2026-01-01 10:00:00+00', 'a'), ('2026-01-01 10:00:10+00', 'b'),
                      ('2026-01-01 10:00:10+00', 'c'), ('2026-01-01 10:05:00+00', 'a');
-- seq_pattern_fuzz: a negative bound, (?t<0), overflowed the saturating
-- subtraction (-2^63 + -1) in the matcher
SELECT is((SELECT sequence_match('(?1)(?t<0)(?2)', ts, e = 'a', e = 'b') FROM ev), false,
          '(?t<0) between two steps: events never go back in time');
SELECT is((SELECT sequence_count('(?1)(?t<0)(?2)', ts, e = 'a', e = 'b') FROM ev), 0::bigint,
          '(?t<0) never matches, counted');
SELECT is((SELECT sequence_count('(?2)(?t<=0)(?3)', ts, e = 'a', e = 'b', e = 'c') FROM ev), 1::bigint,
          '(?t<=0) matches events at the same time');
SELECT is((SELECT sequence_match('(?2)(?t<0)(?3)', ts, e = 'a', e = 'b', e = 'c') FROM ev), false,
          '(?t<0) does not match events at the same time');
SELECT * FROM finish();
ROLLBACK;
