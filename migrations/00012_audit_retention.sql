-- +goose Up
-- Who did what, for the data-protection officer: registrations, invitations,
-- disabling, exports, erasures, purges, refused button presses. Never a
-- message's contents nor a beneficiary code in clear (a hash when needed).
-- actor is a Telegram id without a foreign key, so the trail outlives a
-- deleted user; NULL means the command line or a scheduled job.
CREATE TABLE audit (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor  BIGINT,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit (at);

-- The one "this person may no longer use Relais" flag: a disabled user is a
-- stranger to the bot, their records stay and stay counted. A mediator's
-- post (mediators.active) follows it: a disabled mediator's post is closed
-- (not expected to report, not offered in pickers), enabling reopens it.
-- last_seen_at is the last time the bot heard from the user (at most one
-- write an hour), shown to coordinators in /equipe.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ, ADD COLUMN last_seen_at TIMESTAMPTZ;

-- Invitations can be revoked before use; created_by is the inviting
-- Telegram user (NULL: the command line).
ALTER TABLE invitations ADD COLUMN revoked_at TIMESTAMPTZ, ADD COLUMN created_by BIGINT;

-- A user can be deleted by hand even with exports or a post: the exports log
-- keeps the row without the user, the post stays without an account.
ALTER TABLE exports ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE exports DROP CONSTRAINT exports_user_id_fkey,
    ADD CONSTRAINT exports_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (telegram_id) ON DELETE SET NULL;
ALTER TABLE mediators DROP CONSTRAINT mediators_user_id_fkey,
    ADD CONSTRAINT mediators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (telegram_id) ON DELETE SET NULL;
ALTER TABLE coordinators DROP CONSTRAINT coordinators_user_id_fkey,
    ADD CONSTRAINT coordinators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (telegram_id) ON DELETE CASCADE;

-- The daily purge deletes by age.
CREATE INDEX exports_at ON exports (at);
CREATE INDEX job_runs_ran_at ON job_runs (ran_at);

-- +goose Down
DROP INDEX job_runs_ran_at;
DROP INDEX exports_at;
ALTER TABLE coordinators DROP CONSTRAINT coordinators_user_id_fkey,
    ADD CONSTRAINT coordinators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (telegram_id);
ALTER TABLE mediators DROP CONSTRAINT mediators_user_id_fkey,
    ADD CONSTRAINT mediators_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (telegram_id);
DELETE FROM exports WHERE user_id IS NULL;
ALTER TABLE exports DROP CONSTRAINT exports_user_id_fkey,
    ADD CONSTRAINT exports_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (telegram_id);
ALTER TABLE exports ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE invitations DROP COLUMN created_by, DROP COLUMN revoked_at;
ALTER TABLE users DROP COLUMN last_seen_at, DROP COLUMN disabled_at;
DROP TABLE audit;
