-- Which reading of the address the codes come from (issue 13 §3): 'pre2025'
-- (63 provinces, 3 levels), '2025' (34 provinces, 2 levels), 'both' (the
-- readings of the two eras agree), NULL when nothing was matched.  A 2025
-- address also gets the old codes its units determine, so "a district code
-- is set" no longer means "the text names a district": rules read this.
ALTER TABLE person ADD COLUMN addr_era TEXT;
