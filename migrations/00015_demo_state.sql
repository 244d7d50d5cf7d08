-- +goose Up
-- What the local demo (`relais demo`, its own database) keeps across
-- restarts: its fake Telegram's chats, so the web chat shows their history
-- again, and the mark that its synthetic year was generated. Never written
-- by `relais serve`: empty in a real database.
CREATE TABLE demo_state (
    key        TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE demo_state;
