"""Shared fixtures. Tests talk to the emulator over real HTTP on 127.0.0.1."""
