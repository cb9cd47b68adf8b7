"""A faithful local Zenodo: the deposit, bucket and records APIs over SQLite and files on disk.

from zenodo_sync.emulator import running_emulator
with running_emulator() as emu:
    emu.url, emu.token, emu.other_token, emu.config
"""

from zenodo_sync.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from zenodo_sync.emulator.server import EmulatorHandle, EmulatorServer, running_emulator

__all__ = ["DEFAULT_TOKEN", "EmulatorConfig", "EmulatorHandle", "EmulatorServer", "running_emulator"]
