-- +goose Up
-- Report rollups (issue 14): the indicators read these small tables instead
-- of aggregating every sheet and request, so a report over a million
-- requests takes milliseconds. They are derived data, kept exact by
-- statement-level triggers on sheets and requests that recompute the keys a
-- statement touched (insert, update, delete, cascade, truncate alike) from
-- the base tables: a recomputed key is right whatever happened before. The
-- two sums read by reports (report_follow_up_days, report_people_days) move
-- by the difference between those keys' old and recomputed rows.
-- rollup_rebuild() recomputes everything from the base tables.

-- Additive counts of the sheets of one mediator on one day (grain 'd') or
-- in one month (grain 'm', day = the 1st): dim 'sheets', 'sex', 'qpv',
-- 'age_known', 'age_sum', 'obstacle_sheets', 'resources', 'contact_mode',
-- 'level', 'obstacle' (mentions) with n; dims 'droits' and 'soins' count the
-- requests of those sheets by type, with resolved and open (en_cours).
CREATE TABLE report_counts (
    grain       CHAR(1) NOT NULL CHECK (grain IN ('d', 'm')),
    day         DATE NOT NULL,
    mediator_id BIGINT NOT NULL,
    dim         TEXT NOT NULL,
    code        TEXT NOT NULL,
    n           BIGINT NOT NULL,
    resolved    BIGINT NOT NULL DEFAULT 0,
    open        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, day, mediator_id, dim, code)
);

-- Requests of one mediator's sheets of one day (sheet_day), by the day they
-- were resolved in Europe/Paris (what 'r', status resolue) or their
-- follow-up date (what 'o', status en_cours): the digest's follow-ups.
CREATE TABLE report_follow_ups (
    mediator_id BIGINT NOT NULL,
    sheet_day   DATE NOT NULL,
    what        CHAR(1) NOT NULL CHECK (what IN ('r', 'o')),
    day         DATE NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (mediator_id, sheet_day, what, day)
);

-- report_follow_ups summed over the sheets' days: what the reports read.
CREATE TABLE report_follow_up_days (
    what        CHAR(1) NOT NULL CHECK (what IN ('r', 'o')),
    day         DATE NOT NULL,
    mediator_id BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (what, day, mediator_id)
);

-- One person followed by one mediator in one year (span 'y') or month
-- ('m'), start being its first day: the first day of that span they were
-- seen, seen in a QPV, with social protection, with a rights or a care
-- request. A period starting on a span's first day counts a person when a
-- first day is on or before its end. shared marks a person seen by several
-- mediators (the bot refuses it, a hand-made row may not), counted once per
-- département with DISTINCT. No primary key: rows are found by person.
CREATE TABLE report_people (
    span           CHAR(1) NOT NULL CHECK (span IN ('y', 'm')),
    start          DATE NOT NULL,
    mediator_id    BIGINT NOT NULL,
    beneficiary_id BIGINT NOT NULL,
    first_visit    DATE NOT NULL,
    first_qpv      DATE,
    first_sp       DATE,
    first_rights   DATE,
    first_care     DATE,
    shared         BOOLEAN NOT NULL
);
CREATE INDEX report_people_beneficiary ON report_people (beneficiary_id);

-- report_people counted by first day: persons whose first visit (first
-- visit when not shared: alone), first QPV visit… of the span is that day.
-- A period [start, to] sums the days up to to.
CREATE TABLE report_people_days (
    span        CHAR(1) NOT NULL,
    start       DATE NOT NULL,
    mediator_id BIGINT NOT NULL,
    day         DATE NOT NULL,
    visit       BIGINT NOT NULL,
    alone       BIGINT NOT NULL,
    qpv         BIGINT NOT NULL,
    sp          BIGINT NOT NULL,
    rights      BIGINT NOT NULL,
    care        BIGINT NOT NULL,
    PRIMARY KEY (span, start, mediator_id, day)
);
-- Refreshing one person's rows reads their sheets.
CREATE INDEX IF NOT EXISTS sheets_beneficiary ON sheets (beneficiary_id);
CREATE INDEX report_people_shared ON report_people (span, start) WHERE shared;

-- +goose StatementBegin
-- rollup_people_days takes the report_people rows of the given
-- beneficiaries away from report_people_days (sign -1), or adds them (1).
CREATE FUNCTION rollup_people_days(bens BIGINT[], sign INT) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    INSERT INTO report_people_days AS h (span, start, mediator_id, day, visit, alone, qpv, sp, rights, care)
    SELECT p.span, p.start, p.mediator_id, x.day, sign * sum(x.visit), sign * sum(x.alone), sign * sum(x.qpv),
           sign * sum(x.sp), sign * sum(x.rights), sign * sum(x.care)
    FROM unnest(bens) AS k(b)
    JOIN report_people p ON p.beneficiary_id = k.b
    CROSS JOIN LATERAL (VALUES
        (p.first_visit, 1, CASE WHEN p.shared THEN 0 ELSE 1 END, 0, 0, 0, 0),
        (p.first_qpv, 0, 0, 1, 0, 0, 0), (p.first_sp, 0, 0, 0, 1, 0, 0),
        (p.first_rights, 0, 0, 0, 0, 1, 0), (p.first_care, 0, 0, 0, 0, 0, 1)
    ) AS x(day, visit, alone, qpv, sp, rights, care)
    WHERE x.day IS NOT NULL
    GROUP BY p.span, p.start, p.mediator_id, x.day
    ON CONFLICT (span, start, mediator_id, day) DO UPDATE
    SET visit = h.visit + EXCLUDED.visit, alone = h.alone + EXCLUDED.alone, qpv = h.qpv + EXCLUDED.qpv,
        sp = h.sp + EXCLUDED.sp, rights = h.rights + EXCLUDED.rights, care = h.care + EXCLUDED.care;
END $$;

-- rollup_refresh recomputes the rollups of the given (mediator, day) keys
-- and beneficiaries from the base tables. Keys must be distinct (no
-- DISTINCT here, so plans know how many there are).
-- Plans are made for each call's keys (a sheet saved or a million imported)
-- and may hash in memory.
CREATE FUNCTION rollup_refresh(meds BIGINT[], days DATE[], bens BIGINT[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan SET work_mem = '256MB' AS $$
BEGIN
    -- Two transactions refreshing the same keys would each delete only the
    -- rows they see and insert their own: refreshes of a mediator's keys
    -- (and of their people) wait for each other, in mediator order.
    PERFORM pg_advisory_xact_lock(1381190732, x.m::int)
    FROM (SELECT m FROM unnest(meds) AS m
          UNION
          SELECT s.mediator_id FROM unnest(bens) AS k(b) JOIN sheets s ON s.beneficiary_id = k.b
          ORDER BY 1) x;

    IF cardinality(meds) > 0 THEN
        DELETE FROM report_counts c
        USING unnest(meds, days) AS k(mediator_id, day)
        WHERE c.grain = 'd' AND c.day = k.day AND c.mediator_id = k.mediator_id;

        INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
        WITH k AS (SELECT * FROM unnest(meds, days) AS k(mediator_id, day)),
        s AS MATERIALIZED (
            SELECT s.id, s.date, s.mediator_id, s.sex, s.age, s.qpv, s.resources, s.contact_mode, s.level, s.obstacles
            FROM k JOIN sheets s ON s.mediator_id = k.mediator_id AND s.date = k.day
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

        DELETE FROM report_counts c
        USING (SELECT DISTINCT k.mediator_id, date_trunc('month', k.day::timestamp)::date AS month
               FROM unnest(meds, days) AS k(mediator_id, day)) k
        WHERE c.grain = 'm' AND c.day = k.month AND c.mediator_id = k.mediator_id;

        INSERT INTO report_counts (grain, day, mediator_id, dim, code, n, resolved, open)
        SELECT 'm', k.month, c.mediator_id, c.dim, c.code, sum(c.n), sum(c.resolved), sum(c.open)
        FROM (SELECT DISTINCT k.mediator_id, date_trunc('month', k.day::timestamp)::date AS month
              FROM unnest(meds, days) AS k(mediator_id, day)) k
        JOIN report_counts c ON c.grain = 'd' AND c.mediator_id = k.mediator_id
             AND c.day >= k.month AND c.day < (k.month + INTERVAL '1 month')::date
        GROUP BY k.month, c.mediator_id, c.dim, c.code;

        -- report_follow_up_days loses the old rows of the keys and gains
        -- the new ones.
        INSERT INTO report_follow_up_days AS d (what, day, mediator_id, n)
        SELECT f.what, f.day, f.mediator_id, -sum(f.n)
        FROM unnest(meds, days) AS k(mediator_id, day)
        JOIN report_follow_ups f ON f.mediator_id = k.mediator_id AND f.sheet_day = k.day
        GROUP BY f.what, f.day, f.mediator_id
        ON CONFLICT (what, day, mediator_id) DO UPDATE SET n = d.n + EXCLUDED.n;

        DELETE FROM report_follow_ups f
        USING unnest(meds, days) AS k(mediator_id, day)
        WHERE f.mediator_id = k.mediator_id AND f.sheet_day = k.day;

        INSERT INTO report_follow_ups (mediator_id, sheet_day, what, day, n)
        SELECT s.mediator_id, s.date, f.what, f.day, count(*)
        FROM unnest(meds, days) AS k(mediator_id, day)
        JOIN sheets s ON s.mediator_id = k.mediator_id AND s.date = k.day
        JOIN requests q ON q.sheet_id = s.id
        CROSS JOIN LATERAL (VALUES
            (CASE WHEN q.status = 'resolue' THEN 'r' WHEN q.status = 'en_cours' THEN 'o' END,
             CASE WHEN q.status = 'resolue' THEN (q.resolved_at AT TIME ZONE 'Europe/Paris')::date
                  WHEN q.status = 'en_cours' THEN q.follow_up END)
        ) AS f(what, day)
        WHERE f.day IS NOT NULL
        GROUP BY s.mediator_id, s.date, f.what, f.day;

        INSERT INTO report_follow_up_days AS d (what, day, mediator_id, n)
        SELECT f.what, f.day, f.mediator_id, sum(f.n)
        FROM unnest(meds, days) AS k(mediator_id, day)
        JOIN report_follow_ups f ON f.mediator_id = k.mediator_id AND f.sheet_day = k.day
        GROUP BY f.what, f.day, f.mediator_id
        ON CONFLICT (what, day, mediator_id) DO UPDATE SET n = d.n + EXCLUDED.n;
    END IF;

    IF cardinality(bens) > 0 THEN
        PERFORM rollup_people_days(bens, -1);
        DELETE FROM report_people p
        USING unnest(bens) AS k(b)
        WHERE p.beneficiary_id = k.b;

        -- The new rows go to report_people and, counted, to report_people_days.
        WITH v AS (
            SELECT s.beneficiary_id, s.mediator_id, s.date, s.qpv = 'oui' AS qpv, s.social_protection = 'oui' AS sp,
                   coalesce(bool_or(q.kind = 'droits'), FALSE) AS rights, coalesce(bool_or(q.kind = 'soins'), FALSE) AS care
            FROM unnest(bens) AS k(b)
            JOIN sheets s ON s.beneficiary_id = k.b
            LEFT JOIN requests q ON q.sheet_id = s.id
            GROUP BY s.id
        ), multi AS (
            SELECT v.beneficiary_id FROM v GROUP BY v.beneficiary_id HAVING min(v.mediator_id) <> max(v.mediator_id)
        ), spans AS (
            SELECT 'y' AS span, date_trunc('year', v.date::timestamp)::date AS start, v.* FROM v
            UNION ALL
            SELECT 'm', date_trunc('month', v.date::timestamp)::date, v.* FROM v
        ), ins AS (
            INSERT INTO report_people (span, start, mediator_id, beneficiary_id, first_visit, first_qpv, first_sp,
                                       first_rights, first_care, shared)
            SELECT span, start, mediator_id, beneficiary_id, min(date),
                   min(date) FILTER (WHERE qpv), min(date) FILTER (WHERE sp),
                   min(date) FILTER (WHERE rights), min(date) FILTER (WHERE care),
                   beneficiary_id IN (SELECT beneficiary_id FROM multi)
            FROM spans
            GROUP BY span, start, mediator_id, beneficiary_id
            RETURNING *
        )
        INSERT INTO report_people_days AS h (span, start, mediator_id, day, visit, alone, qpv, sp, rights, care)
        SELECT p.span, p.start, p.mediator_id, x.day, sum(x.visit), sum(x.alone), sum(x.qpv),
               sum(x.sp), sum(x.rights), sum(x.care)
        FROM ins p
        CROSS JOIN LATERAL (VALUES
            (p.first_visit, 1, CASE WHEN p.shared THEN 0 ELSE 1 END, 0, 0, 0, 0),
            (p.first_qpv, 0, 0, 1, 0, 0, 0), (p.first_sp, 0, 0, 0, 1, 0, 0),
            (p.first_rights, 0, 0, 0, 0, 1, 0), (p.first_care, 0, 0, 0, 0, 0, 1)
        ) AS x(day, visit, alone, qpv, sp, rights, care)
        WHERE x.day IS NOT NULL
        GROUP BY p.span, p.start, p.mediator_id, x.day
        ON CONFLICT (span, start, mediator_id, day) DO UPDATE
        SET visit = h.visit + EXCLUDED.visit, alone = h.alone + EXCLUDED.alone, qpv = h.qpv + EXCLUDED.qpv,
            sp = h.sp + EXCLUDED.sp, rights = h.rights + EXCLUDED.rights, care = h.care + EXCLUDED.care;
    END IF;
END $$;

-- The base tables' triggers: one per event, since a trigger with transition
-- tables takes a single event. relais.rollup = 'off' (SET LOCAL) lets a bulk
-- writer (the import) skip them and call rollup_refresh once for its keys.
CREATE FUNCTION rollup_sheets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    meds BIGINT[]; days DATE[]; bens BIGINT[];
BEGIN
    IF current_setting('relais.rollup', TRUE) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Only rows whose counted columns changed (a note edit changes
        -- nothing); a changed id counts as a delete and an insert.
        WITH x AS (
            SELECT x.m, x.d, x.b
            FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.mediator_id, o.date, o.beneficiary_id),
                                       (n.mediator_id, n.date, n.beneficiary_id)) AS x(m, d, b)
            WHERE x.m IS NOT NULL
              AND (o.id IS NULL OR n.id IS NULL
                   OR (o.mediator_id, o.beneficiary_id, o.date, o.sex, o.age, o.qpv, o.resources, o.contact_mode,
                       o.level, o.social_protection, o.obstacles)
                      IS DISTINCT FROM
                      (n.mediator_id, n.beneficiary_id, n.date, n.sex, n.age, n.qpv, n.resources, n.contact_mode,
                       n.level, n.social_protection, n.obstacles))
        )
        SELECT (SELECT array_agg(k.m ORDER BY k.m, k.d) FROM (SELECT DISTINCT m, d FROM x) k),
               (SELECT array_agg(k.d ORDER BY k.m, k.d) FROM (SELECT DISTINCT m, d FROM x) k),
               (SELECT array_agg(DISTINCT b) FROM x)
        INTO meds, days, bens;
    ELSE
        SELECT array_agg(k.mediator_id), array_agg(k.date) INTO meds, days
        FROM (SELECT DISTINCT mediator_id, date FROM changed) k;
        SELECT array_agg(DISTINCT beneficiary_id) INTO bens FROM changed;
    END IF;
    PERFORM rollup_refresh(coalesce(meds, '{}'), coalesce(days, '{}'), coalesce(bens, '{}'));
    RETURN NULL;
END $$;

-- Requests: their sheet gives the keys. A request deleted with its sheet
-- (cascade) finds no sheet here; the sheet's own trigger, fired after the
-- cascade, refreshes its keys.
CREATE FUNCTION rollup_requests_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    meds BIGINT[]; days DATE[]; bens BIGINT[]; ids TEXT[];
BEGIN
    IF current_setting('relais.rollup', TRUE) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x) INTO ids
        FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL unnest(ARRAY[o.sheet_id, n.sheet_id]) AS x
        WHERE x IS NOT NULL
          AND (o.id IS NULL OR n.id IS NULL
               OR (o.sheet_id, o.kind, o.type, o.status, o.follow_up, o.resolved_at)
                  IS DISTINCT FROM (n.sheet_id, n.kind, n.type, n.status, n.follow_up, n.resolved_at));
    ELSE
        SELECT array_agg(DISTINCT sheet_id) INTO ids FROM changed;
    END IF;
    SELECT array_agg(k.mediator_id), array_agg(k.date) INTO meds, days
    FROM (SELECT DISTINCT s.mediator_id, s.date FROM sheets s WHERE s.id = ANY (ids)) k;
    SELECT array_agg(DISTINCT s.beneficiary_id) INTO bens FROM sheets s WHERE s.id = ANY (ids);
    PERFORM rollup_refresh(coalesce(meds, '{}'), coalesce(days, '{}'), coalesce(bens, '{}'));
    RETURN NULL;
END $$;

-- rollup_rebuild recomputes every rollup from the base tables (after a
-- TRUNCATE, or by hand).
CREATE FUNCTION rollup_rebuild() RETURNS void
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

CREATE FUNCTION rollup_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rollup_rebuild();
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER rollup_sheets_insert AFTER INSERT ON sheets
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rollup_sheets_changed();
CREATE TRIGGER rollup_sheets_delete AFTER DELETE ON sheets
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rollup_sheets_changed();
CREATE TRIGGER rollup_sheets_update AFTER UPDATE ON sheets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_sheets_changed();
CREATE TRIGGER rollup_sheets_truncate AFTER TRUNCATE ON sheets
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_truncated();
CREATE TRIGGER rollup_requests_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rollup_requests_changed();
CREATE TRIGGER rollup_requests_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rollup_requests_changed();
CREATE TRIGGER rollup_requests_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_requests_changed();
CREATE TRIGGER rollup_requests_truncate AFTER TRUNCATE ON requests
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_truncated();

SELECT rollup_rebuild();

-- +goose Down
DROP TRIGGER rollup_requests_truncate ON requests;
DROP TRIGGER rollup_requests_update ON requests;
DROP TRIGGER rollup_requests_delete ON requests;
DROP TRIGGER rollup_requests_insert ON requests;
DROP TRIGGER rollup_sheets_truncate ON sheets;
DROP TRIGGER rollup_sheets_update ON sheets;
DROP TRIGGER rollup_sheets_delete ON sheets;
DROP TRIGGER rollup_sheets_insert ON sheets;
DROP FUNCTION rollup_truncated(), rollup_rebuild(), rollup_requests_changed(), rollup_sheets_changed(),
    rollup_refresh(BIGINT[], DATE[], BIGINT[]), rollup_people_days(BIGINT[], INT);
DROP TABLE report_people_days, report_people, report_follow_up_days, report_follow_ups, report_counts;
DROP INDEX IF EXISTS sheets_beneficiary;
