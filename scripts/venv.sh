#!/usr/bin/env bash
# Create ./.venv with a supported Python (3.11 or 3.12) unless it already exists with one.
# 用受支持的 Python（3.11 或 3.12）创建 ./.venv（已存在且版本受支持时不做任何事）。
#
#   scripts/venv.sh [VENV_DIR]        PYTHON=/path/to/python3.x overrides the search
#
# Debian 12 ships Python 3.11, Ubuntu 24.04 Python 3.12; both are tested (README,
# "Supported systems"). 3.11 is preferred when both are installed.
set -euo pipefail

VENV=${1:-.venv}

is_supported() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)' \
        >/dev/null 2>&1
}

if [[ -x "$VENV/bin/python" ]] && is_supported "$VENV/bin/python"; then
    exit 0
fi

python=""
for candidate in ${PYTHON:-} python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && is_supported "$candidate"; then
        python=$(command -v "$candidate")
        break
    fi
done

if [[ -z "$python" ]]; then
    echo "venv: Python 3.11 or 3.12 is needed (python3.11, python3.12 or python3); none was found." >&2
    echo "venv: 需要 Python 3.11 或 3.12。Debian 12: apt-get install python3 python3-venv;" >&2
    echo "      Ubuntu 24.04: apt-get install python3 python3-venv;" >&2
    echo "      or set PYTHON=/path/to/python3.x and run make again." >&2
    exit 1
fi

if [[ -e "$VENV" ]]; then
    echo "venv: $VENV is not a Python 3.11/3.12 environment; making it again." >&2
    rm -rf "$VENV"
fi
echo "+ $python -m venv $VENV" >&2
if ! "$python" -m venv "$VENV"; then
    rm -rf "$VENV"
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    echo "venv: '$python -m venv' failed. On Debian/Ubuntu: apt-get install python$version-venv" >&2
    exit 1
fi
