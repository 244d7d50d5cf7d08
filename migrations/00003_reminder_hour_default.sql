-- +goose Up
-- A user who never chose an hour follows RELAIS_REMINDER_HOUR.
ALTER TABLE users ALTER COLUMN reminder_hour DROP NOT NULL, ALTER COLUMN reminder_hour DROP DEFAULT;

-- +goose Down
UPDATE users SET reminder_hour = 9 WHERE reminder_hour IS NULL;
ALTER TABLE users ALTER COLUMN reminder_hour SET DEFAULT 9, ALTER COLUMN reminder_hour SET NOT NULL;
