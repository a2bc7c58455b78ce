-- overlapping keys: every client encodes keys from the same small universe,
-- two per transaction in namespaces drawn at random (so in opposite orders
-- across clients: with a lock per namespace this deadlocked)
\set k1 random(1, 2000)
\set k2 random(1, 2000)
\set a random(1, 3)
\set b random(1, 3)
BEGIN;
SELECT dict_encode('cc_ns_' || :a, 'key_' || :k1);
SELECT dict_encode('cc_ns_' || :b, 'key_' || :k2);
COMMIT;
