"""The bottom layer: settings, the clock and password hashing; imports nothing of lac's."""
