-- +goose Up
-- The key of the audit's fingerprints of beneficiary codes (HMAC-SHA256),
-- generated once when RELAIS_AUDIT_KEY is not set: a plain hash of a code
-- (31^6 of them) is reversed by trying them all. One row, written by the
-- first process to start (INSERT … ON CONFLICT DO NOTHING, then read).
CREATE TABLE audit_key (
    id         BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    key        BYTEA NOT NULL CHECK (length(key) >= 32),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The codes erased at the person's request (relais forget), by their keyed
-- fingerprint, never the code: such a code is refused at every save, so a
-- draft or a retry cannot bring the person back. Kept beyond the retention:
-- it is what makes the erasure last.
CREATE TABLE forgotten_codes (
    fingerprint  TEXT PRIMARY KEY,
    forgotten_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE forgotten_codes, audit_key;
