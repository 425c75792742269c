"""`make bench`: lac against hand-written floors on real servers (see bench/README.md)."""
