"""props-contracts: data-quality contracts for an NBA player-props pipeline."""

from pathlib import Path

__version__ = "0.1.0"


def project_root() -> Path:
    """The dbt project directory (the repository root)."""
    return Path(__file__).resolve().parents[2]


def artifacts_root(project_dir: Path | None = None) -> Path:
    """dbt's artifacts directory: DBT_TARGET_PATH when set (as dbt itself reads it;
    relative to the project), else <project>/target. Two checkouts' jobs, or two
    test workers, each with their own, never read each other's manifest."""
    import os

    project_dir = project_dir or project_root()
    configured = os.environ.get("DBT_TARGET_PATH", "").strip()
    if not configured:
        return project_dir / "target"
    path = Path(configured)
    return path if path.is_absolute() else project_dir / path
