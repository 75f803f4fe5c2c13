"""What changes or reads joint calls, offers and awards, each rule in the module it concerns."""
