-- test/demo/data.sql — a small, realistic customer-data-platform data set for `make demo`.
--
-- 50,000 people of a (fictional) home-appliance brand, seen only through the records of the
-- systems that met them.  Everything the demo analyses is keyed by a source record; which
-- records are the same person is for identity_resolve to find (10_identity.sql):
--   records       one row per record: CRM customers (crm:C…, some entered twice), app
--                 accounts (app:U…, a few people have two), WeChat official-account
--                 followers (wx:oa:<openid>), mini-program users (wx:mp:<openid>) and store
--                 purchases (store:S…), each with the identifiers its system keeps: crm id,
--                 app user id, phone and e-mail as typed, openid, unionid, device id.
--                 What makes it hard: identifiers missing, typos in phones, family
--                 members' phones, the store's placeholder number 13800000000, store demo
--                 tablets many people log in on.
--   tags          a catalogue of ~200 tags (demographics, sources, bought:/viewed:
--                 categories, interests, campaigns, lifecycle, tiers, channels)
--   record_tags   (record_id, tag_id): each tag put on the record of the system that knows
--                 it (purchases on CRM and store records, views on the app, interests on
--                 WeChat, ...); Zipf-like tag sizes, correlated as in real life
--   events        (record_id, ts, event, channel): a month of campaign traffic, exposure ->
--                 click -> activate -> register -> pay, then app visits; ads are seen on
--                 WeChat, the app is used on the app account, orders land in the CRM
--   touches       (record_id, ts, channel, is_conversion, value): 60 days of marketing
--                 touches and orders, for attribution
--   points        (record_id, ts, delta, expire_after): two years of loyalty points,
--                 earned by CRM and store purchases
--   record_truth  (record_id, member): the generator's ground truth, read only to say how
--                 right identity resolution is, never to answer a question.
--
-- Deterministic: every draw is a hash of (key, salt) through hashint4extended, which is
-- pure integer arithmetic, so the data is identical on every run, plan and platform
-- (no random(), no dependence on row order).

SET client_min_messages = warning;
SET synchronous_commit = off;
SET work_mem = '64MB';
SET maintenance_work_mem = '256MB';

DROP TABLE IF EXISTS tag_bitmaps, person_tags, person_events, person_of, record_tags, tags, events,
                     touches, points, records, record_truth CASCADE;
DROP TABLE IF EXISTS pg_temp.city_dist, pg_temp.person0, pg_temp.person, pg_temp.rec,
                     pg_temp.member_rec, pg_temp.item, pg_temp.has_item, pg_temp.viewed,
                     pg_temp.profile, pg_temp.user_tags, pg_temp.touch0;

-- u(key, salt): a uniform draw in [0, 1), the same for the same (key, salt).
CREATE OR REPLACE FUNCTION pg_temp.u(key int, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint4extended(key, salt) & 4294967295)::float8 / 4294967296 $$;

-- 20 cities, Zipf-like weights (the brand is strongest in the Yangtze delta).
CREATE TEMP TABLE city_dist AS
SELECT rank, city,
       ((sum(w) OVER (ORDER BY rank) - w) / sum(w) OVER ())::float8 AS lo
FROM (SELECT rank, city, 1 / power(rank::numeric, 0.75) AS w
      FROM (VALUES (1, 'Shanghai'), (2, 'Hangzhou'), (3, 'Beijing'), (4, 'Shenzhen'),
                   (5, 'Guangzhou'), (6, 'Suzhou'), (7, 'Nanjing'), (8, 'Chengdu'),
                   (9, 'Wuhan'), (10, 'Ningbo'), (11, 'Chongqing'), (12, 'Tianjin'),
                   (13, 'Xi''an'), (14, 'Changsha'), (15, 'Qingdao'), (16, 'Xiamen'),
                   (17, 'Hefei'), (18, 'Zhengzhou'), (19, 'Jinan'), (20, 'Kunming'))
           c(rank, city)) s;

------------------------------------------------------------------------------------------
-- People (ground truth)
------------------------------------------------------------------------------------------
CREATE TEMP TABLE person0 AS
SELECT m AS member_id,
       pg_temp.u(m, 1) < 0.56 AS female,
       least(2006, greatest(1956, 1987 + round(
           (pg_temp.u(m, 2) + pg_temp.u(m, 3) + pg_temp.u(m, 4) - 1.5) * 24)::int)) AS birth_year,
       width_bucket(pg_temp.u(m, 5), (SELECT array_agg(lo ORDER BY rank) FROM city_dist)) AS city_rank,
       pg_temp.u(m, 6) AS u_kids,
       pg_temp.u(m, 10) AS u_primary,
       0.25 + 2.25 * pg_temp.u(m, 16) * pg_temp.u(m, 16) AS activity,   -- mean 1, long tail
       pg_temp.u(m, 17) < 0.30 AS price_sensitive
FROM generate_series(1, 50000) m;

CREATE TEMP TABLE person AS
SELECT p.member_id, p.female, p.birth_year, c.city, p.city_rank,
       CASE WHEN 2024 - p.birth_year < 25 THEN '18-24'
            WHEN 2024 - p.birth_year < 35 THEN '25-34'
            WHEN 2024 - p.birth_year < 45 THEN '35-44'
            WHEN 2024 - p.birth_year < 55 THEN '45-54'
            ELSE '55+' END AS age_band,
       p.u_kids < CASE WHEN 2024 - p.birth_year < 25 THEN 0.04
                       WHEN 2024 - p.birth_year < 35 THEN 0.45
                       WHEN 2024 - p.birth_year < 45 THEN 0.72
                       WHEN 2024 - p.birth_year < 55 THEN 0.50
                       ELSE 0.12 END AS kids,
       -- every person has a primary source and may appear in the others too
       p.u_primary < 0.45 OR pg_temp.u(p.member_id, 11) < 0.40 AS in_wechat,
       (p.u_primary >= 0.45 AND p.u_primary < 0.75) OR pg_temp.u(p.member_id, 12) < 0.30 AS in_crm,
       p.u_primary >= 0.75
         OR pg_temp.u(p.member_id, 13) < CASE WHEN p.u_primary < 0.45 OR pg_temp.u(p.member_id, 11) < 0.40
                                              THEN 0.35 ELSE 0.18 END AS in_app,
       p.activity, p.price_sensitive,
       -- two more places to meet the brand: its WeChat mini program and its stores
       pg_temp.u(p.member_id, 14) < 0.25 AS in_mp,
       pg_temp.u(p.member_id, 15) < 0.18 AS in_store,
       -- identifiers: 11-digit mobile numbers, unique per person (multiplication modulo a
       -- prime); 1.5% registered with a family member's phone
       (ARRAY['138', '139', '150', '186', '177'])[o.phone_owner % 5 + 1]
         || lpad((o.phone_owner::bigint * 7919 % 99999989)::text, 8, '0') AS phone,
       CASE WHEN pg_temp.u(p.member_id, 31) < 0.5
            THEN (100000000 + p.member_id::bigint * 2713 % 899999963)::text || '@qq.com'
            ELSE 'user' || substr(md5('mail' || p.member_id), 1, 8) || '@'
                 || CASE WHEN pg_temp.u(p.member_id, 32) < 0.5 THEN '163.com'
                         WHEN pg_temp.u(p.member_id, 32) < 0.75 THEN '126.com'
                         WHEN pg_temp.u(p.member_id, 32) < 0.9 THEN 'gmail.com'
                         ELSE 'outlook.com' END END AS email,
       -- WeChat: one openid per official account or mini program, one unionid per person
       'oA' || substr(md5('oa' || p.member_id), 1, 14) AS openid_oa,
       'oM' || substr(md5('mp' || p.member_id), 1, 14) AS openid_mp,
       'un' || substr(md5('union' || p.member_id), 1, 14) AS unionid
FROM person0 p
JOIN city_dist c ON c.rank = p.city_rank
CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(p.member_id, 30) < 0.015 AND p.member_id > 1
                                THEN p.member_id - 1 ELSE p.member_id END AS phone_owner) o;

------------------------------------------------------------------------------------------
-- records: what the CRM, the app, WeChat, the mini program and the stores know
------------------------------------------------------------------------------------------
-- the spellings people type: digits, dashes, spaces, +86, brackets, 0086
CREATE OR REPLACE FUNCTION pg_temp.spell(m text, k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE k % 5 WHEN 0 THEN m
                        WHEN 1 THEN substr(m, 1, 3) || '-' || substr(m, 4, 4) || '-' || substr(m, 8)
                        WHEN 2 THEN '+86 ' || substr(m, 1, 3) || ' ' || substr(m, 4, 4) || ' ' || substr(m, 8)
                        WHEN 3 THEN '(' || substr(m, 1, 3) || ') ' || substr(m, 4)
                        ELSE '0086' || m END $$;

CREATE TABLE records (
    record_id  text PRIMARY KEY,
    source     text NOT NULL,   -- crm, app, wechat, mini_program, store
    crm_id     text,
    app_user   text,
    phone      text,            -- as typed: normalize_phone makes it comparable
    email      text,            -- as typed: normalize_email makes it comparable
    openid     text,
    unionid    text,
    device     text,
    first_seen date
);
CREATE TABLE record_truth (record_id text PRIMARY KEY, member int NOT NULL);

CREATE TEMP TABLE rec AS
SELECT CASE r.source
         WHEN 'crm' THEN 'crm:' || n.crm_id
         WHEN 'app' THEN 'app:' || n.app_user
         WHEN 'wechat' THEN 'wx:oa:' || p.openid_oa
         WHEN 'mini_program' THEN 'wx:mp:' || p.openid_mp
         ELSE 'store:S' || lpad((p.member_id::bigint * 16807 % 1000003)::text, 7, '0') END AS record_id,
       r.source, r.dup, p.member_id,
       CASE WHEN r.source = 'crm' THEN n.crm_id END AS crm_id,
       CASE WHEN r.source = 'app' THEN n.app_user END AS app_user,
       CASE WHEN r.source IN ('crm', 'store') THEN          -- typed by staff
                 CASE WHEN r.source = 'crm' AND pg_temp.u(k, 40) >= 0.96 THEN NULL
                      WHEN pg_temp.u(k, 41) < CASE r.source WHEN 'store' THEN 0.03 ELSE 0.004 END
                      THEN '13800000000'                    -- the store's placeholder
                      WHEN pg_temp.u(k, 42) < 0.02          -- a typo in the last digit
                      THEN overlay(p.phone PLACING ((hashint4extended(k, 43) & 7) + 2)::text FROM 11)
                      ELSE pg_temp.spell(p.phone, hashint4extended(k, 44) & 65535) END
            WHEN r.source = 'app' AND pg_temp.u(k, 40) < 0.95                  -- SMS log-in
            THEN CASE WHEN pg_temp.u(k, 44) < 0.7 THEN p.phone ELSE '+86 ' || p.phone END
            WHEN r.source = 'mini_program' AND pg_temp.u(k, 40) < 0.80 THEN p.phone   -- WeChat-verified
            WHEN r.source = 'wechat' AND pg_temp.u(k, 40) < 0.85 THEN p.phone   -- bound as a member
       END AS phone,
       CASE WHEN r.source = 'crm' AND pg_temp.u(k, 45) < 0.35 THEN p.email
            WHEN r.source = 'app' AND pg_temp.u(k, 45) < 0.22
            THEN CASE WHEN pg_temp.u(k, 46) < 0.15 THEN ' ' || upper(p.email) ELSE p.email END
       END AS email,
       CASE r.source WHEN 'wechat' THEN p.openid_oa WHEN 'mini_program' THEN p.openid_mp END AS openid,
       CASE WHEN r.source IN ('wechat', 'mini_program') AND pg_temp.u(k, 47) < 0.95 THEN p.unionid
            WHEN r.source = 'app' AND (p.in_wechat OR p.in_mp) AND pg_temp.u(k, 47) < 0.60 THEN p.unionid
       END AS unionid,
       CASE WHEN r.source = 'app' AND pg_temp.u(k, 48) < 0.95 THEN
                 CASE WHEN pg_temp.u(k, 49) < 0.005       -- logged in on a store demo tablet
                      THEN 'tablet-' || (hashint4extended(k, 50) & 7)::text
                      ELSE 'dev-' || substr(md5('device' || k), 1, 12) END
       END AS device,
       CASE r.source WHEN 'crm' THEN date '2019-01-01' + (pg_temp.u(k, 51) * 1800)::int
                     WHEN 'app' THEN date '2020-03-01' + (pg_temp.u(k, 51) * 1550)::int
                     WHEN 'store' THEN date '2021-01-01' + (pg_temp.u(k, 51) * 1270)::int
                     ELSE date '2019-06-01' + (pg_temp.u(k, 51) * 1820)::int END AS first_seen
FROM person p
CROSS JOIN LATERAL (VALUES
    ('crm', 0, 1, p.in_crm),
    ('crm', 1, 1, p.in_crm AND pg_temp.u(p.member_id, 20) < 0.06),   -- entered twice in the CRM
    ('app', 0, 2, p.in_app),
    ('app', 1, 2, p.in_app AND pg_temp.u(p.member_id, 21) < 0.03),   -- a second app account
    ('wechat', 0, 3, p.in_wechat),
    ('mini_program', 0, 4, p.in_mp),
    ('store', 0, 5, p.in_store)) r(source, dup, sno, present)
CROSS JOIN LATERAL (SELECT p.member_id * 16 + r.sno * 2 + r.dup AS k,
                           'C' || lpad(((p.member_id * 2 + r.dup)::bigint * 48271 % 1000003)::text, 7, '0') AS crm_id,
                           'U' || lpad(((p.member_id * 2 + r.dup)::bigint * 69621 % 1000003)::text, 7, '0') AS app_user) n
WHERE r.present;

INSERT INTO records
SELECT record_id, source, crm_id, app_user, phone, email, openid, unionid, device, first_seen FROM rec;
INSERT INTO record_truth SELECT record_id, member_id FROM rec;

-- each person's records by the kind of system, for putting tags, events, touches and points
-- on the record of the system that would hold them (the generator knows who is who)
CREATE TEMP TABLE member_rec AS
WITH r AS (
    SELECT member_id,
           min(record_id) FILTER (WHERE source = 'crm' AND dup = 0) AS crm,
           min(record_id) FILTER (WHERE source = 'crm' AND dup = 1) AS crm2,
           min(record_id) FILTER (WHERE source = 'app' AND dup = 0) AS app,
           min(record_id) FILTER (WHERE source = 'app' AND dup = 1) AS app2,
           min(record_id) FILTER (WHERE source = 'wechat') AS wx,
           min(record_id) FILTER (WHERE source = 'mini_program') AS mp,
           min(record_id) FILTER (WHERE source = 'store') AS store
    FROM rec GROUP BY member_id
)
SELECT member_id, crm, crm2, app, app2, wx, mp, store,
       coalesce(crm, app, mp, wx, store) AS profile,     -- who the customer is
       coalesce(crm, store, app, mp, wx) AS purchase,    -- orders
       coalesce(app, mp, wx, crm, store) AS browse,      -- product views, app use
       coalesce(wx, mp, app, crm, store) AS social       -- ads, interests, campaigns
FROM r;
ALTER TABLE member_rec ADD PRIMARY KEY (member_id);

------------------------------------------------------------------------------------------
-- Behaviour: product categories (bought:/viewed:), interests and campaign responses
------------------------------------------------------------------------------------------
-- k: item id; base: probability before multipliers (Zipf by rank, NULL = derived below);
-- kids / nokids: multiplier for people with / without children;
-- female: multiplier for women (men get 2 - female).
CREATE TEMP TABLE item AS
SELECT k, kind, name,
       CASE WHEN dependent THEN NULL
            ELSE (CASE kind WHEN 'bought' THEN 0.20 / power(rank::numeric, 0.80)
                            WHEN 'interest' THEN 0.22 / power(rank::numeric, 0.80)
                            ELSE 0.09 / power(rank::numeric, 0.60) END)::float8 END AS base,
       kids::float8 AS kids, nokids::float8 AS nokids, female::float8 AS female
FROM (
    SELECT rank AS k, rank, 'bought' AS kind, name, kids, nokids, female, dependent
    FROM (VALUES
        (1, 'purifier', 1.5, 0.75, 1.0, false), (2, 'filter', 1, 1, 1, true),
        (3, 'kettle', 1, 1, 1.1, false), (4, 'rice_cooker', 1.1, 1, 1.2, false),
        (5, 'air_purifier', 1.5, 0.85, 1.05, false), (6, 'water_heater', 1, 1, 1, false),
        (7, 'softener', 1, 1, 1, false), (8, 'dispenser', 1.1, 1, 1, false),
        (9, 'induction_cooker', 1, 1, 1, false), (10, 'humidifier', 1.4, 0.9, 1.1, false),
        (11, 'vacuum', 1, 1, 1.1, false), (12, 'air_filter', 1, 1, 1, true),
        (13, 'soymilk_maker', 1.2, 1, 1.2, false), (14, 'microwave', 1, 1, 1, false),
        (15, 'fan', 1, 1, 1, false), (16, 'range_hood', 1, 1, 1, false),
        (17, 'steamer', 1.2, 1, 1.2, false), (18, 'toothbrush', 1, 1, 1, false),
        (19, 'hair_dryer', 1, 1, 1.4, false), (20, 'robot_vacuum', 1.2, 1, 1, false),
        (21, 'dishwasher', 1.3, 0.9, 1, false), (22, 'oven', 1, 1, 1.2, false),
        (23, 'blender', 1, 1, 1.2, false), (24, 'sterilizer', 2.5, 0.5, 1.2, false),
        (25, 'heater', 1, 1, 1, false), (26, 'dehumidifier', 1, 1, 1, false),
        (27, 'gas_stove', 1, 1, 1, false), (28, 'juicer', 1, 1, 1.3, false),
        (29, 'coffee_machine', 0.8, 1.2, 0.9, false), (30, 'washer', 1, 1, 1, false),
        (31, 'bottle_warmer', 5, 0.08, 1.3, false), (32, 'baby_formula_maker', 5, 0.08, 1.3, false),
        (33, 'massager', 0.9, 1.1, 1, false), (34, 'scale', 1, 1, 1.3, false),
        (35, 'pet_fountain', 1, 1, 1, true), (36, 'shaver', 1, 1, 0.3, false),
        (37, 'fridge', 1, 1, 1, false), (38, 'dryer', 1, 1, 1, false),
        (39, 'air_conditioner', 1, 1, 1, false), (40, 'mop', 1, 1, 1, false))
        v(rank, name, kids, nokids, female, dependent)
    UNION ALL
    SELECT 100 + rank, rank, 'interest', name, kids, nokids, female, false
    FROM (VALUES
        (1, 'cooking', 1.1, 1, 1.3), (2, 'baby_care', 3.5, 0.2, 1.3), (3, 'health', 1, 1, 1.1),
        (4, 'travel', 0.8, 1.1, 1.1), (5, 'fitness', 0.9, 1.1, 0.9), (6, 'beauty', 1, 1, 1.7),
        (7, 'home_decor', 1.1, 1, 1.3), (8, 'tea', 1, 1, 0.9), (9, 'coffee', 0.9, 1.1, 1),
        (10, 'pets', 0.9, 1.1, 1.1), (11, 'digital', 1, 1, 0.6), (12, 'gardening', 1, 1, 1.1),
        (13, 'reading', 1, 1, 1.1), (14, 'photography', 1, 1, 0.8), (15, 'outdoor', 1, 1, 0.8),
        (16, 'sports', 1, 1, 0.6), (17, 'movies', 1, 1, 1), (18, 'music', 1, 1, 1),
        (19, 'gaming', 0.8, 1.2, 0.5), (20, 'fashion', 1, 1, 1.6), (21, 'finance', 1, 1, 0.8),
        (22, 'education', 2.5, 0.4, 1.2), (23, 'cars', 1, 1, 0.5), (24, 'yoga', 1, 1, 1.7),
        (25, 'baking', 1, 1, 1.5), (26, 'wine', 1, 1, 0.8), (27, 'hiking', 1, 1, 0.9),
        (28, 'fishing', 1, 1, 0.4), (29, 'crafts', 1.2, 1, 1.4), (30, 'anime', 0.7, 1.2, 1),
        (31, 'esports', 0.7, 1.2, 0.5), (32, 'luxury', 1, 1, 1.3), (33, 'smart_home', 1, 1, 0.8),
        (34, 'minimalism', 1, 1, 1.1), (35, 'eco_living', 1.1, 1, 1.2), (36, 'running', 1, 1, 0.9),
        (37, 'camping', 1.2, 1, 0.9))
        v(rank, name, kids, nokids, female)
    UNION ALL
    SELECT 200 + rank, rank, 'campaign', name, kids, nokids, female, false
    FROM (VALUES
        (1, 'double11_2023', 1, 1, 1), (2, '618_2024', 1, 1, 1), (3, 'members_day', 1, 1, 1),
        (4, 'filter_reminder', 1, 1, 1), (5, 'cny_2024', 1, 1, 1), (6, 'mothers_day_2024', 1.8, 0.6, 1.5),
        (7, 'double12_2023', 1, 1, 1), (8, 'trade_in_2024', 1, 1, 1),
        (9, 'back_to_school_2023', 2.5, 0.3, 1.1), (10, 'new_year_2024', 1, 1, 1))
        v(rank, name, kids, nokids, female)
) i;

CREATE TEMP TABLE has_item AS
SELECT p.member_id, i.k
FROM person p CROSS JOIN item i
WHERE i.base IS NOT NULL
  AND pg_temp.u(p.member_id, 1000 + i.k)
      < i.base * CASE WHEN p.kids THEN i.kids ELSE i.nokids END
               * CASE WHEN p.female THEN i.female ELSE 2 - i.female END
               * CASE i.kind WHEN 'interest' THEN 1 ELSE p.activity END;

-- derived purchases: replacement filters for purifiers, air filters for air purifiers,
-- pet fountains for pet lovers (a few bought them for a device bought elsewhere)
INSERT INTO has_item
SELECT p.member_id, d.k
FROM person p
CROSS JOIN (VALUES (2, 1, 0.62, 0.015), (12, 5, 0.50, 0.010), (35, 110, 0.22, 0.004))
     d(k, needs, p_with, p_without)
LEFT JOIN (SELECT member_id, k FROM has_item WHERE k IN (1, 5, 110)) h
       ON h.member_id = p.member_id AND h.k = d.needs
WHERE pg_temp.u(p.member_id, 1000 + d.k)
      < CASE WHEN h.member_id IS NOT NULL THEN d.p_with ELSE d.p_without END;

-- viewed a category in the app or the mini-program: most buyers, and some browsers
CREATE TEMP TABLE viewed AS
SELECT member_id, k
FROM has_item
WHERE k <= 40 AND pg_temp.u(member_id, 2000 + k) < 0.70
UNION
SELECT p.member_id, i.k
FROM person p
CROSS JOIN item i
WHERE i.kind = 'bought'
  AND (p.in_app OR p.in_wechat OR p.in_mp)
  AND pg_temp.u(p.member_id, 3000 + i.k) < least(0.5, 1.2 * coalesce(i.base, 0.03) * p.activity);

------------------------------------------------------------------------------------------
-- Person-level tags (the truth, before they are spread over the person's records)
------------------------------------------------------------------------------------------
CREATE TEMP TABLE profile AS
WITH hb AS (
    SELECT member_id, count(*) FILTER (WHERE k <= 40)::int AS n_bought, bool_or(k = 1) AS purifier
    FROM has_item GROUP BY member_id
), rb AS (
    SELECT member_id, min(first_seen) AS first_seen,
           bool_or(phone IS NOT NULL) AS has_phone, bool_or(email IS NOT NULL) AS has_email
    FROM rec GROUP BY member_id
), b AS (
    SELECT p.*,
           coalesce(hb.n_bought, 0) AS n_bought, coalesce(hb.purifier, false) AS purifier,
           rb.first_seen, rb.has_phone, rb.has_email,
           pg_temp.u(p.member_id, 50) < CASE WHEN p.in_app THEN 0.40 ELSE 0.12 END * sqrt(p.activity) AS active
    FROM person p
    LEFT JOIN hb USING (member_id)
    JOIN rb USING (member_id)
), c AS (
    SELECT b.*,
           NOT active AND pg_temp.u(member_id, 51) < CASE WHEN n_bought = 0 THEN 0.45 ELSE 0.25 END AS churn,
           first_seen >= date '2024-04-01' AS new_member
    FROM b
)
SELECT c.*,
       CASE WHEN n_bought = 0 THEN NULL
            WHEN churn AND n_bought >= 3 THEN 'at_risk'
            WHEN churn THEN 'hibernating'
            WHEN new_member THEN 'new'
            WHEN active AND n_bought >= 4 THEN 'champion'
            WHEN n_bought >= 2 THEN 'loyal'
            ELSE 'potential' END AS rfm,
       CASE WHEN NOT (in_crm OR in_app) THEN NULL
            WHEN n_bought >= 6 THEN 'platinum'
            WHEN n_bought >= 4 THEN 'gold'
            WHEN n_bought >= 2 THEN 'silver'
            ELSE 'bronze' END AS tier,
       CASE WHEN kids AND pg_temp.u(member_id, 52) < 0.18 THEN 'multi_gen'
            WHEN kids THEN 'family'
            WHEN 2024 - birth_year < 30 AND pg_temp.u(member_id, 52) < 0.65 THEN 'single'
            WHEN pg_temp.u(member_id, 52) < 0.25 THEN 'single'
            ELSE 'couple' END AS household,
       CASE WHEN pg_temp.u(member_id, 53) < 0.10 + 0.12 * (city_rank <= 4)::int + 0.10 * (n_bought >= 4)::int
            THEN 'high'
            WHEN pg_temp.u(member_id, 53) < 0.55 THEN 'mid'
            ELSE 'low' END AS income
FROM c;

------------------------------------------------------------------------------------------
-- The tag catalogue
------------------------------------------------------------------------------------------
CREATE TABLE tags (
    tag_id int PRIMARY KEY,
    tag    text NOT NULL UNIQUE,
    kind   text NOT NULL
);

INSERT INTO tags
SELECT row_number() OVER (ORDER BY grp, ord)::int, tag, kind
FROM (
    SELECT 1 AS grp, ord, tag, kind
    FROM (VALUES (1, 'gender:female'), (2, 'gender:male'),
                 (3, 'age:18-24'), (4, 'age:25-34'), (5, 'age:35-44'), (6, 'age:45-54'), (7, 'age:55+'),
                 (8, 'has_children'),
                 (9, 'household:single'), (10, 'household:couple'), (11, 'household:family'),
                 (12, 'household:multi_gen'),
                 (13, 'income:low'), (14, 'income:mid'), (15, 'income:high')) v(ord, tag),
         (VALUES ('demographic')) k(kind)
    UNION ALL
    SELECT 2, rank, 'city:' || city, 'demographic' FROM city_dist
    UNION ALL
    SELECT 3, ord, tag, 'source'
    FROM (VALUES (1, 'src:crm'), (2, 'src:app'), (3, 'src:wechat'), (4, 'src:mini_program'), (5, 'src:store'),
                 (6, 'src:tmall')) v(ord, tag)
    UNION ALL
    SELECT 4, k, 'bought:' || name, 'behaviour' FROM item WHERE kind = 'bought'
    UNION ALL
    SELECT 5, k, 'viewed:' || name, 'behaviour' FROM item WHERE kind = 'bought'
    UNION ALL
    SELECT 6, k, 'interest:' || name, 'interest' FROM item WHERE kind = 'interest'
    UNION ALL
    SELECT 7, k, 'campaign:' || name, 'campaign' FROM item WHERE kind = 'campaign'
    UNION ALL
    SELECT 8, ord, tag, 'lifecycle'
    FROM (VALUES (1, 'active_30d'), (2, 'churn_risk'), (3, 'new_member_90d'), (4, 'high_value'),
                 (5, 'coupon_user'), (6, 'price_sensitive'), (7, 'cart_abandoner'), (8, 'reviewer'),
                 (9, 'warranty_registered'), (10, 'store_visit_90d'), (11, 'due:filter_change'),
                 (12, 'rfm:champion'), (13, 'rfm:loyal'), (14, 'rfm:potential'), (15, 'rfm:new'),
                 (16, 'rfm:at_risk'), (17, 'rfm:hibernating')) v(ord, tag)
    UNION ALL
    SELECT 9, ord, tag, 'tier'
    FROM (VALUES (1, 'tier:bronze'), (2, 'tier:silver'), (3, 'tier:gold'), (4, 'tier:platinum')) v(ord, tag)
    UNION ALL
    SELECT 10, ord, tag, 'channel'
    FROM (VALUES (1, 'pref:sms'), (2, 'pref:wechat'), (3, 'pref:email'), (4, 'pref:app_push'),
                 (5, 'device:ios'), (6, 'device:android'),
                 (7, 'service:installation'), (8, 'service:repair'), (9, 'service:complaint')) v(ord, tag)
) t;

------------------------------------------------------------------------------------------
-- record_tags: each person's tags, each on the record of the system that knows it
------------------------------------------------------------------------------------------
CREATE TEMP TABLE user_tags AS
SELECT p.member_id, t.tag_id
FROM (
              SELECT member_id, CASE WHEN female THEN 'gender:female' ELSE 'gender:male' END AS tag FROM profile
    UNION ALL SELECT member_id, 'age:' || age_band FROM profile
    UNION ALL SELECT member_id, 'has_children' FROM profile WHERE kids
    UNION ALL SELECT member_id, 'household:' || household FROM profile
    UNION ALL SELECT member_id, 'income:' || income FROM profile
    UNION ALL SELECT member_id, 'city:' || city FROM profile
    UNION ALL SELECT member_id, 'src:tmall' FROM profile WHERE pg_temp.u(member_id, 61) < 0.22 * sqrt(activity)
    UNION ALL SELECT member_id, 'active_30d' FROM profile WHERE active
    UNION ALL SELECT member_id, 'churn_risk' FROM profile WHERE churn
    UNION ALL SELECT member_id, 'new_member_90d' FROM profile WHERE new_member
    UNION ALL SELECT member_id, 'high_value' FROM profile
              WHERE n_bought >= 5 OR (n_bought >= 3 AND pg_temp.u(member_id, 62) < 0.25)
    UNION ALL SELECT member_id, 'coupon_user' FROM profile
              WHERE pg_temp.u(member_id, 63) < CASE WHEN price_sensitive THEN 0.47 ELSE 0.12 END
    UNION ALL SELECT member_id, 'price_sensitive' FROM profile WHERE price_sensitive
    UNION ALL SELECT member_id, 'cart_abandoner' FROM profile
              WHERE in_app AND pg_temp.u(member_id, 64) < 0.22 * activity
    UNION ALL SELECT member_id, 'reviewer' FROM profile WHERE n_bought > 0 AND pg_temp.u(member_id, 65) < 0.15
    UNION ALL SELECT member_id, 'warranty_registered' FROM profile
              WHERE n_bought > 0 AND in_crm AND pg_temp.u(member_id, 66) < 0.5
    UNION ALL SELECT member_id, 'store_visit_90d' FROM profile
              WHERE in_crm AND pg_temp.u(member_id, 67) < 0.18 * activity
    UNION ALL SELECT member_id, 'due:filter_change' FROM profile WHERE purifier AND pg_temp.u(member_id, 68) < 0.40
    UNION ALL SELECT member_id, 'rfm:' || rfm FROM profile WHERE rfm IS NOT NULL
    UNION ALL SELECT member_id, 'tier:' || tier FROM profile WHERE tier IS NOT NULL
    UNION ALL SELECT member_id, 'pref:sms' FROM profile WHERE has_phone AND pg_temp.u(member_id, 70) < 0.30
    UNION ALL SELECT member_id, 'pref:wechat' FROM profile WHERE (in_wechat OR in_mp) AND pg_temp.u(member_id, 71) < 0.50
    UNION ALL SELECT member_id, 'pref:email' FROM profile WHERE has_email AND pg_temp.u(member_id, 72) < 0.25
    UNION ALL SELECT member_id, 'pref:app_push' FROM profile WHERE in_app AND pg_temp.u(member_id, 73) < 0.40
    UNION ALL SELECT member_id, CASE WHEN pg_temp.u(member_id, 74) < 0.42 THEN 'device:ios' ELSE 'device:android' END
              FROM profile WHERE in_app
    UNION ALL SELECT member_id, 'service:installation' FROM profile
              WHERE n_bought > 0 AND pg_temp.u(member_id, 75) < 0.30
    UNION ALL SELECT member_id, 'service:repair' FROM profile WHERE n_bought > 0 AND pg_temp.u(member_id, 76) < 0.08
    UNION ALL SELECT member_id, 'service:complaint' FROM profile
              WHERE n_bought > 0 AND pg_temp.u(member_id, 77) < 0.02
) p
JOIN tags t ON t.tag = p.tag
UNION ALL
SELECT h.member_id, t.tag_id
FROM has_item h
JOIN item i USING (k)
JOIN tags t ON t.tag = CASE i.kind WHEN 'bought' THEN 'bought:' WHEN 'interest' THEN 'interest:'
                                   ELSE 'campaign:' END || i.name
UNION ALL
SELECT v.member_id, t.tag_id
FROM viewed v
JOIN item i USING (k)
JOIN tags t ON t.tag = 'viewed:' || i.name;

CREATE TABLE record_tags (record_id text NOT NULL, tag_id int NOT NULL);
INSERT INTO record_tags
SELECT CASE WHEN t.tag LIKE 'bought:%' THEN           -- the order system: CRM, or the till
                 CASE WHEN r.crm2 IS NOT NULL AND pg_temp.u(ut.member_id, 5000 + ut.tag_id) < 0.4 THEN r.crm2
                      WHEN r.store IS NOT NULL AND pg_temp.u(ut.member_id, 5500 + ut.tag_id) < 0.4 THEN r.store
                      ELSE r.purchase END
            WHEN t.tag LIKE 'viewed:%' THEN           -- the app, or the mini program
                 CASE WHEN r.app2 IS NOT NULL AND pg_temp.u(ut.member_id, 5000 + ut.tag_id) < 0.4 THEN r.app2
                      WHEN r.mp IS NOT NULL AND pg_temp.u(ut.member_id, 5500 + ut.tag_id) < 0.4 THEN r.mp
                      ELSE r.browse END
            WHEN t.kind IN ('interest', 'campaign') THEN r.social
            WHEN t.tag = 'pref:wechat' THEN coalesce(r.wx, r.mp)
            WHEN t.tag IN ('device:ios', 'device:android', 'pref:app_push', 'cart_abandoner', 'active_30d')
            THEN r.browse
            WHEN t.tag IN ('store_visit_90d', 'src:tmall') THEN coalesce(r.store, r.purchase)
            ELSE r.profile END,
       ut.tag_id
FROM user_tags ut
JOIN tags t USING (tag_id)
JOIN member_rec r USING (member_id)
UNION ALL   -- every record says which system it comes from
SELECT rc.record_id, t.tag_id
FROM records rc JOIN tags t ON t.tag = 'src:' || rc.source;
ALTER TABLE record_tags ADD PRIMARY KEY (record_id, tag_id);

-- sanity: every catalogue tag is used, every person has records and tags
DO $$
DECLARE missing text;
BEGIN
    SELECT string_agg(tag, ', ' ORDER BY tag_id) INTO missing
    FROM tags t WHERE NOT EXISTS (SELECT 1 FROM record_tags r WHERE r.tag_id = t.tag_id);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'demo data: tags on no record: %', missing;
    END IF;
    IF (SELECT count(DISTINCT member) FROM record_truth) <> 50000 THEN
        RAISE EXCEPTION 'demo data: expected 50000 people in record_truth';
    END IF;
END $$;

------------------------------------------------------------------------------------------
-- events: a month of campaign traffic for 60% of the people, exposure -> click ->
-- activate -> register -> pay, each step on the record of the system that saw it
------------------------------------------------------------------------------------------
-- each person: a main channel, a funnel depth with channel-dependent drop-off (WeChat
-- clicks well, search converts well), steps hours to days apart, some repeated
-- exposures, and weekly app visits after registering that fade.  Ads are seen on the
-- WeChat or mini-program record (the app, CRM or store record for app pushes, SMS and
-- offline), the app is activated and used on the app account, orders land in the CRM.
CREATE TABLE events (record_id text NOT NULL, ts timestamptz NOT NULL, event text NOT NULL, channel text);
WITH p AS (
  SELECT m, (ARRAY['wechat', 'douyin', 'search', 'app_push', 'sms', 'offline'])[1 + floor(6 * pg_temp.u(m, 7001))::int] AS ch,
         timestamptz '2026-03-02 00:00+00' + pg_temp.u(m, 7002) * interval '21 days' AS t0
  FROM generate_series(1, 50000) m WHERE pg_temp.u(m, 7000) < 0.6),
q AS (
  SELECT *, CASE WHEN pg_temp.u(m, 7003) > CASE ch WHEN 'wechat' THEN 0.62 WHEN 'douyin' THEN 0.55 ELSE 0.40 END THEN 1
                 WHEN pg_temp.u(m, 7004) > CASE ch WHEN 'search' THEN 0.75 WHEN 'offline' THEN 0.70 ELSE 0.55 END THEN 2
                 WHEN pg_temp.u(m, 7005) > 0.65 THEN 3
                 WHEN pg_temp.u(m, 7006) > CASE ch WHEN 'search' THEN 0.55 ELSE 0.40 END THEN 4 ELSE 5 END AS depth
  FROM p),
steps AS (
  SELECT m, ch, s AS step, depth,
         t0 + (SELECT coalesce(sum(pg_temp.u(m * 8 + k, 7007) ^ 3 * interval '5 days'), interval '0')
               FROM generate_series(2, s) k) AS ts
  FROM q, generate_series(1, 5) s WHERE s <= depth),
ev AS (
  SELECT m, ts, (ARRAY['exposure', 'click', 'activate', 'register', 'pay'])[step] AS event,
         CASE WHEN step <= 2 THEN ch END AS channel
  FROM steps
  UNION ALL  -- repeated exposures, on any channel
  SELECT m, t0 + pg_temp.u(m * 4 + r, 7008) * interval '25 days', 'exposure',
         (ARRAY['wechat', 'douyin', 'search', 'app_push', 'sms', 'offline'])[1 + floor(6 * pg_temp.u(m * 4 + r, 7009))::int]
  FROM p, generate_series(1, 3) r WHERE pg_temp.u(m * 4 + r, 7010) < 0.5
  UNION ALL  -- app visits in the 8 weeks after registering, fading
  SELECT s.m, s.ts + w * interval '7 days' + pg_temp.u(s.m * 16 + w, 7011) * interval '6 days', 'visit', NULL
  FROM steps s, generate_series(0, 7) w
  WHERE s.step = 4 AND pg_temp.u(s.m * 16 + w, 7012) < 0.9 * power(0.8, w) + CASE WHEN s.depth = 5 THEN 0.1 ELSE 0 END)
INSERT INTO events
SELECT CASE WHEN ev.event IN ('exposure', 'click') THEN
            CASE ev.channel WHEN 'app_push' THEN r.browse WHEN 'sms' THEN r.profile
                            WHEN 'offline' THEN r.purchase ELSE r.social END
            WHEN ev.event = 'pay' THEN r.purchase
            ELSE r.browse END,
       ev.ts, ev.event, ev.channel
FROM ev JOIN member_rec r ON r.member_id = ev.m;

------------------------------------------------------------------------------------------
-- touches: 60 days of marketing touches and orders for 40% of the people, for attribution
------------------------------------------------------------------------------------------
-- 1 to 6 touches: the first usually an awareness channel (douyin, kol), later ones search,
-- WeChat, e-mail or a direct visit; an order is likelier after search and e-mail, and
-- after longer journeys.  E-mails go to the CRM record, WeChat to the WeChat record,
-- the rest to the app or mini program; orders land in the CRM.
CREATE TABLE touches (record_id text NOT NULL, ts timestamptz NOT NULL, channel text,
                      is_conversion boolean NOT NULL, value float8);
CREATE TEMP TABLE touch0 AS
WITH mb AS (
  SELECT m, 1 + floor(pg_temp.u(m, 8001) * 6)::int AS n FROM generate_series(1, 50000) m
  WHERE pg_temp.u(m, 8000) < 0.4),
t AS (
  SELECT mb.m, k, pg_temp.u(mb.m * 16 + k, 8007) AS r,
         timestamptz '2026-03-01 00:00+00' + (pg_temp.u(mb.m * 16 + k, 8008) * 5 + k * 4) * interval '1 day' AS ts
  FROM mb, generate_series(1, 6) k WHERE k <= mb.n)
SELECT m, ts,
       CASE WHEN k = 1 THEN (ARRAY['douyin', 'douyin', 'kol', 'search', 'wechat'])[1 + floor(r * 5)::int]
            ELSE (ARRAY['search', 'search', 'wechat', 'email', 'direct', 'direct', 'kol'])[1 + floor(r * 7)::int] END AS channel
FROM t;
INSERT INTO touches
SELECT CASE t.channel WHEN 'email' THEN r.profile WHEN 'wechat' THEN coalesce(r.wx, r.mp, r.social)
                      WHEN 'search' THEN r.browse WHEN 'direct' THEN r.browse ELSE r.social END,
       t.ts, t.channel, false, NULL
FROM touch0 t JOIN member_rec r ON r.member_id = t.m
UNION ALL
SELECT r.purchase, c.ts, NULL, true, c.value
FROM (SELECT m, max(ts) + interval '6 hours' AS ts, (199 + floor(pg_temp.u(m, 8009) * 1024) * 2)::float8 AS value
      FROM touch0 GROUP BY m
      HAVING pg_temp.u(m, 8010) < 0.04 + 0.10 * count(*) FILTER (WHERE channel = 'search')
                                 + 0.08 * count(*) FILTER (WHERE channel = 'email')
                                 + 0.03 * count(*) FILTER (WHERE channel = 'kol')) c
JOIN member_rec r ON r.member_id = c.m;

------------------------------------------------------------------------------------------
-- points: a loyalty programme for every tenth person, two years of history
------------------------------------------------------------------------------------------
-- Purchases (on the CRM record, or the store record for till purchases) earn points that
-- expire after a year; a welcome bonus on the first record never expires; members redeem
-- from time to time in the CRM (sometimes more than they have: the debt is repaid by later
-- purchases).  2 to ~60 purchases a member: a few heavy buyers, many light ones.
CREATE TABLE points (record_id text NOT NULL, ts timestamptz NOT NULL, delta numeric NOT NULL,
                     expire_after interval);
WITH purchases AS (
    SELECT r.member_id, k,
           CASE WHEN r.store IS NOT NULL AND pg_temp.u(r.member_id * 64 + k, 9008) < 0.3 THEN r.store
                WHEN r.crm2 IS NOT NULL AND pg_temp.u(r.member_id * 64 + k, 9008) > 0.8 THEN r.crm2
                ELSE r.purchase END AS record_id,
           timestamptz '2024-07-01 00:00+08'
             + floor(pg_temp.u(r.member_id * 64 + k, 9002) * 730) * interval '1 day'
             + floor(pg_temp.u(r.member_id * 64 + k, 9003) * 14 + 9) * interval '1 hour' AS ts,
           round(50 + power(pg_temp.u(r.member_id * 64 + k, 9004), 3) * 3000)::numeric AS pts
    FROM member_rec r, generate_series(1, 60) k
    WHERE r.member_id % 10 = 0
      AND k <= 2 + floor(power(pg_temp.u(r.member_id, 9001), 2) * 58)
)
INSERT INTO points
SELECT record_id, ts, pts, interval '1 year' FROM purchases
UNION ALL   -- a redemption after one purchase in four, of 100 to 2,500 points
SELECT r.purchase, ts + floor(1 + pg_temp.u(p.member_id * 64 + k, 9005) * 60) * interval '1 day',
       -round(100 + pg_temp.u(p.member_id * 64 + k, 9006) * 2400), NULL
FROM purchases p JOIN member_rec r USING (member_id) WHERE pg_temp.u(p.member_id * 64 + k, 9007) < 0.25
UNION ALL   -- the welcome bonus, which never expires
SELECT r.profile, min(ts) - interval '1 hour', 200, NULL
FROM purchases p JOIN member_rec r USING (member_id) GROUP BY r.member_id, r.profile;

VACUUM (ANALYZE) records, record_truth, tags, record_tags, events, touches, points;
