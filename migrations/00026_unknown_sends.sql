-- +goose Up
-- A scheduled message whose send failed in a way that may have delivered it
-- (a 5xx, a timeout, a connection cut once the request left) is recorded
-- 'unknown' and never sent again: at most once past its claim (issue 23).
ALTER TABLE job_runs DROP CONSTRAINT job_runs_state_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_state_check
    CHECK (state IN ('claimed', 'sent', 'failed', 'blocked', 'skipped', 'unknown'));

-- +goose Down
UPDATE job_runs SET state = 'claimed' WHERE state = 'unknown';
ALTER TABLE job_runs DROP CONSTRAINT job_runs_state_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_state_check
    CHECK (state IN ('claimed', 'sent', 'failed', 'blocked', 'skipped'));
