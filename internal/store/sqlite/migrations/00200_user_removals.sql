-- user_removals counts the times a user stopped being visible (deleted,
-- soft or for good), by any process writing the file. Provisioning
-- resolves its users' names before the write transaction; the writer
-- then skips its check that every id is still a visible user when the
-- count has not moved since the ids were known visible (provision.go).
-- The triggers count every way a user goes, so that no code path has
-- to remember to.

-- +goose Up
CREATE TABLE user_removals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO user_removals (id, n) VALUES (1, 0);
-- +goose StatementBegin
CREATE TRIGGER users_removed_delete AFTER DELETE ON users WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE user_removals SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER users_removed_soft AFTER UPDATE OF deleted_at ON users
    WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL BEGIN
    UPDATE user_removals SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

