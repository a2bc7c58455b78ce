-- identity merging: the seeds' 张三 example, rules, stability, normalisers, the dictionary
SET persona.output_format = 'array';

-- three systems see the same customer
CREATE TEMP TABLE crm_customers (crm_id text, name text, phone text, email text);
CREATE TEMP TABLE app_users (user_id text, phone text, email text, device_id text, unionid text);
CREATE TEMP TABLE wechat_followers (openid text, unionid text, nickname text);
INSERT INTO crm_customers VALUES
  ('C001', '张三', '138-1234-5678', 'ZhangSan@Example.com'),
  ('C002', '李四', '+86 139 0000 1111', NULL),
  ('C003', '王五', '13800000000', 'test@test.com');        -- the store's placeholders
INSERT INTO app_users VALUES
  ('U9', '+8613812345678', NULL, 'dev-a', 'un-zhang'),
  ('U10', '13900001111', 'lisi@gmail.com', 'dev-shared', NULL),
  ('U11', '13800000000', 'test@test.com', 'dev-shared', NULL), -- placeholders again
  ('U12', NULL, 'l.i.s.i+promo@googlemail.com', 'dev-b', NULL);
INSERT INTO wechat_followers VALUES
  ('o-zhang', 'un-zhang', '张三'),
  ('o-wang', 'un-wang', 'W5');

CREATE TEMP VIEW identifiers AS
  SELECT 'crm:' || crm_id AS record_id, 'crm_id' AS id_type, crm_id AS id_value FROM crm_customers
  UNION ALL SELECT 'crm:' || crm_id, 'phone', normalize_phone(phone) FROM crm_customers
  UNION ALL SELECT 'crm:' || crm_id, 'email', normalize_email(email) FROM crm_customers
  UNION ALL SELECT 'app:' || user_id, 'phone', normalize_phone(phone) FROM app_users
  UNION ALL SELECT 'app:' || user_id, 'email', normalize_email(email) FROM app_users
  UNION ALL SELECT 'app:' || user_id, 'device', device_id FROM app_users
  UNION ALL SELECT 'app:' || user_id, 'unionid', unionid FROM app_users
  UNION ALL SELECT 'wx:' || openid, 'unionid', unionid FROM wechat_followers;

-- no rules: the store's placeholders glue 王五 to U11, and a shared device glues U11 to 李四
SELECT * FROM identity_resolve('SELECT * FROM identifiers') ORDER BY record_id;

-- the rules: one CRM id per person, at most two phones, the placeholders
-- blocked, a phone on more than five records, an e-mail on more than two and a device on more
-- than one link nothing
CREATE TEMP TABLE persons AS
SELECT * FROM identity_resolve('SELECT * FROM identifiers',
  '{"types": [{"name": "crm_id", "limit": 1},
              {"name": "unionid"},
              {"name": "phone", "limit": 2, "max_records": 5},
              {"name": "email", "max_records": 2},
              {"name": "device", "max_records": 1}],
    "blocked_values": ["+8613800000000", "test@test.com"]}');
SELECT * FROM persons ORDER BY person_id, record_id;

-- 张三's tags, recorded per system, land on one person
CREATE TEMP TABLE record_tags (record_id text, tag text);
INSERT INTO record_tags VALUES
  ('crm:C001', 'bought:purifier'), ('app:U9', 'active:app'), ('wx:o-zhang', 'campaign:618'),
  ('app:U10', 'active:app'), ('crm:C003', 'bought:filter');
SELECT p.person_id, string_agg(t.tag, ', ' ORDER BY t.tag) AS tags
FROM record_tags t JOIN persons p USING (record_id) GROUP BY p.person_id ORDER BY p.person_id;
SELECT t.tag, rb_build_agg(p.person_id::int) AS persons
FROM record_tags t JOIN persons p USING (record_id) GROUP BY t.tag ORDER BY t.tag;

-- limits: two CRM ids never merge, even through a shared phone
SELECT * FROM identity_resolve($$VALUES ('crm:1', 'crm_id', 'A'), ('crm:2', 'crm_id', 'B'),
                                        ('crm:1', 'phone', '+8613811112222'), ('crm:2', 'phone', '+8613811112222'),
                                        ('app:7', 'phone', '+8613811112222')$$,
                                '{"types": [{"name": "crm_id", "limit": 1}]}') ORDER BY record_id;
-- priority: the same rows with phone first; crm:2 joins nobody either way
SELECT * FROM identity_resolve($$VALUES ('crm:1', 'crm_id', 'A'), ('crm:2', 'crm_id', 'B'),
                                        ('crm:1', 'phone', '+8613811112222'), ('crm:2', 'phone', '+8613811112222'),
                                        ('app:7', 'phone', '+8613811112222')$$,
                                '{"types": [{"name": "phone"}, {"name": "crm_id", "limit": 1}]}') ORDER BY record_id;
-- blank and NULL values link nothing; records still get a person
SELECT * FROM identity_resolve($$VALUES ('a', 'email', ' '), ('b', 'email', ' '), ('c', 'email', NULL),
                                        ('d', 'email', NULL), ('e', 'email', '　'), ('f', 'email', '　')$$) ORDER BY record_id;
-- record ids sort by bytes, not by collation: 'B' < 'a' < 'b'
SELECT * FROM identity_resolve($$VALUES ('b', 't', '1'), ('a', 't', '2'), ('B', 't', '3')$$) ORDER BY person_id;

-- stability: rerun with the earlier answer after 李四 followed the WeChat
-- account from a new app install (one person, who keeps her id) and a new
-- follower arrived (a new id above the earlier ones)
INSERT INTO wechat_followers VALUES ('o-lisi', 'un-lisi', 'Li'), ('o-new', 'un-new', 'N');
INSERT INTO app_users VALUES ('U13', '139 0000 1111', NULL, NULL, 'un-lisi');
SELECT * FROM identity_resolve('SELECT * FROM identifiers',
  '{"types": [{"name": "crm_id", "limit": 1}, {"name": "unionid"}, {"name": "phone", "limit": 2, "max_records": 5},
              {"name": "email", "max_records": 2}, {"name": "device", "max_records": 1}],
    "blocked_values": ["+8613800000000", "test@test.com"]}',
  'SELECT record_id, person_id FROM persons') ORDER BY person_id, record_id;
-- the same through the helper process (which auto takes only for big
-- inputs): the same NOTICE and the same rows, in the same order
SET persona.identity_helper = on;
SELECT * FROM identity_resolve('SELECT * FROM identifiers',
  '{"types": [{"name": "crm_id", "limit": 1}, {"name": "unionid"}, {"name": "phone", "limit": 2, "max_records": 5},
              {"name": "email", "max_records": 2}, {"name": "device", "max_records": 1}],
    "blocked_values": ["+8613800000000", "test@test.com"]}',
  'SELECT record_id, person_id FROM persons');
RESET persona.identity_helper;

-- connected components
SELECT * FROM connected_components($$VALUES (10, 11), (11, 12), (5, 6), (-3, 6), (7, 7), (8, NULL)$$);

-- normalisers
SELECT p, normalize_phone(p) AS cn, normalize_phone(p, 'US') AS us
FROM unnest(ARRAY['13812345678', '138 1234 5678', '138-1234-5678', '(138)1234-5678', '+86 138 1234 5678',
                  '0086 13812345678', '8613812345678', '+86-(138)-1234-5678', '+1 (415) 555-0100', '0044 20 7946 0958',
                  '12345', '23812345678', '1381234567', '+86 10 1234 5678', '138.1234.5678', 'tel:13812345678',
                  '+0123456789', '', '+']) p;
SELECT e, normalize_email(e)
FROM unnest(ARRAY['  ZhangSan@Example.COM ', 'john.doe+promo@gmail.com', 'J.O.H.N@GoogleMail.com', 'a.b+c@other.com',
                  'no-at-sign', '@example.com', 'x@', 'a@b@c', '+tag@gmail.com', '张三@例子.中国']) e;

-- the dictionary
SELECT dict_encode('openid', k) FROM unnest(ARRAY['o-a', 'o-b', 'o-a', 'o-c']) k;
SELECT dict_encode('unionid', 'o-a') AS other_namespace_starts_at_1;
SELECT dict_decode('openid', 2), dict_decode('openid', 4), dict_decode('unionid', 1);
BEGIN;
SELECT dict_encode('openid', 'rolled back');
ROLLBACK;
SELECT dict_encode('openid', 'o-d') AS reuses_the_rolled_back_id, dict_encode('openid', 'rolled back') AS next;
BEGIN;
SAVEPOINT s;
SELECT dict_encode('openid', 'in a savepoint');
ROLLBACK TO SAVEPOINT s;
SELECT dict_encode('openid', 'after the savepoint');
COMMIT;
SELECT namespace, key, id FROM persona_dict ORDER BY namespace, id;

-- a scrollable cursor over a result (random access is asked of the tuplestore
-- only then) and a rescan of the function in a nested loop
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT * FROM connected_components($$VALUES (1, 2), (2, 3), (7, 8)$$) ORDER BY 1, 2;
FETCH LAST FROM c;
FETCH FIRST FROM c;
FETCH BACKWARD 1 FROM c;
FETCH ABSOLUTE 3 FROM c;
DECLARE d SCROLL CURSOR FOR SELECT * FROM connected_components($$VALUES (1, 2), (2, 3), (7, 8)$$);
FETCH LAST FROM d;
FETCH PRIOR FROM d;
FETCH FIRST FROM d;
COMMIT;
SET enable_hashjoin = off;
SELECT g, count(*) FROM generate_series(1, 3) g,
  LATERAL (SELECT * FROM connected_components($$VALUES (1, 2), (2, 3), (7, 8)$$)) c
WHERE c.node >= g GROUP BY g ORDER BY g;
RESET enable_hashjoin;

-- answers bigger than work_mem go to the tuplestore's temporary file from
-- their first row: the same rows in the same order as in memory, and a
-- scrollable cursor still moves both ways over them
CREATE TEMP TABLE big_ids AS
  SELECT 'r' || lpad(g::text, 5, '0') AS record_id, 'phone' AS id_type, (g / 3)::text AS id_value
  FROM generate_series(1, 6000) g;
CREATE TEMP TABLE in_mem AS SELECT row_number() OVER () AS n, * FROM identity_resolve('SELECT * FROM big_ids');
CREATE TEMP TABLE cc_in_mem AS
  SELECT row_number() OVER () AS n, * FROM connected_components('SELECT g, g / 2 * 2 FROM generate_series(1, 6000) g');
SET work_mem = '64kB';
CREATE TEMP TABLE spilled AS SELECT row_number() OVER () AS n, * FROM identity_resolve('SELECT * FROM big_ids');
SELECT count(*) AS rows, count(DISTINCT s.person_id) AS persons,
       count(*) FILTER (WHERE (s.record_id, s.person_id) IS DISTINCT FROM (m.record_id, m.person_id)) AS different
FROM spilled s FULL JOIN in_mem m USING (n);
SELECT count(*) AS rows, count(DISTINCT s.component) AS components,
       count(*) FILTER (WHERE (s.node, s.component) IS DISTINCT FROM (m.node, m.component)) AS different
FROM (SELECT row_number() OVER () AS n, * FROM connected_components('SELECT g, g / 2 * 2 FROM generate_series(1, 6000) g')) s
FULL JOIN cc_in_mem m USING (n);
BEGIN;
DECLARE e SCROLL CURSOR FOR SELECT * FROM identity_resolve('SELECT * FROM big_ids');
FETCH ABSOLUTE 5000 FROM e;
FETCH PRIOR FROM e;
FETCH LAST FROM e;
FETCH BACKWARD 2 FROM e;
FETCH FIRST FROM e;
COMMIT;
RESET work_mem;
