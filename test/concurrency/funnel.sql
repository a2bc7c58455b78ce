SELECT CASE WHEN window_funnel_counts(user_id, interval '7 days', ts, event = 'exposure', event = 'click',
                                      event = 'activate', event = 'register', event = 'pay')::text
                 = (SELECT answer FROM cc_expected WHERE name = 'funnel')
            THEN 1 ELSE 1 / 0 END FROM cc_events;
