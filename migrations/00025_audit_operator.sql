-- +goose Up
-- The command line's audit lines say who ran it: the operator's login
-- ($SUDO_USER, else $USER, else 'inconnu'). NULL for the bot's lines
-- (actor says who) and the scheduled jobs'.
ALTER TABLE audit ADD COLUMN operator TEXT;

-- +goose Down
ALTER TABLE audit DROP COLUMN operator;
