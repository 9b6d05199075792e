"""Start the bqemulator BigQuery emulator offline (runs in its own virtualenv).

bqemulator 1.4.0 runs `INSTALL spatial` at startup, which downloads a DuckDB
extension and aborts without internet (shared/PLATFORM_NOTES.md). The project
uses no GEOGRAPHY, so the spatial step becomes a no-op that also turns off
extension auto-install; everything else is the emulator's own CLI.
"""

from __future__ import annotations

import sys

from bqemulator.cli import main
from bqemulator.storage import engine


def _no_spatial(self) -> None:
    self._connection.execute("set autoinstall_known_extensions = false")


engine.DuckDBEngine._load_spatial = _no_spatial

if __name__ == "__main__":
    sys.exit(main())
