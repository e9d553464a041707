"""Letter, email and SMS templates, PDF rendering and delivery that never double-sends
(docs/adr/0010-communications.md)."""
