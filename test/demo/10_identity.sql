-- 1. Records -> persons: identity_resolve turns the records of five systems into persons;
-- person_of (record_id -> person_id) is what every later section joins through.
\pset footer off
\pset null '-'
SET client_min_messages = warning;

\echo
\echo '== 1. Records -> persons (identity_resolve)'
\echo 'The CRM, the app, WeChat, the mini program and the stores each keep their own'
\echo 'records, with the identifiers they know (share of records that carry each):'
SELECT source, count(*) AS records,
       round(100.0 * count(phone) / count(*)) || '%' AS phone,
       round(100.0 * count(email) / count(*)) || '%' AS email,
       round(100.0 * count(openid) / count(*)) || '%' AS openid,
       round(100.0 * count(unionid) / count(*)) || '%' AS unionid,
       round(100.0 * count(device) / count(*)) || '%' AS device
FROM records GROUP BY source ORDER BY count(*) DESC;

\echo 'Phones and e-mails are typed by people: normalize_phone and normalize_email make'
\echo 'them comparable. One row per identifier, the input of identity_resolve:'
CREATE VIEW identifiers AS
          SELECT record_id, 'crm_id' AS id_type, crm_id AS id_value FROM records WHERE crm_id IS NOT NULL
UNION ALL SELECT record_id, 'app_user', app_user FROM records WHERE app_user IS NOT NULL
UNION ALL SELECT record_id, 'phone', normalize_phone(phone) FROM records WHERE phone IS NOT NULL
UNION ALL SELECT record_id, 'email', normalize_email(email) FROM records WHERE email IS NOT NULL
UNION ALL SELECT record_id, 'openid', openid FROM records WHERE openid IS NOT NULL
UNION ALL SELECT record_id, 'unionid', unionid FROM records WHERE unionid IS NOT NULL
UNION ALL SELECT record_id, 'device', device FROM records WHERE device IS NOT NULL;
SELECT r.record_id, r.phone AS typed, i.id_value AS normalized
FROM records r JOIN identifiers i ON i.record_id = r.record_id AND i.id_type = 'phone'
WHERE r.record_id IN (SELECT min(record_id) FROM records WHERE phone IS NOT NULL
                      GROUP BY source, translate(phone, '0123456789', '')
                      HAVING source IN ('crm', 'store'))
ORDER BY r.record_id LIMIT 5;

\echo 'Records that share an identifier are one person, under rules: a person holds at'
\echo 'most one CRM id and one unionid, two phones, three e-mails; a phone or e-mail on'
\echo 'more than 50 records, a device on more than 5 (store demo tablets), and the'
\echo 'store''s placeholder number link nothing. Types in order of trust:'
SELECT '{"types": [{"name": "crm_id", "limit": 1}, {"name": "unionid", "limit": 1},
                   {"name": "openid"}, {"name": "app_user"},
                   {"name": "phone", "limit": 2, "max_records": 50},
                   {"name": "email", "limit": 3, "max_records": 50},
                   {"name": "device", "max_records": 5}],
         "blocked_values": ["+8613800000000", "test@test.com"]}' AS rules \gset
SELECT t.name AS id_type, t."limit", t.max_records
FROM jsonb_to_recordset(:'rules'::jsonb -> 'types') t(name text, "limit" int, max_records int);

CREATE TABLE person_of AS
SELECT record_id, person_id::int AS person_id
FROM identity_resolve('SELECT record_id, id_type, id_value FROM identifiers', :'rules');
ALTER TABLE person_of ADD PRIMARY KEY (record_id);
CREATE INDEX ON person_of (person_id);
ANALYZE person_of;
CREATE TEMP TABLE person_of_no_rules AS
SELECT record_id, person_id FROM identity_resolve('SELECT record_id, id_type, id_value FROM identifiers');

\echo 'How right is it? The generator knows who is who (record_truth). "Mixed" persons'
\echo 'hold records of several real people; "split" real people are spread over several'
\echo 'persons. Without rules the placeholder phone and the tablets glue strangers'
\echo 'together; crm_id limit 1 also keeps apart customers entered twice in the CRM:'
CREATE TEMP TABLE quality AS
SELECT w.way, q.*
FROM (VALUES (1, 'no rules'), (2, 'with rules')) w(n, way)
CROSS JOIN LATERAL (
    WITH m AS (SELECT record_id, person_id FROM person_of_no_rules WHERE w.n = 1
               UNION ALL SELECT record_id, person_id FROM person_of WHERE w.n = 2),
         mt AS (SELECT m.person_id, t.member FROM m JOIN record_truth t USING (record_id))
    SELECT (SELECT count(*) FROM m) AS records,
           (SELECT count(DISTINCT member) FROM mt) AS real_people,
           (SELECT count(DISTINCT person_id) FROM m) AS persons,
           (SELECT count(*) FROM (SELECT 1 FROM mt GROUP BY person_id
                                  HAVING count(DISTINCT member) > 1) s) AS mixed,
           (SELECT count(*) FROM (SELECT 1 FROM mt GROUP BY member
                                  HAVING count(DISTINCT person_id) > 1) s) AS split,
           (SELECT max(n) FROM (SELECT count(*) AS n FROM m GROUP BY person_id) s) AS largest) q;
SELECT way, records, real_people, persons, mixed, split, largest AS most_records
FROM quality ORDER BY way;
SELECT format('%s real people -> %s persons; the rules refused %s merges.',
              to_char(q2.real_people, 'FM999,999'), to_char(q2.persons, 'FM999,999'),
              to_char(q2.persons - q1.persons, 'FM999,999')) AS line
FROM quality q1, quality q2 WHERE q1.way = 'no rules' AND q2.way = 'with rules' \gset
\echo :line
\echo

\echo 'What the rules stopped: the values on the most records, which glue strangers'
\echo 'together without rules (over max_records or blocked with them):'
SELECT id_type, id_value, count(DISTINCT record_id) AS records
FROM identifiers WHERE id_type IN ('phone', 'email', 'device')
GROUP BY id_type, id_value HAVING count(DISTINCT record_id) > 5
ORDER BY records DESC, id_value LIMIT 4;

\echo 'One person as all five systems saw them (the first person_id with one record'
\echo 'from each): the phone as typed and the WeChat unionid tie the records together.'
SELECT p.person_id, r.record_id, r.phone, r.unionid
FROM person_of p JOIN records r USING (record_id)
WHERE p.person_id = (SELECT p2.person_id FROM person_of p2 JOIN records r2 USING (record_id)
                     GROUP BY p2.person_id HAVING count(DISTINCT r2.source) = 5 AND count(*) = 5
                     ORDER BY p2.person_id LIMIT 1)
ORDER BY r.record_id;
