SELECT cc_check('attribution',
  (SELECT string_agg(coalesce(channel, '-') || '=' || round(conversions::numeric, 6), ' ' ORDER BY channel)
   FROM unnest((SELECT attribution_agg(user_id, ts, CASE WHEN event <> 'pay' THEN channel END, event = 'pay', 1.0,
                                       'linear', '{}') FROM cc_events))));
