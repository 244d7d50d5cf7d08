-- +goose Up
-- job_runs.subject held a mediator post's id for some jobs (follow-ups,
-- review reminders: about a post) and a Telegram id for others (nudges, the
-- digest: for a person), so an id could be read as the other kind (issue
-- 17). Each kind now has its own column, exactly one of them set.
ALTER TABLE job_runs ADD COLUMN mediator_id BIGINT, ADD COLUMN telegram_id BIGINT;
UPDATE job_runs SET mediator_id = subject WHERE job IN ('followups', 'review_reminder', 'review_reminder_2');
UPDATE job_runs SET telegram_id = subject WHERE mediator_id IS NULL;
ALTER TABLE job_runs
    DROP CONSTRAINT job_runs_pkey,
    DROP COLUMN subject,
    ADD CONSTRAINT job_runs_one_subject CHECK (num_nonnulls(mediator_id, telegram_id) = 1),
    ADD CONSTRAINT job_runs_once UNIQUE NULLS NOT DISTINCT (job, period, mediator_id, telegram_id);

-- +goose Down
ALTER TABLE job_runs ADD COLUMN subject BIGINT NOT NULL DEFAULT 0;
UPDATE job_runs SET subject = COALESCE(mediator_id, telegram_id);
ALTER TABLE job_runs
    DROP CONSTRAINT job_runs_once,
    DROP CONSTRAINT job_runs_one_subject,
    DROP COLUMN mediator_id,
    DROP COLUMN telegram_id,
    ADD PRIMARY KEY (job, period, subject);
