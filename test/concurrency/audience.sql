SELECT cc_check('audience', rb_tag_expr_count_agg(bm, tag, 'tag_1 & (tag_2 | tag_3) - tag_5')::text) FROM cc_tags;
