-- +goose Up
-- Reports of a département or a region read the rollups of its posts
-- only: by post first, these indexes find them without walking every
-- post's rows of the period (report_counts' and report_follow_up_days'
-- primary keys start with the day). Measured over ten years of a national
-- programme (BenchmarkReport10M, docs/performance.md).
CREATE INDEX report_counts_post ON report_counts (mediator_id, grain, day);
CREATE INDEX report_follow_up_days_post ON report_follow_up_days (mediator_id, what, day) INCLUDE (n);

-- +goose Down
DROP INDEX report_follow_up_days_post;
DROP INDEX report_counts_post;
