-- 7. 64-bit ids: identifier values hashed to bigint, in roaringbitmap64
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== 7. 64-bit ids: roaringbitmap64'
\echo 'Ids that do not fit in int4 go into roaringbitmap64: here every identifier'
\echo 'value, hashed to 64 bits (hashtextextended). Hashes of 2^63 and above show'
\echo 'negative, as in pg_roaringbitmap. Distinct values per type (rb64_cardinality):'
CREATE TEMP TABLE id_hashes AS
SELECT i.id_type, r.source, hashtextextended(i.id_value, 0) AS h
FROM identifiers i JOIN records r USING (record_id) WHERE i.id_value IS NOT NULL;
SELECT id_type, count(*) AS "rows", rb64_cardinality(rb64_build_agg(h)) AS distinct_values,
       count(DISTINCT h) FILTER (WHERE h < 0) AS at_or_above_2_63
FROM id_hashes GROUP BY id_type ORDER BY count(*) DESC, id_type;

\echo 'Phones typed at the till that the CRM also knows (rb64_and_cardinality), and the'
\echo 'smallest and largest hash in unsigned order (rb64_min, rb64_max: a bigint at or'
\echo 'above 2^63 comes back negative; + 2^64 shows it as the unsigned number):'
WITH s AS (
    SELECT rb64_build_agg(h) FILTER (WHERE source = 'store') AS store,
           rb64_build_agg(h) FILTER (WHERE source = 'crm') AS crm
    FROM id_hashes WHERE id_type = 'phone'
)
SELECT rb64_cardinality(store) AS store_phones, rb64_and_cardinality(store, crm) AS also_in_crm,
       rb64_min(store | crm)::numeric + CASE WHEN rb64_min(store | crm) < 0 THEN 18446744073709551616 ELSE 0 END
         AS smallest_unsigned,
       rb64_max(store | crm)::numeric + CASE WHEN rb64_max(store | crm) < 0 THEN 18446744073709551616 ELSE 0 END
         AS largest_unsigned
FROM s;

\echo 'A roaringbitmap64 holding only int4-sized values casts to roaringbitmap (others'
\echo 'are an error, 22003):'
SELECT rb_cardinality(rb64_build_agg(person_id::bigint)::roaringbitmap) AS persons_via_64bit
FROM person_of;
