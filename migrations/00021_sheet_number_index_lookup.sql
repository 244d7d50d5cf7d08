-- +goose Up
-- The per-mediator sheet number (00020) looked up max(mediator_number) in a
-- PL/pgSQL statement whose plan is cached: planned while the table was
-- small, it scanned every sheet of the mediator, so a bulk INSERT of n
-- sheets took time in n² (a million-row insert never finished). The last
-- number is now read by a backward walk of the (mediator_id,
-- mediator_number) index, which stays one index probe whatever the plan.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sheets_mediator_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mediator_number IS NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('sheets_mediator_number'), NEW.mediator_id::int);
        SELECT s.mediator_number + 1 INTO NEW.mediator_number
        FROM sheets s WHERE s.mediator_id = NEW.mediator_id
        ORDER BY s.mediator_number DESC LIMIT 1;
        NEW.mediator_number := COALESCE(NEW.mediator_number, 1);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION sheets_mediator_number() RETURNS trigger LANGUAGE plpgsql AS $$
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
