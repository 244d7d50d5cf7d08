-- +goose Up
-- A national coordinator sees every region a deployment serves side by
-- side: scope 'national', and no region of their own (region NULL, for
-- them only). Every other row keeps its region (the rows from before
-- regions were recorded belong to the Hauts-de-France, 32).
ALTER TABLE coordinators DROP CONSTRAINT coordinators_scope_check;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_scope_check CHECK (scope IN ('national', 'region', 'departement', 'structure'));
ALTER TABLE coordinators DROP CONSTRAINT coordinators_check;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_check CHECK (scope IN ('national', 'region') OR departement IS NOT NULL);
ALTER TABLE coordinators ALTER COLUMN region DROP NOT NULL;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_national_region_check CHECK ((scope = 'national') = (region IS NULL));
ALTER TABLE invitations DROP CONSTRAINT invitations_scope_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_scope_check CHECK (scope IN ('national', 'region', 'departement', 'structure'));
ALTER TABLE invitations ALTER COLUMN region DROP NOT NULL;
ALTER TABLE invitations ADD CONSTRAINT invitations_national_region_check CHECK ((COALESCE(scope, '') = 'national') = (region IS NULL));

-- +goose Down
DELETE FROM invitations WHERE scope = 'national';
DELETE FROM coordinators WHERE scope = 'national';
ALTER TABLE invitations DROP CONSTRAINT invitations_national_region_check;
ALTER TABLE invitations ALTER COLUMN region SET NOT NULL;
ALTER TABLE invitations DROP CONSTRAINT invitations_scope_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_scope_check CHECK (scope IN ('region', 'departement', 'structure'));
ALTER TABLE coordinators DROP CONSTRAINT coordinators_national_region_check;
ALTER TABLE coordinators ALTER COLUMN region SET NOT NULL;
ALTER TABLE coordinators DROP CONSTRAINT coordinators_check;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_check CHECK (scope = 'region' OR departement IS NOT NULL);
ALTER TABLE coordinators DROP CONSTRAINT coordinators_scope_check;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_scope_check CHECK (scope IN ('region', 'departement', 'structure'));
