"""Install the hub packages of the Elementary / dbt_expectations integration.

The default build ships no packages.yml (dbt 1.11 refuses to parse a project
whose packages.yml names packages that are not installed, and the hub is not
always reachable). packages.hub.yml pins the packages instead; this module puts
them into dbt_packages/, from one of two places:

- a local directory (PROPS_DBT_PACKAGES_DIR, or --from): one sub-directory per
  package, each with its dbt_project.yml (an air-gapped team's mirror);
- the dbt package hub: `dbt deps` on a scratch project whose packages.yml is
  packages.hub.yml, installing into this project's dbt_packages/, so no
  packages.yml or package-lock.yml is ever left in the project.

dbt 1.11 loads every directory under dbt_packages/ without a packages.yml; the
`elementary_enabled` var then decides whether any of it builds or runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from props_contracts.errors import PropsContractsError, UsageError

HUB_FILE = "packages.hub.yml"
ENV_DIR = "PROPS_DBT_PACKAGES_DIR"


class PackageInstallError(PropsContractsError):
    """The hub packages could not be installed."""


@dataclass(frozen=True)
class HubPackage:
    hub_name: str  # e.g. elementary-data/elementary
    version: str

    @property
    def project_name(self) -> str:
        """The dbt project name, the directory it installs into (elementary, dbt_utils, ...)."""
        return self.hub_name.split("/", 1)[1]


def pinned_packages(project_dir: Path) -> list[HubPackage]:
    path = project_dir / HUB_FILE
    if not path.is_file():
        raise UsageError(f"{path} is missing: it pins the hub packages")
    doc = yaml.safe_load(path.read_text()) or {}
    out = []
    for entry in doc.get("packages") or []:
        if not isinstance(entry, dict) or "package" not in entry or "version" not in entry:
            raise UsageError(f"{path}: every entry needs `package` and `version`, got {entry!r}")
        out.append(HubPackage(str(entry["package"]), str(entry["version"])))
    if not out:
        raise UsageError(f"{path} lists no packages")
    return out


def _project_version(package_dir: Path) -> tuple[str, str]:
    """(name, version) from a package directory's dbt_project.yml."""
    project = package_dir / "dbt_project.yml"
    if not project.is_file():
        raise UsageError(f"{package_dir} has no dbt_project.yml: not a dbt package")
    doc = yaml.safe_load(project.read_text()) or {}
    return str(doc.get("name", "")), str(doc.get("version", ""))


def install_from_dir(project_dir: Path, source: Path) -> list[str]:
    """Copy each pinned package from `source/<name>` into dbt_packages/<name>.
    Returns one line per package installed."""
    source = source.expanduser().resolve()
    if not source.is_dir():
        raise UsageError(f"{ENV_DIR} / --from {source} is not a directory")
    packages = pinned_packages(project_dir)
    missing = [p.project_name for p in packages if not (source / p.project_name).is_dir()]
    if missing:
        raise UsageError(f"{source} lacks the package director{'ies' if len(missing) > 1 else 'y'} "
                         f"{', '.join(missing)} (one sub-directory per package, named like its dbt project)")
    target = project_dir / "dbt_packages"
    target.mkdir(exist_ok=True)
    lines = []
    for p in packages:
        src = source / p.project_name
        name, version = _project_version(src)
        if name != p.project_name:
            raise UsageError(f"{src}/dbt_project.yml names the project {name!r}, expected {p.project_name!r}")
        dest = target / p.project_name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".git", "integration_tests", "target",
                                                                 "dbt_packages", "logs"))
        # the dbt_project.yml version of some packages lags their tag: say what was copied
        lines.append(f"{p.project_name}: copied from {src} (pinned {p.hub_name} {p.version}; "
                     f"its dbt_project.yml says {version})")
    return lines


def install_from_hub(project_dir: Path) -> list[str]:
    """`dbt deps` against packages.hub.yml, in a scratch project installing into dbt_packages/."""
    packages = pinned_packages(project_dir)
    target = (project_dir / "dbt_packages").resolve()
    with tempfile.TemporaryDirectory(prefix="props-hub-deps-") as scratch:
        s = Path(scratch)
        (s / "dbt_project.yml").write_text(yaml.safe_dump({
            "name": "props_contracts_hub_deps", "version": "0.1.0", "config-version": 2,
            "profile": "props_contracts", "packages-install-path": str(target)}))
        shutil.copyfile(project_dir / HUB_FILE, s / "packages.yml")
        dbt = Path(sys.executable).with_name("dbt")
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        proc = subprocess.run([str(dbt), "deps", "--project-dir", str(s)], capture_output=True, text=True,
                              env=env, timeout=600, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
            raise PackageInstallError(
                f"`dbt deps` on {HUB_FILE} failed (exit {proc.returncode}); without the package hub, "
                f"point {ENV_DIR} at a directory holding the packages. dbt said:\n{tail}")
    missing = [p.project_name for p in packages if not (target / p.project_name / "dbt_project.yml").is_file()]
    if missing:
        raise PackageInstallError(f"`dbt deps` succeeded but dbt_packages/ lacks {', '.join(missing)}")
    return [f"{p.project_name}: {p.hub_name} {p.version} from the hub" for p in packages]


def installed(project_dir: Path) -> dict[str, str]:
    """Packages now under dbt_packages/: name -> dbt_project.yml version."""
    root = project_dir / "dbt_packages"
    if not root.is_dir():
        return {}
    out = {}
    for d in sorted(root.iterdir()):
        if d.is_dir() and (d / "dbt_project.yml").is_file():
            name, version = _project_version(d)
            out[name] = version
    return out
