"""Pages of gig agreements: for staff the list, the counter quick form, the agreement page
and its steps, and the development SMS outbox; for the parties, the portal pages
(views/portal.py, registered in the portal)."""
