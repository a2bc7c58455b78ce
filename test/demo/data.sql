-- test/demo/data.sql — a small, realistic customer-data-platform data set for `make demo`.
--
-- 50,000 people of a (fictional) home-appliance brand, seen through three systems:
--   member_records  one row per record in the CRM, the mobile app and the WeChat
--                   mini-program; a person appears in 1-3 sources (some have two CRM
--                   records or two app accounts); records carry a phone, an email and/or
--                   a WeChat openid, so the same person can be linked across sources —
--                   and a few records share identifiers they should not (a spouse's phone,
--                   the store's placeholder number). member_id is the generator's ground
--                   truth for the person.
--   tags            a catalogue of ~200 tags: demographics, sources, bought:/viewed:
--                   product categories, interests, campaigns, lifecycle, tiers, ...
--   user_tags       (member_id, tag_id), Zipf-like tag sizes, correlated as in real
--                   life (filter buyers own a purifier, parents buy purifiers and bottle
--                   warmers, active app users respond to campaigns, ...)
--   tag_bitmaps     one roaringbitmap of member ids per tag, built with rb_build_agg.
--
-- Deterministic: every draw is a hash of (key, salt) through hashint4extended, which is
-- pure integer arithmetic, so the data is identical on every run, plan and platform
-- (no random(), no dependence on row order). Loads in a couple of seconds.

SET client_min_messages = warning;
SET synchronous_commit = off;
SET work_mem = '64MB';
SET maintenance_work_mem = '256MB';

DROP TABLE IF EXISTS tag_bitmaps, user_tags, tags, member_records CASCADE;
DROP TABLE IF EXISTS pg_temp.city_dist, pg_temp.person0, pg_temp.person, pg_temp.item,
                     pg_temp.has_item, pg_temp.viewed, pg_temp.person_tags;

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
       -- identifiers: 11-digit mobile numbers, unique per person (multiplication modulo a prime)
       CASE WHEN pg_temp.u(p.member_id, 30) < 0.015 AND p.member_id > 1   -- registered with a family member's phone
            THEN p.member_id - 1 ELSE p.member_id END AS phone_owner,
       (ARRAY['135', '188', '199'])[p.member_id % 3 + 1]
         || lpad((p.member_id::bigint * 104729 % 99999989)::text, 8, '0') AS phone_alt,
       CASE WHEN pg_temp.u(p.member_id, 31) < 0.5
            THEN (100000000 + p.member_id::bigint * 2713 % 899999963)::text || '@qq.com'
            ELSE 'user' || substr(md5('mail' || p.member_id), 1, 8) || '@'
                 || CASE WHEN pg_temp.u(p.member_id, 32) < 0.5 THEN '163.com'
                         WHEN pg_temp.u(p.member_id, 32) < 0.75 THEN '126.com'
                         WHEN pg_temp.u(p.member_id, 32) < 0.9 THEN 'gmail.com'
                         ELSE 'outlook.com' END END AS email,
       'o' || substr(md5('openid' || p.member_id), 1, 27) AS openid
FROM person0 p
JOIN city_dist c ON c.rank = p.city_rank;

------------------------------------------------------------------------------------------
-- member_records: what the CRM, the app and WeChat know about each person
------------------------------------------------------------------------------------------
CREATE TABLE member_records (
    record_id  text NOT NULL,
    source     text NOT NULL,
    member_id  int  NOT NULL,   -- ground truth, for checking identity resolution
    phone      text,
    email      text,
    openid     text,
    city       text,
    gender     text,
    birth_year int,
    first_seen date
);

INSERT INTO member_records
SELECT source || '-' || lpad(((member_id * 2 + dup)::bigint * mult % 1000003)::text, 7, '0'),
       source, member_id, phone,
       CASE WHEN email_drawn OR (phone IS NULL AND openid IS NULL) THEN email END,  -- >= 1 identifier
       openid, city, gender, birth_year, first_seen
FROM (
    SELECT r.source, r.dup, r.mult, p.member_id,
           CASE r.source
               WHEN 'crm' THEN CASE WHEN pg_temp.u(k, 40) < 0.004 THEN '13800000000'  -- store placeholder
                                    WHEN pg_temp.u(k, 41) < 0.96 THEN
                                         CASE WHEN r.dup = 1 THEN p.phone_alt ELSE ph.phone END END
               WHEN 'app' THEN CASE WHEN pg_temp.u(k, 41) < 0.88 THEN
                                         CASE WHEN r.dup = 1 THEN p.phone_alt ELSE ph.phone END END
               ELSE CASE WHEN pg_temp.u(k, 41) < 0.38 THEN ph.phone END
           END AS phone,
           pg_temp.u(k, 42) < CASE r.source WHEN 'crm' THEN 0.35 WHEN 'app' THEN 0.22 ELSE 0.03 END AS email_drawn,
           CASE WHEN r.source = 'app' AND pg_temp.u(k, 43) < 0.05 THEN upper(p.email) ELSE p.email END AS email,
           CASE WHEN pg_temp.u(k, 44) < CASE r.source WHEN 'crm' THEN 0.08 WHEN 'app' THEN 0.30 ELSE 1 END
                THEN p.openid END AS openid,
           CASE WHEN pg_temp.u(k, 45) >= CASE r.source WHEN 'crm' THEN 1 WHEN 'app' THEN 0.70 ELSE 0.85 END
                THEN NULL
                WHEN pg_temp.u(k, 46) < 0.03                                  -- moved, or a stale profile
                THEN (SELECT array_agg(city ORDER BY rank) FROM city_dist)[1 + (p.city_rank + 6) % 20]
                ELSE p.city END AS city,
           CASE WHEN pg_temp.u(k, 47) < CASE r.source WHEN 'crm' THEN 0.97 WHEN 'app' THEN 0.60 ELSE 0.90 END
                THEN CASE WHEN p.female THEN 'F' ELSE 'M' END END AS gender,
           CASE WHEN pg_temp.u(k, 48) < CASE r.source WHEN 'crm' THEN 0.80 WHEN 'app' THEN 0.45 ELSE 0 END
                THEN p.birth_year END AS birth_year,
           CASE r.source WHEN 'crm' THEN date '2019-01-01' + (pg_temp.u(k, 49) * 1800)::int
                         WHEN 'app' THEN date '2020-03-01' + (pg_temp.u(k, 49) * 1550)::int
                         ELSE date '2019-06-01' + (pg_temp.u(k, 49) * 1820)::int END AS first_seen
    FROM person p
    JOIN LATERAL (SELECT (ARRAY['138', '139', '150', '186', '177'])[p.phone_owner % 5 + 1]
                         || lpad((p.phone_owner::bigint * 7919 % 99999989)::text, 8, '0') AS phone) ph ON true
    CROSS JOIN LATERAL (VALUES
        ('crm', 0, 48271, p.in_crm),
        ('crm', 1, 48271, p.in_crm AND pg_temp.u(p.member_id, 20) < 0.06),   -- second CRM record
        ('app', 0, 69621, p.in_app),
        ('app', 1, 69621, p.in_app AND pg_temp.u(p.member_id, 21) < 0.03),   -- second app account
        ('wechat', 0, 16807, p.in_wechat)) r(source, dup, mult, present)
    CROSS JOIN LATERAL (SELECT p.member_id * 8
                               + CASE r.source WHEN 'crm' THEN 0 WHEN 'app' THEN 2 ELSE 4 END
                               + r.dup AS k) rk
    WHERE r.present
) s;

ALTER TABLE member_records ADD PRIMARY KEY (record_id);

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
  AND (p.in_app OR p.in_wechat)
  AND pg_temp.u(p.member_id, 3000 + i.k) < least(0.5, 1.2 * coalesce(i.base, 0.03) * p.activity);

------------------------------------------------------------------------------------------
-- Person-level tags
------------------------------------------------------------------------------------------
CREATE TEMP TABLE person_tags AS
WITH hb AS (
    SELECT member_id, count(*) FILTER (WHERE k <= 40)::int AS n_bought, bool_or(k = 1) AS purifier
    FROM has_item GROUP BY member_id
), rb AS (
    SELECT member_id, min(first_seen) AS first_seen,
           bool_or(phone IS NOT NULL) AS has_phone, bool_or(email IS NOT NULL) AS has_email
    FROM member_records GROUP BY member_id
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
    FROM (VALUES (1, 'src:crm'), (2, 'src:app'), (3, 'src:wechat'), (4, 'src:store'), (5, 'src:tmall')) v(ord, tag)
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
-- user_tags
------------------------------------------------------------------------------------------
CREATE TABLE user_tags AS
SELECT p.member_id, t.tag_id
FROM (
              SELECT member_id, CASE WHEN female THEN 'gender:female' ELSE 'gender:male' END AS tag FROM person_tags
    UNION ALL SELECT member_id, 'age:' || age_band FROM person_tags
    UNION ALL SELECT member_id, 'has_children' FROM person_tags WHERE kids
    UNION ALL SELECT member_id, 'household:' || household FROM person_tags
    UNION ALL SELECT member_id, 'income:' || income FROM person_tags
    UNION ALL SELECT member_id, 'city:' || city FROM person_tags
    UNION ALL SELECT member_id, 'src:crm' FROM person_tags WHERE in_crm
    UNION ALL SELECT member_id, 'src:app' FROM person_tags WHERE in_app
    UNION ALL SELECT member_id, 'src:wechat' FROM person_tags WHERE in_wechat
    UNION ALL SELECT member_id, 'src:store' FROM person_tags WHERE in_crm AND pg_temp.u(member_id, 60) < 0.55
    UNION ALL SELECT member_id, 'src:tmall' FROM person_tags WHERE pg_temp.u(member_id, 61) < 0.22 * sqrt(activity)
    UNION ALL SELECT member_id, 'active_30d' FROM person_tags WHERE active
    UNION ALL SELECT member_id, 'churn_risk' FROM person_tags WHERE churn
    UNION ALL SELECT member_id, 'new_member_90d' FROM person_tags WHERE new_member
    UNION ALL SELECT member_id, 'high_value' FROM person_tags
              WHERE n_bought >= 5 OR (n_bought >= 3 AND pg_temp.u(member_id, 62) < 0.25)
    UNION ALL SELECT member_id, 'coupon_user' FROM person_tags
              WHERE pg_temp.u(member_id, 63) < CASE WHEN price_sensitive THEN 0.47 ELSE 0.12 END
    UNION ALL SELECT member_id, 'price_sensitive' FROM person_tags WHERE price_sensitive
    UNION ALL SELECT member_id, 'cart_abandoner' FROM person_tags
              WHERE in_app AND pg_temp.u(member_id, 64) < 0.22 * activity
    UNION ALL SELECT member_id, 'reviewer' FROM person_tags WHERE n_bought > 0 AND pg_temp.u(member_id, 65) < 0.15
    UNION ALL SELECT member_id, 'warranty_registered' FROM person_tags
              WHERE n_bought > 0 AND in_crm AND pg_temp.u(member_id, 66) < 0.5
    UNION ALL SELECT member_id, 'store_visit_90d' FROM person_tags
              WHERE in_crm AND pg_temp.u(member_id, 67) < 0.18 * activity
    UNION ALL SELECT member_id, 'due:filter_change' FROM person_tags WHERE purifier AND pg_temp.u(member_id, 68) < 0.40
    UNION ALL SELECT member_id, 'rfm:' || rfm FROM person_tags WHERE rfm IS NOT NULL
    UNION ALL SELECT member_id, 'tier:' || tier FROM person_tags WHERE tier IS NOT NULL
    UNION ALL SELECT member_id, 'pref:sms' FROM person_tags WHERE has_phone AND pg_temp.u(member_id, 70) < 0.30
    UNION ALL SELECT member_id, 'pref:wechat' FROM person_tags WHERE in_wechat AND pg_temp.u(member_id, 71) < 0.50
    UNION ALL SELECT member_id, 'pref:email' FROM person_tags WHERE has_email AND pg_temp.u(member_id, 72) < 0.25
    UNION ALL SELECT member_id, 'pref:app_push' FROM person_tags WHERE in_app AND pg_temp.u(member_id, 73) < 0.40
    UNION ALL SELECT member_id, CASE WHEN pg_temp.u(member_id, 74) < 0.42 THEN 'device:ios' ELSE 'device:android' END
              FROM person_tags WHERE in_app
    UNION ALL SELECT member_id, 'service:installation' FROM person_tags
              WHERE n_bought > 0 AND pg_temp.u(member_id, 75) < 0.30
    UNION ALL SELECT member_id, 'service:repair' FROM person_tags WHERE n_bought > 0 AND pg_temp.u(member_id, 76) < 0.08
    UNION ALL SELECT member_id, 'service:complaint' FROM person_tags
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

ALTER TABLE user_tags ADD PRIMARY KEY (tag_id, member_id);
ALTER TABLE user_tags ADD FOREIGN KEY (tag_id) REFERENCES tags;

------------------------------------------------------------------------------------------
-- tag_bitmaps: one bitmap per tag
------------------------------------------------------------------------------------------
CREATE TABLE tag_bitmaps AS
SELECT t.tag_id, t.tag, rb_build_agg(ut.member_id) AS bm
FROM tags t
JOIN user_tags ut USING (tag_id)
GROUP BY t.tag_id, t.tag;

ALTER TABLE tag_bitmaps ADD PRIMARY KEY (tag_id);

-- sanity: every catalogue tag is used, and every person has tags
DO $$
DECLARE missing text;
BEGIN
    SELECT string_agg(tag, ', ' ORDER BY tag_id) INTO missing
    FROM tags t WHERE NOT EXISTS (SELECT 1 FROM tag_bitmaps b WHERE b.tag_id = t.tag_id);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'demo data: tags without members: %', missing;
    END IF;
    IF (SELECT count(DISTINCT member_id) FROM member_records) <> 50000 THEN
        RAISE EXCEPTION 'demo data: expected 50000 people in member_records';
    END IF;
END $$;

VACUUM (ANALYZE) member_records, tags, user_tags, tag_bitmaps;
