"""Every path the project uses, in one place.

``QUYHOACH_ROOT`` overrides the project root (for tests and installed copies).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("QUYHOACH_ROOT", PACKAGE_DIR.parents[1])).resolve()

DATA_DIR = PROJECT_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
BUILD_CONFIG = PROJECT_ROOT / "reports.yml"

RULES_DIR = PACKAGE_DIR / "rules"
LABELS_DIR = PACKAGE_DIR / "labels"
ASSETS_DIR = PACKAGE_DIR / "assets"

# Real public lists beside the project (absent in a user's clone): used by tests only.
SHARED_PUBLIC_DIR = PROJECT_ROOT.parent / "shared" / "data" / "public"
