-- test/bench/identity/data.sql — identifier rows of customers seen through
-- CRM, app, WeChat and stores, deterministic, sized by :scale
-- (1 = about 2.9 million persons, 4 million records, 10 million rows).
--
--   id_person(p, ...)               the generator's ground truth, one row per person
--   id_rows(record_id, id_type, id_value, person)
--                                   one row per identifier a record carries,
--                                   normalised the way a pipeline would
--                                   (normalize_phone, normalize_email);
--                                   person is the ground truth, not an input
--
-- Records:  crm:C<p>       CRM customer (crm_id, phone, email); 4% of CRM
--                          customers were entered twice (crm:C<p>b, another crm_id)
--           app:U<p>       app account (app_user, phone, email, device, unionid)
--           wx:oa:<openid> WeChat official-account follower (openid, unionid)
--           wx:mp:<openid> WeChat mini-program user (openid, unionid, phone)
--           store:S<p>     a store purchase with a phone typed at the till
-- What makes the rules matter:
--   typos            2% of typed phones have a wrong digit (link nothing, or someone else)
--   family phones    4% of persons give a relative's phone (two persons, one phone)
--   placeholders     0.6% of typed phones are 13800000000 and 0.6% of e-mails
--                    test@test.com (values on thousands of records)
--   shared devices   0.2% of app accounts sit on one of 20 store demo tablets
-- Every draw is a hash of (person, salt): the same rows on every run and platform.
-- (One SELECT per kind of row, so that only the rows kept are computed.)
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT greatest(50, round(2900000 * :scale))::int AS persons \gset

CREATE OR REPLACE FUNCTION pg_temp.u(key int, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint4extended(key, salt) & 4294967295)::float8 / 4294967296 $$;
CREATE OR REPLACE FUNCTION pg_temp.h(key int, salt int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT hashint4extended(key, salt) & 4294967295 $$;
-- a mobile number: 1, a second digit 3-9, nine digits
CREATE OR REPLACE FUNCTION pg_temp.mobile(p int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '1' || (3 + pg_temp.h(p, 21) % 7)::text || lpad((pg_temp.h(p, 22) % 1000000000)::text, 9, '0') $$;
-- the spellings people type: digits, dashes, spaces, +86, brackets
CREATE OR REPLACE FUNCTION pg_temp.spell(m text, k bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE k % 5 WHEN 0 THEN m
                        WHEN 1 THEN substr(m, 1, 3) || '-' || substr(m, 4, 4) || '-' || substr(m, 8)
                        WHEN 2 THEN '+86 ' || substr(m, 1, 3) || ' ' || substr(m, 4, 4) || ' ' || substr(m, 8)
                        WHEN 3 THEN '(' || substr(m, 1, 3) || ') ' || substr(m, 4)
                        ELSE '0086' || m END $$;
-- a typed phone: the person's (or a relative's) number m, sometimes a typo or
-- the placeholder.  (Arguments are plain columns so that the planner inlines it.)
CREATE OR REPLACE FUNCTION pg_temp.typed_phone(p int, m text, salt int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN pg_temp.u(p, salt) < 0.006 THEN '13800000000'
                  WHEN pg_temp.u(p, salt + 1) < 0.02
                    THEN overlay(m PLACING ((pg_temp.h(p, salt + 2) % 10)::text) FROM 11)
                  ELSE pg_temp.spell(m, pg_temp.h(p, salt + 3)) END $$;
CREATE OR REPLACE FUNCTION pg_temp.typed_email(p int, salt int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN pg_temp.u(p, salt) < 0.006 THEN 'test@test.com'
                  ELSE CASE pg_temp.h(p, 31) % 4
                         WHEN 0 THEN 'Zhang.' || p::text || CASE WHEN pg_temp.u(p, salt + 1) < 0.3 THEN '+shop' ELSE '' END || '@gmail.com'
                         WHEN 1 THEN 'u' || p::text || '@qq.com'
                         WHEN 2 THEN 'U' || p::text || '@163.COM'
                         ELSE 'user' || p::text || '@example.cn' END END $$;
-- (explicit ::text casts: text || int is only STABLE, which would stop the
-- planner from inlining these functions)

DROP TABLE IF EXISTS id_rows, id_person;
CREATE UNLOGGED TABLE id_person AS
SELECT p,
       -- sources (everyone is in at least one: CRM by default)
       (pg_temp.u(p, 1) < 0.45) OR NOT (pg_temp.u(p, 2) < 0.30 OR pg_temp.u(p, 3) < 0.25) AS crm,
       pg_temp.u(p, 2) < 0.30 AS app,
       pg_temp.u(p, 3) < 0.25 AS wx,
       pg_temp.u(p, 4) < 0.04 AS crm_twice,
       pg_temp.u(p, 5) < 0.30 AS mini_program,
       pg_temp.u(p, 6) < 0.10 AS store,
       pg_temp.mobile(CASE WHEN p > 1 AND pg_temp.u(p, 7) < 0.04 THEN p - 1 ELSE p END) AS m,
       'o' || lpad(to_hex(pg_temp.h(p, 8)), 8, '0') || p AS unionid
FROM generate_series(1, :persons) p;

CREATE UNLOGGED TABLE id_rows (record_id text, id_type text, id_value text, person int);
INSERT INTO id_rows
-- CRM
SELECT 'crm:C' || x.p, 'crm_id', 'C' || x.p, x.p FROM id_person x WHERE x.crm
UNION ALL SELECT 'crm:C' || x.p, 'phone', normalize_phone(pg_temp.typed_phone(x.p, x.m, 41)), x.p FROM id_person x WHERE x.crm AND pg_temp.u(x.p, 40) < 0.92
UNION ALL SELECT 'crm:C' || x.p, 'email', normalize_email(pg_temp.typed_email(x.p, 46)), x.p FROM id_person x WHERE x.crm AND pg_temp.u(x.p, 45) < 0.55
UNION ALL SELECT 'crm:C' || x.p || 'b', 'crm_id', 'C' || x.p || 'b', x.p FROM id_person x WHERE x.crm AND x.crm_twice
UNION ALL SELECT 'crm:C' || x.p || 'b', 'phone', normalize_phone(pg_temp.typed_phone(x.p, x.m, 51)), x.p FROM id_person x WHERE x.crm AND x.crm_twice
-- app
UNION ALL SELECT 'app:U' || x.p, 'app_user', 'U' || x.p, x.p FROM id_person x WHERE x.app
UNION ALL SELECT 'app:U' || x.p, 'phone', normalize_phone(pg_temp.typed_phone(x.p, x.m, 61)), x.p FROM id_person x WHERE x.app AND pg_temp.u(x.p, 60) < 0.85
UNION ALL SELECT 'app:U' || x.p, 'email', normalize_email(pg_temp.typed_email(x.p, 66)), x.p FROM id_person x WHERE x.app AND pg_temp.u(x.p, 65) < 0.35
UNION ALL SELECT 'app:U' || x.p, 'device', CASE WHEN pg_temp.u(x.p, 71) < 0.002 THEN 'tablet-' || pg_temp.h(x.p, 72) % 20 ELSE 'd' || lpad(to_hex(pg_temp.h(x.p, 73)), 8, '0') || x.p END, x.p FROM id_person x WHERE x.app AND pg_temp.u(x.p, 70) < 0.95
UNION ALL SELECT 'app:U' || x.p, 'unionid', x.unionid, x.p FROM id_person x WHERE x.app AND x.wx AND pg_temp.u(x.p, 75) < 0.6
-- WeChat: one openid per app, one unionid per account
UNION ALL SELECT 'wx:oa:oA' || x.p, 'openid', 'oA' || x.p, x.p FROM id_person x WHERE x.wx
UNION ALL SELECT 'wx:oa:oA' || x.p, 'unionid', x.unionid, x.p FROM id_person x WHERE x.wx AND pg_temp.u(x.p, 80) < 0.9
UNION ALL SELECT 'wx:mp:oM' || x.p, 'openid', 'oM' || x.p, x.p FROM id_person x WHERE x.wx AND x.mini_program
UNION ALL SELECT 'wx:mp:oM' || x.p, 'unionid', x.unionid, x.p FROM id_person x WHERE x.wx AND x.mini_program AND pg_temp.u(x.p, 85) < 0.9
UNION ALL SELECT 'wx:mp:oM' || x.p, 'phone', normalize_phone(pg_temp.typed_phone(x.p, x.m, 87)), x.p FROM id_person x WHERE x.wx AND x.mini_program AND pg_temp.u(x.p, 86) < 0.5
-- a store purchase: a phone typed at the till
UNION ALL SELECT 'store:S' || x.p, 'phone', normalize_phone(pg_temp.typed_phone(x.p, x.m, 91)), x.p FROM id_person x WHERE x.store;
ANALYZE id_person;
ANALYZE id_rows;
SELECT count(*) AS identifier_rows, count(DISTINCT record_id) AS records, count(DISTINCT person) AS persons FROM id_rows;
