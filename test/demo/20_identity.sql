-- Identity: CRM, app and WeChat records become persons (identity_resolve), and what the rules prevent
-- (test/bench/identity/data.sql at a small scale: about 5,800 persons; the generator
-- knows who is who, so the demo can say how right the merge is)
\set scale 0.002
\ir ../bench/identity/data.sql
SET client_min_messages = notice;

-- the rules a CDP team would start from
SELECT '{"types": [{"name": "crm_id", "limit": 1}, {"name": "unionid", "limit": 1}, {"name": "openid"},
                   {"name": "app_user"}, {"name": "phone", "limit": 2, "max_records": 50},
                   {"name": "email", "limit": 3, "max_records": 50}, {"name": "device", "max_records": 5}],
         "blocked_values": ["+8613800000000", "test@test.com"]}' AS rules \gset

CREATE TEMP TABLE merged_plain AS
  SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows');
CREATE TEMP TABLE merged AS
  SELECT * FROM identity_resolve('SELECT record_id, id_type, id_value FROM id_rows', :'rules');

-- how many records became how many persons, against the generator's truth
-- (crm_id limit 1 also keeps the 4% of customers entered twice in the CRM apart:
-- every rule trades wrong merges for missed ones):
-- "wrongly merged" persons hold records of several real people,
-- "still split" real people are spread over several persons
CREATE TEMP VIEW truth AS SELECT DISTINCT record_id, person FROM id_rows;
SELECT way, records, persons, real_people, wrongly_merged, still_split, largest_person
FROM (
  SELECT 'no rules' AS way, m.* FROM (SELECT 1) o, LATERAL (
    SELECT (SELECT count(*) FROM merged_plain) AS records,
           (SELECT count(DISTINCT person_id) FROM merged_plain) AS persons,
           (SELECT count(DISTINCT person) FROM truth) AS real_people,
           (SELECT count(*) FROM (SELECT person_id FROM merged_plain JOIN truth USING (record_id)
                                  GROUP BY person_id HAVING count(DISTINCT person) > 1) s) AS wrongly_merged,
           (SELECT count(*) FROM (SELECT person FROM merged_plain JOIN truth USING (record_id)
                                  GROUP BY person HAVING count(DISTINCT person_id) > 1) s) AS still_split,
           (SELECT max(n) FROM (SELECT count(*) AS n FROM merged_plain GROUP BY person_id) s) AS largest_person) m
  UNION ALL
  SELECT 'with rules', m.* FROM (SELECT 1) o, LATERAL (
    SELECT (SELECT count(*) FROM merged),
           (SELECT count(DISTINCT person_id) FROM merged),
           (SELECT count(DISTINCT person) FROM truth),
           (SELECT count(*) FROM (SELECT person_id FROM merged JOIN truth USING (record_id)
                                  GROUP BY person_id HAVING count(DISTINCT person) > 1) s),
           (SELECT count(*) FROM (SELECT person FROM merged JOIN truth USING (record_id)
                                  GROUP BY person HAVING count(DISTINCT person_id) > 1) s),
           (SELECT max(n) FROM (SELECT count(*) AS n FROM merged GROUP BY person_id) s)) m) r;

-- what the rules prevented: the values that glued the largest "person" together
SELECT id_type, id_value, count(DISTINCT record_id) AS records
FROM id_rows
WHERE record_id IN (SELECT record_id FROM merged_plain
                    WHERE person_id = (SELECT person_id FROM merged_plain GROUP BY person_id ORDER BY count(*) DESC LIMIT 1))
GROUP BY id_type, id_value HAVING count(DISTINCT record_id) > 5
ORDER BY records DESC LIMIT 5;

-- the seeds' example: 张三 in the CRM, the app and WeChat is one person, and
-- every tag a system put on one of his records lands on that person
CREATE TEMP TABLE zs_records (record_id text, id_type text, id_value text);
INSERT INTO zs_records VALUES
  ('crm:C001', 'crm_id', 'C001'), ('crm:C001', 'phone', normalize_phone('138-1234-5678')),
  ('crm:C001', 'email', normalize_email('ZhangSan@Example.com')),
  ('app:U9', 'phone', normalize_phone('+86 138 1234 5678')), ('app:U9', 'unionid', 'un-zhang'),
  ('wx:oa:o-zhang', 'unionid', 'un-zhang'),
  ('crm:C002', 'crm_id', 'C002'), ('crm:C002', 'phone', normalize_phone('13800000000')),  -- 李四, placeholder phone
  ('app:U10', 'phone', normalize_phone('13800000000'));                                     -- someone else, same placeholder
CREATE TEMP TABLE zs_tags (record_id text, tag text);
INSERT INTO zs_tags VALUES ('crm:C001', 'bought:purifier'), ('app:U9', 'active:app'),
                           ('wx:oa:o-zhang', 'campaign:618'), ('crm:C002', 'bought:filter'), ('app:U10', 'active:app');
CREATE TEMP TABLE zs_persons AS
  SELECT * FROM identity_resolve('SELECT * FROM zs_records', :'rules');
SELECT p.person_id, string_agg(DISTINCT p.record_id, ', ') AS records, string_agg(DISTINCT t.tag, ', ') AS tags
FROM zs_persons p LEFT JOIN zs_tags t USING (record_id) GROUP BY p.person_id ORDER BY p.person_id;
-- tag bitmaps over persons, ready for audiences
SELECT t.tag, rb_to_array(rb_build_agg(p.person_id::int)) AS persons
FROM zs_tags t JOIN zs_persons p USING (record_id) GROUP BY t.tag ORDER BY t.tag;
-- dense bitmap ids for string keys: the dictionary
SELECT k AS openid, dict_encode('demo_openid', k) AS id FROM unnest(ARRAY['o-zhang', 'o-lisi', 'o-zhang']) k;
