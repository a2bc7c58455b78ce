-- storage: large values stay uncompressed out of line (STORAGE external)
SELECT typstorage, typalign FROM pg_type WHERE typname = 'roaringbitmap';
CREATE TEMP TABLE st (bm roaringbitmap);
INSERT INTO st SELECT rb_build_agg(i * 2) FROM generate_series(1, 100000) i;
SELECT pg_column_size(bm) >= octet_length(bm::bytea) AS not_compressed, rb_cardinality(bm), rb_contains(bm, 4242), rb_contains(bm, 4243)
FROM st;
-- the GUC is validated
SET persona.output_format = 'json';
SHOW persona.output_format;
