SELECT CASE WHEN rb_tag_expr_count_agg(bm, tag, 'tag_1 & (tag_2 | tag_3) - tag_5')::text
                 = (SELECT answer FROM cc_expected WHERE name = 'audience')
            THEN 1 ELSE 1 / 0 END FROM cc_tags;
