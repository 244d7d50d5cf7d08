-- The follow-ups' rollups of one year of BenchmarkReport10M's dataset
-- (bench_year), in bulk: rollup_refresh's statements (migration 00014) over
-- every sheet of the year. Every year needs them: a report counts the
-- requests overdue today, whatever their sheet's year.
INSERT INTO report_follow_ups (mediator_id, sheet_day, what, day, n)
SELECT s.mediator_id, s.date, f.what, f.day, count(*)
FROM bench_year y
JOIN sheets s ON s.date BETWEEN y.from_day AND y.to_day
JOIN requests q ON q.sheet_id = s.id
CROSS JOIN LATERAL (VALUES
    (CASE WHEN q.status = 'resolue' THEN 'r' WHEN q.status = 'en_cours' THEN 'o' END,
     CASE WHEN q.status = 'resolue' THEN (q.resolved_at AT TIME ZONE 'Europe/Paris')::date
          WHEN q.status = 'en_cours' THEN q.follow_up END)
) AS f(what, day)
WHERE f.day IS NOT NULL
GROUP BY s.mediator_id, s.date, f.what, f.day;

-- report_follow_up_days sums report_follow_ups over the sheets' days; a
-- year's rows may add to the previous year's (a follow-up in January).
INSERT INTO report_follow_up_days AS d (what, day, mediator_id, n)
SELECT f.what, f.day, f.mediator_id, sum(f.n)
FROM bench_year y JOIN report_follow_ups f ON f.sheet_day BETWEEN y.from_day AND y.to_day
GROUP BY f.what, f.day, f.mediator_id
ON CONFLICT (what, day, mediator_id) DO UPDATE SET n = d.n + EXCLUDED.n;

