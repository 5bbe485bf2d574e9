-- The backoffice's attendance pages (docs/admin.md) list the sessions that started within a range of
-- days; without this index every such query read every session ever synced.
CREATE INDEX attendance_sessions_starts ON attendance_sessions (starts_at_ms);
