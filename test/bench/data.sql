-- The benchmark data set, deterministic, sized by :scale (1 = 10 million users).
--   bench_tags(tag_id, tag, size, mode, start): 2,000 tags, Zipf-like sizes
--     (largest about half the users, the tail a few hundred), members laid out
--     as a dense range, uniformly sparse, or clustered in a window
--   user_tags(user_id, tag_id): about 95 million rows at scale 1, with the
--     index a DBA would create for per-tag lookups
--   tag_bitmaps(tag_id, tag, bm): one roaringbitmap per tag
-- Members of a tag are a bijection of 0 .. size-1 (multiplication by an odd
-- per-tag constant modulo a power of two), so there are no duplicates and no
-- randomness to seed.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT greatest(1000, (10000000 * :scale)::int) AS users \gset

DROP TABLE IF EXISTS bench_tags, user_tags, tag_bitmaps;
CREATE TABLE bench_tags AS
SELECT t AS tag_id,
       'tag_' || t AS tag,
       CASE WHEN t <= 1500 THEN greatest(1, round(0.5 * :users / power(t, 0.78)))::int
            ELSE greatest(1, round((200 + (t * 7919) % 700) * :users::bigint / 10000000.0))::int END AS size,
       (t % 3) AS mode,                 -- 0 dense range, 1 sparse, 2 clustered
       ((t::bigint * 2654435761) % :users)::int AS start
FROM generate_series(1, 2000) t;

CREATE UNLOGGED TABLE user_tags (user_id int NOT NULL, tag_id int NOT NULL);
INSERT INTO user_tags
SELECT CASE b.mode
         WHEN 0 THEN ((b.start::bigint + i) % :users)::int
         WHEN 1 THEN ((b.start::bigint + (i::bigint * b.mult) % w.all_win) % :users)::int
         ELSE ((b.start::bigint + (i::bigint * b.mult) % w.win) % :users)::int
       END,
       b.tag_id
FROM (SELECT *, ((tag_id::bigint * 2654435761) % 2147483648) | 1 AS mult FROM bench_tags) b
-- odd multipliers, different per tag, permute a power-of-two window: no duplicates,
-- and tags overlap like independent random sets; the clustered window is 4x the tag,
-- both capped below the user count so offsets never wrap onto each other
CROSS JOIN LATERAL (SELECT least(1::bigint << ceil(log(2, greatest(4 * b.size, 2)))::int,
                                1::bigint << floor(log(2, :users))::int) AS win,
                           1::bigint << floor(log(2, :users))::int AS all_win) w
CROSS JOIN LATERAL generate_series(0, b.size - 1) i;
ALTER TABLE user_tags SET LOGGED;
CREATE INDEX user_tags_tag_user ON user_tags (tag_id, user_id);
VACUUM ANALYZE user_tags;

CREATE TABLE tag_bitmaps AS
SELECT b.tag_id, b.tag, rb_build_agg(u.user_id) AS bm
FROM user_tags u JOIN bench_tags b USING (tag_id)
GROUP BY b.tag_id, b.tag;
ALTER TABLE tag_bitmaps ADD PRIMARY KEY (tag_id);
CREATE UNIQUE INDEX ON tag_bitmaps (tag);
VACUUM ANALYZE tag_bitmaps;
SELECT :users AS users, (SELECT count(*) FROM user_tags) AS user_tag_rows,
       (SELECT count(*) FROM tag_bitmaps) AS tags;
