-- The year rows of BenchmarkReport10M's dataset (migration 00100), once
-- every year's rollups are written: rollup_years itself, for every post and
-- year with sheets.
SELECT rollup_years(coalesce(array_agg(k.mediator_id), '{}'), coalesce(array_agg(k.start), '{}'))
FROM (SELECT DISTINCT s.mediator_id, date_trunc('year', s.date::timestamp)::date AS start FROM sheets s) k;
