-- +goose Up
-- A person may be on Telegram, on Matrix, or on both (issue 27). The users
-- row stays keyed by the account they registered with (users.telegram_id: a
-- Telegram id, or a Matrix local number, migration 00050), so their post,
-- sheets, role and territory, and every table that names them, are
-- untouched; the account of their other messenger, linked later with a
-- code (/lier), names that row here. A user links at most one other account
-- (and the store refuses one on the messenger they registered with): one
-- Telegram account and one Matrix account at most. Existing rows need no
-- step: a user with no row here is on one messenger, as before.
CREATE TABLE user_accounts (
    account    BIGINT PRIMARY KEY,
    user_id    BIGINT NOT NULL UNIQUE REFERENCES users (telegram_id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The code /lier gives, typed on the other messenger (« !start CODE ») to
-- link it: one use, short-lived, only its hash kept. A user has one code at
-- most (a new /lier replaces the last), so the table never grows past the
-- users; they go with the user.
CREATE TABLE link_codes (
    user_id    BIGINT PRIMARY KEY REFERENCES users (telegram_id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    used_by    BIGINT
);

-- users.chat_id was the private chat of the registered account; it is now
-- the chat the person last wrote from (moved by the hourly last-activity
-- write, which carries it), where reminders and the digest go (a nudge
-- goes to the chat of its draft).

-- +goose Down
DROP TABLE link_codes;
DROP TABLE user_accounts;
