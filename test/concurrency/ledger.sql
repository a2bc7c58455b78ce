SELECT cc_check('ledger', (SELECT sum(b)::text FROM (SELECT points_balance(points_agg(ts, delta, expire_after), timestamptz '2026-03-01 00:00+00') AS b
                                                    FROM cc_ledger GROUP BY member_id) s));
