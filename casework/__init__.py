"""People and places (contacts, households, organisations, properties, tenancies), regions and
patches; cases and their chevron state machines arrive with the casework issue."""
