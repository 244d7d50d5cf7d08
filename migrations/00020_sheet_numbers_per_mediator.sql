-- +goose Up
-- Each mediator's sheets are numbered 1, 2, 3… for them (issue 18): the
-- confirmation, /mesfiches and the follow-up messages show this number,
-- not the global one. A trigger gives it on every insert (bot and import),
-- under a per-mediator lock so two saves at once never share a number.
ALTER TABLE sheets ADD COLUMN mediator_number BIGINT;
UPDATE sheets s SET mediator_number = n.rn
FROM (SELECT id, row_number() OVER (PARTITION BY mediator_id ORDER BY number) AS rn FROM sheets) n
WHERE n.id = s.id;
ALTER TABLE sheets ALTER COLUMN mediator_number SET NOT NULL;
CREATE UNIQUE INDEX sheets_mediator_number ON sheets (mediator_id, mediator_number);

-- +goose StatementBegin
CREATE FUNCTION sheets_mediator_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mediator_number IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('sheets_mediator_number'), NEW.mediator_id::int);
        SELECT COALESCE(max(mediator_number), 0) + 1 INTO NEW.mediator_number
        FROM sheets WHERE mediator_id = NEW.mediator_id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER sheets_mediator_number BEFORE INSERT ON sheets
    FOR EACH ROW EXECUTE FUNCTION sheets_mediator_number();

-- +goose Down
DROP TRIGGER sheets_mediator_number ON sheets;
DROP FUNCTION sheets_mediator_number();
DROP INDEX sheets_mediator_number;
ALTER TABLE sheets DROP COLUMN mediator_number;
