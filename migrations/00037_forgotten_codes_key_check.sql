-- +goose Up
-- Which audit key each forgotten code's fingerprint was made with, as a
-- keyed check value (HMAC of a constant, never the key): a store opened
-- with another key would no longer recognise the erased codes, so it
-- refuses to start instead. NULL: written before this column, read as
-- made with the key of the next start.
ALTER TABLE forgotten_codes ADD COLUMN key_check TEXT;

-- +goose Down
ALTER TABLE forgotten_codes DROP COLUMN key_check;
