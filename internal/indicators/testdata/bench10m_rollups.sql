-- The rollups of one year of BenchmarkReport10M's dataset, computed in bulk:
-- rollup_refresh's statements (migration 00014) over every sheet of the
-- year (bench_year: from_day, to_day) instead of a list of keys, which at a
-- national programme's 370 000 (post, day) keys a year took over ten
-- minutes a year on a loaded machine. The year's people are its own (the
-- seed gives each year new people), so their rows are complete.
-- BenchmarkReport10M checks the result against the base tables.
INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
WITH s AS MATERIALIZED (
    SELECT s.id, s.date, s.mediator_id, s.sex, s.age, s.qpv, s.resources, s.contact_mode, s.level, s.obstacles
    FROM bench_year y JOIN sheets s ON s.date BETWEEN y.from_day AND y.to_day
), fixed AS (
    SELECT s.date, s.mediator_id, count(*) AS sheets,
           count(*) FILTER (WHERE s.sex = 'F') AS f, count(*) FILTER (WHERE s.sex = 'M') AS m,
           count(*) FILTER (WHERE s.sex = 'X') AS x,
           count(*) FILTER (WHERE s.qpv = 'oui') AS qpv, count(*) FILTER (WHERE s.qpv = 'non') AS not_qpv,
           count(s.age) AS age_known, coalesce(sum(s.age), 0) AS age_sum,
           count(*) FILTER (WHERE s.obstacles <> '{}') AS obstacle_sheets
    FROM s GROUP BY s.date, s.mediator_id
)
SELECT 'd', f.date, f.mediator_id, d.dim, d.code, d.n, 0, 0
FROM fixed f CROSS JOIN LATERAL (VALUES
    ('sheets', '', f.sheets), ('sex', 'F', f.f), ('sex', 'M', f.m), ('sex', 'X', f.x),
    ('qpv', 'oui', f.qpv), ('qpv', 'non', f.not_qpv), ('age_known', '', f.age_known),
    ('age_sum', '', f.age_sum), ('obstacle_sheets', '', f.obstacle_sheets)
) AS d(dim, code, n)
WHERE d.n <> 0
UNION ALL
SELECT 'd', s.date, s.mediator_id,
       CASE WHEN GROUPING(s.resources) = 0 THEN 'resources'
            WHEN GROUPING(s.contact_mode) = 0 THEN 'contact_mode' ELSE 'level' END,
       coalesce(s.resources, s.contact_mode, s.level), count(*), 0, 0
FROM s
GROUP BY GROUPING SETS ((s.date, s.mediator_id, s.resources), (s.date, s.mediator_id, s.contact_mode),
                        (s.date, s.mediator_id, s.level))
UNION ALL
SELECT 'd', s.date, s.mediator_id, 'obstacle', o.code, count(*), 0, 0
FROM s CROSS JOIN LATERAL unnest(s.obstacles) AS o(code)
GROUP BY s.date, s.mediator_id, o.code
UNION ALL
SELECT 'd', s.date, s.mediator_id, q.kind, q.type, count(*),
       count(*) FILTER (WHERE q.status = 'resolue'), count(*) FILTER (WHERE q.status = 'en_cours')
FROM s JOIN requests q ON q.sheet_id = s.id
GROUP BY s.date, s.mediator_id, q.kind, q.type;

INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
SELECT 'm', date_trunc('month', c.day::timestamp)::date, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
FROM bench_year y JOIN report_counts c ON c.grain = 'd' AND c.day BETWEEN y.from_day AND y.to_day
GROUP BY 2, c.mediator_id, c.dim, c.code;

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

WITH v AS (
    SELECT s.beneficiary_id, s.mediator_id, s.date, s.qpv = 'oui' AS qpv, s.social_protection = 'oui' AS sp,
           coalesce(bool_or(q.kind = 'droits'), FALSE) AS rights, coalesce(bool_or(q.kind = 'soins'), FALSE) AS care
    FROM bench_year y
    JOIN sheets s ON s.date BETWEEN y.from_day AND y.to_day
    LEFT JOIN requests q ON q.sheet_id = s.id
    GROUP BY s.id
), multi AS (
    SELECT v.beneficiary_id FROM v GROUP BY v.beneficiary_id HAVING min(v.mediator_id) <> max(v.mediator_id)
), spans AS (
    SELECT 'y' AS span, date_trunc('year', v.date::timestamp)::date AS start, v.* FROM v
    UNION ALL
    SELECT 'm', date_trunc('month', v.date::timestamp)::date, v.* FROM v
)
INSERT INTO report_people (span, start, mediator_id, beneficiary_id, first_visit, first_qpv, first_sp,
                           first_rights, first_care, shared)
SELECT span, start, mediator_id, beneficiary_id, min(date),
       min(date) FILTER (WHERE qpv), min(date) FILTER (WHERE sp),
       min(date) FILTER (WHERE rights), min(date) FILTER (WHERE care),
       beneficiary_id IN (SELECT beneficiary_id FROM multi)
FROM spans
GROUP BY span, start, mediator_id, beneficiary_id;

INSERT INTO report_people_days (span, start, mediator_id, day, visit, alone, qpv, sp, rights, care)
SELECT p.span, p.start, p.mediator_id, x.day, sum(x.visit), sum(x.alone), sum(x.qpv),
       sum(x.sp), sum(x.rights), sum(x.care)
FROM bench_year y
JOIN report_people p ON p.start BETWEEN y.from_day AND y.to_day
CROSS JOIN LATERAL (VALUES
    (p.first_visit, 1, CASE WHEN p.shared THEN 0 ELSE 1 END, 0, 0, 0, 0),
    (p.first_qpv, 0, 0, 1, 0, 0, 0), (p.first_sp, 0, 0, 0, 1, 0, 0),
    (p.first_rights, 0, 0, 0, 0, 1, 0), (p.first_care, 0, 0, 0, 0, 0, 1)
) AS x(day, visit, alone, qpv, sp, rights, care)
WHERE x.day IS NOT NULL
GROUP BY p.span, p.start, p.mediator_id, x.day;
