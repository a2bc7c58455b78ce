SELECT cc_check('funnel', window_funnel_counts(user_id, interval '7 days', ts, event = 'exposure', event = 'click',
                                               event = 'activate', event = 'register', event = 'pay')::text) FROM cc_events;
