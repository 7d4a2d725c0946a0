-- object_counts is kept by bumpCount (counts.go) in the writing
-- transaction instead of by triggers, so that every engine changes counts
-- in one function that each write showing or hiding an object calls. The
-- triggers kept the rows exact, so they stay as they are.

-- +goose Up
DROP TRIGGER groups_count_insert;
DROP TRIGGER groups_count_delete;
DROP TRIGGER groups_count_visibility;
DROP TRIGGER users_count_insert;
DROP TRIGGER users_count_delete;
DROP TRIGGER users_count_visibility;
