-- +goose Up
-- When a post without an end date was closed (its mediator disabled): a
-- report for a past period counts the post if it was still open at some
-- point of the period, so it must not depend on today's mediators.active.
-- NULL on an active post; NULL on a closed one means closed at an unknown
-- time (before this column, mediator without an account), which counts in
-- no period, as before. Backfilled from the account's disabled_at.
ALTER TABLE mediators ADD COLUMN closed_at TIMESTAMPTZ;
UPDATE mediators m SET closed_at = u.disabled_at
FROM users u WHERE u.telegram_id = m.user_id AND NOT m.active AND u.disabled_at IS NOT NULL;

-- +goose Down
ALTER TABLE mediators DROP COLUMN closed_at;
