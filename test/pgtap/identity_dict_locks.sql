-- The dictionary's locks: dict_encode keeps RowExclusiveLock on persona_dict
-- and its indexes until the transaction ends (like INSERT) and opens them
-- without the lock manager afterwards; a rolled-back subtransaction releases
-- the locks it took, so the next new key must take them again.  New keys of
-- every namespace are added under one dictionary lock (an object lock tagged
-- with persona_dict's oid), so two transactions cannot deadlock on them.
BEGIN;
SELECT plan(6);

SAVEPOINT a;
SELECT dict_encode('locks_ns', 'k1');
ROLLBACK TO SAVEPOINT a;
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'persona_dict'::regclass)::int, 0,
          'a rolled-back subtransaction released its lock on persona_dict');
SELECT is(dict_encode('locks_ns', 'k2'), 1, 'the id given out in the rolled-back subtransaction goes to the next new key');
SELECT is((SELECT string_agg(mode, ',') FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'persona_dict'::regclass),
          'RowExclusiveLock', 'after ROLLBACK TO SAVEPOINT, a new key locks persona_dict again');
SELECT is((SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND mode = 'RowExclusiveLock'
           AND relation IN ('persona_dict_pkey'::regclass, 'persona_dict_namespace_id_key'::regclass))::int, 2,
          '... and its two indexes');
SELECT is(dict_encode('locks_ns', 'k3') - dict_encode('locks_ns', 'k2'), 1,
          'later new keys in the transaction (opened without locking again) get the next ids');

SELECT dict_encode('locks_ns2', 'k1'), dict_encode('locks_ns3', 'k1');
SELECT is((SELECT string_agg(mode || ' ' || objid, ',') FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'object'
           AND classid = 'persona_dict'::regclass),
          'ExclusiveLock 0', 'new keys in three namespaces: one dictionary lock, not one per namespace');

SELECT * FROM finish();
ROLLBACK;
