-- identity merging: connected components, identity resolution, the dictionary, phone and e-mail normalisation.

CREATE FUNCTION connected_components(edges_sql text)
RETURNS TABLE(node bigint, component bigint)
AS 'MODULE_PATHNAME', 'connected_components'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION connected_components(text) IS
'Connected components of the graph whose edges edges_sql returns as two integer columns; component = smallest node of the component; ordered by component, node';

CREATE FUNCTION identity_resolve(identifiers_sql text, rules jsonb DEFAULT '{}', previous_sql text DEFAULT NULL)
RETURNS TABLE(record_id text, person_id bigint)
AS 'MODULE_PATHNAME', 'identity_resolve'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION identity_resolve(text, jsonb, text) IS
'Merge records that share identifiers into persons: identifiers_sql returns (record_id, id_type, id_value); rules {"types": [{"name", "limit", "max_records"}], "max_records", "blocked_values"}; previous_sql (record_id, person_id) keeps ids stable';

-- The dictionary: one row per (namespace, key).  C collation: byte order,
-- the same on every platform, and what dict_encode's index scans use.
CREATE TABLE persona_dict (
    namespace text COLLATE "C" NOT NULL,
    key       text COLLATE "C" NOT NULL,
    id        int4 NOT NULL CHECK (id > 0),
    CONSTRAINT persona_dict_pkey PRIMARY KEY (namespace, key),
    CONSTRAINT persona_dict_namespace_id_key UNIQUE (namespace, id)
);
COMMENT ON TABLE persona_dict IS
'persona dictionary: dense per-namespace int4 ids of string keys (written by dict_encode; ids are never reused or changed)';
SELECT pg_catalog.pg_extension_config_dump('persona_dict', '');

CREATE FUNCTION dict_encode(namespace text, key text) RETURNS int4
AS 'MODULE_PATHNAME', 'dict_encode'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION dict_encode(text, text) IS
'The id of key in namespace, assigning the next one (1, 2, 3, ...) the first time the key is seen; concurrent sessions get the same id';

CREATE FUNCTION dict_decode(namespace text, id int4) RETURNS text
AS 'MODULE_PATHNAME', 'dict_decode'
LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION dict_decode(text, int4) IS
'The key that has this id in namespace, or NULL';

CREATE FUNCTION normalize_phone(phone text, default_country text DEFAULT 'CN') RETURNS text
AS 'MODULE_PATHNAME', 'normalize_phone'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION normalize_phone(text, text) IS
'E.164 spelling of a phone number (+8613812345678), or NULL when implausible; spaces, dashes, brackets, +86/0086/86 prefixes accepted; default_country CN reads national numbers as Chinese mobiles';

CREATE FUNCTION normalize_email(email text) RETURNS text
AS 'MODULE_PATHNAME', 'normalize_email'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION normalize_email(text) IS
'Trimmed, lower-case e-mail address; Gmail addresses without dots and +tags in the local part, domain gmail.com; NULL without a single @ with text on both sides';
