SELECT cc_check('identity', (SELECT count(DISTINCT person_id) || '/' || count(*)
                             FROM identity_resolve('SELECT record_id, id_type, id_value FROM cc_identifiers',
                                                   '{"types": [{"name": "phone", "max_records": 3}]}')));
