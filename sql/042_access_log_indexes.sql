-- The access log (docs/passage.md) is read by time range, newest first, for the whole campus or a person
-- (a door or building narrows through passage_door_devices). Without these, a day's log of a busy campus
-- scans every event ever recorded.
CREATE INDEX access_events_time ON access_events (occurred_at_ms, id);
CREATE INDEX access_events_person ON access_events (person_no, occurred_at_ms);
