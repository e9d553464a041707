"""Letter, email and SMS templates, PDF rendering and delivery that never double-sends.
Arrives with the communications issue."""
