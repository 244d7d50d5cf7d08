-- +goose Up
CREATE TABLE actions (
    id           TEXT PRIMARY KEY,
    mediator_id  BIGINT NOT NULL REFERENCES mediators (id),
    date         DATE NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('coanimee', 'coconstruite', 'participation')),
    audience     TEXT NOT NULL CHECK (audience IN ('public', 'professionnels')),
    themes       TEXT[] NOT NULL DEFAULT '{}',
    partner_type TEXT,
    participants INT CHECK (participants >= 0),
    title        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX actions_mediator_date ON actions (mediator_id, date);

CREATE TABLE partners (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mediator_id BIGINT NOT NULL REFERENCES mediators (id),
    name        TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('sanitaire', 'social', 'medico_social')),
    type        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (mediator_id, name)
);

-- One review per mediator and year; open answers are for the coordinator's
-- written synthesis (export), never shown in chat to anyone but their author.
CREATE TABLE reviews (
    mediator_id          BIGINT NOT NULL REFERENCES mediators (id),
    year                 INT NOT NULL,
    identified           BOOLEAN,
    missions_known       BOOLEAN,
    cpam_partnership     BOOLEAN,
    partner_bodies       BOOLEAN,
    partners_sanitaire   INT,
    partners_social      INT,
    partners_medico      INT,
    helped               TEXT NOT NULL DEFAULT '',
    hindered             TEXT NOT NULL DEFAULT '',
    improve              TEXT NOT NULL DEFAULT '',
    health_needs         TEXT[] NOT NULL DEFAULT '{}',
    professional_project BOOLEAN,
    training             BOOLEAN,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (mediator_id, year)
);

-- +goose Down
DROP TABLE reviews, partners, actions;
