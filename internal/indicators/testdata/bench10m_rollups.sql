-- The rollups of one year of BenchmarkReport10M's dataset, computed in bulk:
-- rollup_refresh's statements (migration 00014) over every sheet of the
-- year (bench_year: from_day, to_day) instead of a list of keys, which at a
-- national programme's 370 000 (post, day) keys a year took over ten
-- minutes a year on a loaded machine. The year's people are its own (the
-- seed gives each year new people), so their rows are complete.
-- BenchmarkReport10M checks the result against the base tables, and
-- TestBench10MSeedGivesTheMigrationsRollups against what the triggers of
-- migration 00014 write over a small dataset, so the copy cannot drift. The
-- follow-ups' rollups are in bench10m_followups.sql.
--
-- A year without days (bench_year.days false) gets report_counts' month
-- rows straight from its sheets and no day rows: the same sums, which is
-- all a year's or a month's report reads; only a period starting on the
-- 1st and ending mid-month (month or year to date) reads day rows. The
-- seed writes none: a national year's 7 000 000 day rows take minutes on
-- a loaded machine.
INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
WITH s AS MATERIALIZED (
    SELECT s.id, CASE WHEN y.days THEN s.date ELSE date_trunc('month', s.date::timestamp)::date END AS date,
           s.mediator_id, s.sex, s.age, s.qpv, s.resources, s.contact_mode, s.level, s.obstacles
    FROM bench_year y JOIN sheets s ON s.date BETWEEN y.from_day AND y.to_day
), g AS (
    SELECT CASE WHEN y.days THEN 'd' ELSE 'm' END AS grain FROM bench_year y
), fixed AS (
    SELECT s.date, s.mediator_id, count(*) AS sheets,
           count(*) FILTER (WHERE s.sex = 'F') AS f, count(*) FILTER (WHERE s.sex = 'M') AS m,
           count(*) FILTER (WHERE s.sex = 'X') AS x,
           count(*) FILTER (WHERE s.qpv = 'oui') AS qpv, count(*) FILTER (WHERE s.qpv = 'non') AS not_qpv,
           count(s.age) AS age_known, coalesce(sum(s.age), 0) AS age_sum,
           count(*) FILTER (WHERE s.obstacles <> '{}') AS obstacle_sheets
    FROM s GROUP BY s.date, s.mediator_id
)
SELECT (SELECT grain FROM g), f.date, f.mediator_id, d.dim, d.code, d.n, 0, 0
FROM fixed f CROSS JOIN LATERAL (VALUES
    ('sheets', '', f.sheets), ('sex', 'F', f.f), ('sex', 'M', f.m), ('sex', 'X', f.x),
    ('qpv', 'oui', f.qpv), ('qpv', 'non', f.not_qpv), ('age_known', '', f.age_known),
    ('age_sum', '', f.age_sum), ('obstacle_sheets', '', f.obstacle_sheets)
) AS d(dim, code, n)
WHERE d.n <> 0
UNION ALL
SELECT (SELECT grain FROM g), s.date, s.mediator_id,
       CASE WHEN GROUPING(s.resources) = 0 THEN 'resources'
            WHEN GROUPING(s.contact_mode) = 0 THEN 'contact_mode' ELSE 'level' END,
       coalesce(s.resources, s.contact_mode, s.level), count(*), 0, 0
FROM s
GROUP BY GROUPING SETS ((s.date, s.mediator_id, s.resources), (s.date, s.mediator_id, s.contact_mode),
                        (s.date, s.mediator_id, s.level))
UNION ALL
SELECT (SELECT grain FROM g), s.date, s.mediator_id, 'obstacle', o.code, count(*), 0, 0
FROM s CROSS JOIN LATERAL unnest(s.obstacles) AS o(code)
GROUP BY s.date, s.mediator_id, o.code
UNION ALL
SELECT (SELECT grain FROM g), s.date, s.mediator_id, q.kind, q.type, count(*),
       count(*) FILTER (WHERE q.status = 'resolue'), count(*) FILTER (WHERE q.status = 'en_cours')
FROM s JOIN requests q ON q.sheet_id = s.id
GROUP BY s.date, s.mediator_id, q.kind, q.type;

INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
SELECT 'm', date_trunc('month', c.day::timestamp)::date, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
FROM bench_year y JOIN report_counts c ON c.grain = 'd' AND c.day BETWEEN y.from_day AND y.to_day
WHERE y.days
GROUP BY 2, c.mediator_id, c.dim, c.code;

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
