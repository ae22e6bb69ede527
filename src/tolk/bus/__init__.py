"""Message buses behind one interface (one module each), and the outbox relay that feeds them."""
