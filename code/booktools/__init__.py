"""booktools: the tooling of the book (build, portability and test helpers), beside ``optlab``."""
