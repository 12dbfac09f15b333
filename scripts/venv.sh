#!/usr/bin/env bash
# Create ./.venv with Python 3.11 unless it already exists with Python 3.11.
# 用 Python 3.11 创建 ./.venv（已存在且版本正确时不做任何事）。
#
#   scripts/venv.sh [VENV_DIR]        PYTHON=/path/to/python3.11 overrides the search
set -euo pipefail

VENV=${1:-.venv}

is_311() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' >/dev/null 2>&1
}

if [[ -x "$VENV/bin/python" ]] && is_311 "$VENV/bin/python"; then
    exit 0
fi

python=""
for candidate in ${PYTHON:-} python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && is_311 "$candidate"; then
        python=$(command -v "$candidate")
        break
    fi
done

if [[ -z "$python" ]]; then
    echo "venv: Python 3.11 is needed (python3.11, or python3 that is 3.11); none was found." >&2
    echo "venv: 需要 Python 3.11。Debian/Ubuntu: install python3.11 and python3.11-venv," >&2
    echo "      or set PYTHON=/path/to/python3.11 and run make again." >&2
    exit 1
fi

if [[ -e "$VENV" ]]; then
    echo "venv: $VENV is not a Python 3.11 environment; making it again." >&2
    rm -rf "$VENV"
fi
echo "+ $python -m venv $VENV" >&2
if ! "$python" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "venv: '$python -m venv' failed. On Debian/Ubuntu: apt-get install python3.11-venv" >&2
    exit 1
fi
