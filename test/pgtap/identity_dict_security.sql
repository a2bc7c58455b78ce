-- The dictionary honours what an INSERT/SELECT on persona_dict would: a
-- row-level security policy (reads and writes, also for keys the backend has
-- cached), BEFORE INSERT triggers, extra CHECK constraints, extra indexes and
-- columns.  With none of them, dict_encode writes the heap and indexes
-- directly (the fast path); with any, new keys go through SPI as the caller.
BEGIN;
SELECT plan(25);
SET LOCAL client_min_messages = warning;

-- row-level security: a role restricted to one namespace
CREATE ROLE persona_dict_tenant;
GRANT SELECT, INSERT ON persona_dict TO persona_dict_tenant;
SELECT dict_encode('sec_b', 'secret-b');                 -- cached by this backend, as superuser
SELECT dict_encode('sec_a', 'a1');
ALTER TABLE persona_dict ENABLE ROW LEVEL SECURITY;
CREATE POLICY persona_dict_tenant ON persona_dict TO persona_dict_tenant
  USING (namespace = 'sec_a') WITH CHECK (namespace = 'sec_a');
SET LOCAL ROLE persona_dict_tenant;
SELECT is(dict_encode('sec_a', 'a1'), 1, 'RLS: a key of the allowed namespace is found');
SELECT is(dict_encode('sec_a', 'a2'), 2, 'RLS: a new key of the allowed namespace gets the next id');
SELECT is(dict_decode('sec_a', 2), 'a2', 'RLS: ... and decodes');
SELECT throws_ok($$SELECT dict_encode('sec_b', 'secret-b')$$, '42501', NULL,
                 'RLS: a key of another namespace is not looked up (though the backend cached it)');
SELECT throws_ok($$SELECT dict_encode('sec_b', 'new')$$, '42501',
                 'new row violates row-level security policy for table "persona_dict"',
                 'RLS: no new key in another namespace');
SELECT is(dict_decode('sec_b', 1), NULL, 'RLS: an id of another namespace does not decode');
RESET ROLE;
SELECT is((SELECT string_agg(namespace || ':' || key || '=' || id, ',' ORDER BY namespace, id) FROM persona_dict
           WHERE namespace IN ('sec_a', 'sec_b')), 'sec_a:a1=1,sec_a:a2=2,sec_b:secret-b=1',
          'RLS: the table holds what the policy allowed');
SELECT is(dict_encode('sec_b', 'b2'), 2, 'RLS: the owner (superuser) is not subject to it: fast path');
SELECT is(dict_decode('sec_b', 1), 'secret-b', '... and decodes every namespace');
-- the owner bypasses the policies unless FORCE ROW LEVEL SECURITY (a superuser always does)
CREATE ROLE persona_dict_owner;
ALTER TABLE persona_dict OWNER TO persona_dict_owner;
CREATE POLICY persona_dict_owner ON persona_dict TO persona_dict_owner USING (namespace = 'sec_a');
SET LOCAL ROLE persona_dict_owner;
SELECT is(dict_decode('sec_b', 1), 'secret-b', 'RLS: the owner is not subject to it without FORCE');
RESET ROLE;
ALTER TABLE persona_dict FORCE ROW LEVEL SECURITY;
SET LOCAL ROLE persona_dict_owner;
SELECT is(dict_decode('sec_b', 1), NULL, 'RLS: with FORCE ROW LEVEL SECURITY the owner is');
SELECT is(dict_encode('sec_a', 'a3'), 3, '... and encodes into the namespace its policy allows');
RESET ROLE;
ALTER TABLE persona_dict NO FORCE ROW LEVEL SECURITY;
ALTER TABLE persona_dict DISABLE ROW LEVEL SECURITY;
DROP POLICY persona_dict_tenant ON persona_dict;
DROP POLICY persona_dict_owner ON persona_dict;
ALTER TABLE persona_dict OWNER TO CURRENT_USER;

-- a BEFORE INSERT trigger fires for every new key, and only for new keys
CREATE TABLE pg_temp.dict_audit (namespace text, key text, id int);
CREATE FUNCTION pg_temp.dict_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.key LIKE 'skip%' THEN RETURN NULL; END IF;
  IF NEW.key LIKE 'bad%' THEN RAISE EXCEPTION 'bad key %', NEW.key USING ERRCODE = 'check_violation'; END IF;
  INSERT INTO pg_temp.dict_audit VALUES (NEW.namespace, NEW.key, NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER dict_audit BEFORE INSERT ON persona_dict FOR EACH ROW EXECUTE FUNCTION pg_temp.dict_audit();
SELECT is((SELECT array_agg(dict_encode('trig_ns', k) ORDER BY o) FROM unnest(ARRAY['x', 'y', 'x', 'z']) WITH ORDINALITY u(k, o)),
          ARRAY[1, 2, 1, 3], 'trigger: ids as usual');
SELECT is((SELECT string_agg(key || '=' || id, ',' ORDER BY id) FROM pg_temp.dict_audit), 'x=1,y=2,z=3',
          'trigger: fired once per new key, with its id');
SELECT throws_ok($$SELECT dict_encode('trig_ns', 'bad key')$$, '23514', 'bad key bad key', 'trigger: its error stops the key');
SELECT throws_ok($$SELECT dict_encode('trig_ns', 'skip me')$$, '09000',
                 'a trigger or rule on persona_dict kept key "skip me" of namespace "trig_ns" from being stored',
                 'trigger: a key it skips is an error, not an id');
SELECT is(dict_encode('trig_ns', 'w'), 4, 'trigger: ids stay dense after refused keys');
DROP TRIGGER dict_audit ON persona_dict;

-- an extra CHECK constraint
ALTER TABLE persona_dict ADD CONSTRAINT persona_dict_key_short CHECK (length(key) <= 8);
SELECT throws_ok($$SELECT dict_encode('chk_ns', 'much too long')$$, '23514', NULL, 'CHECK: a key it forbids is refused');
SELECT is(dict_encode('chk_ns', 'short'), 1, 'CHECK: an allowed key is stored with the first id');
SELECT is((SELECT count(*) FROM persona_dict WHERE namespace = 'chk_ns')::int, 1, 'CHECK: nothing else stored');
ALTER TABLE persona_dict DROP CONSTRAINT persona_dict_key_short;

-- an extra index is maintained
CREATE INDEX persona_dict_by_key ON persona_dict (key);
SELECT dict_encode('idx_ns', 'indexed key');
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT count(*) FROM persona_dict WHERE key = 'indexed key')::int, 1, 'index: the new key is in an extra index');
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX persona_dict_by_key;

-- an extra column gets its default
ALTER TABLE persona_dict ADD COLUMN note text DEFAULT 'n';
SELECT is(dict_encode('col_ns', 'k'), 1, 'column: a new key with an extra column');
SELECT is((SELECT note FROM persona_dict WHERE namespace = 'col_ns'), 'n', 'column: the extra column has its default');

-- a dropped column: the fast path again (it writes a null there)
ALTER TABLE persona_dict DROP COLUMN note;
SELECT is(dict_encode('col_ns', 'k2'), 2, 'column: after DROP COLUMN new keys are stored');
SELECT is((SELECT key FROM persona_dict WHERE namespace = 'col_ns' AND id = 2), 'k2', '... and read back');

SELECT * FROM finish();
ROLLBACK;
