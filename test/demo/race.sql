-- pg_temp.race(persona_sql, plain_sql): runs two one-column queries that should give the
-- same answer, alternately, three times each, and returns the best time of each in ms,
-- their ratio and whether the answers are equal (compared as text). Measured here, by
-- clock_timestamp(), never written down: the figures change from run to run.  Without
-- parallel workers: starting them costs more than these small queries take, and varies
-- with the machine's load.
CREATE OR REPLACE FUNCTION pg_temp.race(persona_sql text, plain_sql text)
RETURNS TABLE (persona_ms numeric, plain_sql_ms numeric, ratio text, same_answer text)
LANGUAGE plpgsql SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
    a text;
    b text;
    t timestamptz;
    best_a float8 := 'Infinity';
    best_b float8 := 'Infinity';
BEGIN
    FOR i IN 1 .. 3 LOOP
        t := clock_timestamp();
        EXECUTE 'SELECT x::text FROM (' || persona_sql || ') s(x)' INTO a;
        best_a := least(best_a, extract(epoch FROM clock_timestamp() - t) * 1000);
        t := clock_timestamp();
        EXECUTE 'SELECT x::text FROM (' || plain_sql || ') s(x)' INTO b;
        best_b := least(best_b, extract(epoch FROM clock_timestamp() - t) * 1000);
    END LOOP;
    RETURN QUERY SELECT round(best_a::numeric, 1), round(best_b::numeric, 1),
                        CASE WHEN best_b / best_a >= 10 THEN round((best_b / best_a)::numeric)::text
                             ELSE round((best_b / best_a)::numeric, 1)::text END || ' x',
                        CASE WHEN a IS NOT DISTINCT FROM b THEN 'yes' ELSE 'NO' END;
END $$;
