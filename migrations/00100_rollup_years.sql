-- +goose Up
-- Year rows of the rollups (issue 28): a whole year's report read every
-- post's month rows (report_counts), days of first visits
-- (report_people_days) and days of follow-ups (report_follow_up_days),
-- rows that grow with the number of posts (nationally, over ten years of a
-- programme: 455 000 + 71 400 + 200 000 rows summed per report), and
-- looked up the sheet of each request resolved after the year (29 000). A
-- year row per post holds their sums, so a year's national report reads
-- about 48 000 (BenchmarkReport10M, docs/performance.md).
--
-- Like the month rows, year rows are recomputed from the finer rows of the
-- keys a statement touched (rollup_years, called by rollup_refresh and by
-- the import for the keys it writes itself), so a recomputed key is right
-- whatever happened before.

-- report_counts: grain 'y', day = 1 January, the sum of the year's month rows.
ALTER TABLE report_counts DROP CONSTRAINT report_counts_grain_check;
ALTER TABLE report_counts ADD CONSTRAINT report_counts_grain_check CHECK (grain IN ('d', 'm', 'y'));

-- The twelve months' sheets of a report's history (month rows of dim
-- 'sheets', one in forty rows): without this index, every month row of
-- the twelve months is read.
CREATE INDEX report_counts_sheets ON report_counts (grain, day, mediator_id) INCLUDE (n) WHERE dim = 'sheets';

-- report_people_days of span 'y' summed over the year's days: the people
-- of a post in a whole year.
CREATE TABLE report_people_years (
    start       DATE NOT NULL,
    mediator_id BIGINT NOT NULL,
    visit       BIGINT NOT NULL,
    alone       BIGINT NOT NULL,
    qpv         BIGINT NOT NULL,
    sp          BIGINT NOT NULL,
    rights      BIGINT NOT NULL,
    care        BIGINT NOT NULL,
    PRIMARY KEY (start, mediator_id)
);

-- report_follow_up_days summed by year of their day (start, 1 January):
-- the requests of a post resolved in a year, and its requests in progress
-- (every year's 'o' rows: those overdue today are all of them but the few
-- whose follow-up day is today or later).
CREATE TABLE report_follow_up_years (
    mediator_id BIGINT NOT NULL,
    what        CHAR(1) NOT NULL CHECK (what IN ('r', 'o')),
    start       DATE NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (mediator_id, what, start)
);

-- +goose StatementBegin
-- rollup_years recomputes the year rows of the given (mediator, 1 January)
-- keys, which must be distinct, from the month rows of report_counts,
-- report_follow_ups (late resolutions) and report_people_days' days; and
-- every year of report_follow_up_years for the keys' mediators (a sheet's
-- requests are resolved or followed up in any year).
CREATE FUNCTION rollup_years(meds BIGINT[], years DATE[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan SET work_mem = '256MB' AS $$
BEGIN
    IF cardinality(meds) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM report_counts c
    USING unnest(meds, years) AS k(mediator_id, start)
    WHERE c.grain = 'y' AND c.day = k.start AND c.mediator_id = k.mediator_id;

    INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
    SELECT 'y', k.start, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
    FROM unnest(meds, years) AS k(mediator_id, start)
    JOIN report_counts c ON c.mediator_id = k.mediator_id AND c.grain = 'm'
         AND c.day >= k.start AND c.day < (k.start + INTERVAL '1 year')::date
    GROUP BY k.start, c.mediator_id, c.dim, c.code;

    -- dims 'droits_late' and 'soins_late' (year rows only), by type: the
    -- year's requests resolved in a later year (in Paris), which a report
    -- of the year counts as not resolved at its end. The sheets' days with
    -- such a resolution are found in report_follow_ups (few), their
    -- requests read from the base tables.
    INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
    SELECT 'y', k.start, k.mediator_id, q.kind || '_late', q.type, count(*), 0, 0
    FROM unnest(meds, years) AS k(mediator_id, start)
    CROSS JOIN LATERAL (
        SELECT DISTINCT f.sheet_day FROM report_follow_ups f
        WHERE f.mediator_id = k.mediator_id AND f.sheet_day >= k.start
          AND f.sheet_day < (k.start + INTERVAL '1 year')::date
          AND f.what = 'r' AND f.day >= (k.start + INTERVAL '1 year')::date
    ) d
    JOIN sheets s ON s.mediator_id = k.mediator_id AND s.date = d.sheet_day
    JOIN requests q ON q.sheet_id = s.id
    WHERE q.status = 'resolue'
      AND (q.resolved_at AT TIME ZONE 'Europe/Paris')::date >= (k.start + INTERVAL '1 year')::date
    GROUP BY k.start, k.mediator_id, q.kind, q.type;

    DELETE FROM report_people_years h
    USING unnest(meds, years) AS k(mediator_id, start)
    WHERE h.start = k.start AND h.mediator_id = k.mediator_id;

    INSERT INTO report_people_years (start, mediator_id, visit, alone, qpv, sp, rights, care)
    SELECT k.start, k.mediator_id, sum(h.visit), sum(h.alone), sum(h.qpv), sum(h.sp), sum(h.rights), sum(h.care)
    FROM unnest(meds, years) AS k(mediator_id, start)
    JOIN report_people_days h ON h.span = 'y' AND h.start = k.start AND h.mediator_id = k.mediator_id
    GROUP BY k.start, k.mediator_id;

    DELETE FROM report_follow_up_years f
    WHERE f.mediator_id IN (SELECT DISTINCT m FROM unnest(meds) AS m);

    INSERT INTO report_follow_up_years (mediator_id, what, start, n)
    SELECT f.mediator_id, f.what, date_trunc('year', f.day::timestamp)::date, sum(f.n)
    FROM (SELECT DISTINCT m FROM unnest(meds) AS m) k
    JOIN report_follow_up_days f ON f.mediator_id = k.m
    GROUP BY 1, 2, 3
    HAVING sum(f.n) <> 0;
END $$;

-- rollup_refresh (migration 00014), now rollup_refresh_keys, followed by
-- the year rows of its keys' years and of its people's (a person's rows
-- move with their sheets, whichever post and year they are in).
ALTER FUNCTION rollup_refresh(BIGINT[], DATE[], BIGINT[]) RENAME TO rollup_refresh_keys;

CREATE FUNCTION rollup_refresh(meds BIGINT[], days DATE[], bens BIGINT[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    ymeds BIGINT[]; years DATE[];
BEGIN
    PERFORM rollup_refresh_keys(meds, days, bens);
    SELECT array_agg(x.m), array_agg(x.y) INTO ymeds, years
    FROM (SELECT k.m, date_trunc('year', k.d::timestamp)::date AS y FROM unnest(meds, days) AS k(m, d)
          UNION
          SELECT s.mediator_id, date_trunc('year', s.date::timestamp)::date
          FROM unnest(bens) AS k(b) JOIN sheets s ON s.beneficiary_id = k.b) x;
    PERFORM rollup_years(coalesce(ymeds, '{}'), coalesce(years, '{}'));
END $$;

-- rollup_rebuild empties the year tables too.
CREATE OR REPLACE FUNCTION rollup_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    meds BIGINT[]; days DATE[]; bens BIGINT[];
BEGIN
    DELETE FROM report_counts;
    DELETE FROM report_follow_ups;
    DELETE FROM report_follow_up_days;
    DELETE FROM report_follow_up_years;
    DELETE FROM report_people;
    DELETE FROM report_people_days;
    DELETE FROM report_people_years;
    SELECT array_agg(mediator_id), array_agg(date) INTO meds, days FROM (SELECT DISTINCT mediator_id, date FROM sheets) k;
    SELECT array_agg(id) INTO bens FROM beneficiaries;
    PERFORM rollup_refresh(coalesce(meds, '{}'), coalesce(days, '{}'), coalesce(bens, '{}'));
END $$;
-- +goose StatementEnd

-- The year rows of the rollups already there: rollup_years for every post
-- and year with sheets.
SELECT rollup_years(coalesce(array_agg(k.mediator_id), '{}'), coalesce(array_agg(k.start), '{}'))
FROM (SELECT DISTINCT s.mediator_id, date_trunc('year', s.date::timestamp)::date AS start FROM sheets s) k;
-- Plans read the new rows' counts.
ANALYZE report_counts, report_people_years, report_follow_up_years;

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION rollup_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    meds BIGINT[]; days DATE[]; bens BIGINT[];
BEGIN
    DELETE FROM report_counts;
    DELETE FROM report_follow_ups;
    DELETE FROM report_follow_up_days;
    DELETE FROM report_people;
    DELETE FROM report_people_days;
    SELECT array_agg(mediator_id), array_agg(date) INTO meds, days FROM (SELECT DISTINCT mediator_id, date FROM sheets) k;
    SELECT array_agg(id) INTO bens FROM beneficiaries;
    PERFORM rollup_refresh(coalesce(meds, '{}'), coalesce(days, '{}'), coalesce(bens, '{}'));
END $$;
-- +goose StatementEnd
DROP FUNCTION rollup_refresh(BIGINT[], DATE[], BIGINT[]);
ALTER FUNCTION rollup_refresh_keys(BIGINT[], DATE[], BIGINT[]) RENAME TO rollup_refresh;
DROP FUNCTION rollup_years(BIGINT[], DATE[]);
DROP TABLE report_follow_up_years, report_people_years;
DROP INDEX report_counts_sheets;
DELETE FROM report_counts WHERE grain = 'y';
ALTER TABLE report_counts DROP CONSTRAINT report_counts_grain_check;
ALTER TABLE report_counts ADD CONSTRAINT report_counts_grain_check CHECK (grain IN ('d', 'm'));
