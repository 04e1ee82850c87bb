"""Events, themes and sessions as organisers prepare them; the demo data and its seeding."""
