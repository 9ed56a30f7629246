"""Check-ins: when they are due, what they say, a person's settings and places."""
