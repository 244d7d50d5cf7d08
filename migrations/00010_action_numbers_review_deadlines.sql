-- +goose Up
-- An action gets a number for its confirmation, as a sheet does; the id
-- chosen when the form starts keeps saving idempotent.
ALTER TABLE actions ADD COLUMN number BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE;
CREATE INDEX actions_date ON actions (date);

-- The deadline to fill (and edit) the annual review of a year, set by the
-- coordinators. Without a row it is 31 January of the following year.
CREATE TABLE review_deadlines (
    year       INT PRIMARY KEY,
    deadline   DATE NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reviews_year ON reviews (year);

-- +goose Down
DROP INDEX reviews_year;
DROP TABLE review_deadlines;
DROP INDEX actions_date;
ALTER TABLE actions DROP COLUMN number;
