-- 0021 is another branch's migration (issue 15); this empty file only keeps the numbers
-- without a gap on feat-identity. Delete it when the branches are merged.
SELECT 1;
