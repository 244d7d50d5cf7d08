-- +goose Up
-- A person who does not know whether they live in a priority neighbourhood
-- answers « Ne sait pas » (code 'nsp', issue 25); reports count it as non
-- renseigné (neither 'oui' nor 'non').
ALTER TABLE sheets DROP CONSTRAINT sheets_qpv_check;
ALTER TABLE sheets ADD CONSTRAINT sheets_qpv_check CHECK (qpv IN ('oui', 'non', 'nsp'));
ALTER TABLE beneficiaries DROP CONSTRAINT beneficiaries_qpv_check;
ALTER TABLE beneficiaries ADD CONSTRAINT beneficiaries_qpv_check CHECK (qpv IN ('oui', 'non', 'nsp'));

-- +goose Down
-- A person's last known value is only a proposal: unknown again. A sheet
-- answered 'nsp' cannot be told 'oui' or 'non': the constraint below then
-- refuses to go back rather than invent an answer.
UPDATE beneficiaries SET qpv = NULL WHERE qpv = 'nsp';
ALTER TABLE beneficiaries DROP CONSTRAINT beneficiaries_qpv_check;
ALTER TABLE beneficiaries ADD CONSTRAINT beneficiaries_qpv_check CHECK (qpv IN ('oui', 'non'));
ALTER TABLE sheets DROP CONSTRAINT sheets_qpv_check;
ALTER TABLE sheets ADD CONSTRAINT sheets_qpv_check CHECK (qpv IN ('oui', 'non'));
