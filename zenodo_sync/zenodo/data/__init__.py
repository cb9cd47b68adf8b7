"""Vocabulary data shipped with zsync (see generate_vocab.py)."""
