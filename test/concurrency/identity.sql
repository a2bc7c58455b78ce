SELECT CASE WHEN (SELECT count(DISTINCT person_id) || '/' || count(*)
                  FROM identity_resolve('SELECT record_id, id_type, id_value FROM cc_identifiers',
                                        '{"types": [{"name": "phone", "max_records": 3}]}'))
                 = (SELECT answer FROM cc_expected WHERE name = 'identity')
            THEN 1 ELSE 1 / 0 END;
