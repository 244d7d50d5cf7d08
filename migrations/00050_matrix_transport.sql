-- +goose Up
-- The Matrix transport's own bookkeeping. The rest of Relais addresses chats,
-- people and messages with integers (Telegram's shape): each Matrix room,
-- user and event the transport meets gets a local number from one sequence
-- starting above any Telegram id (Telegram's are below 2^53), so a Matrix
-- room can never be mistaken for a Telegram chat in the tables they share.
CREATE SEQUENCE matrix_local_id START WITH 8000000000000000001 MINVALUE 8000000000000000001;

CREATE TABLE matrix_rooms (
    id BIGINT PRIMARY KEY DEFAULT nextval('matrix_local_id'),
    room_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE matrix_users (
    id BIGINT PRIMARY KEY DEFAULT nextval('matrix_local_id'),
    user_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Events received (handled_at set once the handler has finished: a
-- redelivered event is skipped) and events the bot sent (so that an edit
-- can name the message by its number).
CREATE TABLE matrix_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('matrix_local_id'),
    event_id TEXT NOT NULL UNIQUE,
    room BIGINT NOT NULL REFERENCES matrix_rooms (id) ON DELETE CASCADE,
    sent BOOLEAN NOT NULL,
    handled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX matrix_events_created_at ON matrix_events (created_at);

-- The bot's account: its device (kept so that a login with the password
-- reuses the device and its encryption keys) and its sync position, moved
-- only once every event of a sync batch is handled.
CREATE TABLE matrix_accounts (
    user_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    next_batch TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE matrix_accounts;
DROP TABLE matrix_events;
DROP TABLE matrix_users;
DROP TABLE matrix_rooms;
DROP SEQUENCE matrix_local_id;
