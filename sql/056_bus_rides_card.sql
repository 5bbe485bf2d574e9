-- A rider's own bus rides in the mini-program (#15, docs/visitors-meetings-bus.md): newest first, paged by
-- (occurred_at_ms, device_id, sequence), so the card's rides are read through an index, not the table.
CREATE INDEX bus_rides_card ON bus_rides (card_no, occurred_at_ms, device_id, sequence);
