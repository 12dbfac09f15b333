"""Staff pages of gig agreements: the list, the counter quick form, the agreement page
and its steps, and the development SMS outbox. The portal has its own views."""
