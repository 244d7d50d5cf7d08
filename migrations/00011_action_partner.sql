-- +goose Up
-- The co-animating partner picked from the mediator's registry (/partenaires);
-- partner_type stays the figure the indicators count.
ALTER TABLE actions ADD COLUMN partner_id BIGINT REFERENCES partners (id) ON DELETE SET NULL;
CREATE INDEX actions_partner ON actions (partner_id) WHERE partner_id IS NOT NULL;

-- +goose Down
DROP INDEX actions_partner;
ALTER TABLE actions DROP COLUMN partner_id;
