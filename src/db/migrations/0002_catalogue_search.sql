-- The catalogue search (src/features/catalogue/search.ts): synonyms of the OZG information platform
-- ("BAföG" for "Ausbildungsförderung") are searched like names, and key prefixes through a btree that
-- serves LIKE 'prefix%' in any collation.
ALTER TABLE leika_services ADD COLUMN keywords text NOT NULL DEFAULT '';
ALTER TABLE ozg_services ADD COLUMN keywords text NOT NULL DEFAULT '';
CREATE INDEX leika_services_keywords_trgm ON leika_services USING gin (keywords gin_trgm_ops);
CREATE INDEX ozg_services_keywords_trgm ON ozg_services USING gin (keywords gin_trgm_ops);
CREATE INDEX leika_services_key_prefix ON leika_services (key text_pattern_ops);
CREATE INDEX ozg_services_id_prefix ON ozg_services (id text_pattern_ops);
