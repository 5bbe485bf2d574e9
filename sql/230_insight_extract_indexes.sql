-- The insight extract (core/src/insight/ledger-source.ts, docs/analytics.md) reads each source in
-- bounded pages in (time, key) order after its watermark: WHERE t > ? OR (t = ? AND key > ?) ORDER BY
-- t, key LIMIT n. Without an index on (t, key) every run sorts the whole table to return one page, and
-- a year of gate passes and sign-ins is tens of millions of rows. Access events are read by the time
-- the core received them (created_at_ms; offline uploads carry old occurred_at_ms).
CREATE INDEX card_events_extract ON card_events (created_at_ms, id);
CREATE INDEX access_events_extract ON access_events (created_at_ms, id);
CREATE INDEX attendance_records_extract ON attendance_records (recorded_at_ms, session_id, person_no);
CREATE INDEX attendance_sessions_extract ON attendance_sessions (created_at_ms, id);
