-- The dictionary's id range: dict_encode stores ids 1 .. 2^31-1 only.  The id
-- 2147483647 is given out; the key after it is a clean 54000 naming the
-- namespace, never a negative id (which CHECK (id > 0) forbids and a restore
-- of the dump would refuse).
BEGIN;
SELECT plan(9);

INSERT INTO persona_dict VALUES ('limits_almost', 'second to last', 2147483646);
SELECT is(dict_encode('limits_almost', 'last'), 2147483647, 'the last int4 id is given out');
SELECT throws_ok($$SELECT dict_encode('limits_almost', 'one too many')$$, '54000',
                 'dictionary namespace "limits_almost" is full', 'the key after 2147483647 is refused');
SELECT is(dict_encode('limits_almost', 'last'), 2147483647, '... the namespace still answers known keys');

-- a row with the last id written by hand (or restored)
INSERT INTO persona_dict VALUES ('limits_full', 'last', 2147483647);
SELECT throws_ok($$SELECT dict_encode('limits_full', 'next')$$, '54000',
                 'dictionary namespace "limits_full" is full', 'a namespace whose largest id is 2147483647 takes no key');
SELECT is((SELECT count(*) FROM persona_dict WHERE id < 1)::int, 0, 'no id below 1 was stored');

-- the error says what the last id is and what to do
CREATE FUNCTION pg_temp.dict_full_error() RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text; h text;
BEGIN
  PERFORM dict_encode('limits_full', 'next');
  RETURN 'no error';
EXCEPTION WHEN program_limit_exceeded THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN d || ' / ' || h;
END $$;
SELECT is(pg_temp.dict_full_error(), 'Its last id is 2147483647; ids are int4, from 1 to 2147483647. / Encode further keys into another namespace.',
          'errdetail names the last id, errhint what to do');

-- other namespaces are not affected, and the full one stays full in later calls
SELECT is(dict_encode('limits_other', 'a'), 1, 'another namespace starts at 1');
SELECT throws_ok($$SELECT dict_encode('limits_full', 'next again')$$, '54000', NULL, 'still full');

-- the same through the SQL path (an INSERT trigger on the table sends new keys through SPI)
CREATE FUNCTION pg_temp.dict_pass() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER dict_pass BEFORE INSERT ON persona_dict FOR EACH ROW EXECUTE FUNCTION pg_temp.dict_pass();
SELECT throws_ok($$SELECT dict_encode('limits_full', 'by sql')$$, '54000',
                 'dictionary namespace "limits_full" is full', 'the SQL path refuses the key after 2147483647 too');

SELECT * FROM finish();
ROLLBACK;
