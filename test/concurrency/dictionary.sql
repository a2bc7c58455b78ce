-- overlapping keys: every client encodes keys from the same small universe
\set k random(1, 2000)
\set ns random(1, 3)
SELECT dict_encode('cc_ns_' || :ns, 'key_' || :k);
