-- +goose Up
-- Issue 15: the report's definitions.
-- A post's start and end dates: a post counts for a period when it was
-- active during it (Relais cannot tell from `active`, which is today).
ALTER TABLE mediators
    ADD COLUMN post_start DATE,
    ADD COLUMN post_end   DATE,
    ADD CONSTRAINT mediators_post_dates CHECK (post_end IS NULL OR post_start IS NULL OR post_end >= post_start);

-- The annual review's declared counts (the report's Annexe 1 is computed
-- from them), the publics of the partners and the obstacles seen.
ALTER TABLE reviews
    ADD COLUMN declared_people            INT CHECK (declared_people >= 0),
    ADD COLUMN declared_people_qpv        INT CHECK (declared_people_qpv >= 0),
    ADD COLUMN declared_rights            INT CHECK (declared_rights >= 0),
    ADD COLUMN declared_care              INT CHECK (declared_care >= 0),
    ADD COLUMN declared_social_protection INT CHECK (declared_social_protection >= 0),
    ADD COLUMN publics                    TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN obstacles                  TEXT[] NOT NULL DEFAULT '{}';

-- An action co-animated may also be co-built with the inhabitants (the
-- report counts it in both), and have several co-animating partners: the
-- other partners' types beside partner_type.
ALTER TABLE actions
    ADD COLUMN cobuilt             BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN other_partner_types TEXT[] NOT NULL DEFAULT '{}';

-- Resolution as of a period's end: the rollups hold today's status, the
-- few requests resolved after the period's end are found by this index.
CREATE INDEX requests_resolved_at ON requests (resolved_at) WHERE status = 'resolue';

-- +goose Down
ALTER TABLE actions DROP COLUMN other_partner_types, DROP COLUMN cobuilt;
DROP INDEX requests_resolved_at;
ALTER TABLE reviews
    DROP COLUMN obstacles, DROP COLUMN publics, DROP COLUMN declared_social_protection, DROP COLUMN declared_care,
    DROP COLUMN declared_rights, DROP COLUMN declared_people_qpv, DROP COLUMN declared_people;
ALTER TABLE mediators DROP CONSTRAINT mediators_post_dates, DROP COLUMN post_end, DROP COLUMN post_start;
