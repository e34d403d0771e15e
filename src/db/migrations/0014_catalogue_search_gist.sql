-- The catalogue search ranks in two stages (src/features/catalogue/search.ts): the first takes the
-- best few dozen names per source in index order (`ORDER BY q <<-> name LIMIT n`), which only a GiST
-- trigram index can serve; a GIN index can only filter, and a frequent word ("Antrag") then makes the
-- search compute the similarity of thousands of names. GiST also serves `<%`, `%` and ILIKE, so the GIN
-- indexes of these columns go. siglen=64: searched as fast as with 256 (bench:search) and built
-- about as fast as the GIN indexes; 256 made a 20,000-entry import 1.5 s slower.
DROP INDEX IF EXISTS leika_services_name_trgm;
DROP INDEX IF EXISTS leika_services_keywords_trgm;
DROP INDEX IF EXISTS ozg_services_name_trgm;
DROP INDEX IF EXISTS ozg_services_keywords_trgm;
CREATE INDEX leika_services_name_gist ON leika_services USING gist (name gist_trgm_ops (siglen = 64));
CREATE INDEX leika_services_keywords_gist ON leika_services USING gist (keywords gist_trgm_ops (siglen = 64));
CREATE INDEX ozg_services_name_gist ON ozg_services USING gist (name gist_trgm_ops (siglen = 64));
CREATE INDEX ozg_services_keywords_gist ON ozg_services USING gist (keywords gist_trgm_ops (siglen = 64));
