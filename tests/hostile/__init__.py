"""A corpus of hostile and broken repositories (``files/``) and the cases generated at test
time (huge, deeply nested, symlinked, special and oddly named files): see ``tree.py``."""
