-- The places a host may offer a visitor (door groups, gates, buildings), each with the name hosts see,
-- chosen by the security office: a JSON array of {id, name}. Empty until configured.
ALTER TABLE visitor_policy ADD COLUMN offered_places TEXT NULL;
