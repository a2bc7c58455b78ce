-- Helpers of the pgTAP files that compare parallel plans with serial ones;
-- included with \ir, so they live in the including session's pg_temp.

-- q's one value, planned with two parallel workers (par) or none; the setting
-- stays for the rest of the transaction
CREATE FUNCTION pg_temp.run(q text, par boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE o text;
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', CASE WHEN par THEN '2' ELSE '0' END, true);
  EXECUTE q INTO o;
  RETURN o;
END $$;

-- q's plan as text, under the current settings
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record; o text := '';
BEGIN
  FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP o := o || r."QUERY PLAN" || E'\n'; END LOOP;
  RETURN o;
END $$;
