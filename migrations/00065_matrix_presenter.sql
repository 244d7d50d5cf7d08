-- +goose Up
-- What the Matrix presenter keeps per person: the direct room the bot
-- answers them in (the rest of Relais addresses a person, as on Telegram
-- where a private chat is the person), and the last numbered choices it
-- showed them, so that a typed « 2 » or « Femme » is read back as the
-- button it names (Matrix has no buttons).
CREATE TABLE matrix_people (
    person BIGINT PRIMARY KEY REFERENCES matrix_users (id) ON DELETE CASCADE,
    room BIGINT NOT NULL REFERENCES matrix_rooms (id) ON DELETE CASCADE,
    choices_message BIGINT NOT NULL DEFAULT 0,
    choices_text TEXT NOT NULL DEFAULT '',
    choices JSONB NOT NULL DEFAULT '[]',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE matrix_people;
