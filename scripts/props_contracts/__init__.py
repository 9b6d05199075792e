"""props-contracts: data-quality contracts for an NBA player-props pipeline."""

from pathlib import Path

__version__ = "0.1.0"


def project_root() -> Path:
    """The dbt project directory (the repository root)."""
    return Path(__file__).resolve().parents[2]
