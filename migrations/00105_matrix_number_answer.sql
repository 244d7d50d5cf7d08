-- +goose Up
-- A question answered by a number typed (« Âge ? », « Partenaires
-- sanitaires : 2 ») lists its choices by their words on Matrix: the
-- presenter must read « 1 » there as the number, not as the first choice.
ALTER TABLE matrix_people ADD COLUMN choices_number BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE matrix_people DROP COLUMN choices_number;
