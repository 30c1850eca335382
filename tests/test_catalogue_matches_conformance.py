"""The clause catalogue says 'tested' exactly for the clauses that have a conformance module."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_catalogue_agrees_with_conformance_modules():
    done = subprocess.run([sys.executable, "-m", "sipconform.clauses", "--check", str(ROOT / "conformance")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.rstrip().endswith(": OK")
