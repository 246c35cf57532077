-- gazette schema version 9 (SQLite): stories that merged into another.
-- Two open stories whose centroids converge merge, the younger into the older
-- (`stories.merge_threshold`): the younger's members move to the older, and
-- its row stays, pointing at the story it became, so that links to it still
-- lead somewhere. Always one hop: a merge repoints earlier merges.
ALTER TABLE stories ADD COLUMN merged_into INTEGER REFERENCES stories (id);
