-- +goose Up
-- Scheduled messages are claimed before they are sent (a committed row) and
-- marked after: 'claimed' (sending, or unknown after a crash once
-- claimed_until has passed), 'sent', 'failed' (retried), 'blocked' (403),
-- 'skipped' (nothing to send). Rows written before are sent messages.
ALTER TABLE job_runs
    ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'
        CHECK (state IN ('claimed', 'sent', 'failed', 'blocked', 'skipped')),
    ADD COLUMN claimed_until TIMESTAMPTZ,
    ADD COLUMN attempts INT NOT NULL DEFAULT 1,
    ADD COLUMN finished_at TIMESTAMPTZ;

-- A user who blocked the bot (or whose account is deactivated) is not
-- written to until they write again.
ALTER TABLE users ADD COLUMN unreachable_since TIMESTAMPTZ;

-- One row per execution of a scheduled job (the job runner's record).
CREATE TABLE job_executions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job         TEXT NOT NULL,
    scheduled   TIMESTAMPTZ NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    outcome     TEXT NOT NULL DEFAULT 'running'
        CHECK (outcome IN ('running', 'ok', 'failed', 'panic', 'skipped')),
    error       TEXT NOT NULL DEFAULT '',
    host        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_executions_job ON job_executions (job, started_at DESC);

-- +goose Down
DROP TABLE job_executions;
ALTER TABLE users DROP COLUMN unreachable_since;
ALTER TABLE job_runs DROP COLUMN finished_at, DROP COLUMN attempts, DROP COLUMN claimed_until, DROP COLUMN state;
