-- +goose Up
-- The départements a row may name are those of the regions a deployment
-- serves (RELAIS_REGIONS, checked by the application against the embedded
-- Code officiel géographique), no longer the five of the Hauts-de-France;
-- the database keeps the shape of an INSEE département code. Coordinators
-- and invitations name their region: the rows from before belong to the
-- Hauts-de-France (32).
ALTER TABLE mediators DROP CONSTRAINT mediators_departement_check;
ALTER TABLE mediators ADD CONSTRAINT mediators_departement_check CHECK (departement ~ '^([0-9]{2}|2[AB]|97[0-9])$');
ALTER TABLE coordinators DROP CONSTRAINT coordinators_departement_check;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_departement_check CHECK (departement ~ '^([0-9]{2}|2[AB]|97[0-9])$');
ALTER TABLE invitations DROP CONSTRAINT invitations_departement_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_departement_check CHECK (departement ~ '^([0-9]{2}|2[AB]|97[0-9])$');
ALTER TABLE coordinators ADD COLUMN region TEXT NOT NULL DEFAULT '32' CHECK (region ~ '^[0-9]{2,3}$');
ALTER TABLE invitations ADD COLUMN region TEXT NOT NULL DEFAULT '32' CHECK (region ~ '^[0-9]{2,3}$');

-- +goose Down
ALTER TABLE invitations DROP COLUMN region;
ALTER TABLE coordinators DROP COLUMN region;
ALTER TABLE invitations DROP CONSTRAINT invitations_departement_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_departement_check CHECK (departement IN ('02', '59', '60', '62', '80'));
ALTER TABLE coordinators DROP CONSTRAINT coordinators_departement_check;
ALTER TABLE coordinators ADD CONSTRAINT coordinators_departement_check CHECK (departement IN ('02', '59', '60', '62', '80'));
ALTER TABLE mediators DROP CONSTRAINT mediators_departement_check;
ALTER TABLE mediators ADD CONSTRAINT mediators_departement_check CHECK (departement IN ('02', '59', '60', '62', '80'));
