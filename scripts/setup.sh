#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian machine for sipconform:
# the reference DUTs (kamailio with its TLS and WebSocket modules, baresip), SIPp, tshark, headless Chromium (renders the reports in
# tests/report), then the package itself (editable).
# A second run installs nothing and takes about a second.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGES=(kamailio kamailio-extra-modules kamailio-tls-modules kamailio-websocket-modules baresip sip-tester tshark chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
    # dpkg -s succeeds for removed-but-configured packages too; check the status line.
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if ((${#missing[@]})); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: apt-get not found; install these packages by hand: ${missing[*]}" >&2
        exit 1
    fi
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "setup.sh: not root and no sudo; as root run: apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive   # tshark asks a debconf question otherwise
    echo "setup.sh: installing ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "setup.sh: system packages present (${PACKAGES[*]})"
fi

# Python dependencies (pytest, xdist, hypothesis, allure, dnslib for the RFC 3263 DNS server) come from
# pyproject.toml. The kamailio reference DUTs resolve through the suite's DNS server in a mount namespace of
# their own (unshare and mount, from util-linux, always present on Debian; root only).
PY="${PYTHON:-python3}"
# Skip pip when sipconform is already installed editable from this checkout and every
# requirement in its metadata is satisfied (pip install -e takes seconds even as a no-op).
if "$PY" - "$REPO" <<'PYEOF' 2>/dev/null
import sys, pathlib, importlib.util, importlib.metadata as md
from packaging.requirements import Requirement
spec = importlib.util.find_spec("sipconform")
origin = pathlib.Path(spec.origin).resolve() if spec and spec.origin else None
if not origin or pathlib.Path(sys.argv[1], "src").resolve() not in origin.parents:
    sys.exit(1)
for line in md.requires("sipconform") or []:
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        continue  # an optional extra ([bench]) or another platform
    if not req.specifier.contains(md.version(req.name), prereleases=True):
        sys.exit(1)
PYEOF
then
    echo "setup.sh: sipconform already installed editable from $REPO, requirements satisfied"
else
    echo "setup.sh: pip install -e $REPO"
    "$PY" -m pip install -q -e "$REPO"
fi
