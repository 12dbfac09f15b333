"""The public market directory: every market's public fields as a page, JSON and GeoJSON
feeds, a map, each market's sealed card, and the monthly figures its supervisors enter
(docs/architecture.md, "The public market directory")."""
