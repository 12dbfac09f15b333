"""System checks of the case core (calendar coverage)."""
