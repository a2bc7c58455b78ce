-- 64-bit ids: device hashes in roaringbitmap64
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== 64-bit ids: device hashes (bigint) per source, as roaringbitmap64'
\echo 'Each record gets a 64-bit device hash (hashtextextended); half of them are >= 2^63'
\echo 'and show negative, as in pg_roaringbitmap. Sets, overlaps and order work as for int4:'
WITH d AS (
    SELECT source, hashtextextended('device:' || member_id, 0) AS device FROM member_records
), s AS (
    SELECT rb64_build_agg(device) FILTER (WHERE source = 'crm')    AS crm,
           rb64_build_agg(device) FILTER (WHERE source = 'app')    AS app,
           rb64_build_agg(device) FILTER (WHERE source = 'wechat') AS wechat,
           rb64_build_agg(device) FILTER (WHERE device < 0)        AS high
    FROM d
)
SELECT rb64_cardinality(crm)                      AS crm_devices,
       rb64_and_cardinality(crm, app)             AS crm_and_app,
       rb64_cardinality(crm | app | wechat)       AS any_source,
       rb64_cardinality(high)                     AS devices_at_or_above_2_63,
       rb64_min(crm | app | wechat)               AS smallest_unsigned,
       rb64_max(crm | app | wechat)               AS largest_unsigned
FROM s;

\echo 'A roaringbitmap64 holding only int4-sized values casts to roaringbitmap; others are 22003:'
SELECT rb_cardinality(rb64_build_agg(member_id::bigint)::roaringbitmap) AS members_via_64bit FROM member_records;
