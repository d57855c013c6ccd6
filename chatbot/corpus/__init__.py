"""The corpus: document formats → records, and the library that holds them."""
