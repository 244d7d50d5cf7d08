-- +goose Up
-- Users are Telegram accounts that received an invitation. Nothing is stored
-- about a Telegram user who never redeemed one.
CREATE TABLE users (
    telegram_id   BIGINT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('mediator', 'coordinator', 'admin')),
    display_name  TEXT NOT NULL DEFAULT '',
    chat_id       BIGINT NOT NULL,
    reminder_hour INT NOT NULL DEFAULT 9 CHECK (reminder_hour BETWEEN 0 AND 23),
    nudges        BOOLEAN NOT NULL DEFAULT TRUE,
    digest        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A mediator post. Imported mediators exist before (or without) a Telegram
-- account, so the post has its own id and an optional user.
CREATE TABLE mediators (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identifier  TEXT NOT NULL UNIQUE,
    user_id     BIGINT UNIQUE REFERENCES users (telegram_id),
    departement TEXT NOT NULL CHECK (departement IN ('02', '59', '60', '62', '80')),
    structure   TEXT NOT NULL DEFAULT '',
    rural       BOOLEAN NOT NULL DEFAULT FALSE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mediators_departement ON mediators (departement);

CREATE TABLE coordinators (
    user_id     BIGINT PRIMARY KEY REFERENCES users (telegram_id),
    scope       TEXT NOT NULL CHECK (scope IN ('region', 'departement', 'structure')),
    departement TEXT CHECK (departement IN ('02', '59', '60', '62', '80')),
    structure   TEXT,
    CHECK (scope = 'region' OR departement IS NOT NULL),
    CHECK (scope <> 'structure' OR structure IS NOT NULL)
);

-- Only a hash of the code is kept: a leaked table cannot be used to register.
CREATE TABLE invitations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('mediator', 'coordinator', 'admin')),
    departement TEXT CHECK (departement IN ('02', '59', '60', '62', '80')),
    structure   TEXT,
    rural       BOOLEAN NOT NULL DEFAULT FALSE,
    scope       TEXT CHECK (scope IN ('region', 'departement', 'structure')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    used_by     BIGINT
);

-- People accompanied, pseudonymous: a code, never a name or a phone number.
-- sex/age/qpv/resources are the last known values, proposed again next time.
CREATE TABLE beneficiaries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    mediator_id BIGINT NOT NULL REFERENCES mediators (id),
    sex         TEXT CHECK (sex IN ('F', 'M', 'X')),
    age         INT CHECK (age BETWEEN 0 AND 120),
    age_on      DATE,
    qpv         TEXT CHECK (qpv IN ('oui', 'non')),
    resources   TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen   DATE
);
CREATE INDEX beneficiaries_mediator ON beneficiaries (mediator_id, last_seen DESC);

-- One accompaniment. id is chosen when the form starts (or comes from the
-- imported file), so saving is idempotent: a retry finds the row already there.
CREATE TABLE sheets (
    id                TEXT PRIMARY KEY,
    number            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    mediator_id       BIGINT NOT NULL REFERENCES mediators (id),
    beneficiary_id    BIGINT NOT NULL REFERENCES beneficiaries (id),
    date              DATE NOT NULL,
    sex               TEXT NOT NULL CHECK (sex IN ('F', 'M', 'X')),
    age               INT CHECK (age BETWEEN 0 AND 120),
    qpv               TEXT NOT NULL CHECK (qpv IN ('oui', 'non')),
    resources         TEXT NOT NULL,
    contact_mode      TEXT NOT NULL,
    level             TEXT NOT NULL CHECK (level IN ('informe', 'oriente', 'accompagne')),
    social_protection TEXT NOT NULL CHECK (social_protection IN ('oui', 'non')),
    obstacles         TEXT[] NOT NULL DEFAULT '{}',
    note              TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT 'bot' CHECK (source IN ('bot', 'import')),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sheets_mediator_date ON sheets (mediator_id, date);
CREATE INDEX sheets_date ON sheets (date);

CREATE TABLE requests (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_id          TEXT NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position          INT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('droits', 'soins')),
    type              TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('en_cours', 'resolue', 'non_resolue', 'abandonnee')),
    follow_up         DATE,
    status_changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at       TIMESTAMPTZ,
    last_reminded_on  DATE,
    UNIQUE (sheet_id, position)
);
CREATE INDEX requests_open_follow_up ON requests (follow_up) WHERE status = 'en_cours';

-- A scheduled job that ran for a period (a day, a week): inserted in the
-- transaction that sends, so several replicas and catch-up runs send once.
CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    period     TEXT NOT NULL,
    subject    BIGINT NOT NULL DEFAULT 0,
    ran_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job, period, subject)
);

CREATE TABLE exports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (telegram_id),
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    scope       TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to   DATE NOT NULL,
    format      TEXT NOT NULL
);

-- +goose Down
DROP TABLE exports, job_runs, requests, sheets, beneficiaries, invitations,
    coordinators, mediators, users;
