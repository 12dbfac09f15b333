#!/usr/bin/env bash
# Make sure the system packages that PDF rendering and the tests need are installed
# (systemd only for systemd-analyze, which checks the deployment kit's units).
# 确认生成 PDF 和运行测试所需的系统软件包已安装。
#
#   scripts/system-packages.sh            check (and install) the default list
#   scripts/system-packages.sh PKG...     check (and install) these Debian packages instead
#
# The browser leg's packages are not in the default list (make run and make test need
# no browser): make browser-packages runs `scripts/system-packages.sh chromium
# chromium-l10n` (Debian's chromium for Playwright, and its Chinese UI strings), and make
# services-packages (a prerequisite of make test-services) `scripts/system-packages.sh
# pgbouncer` (the database settings are tested behind a real PgBouncer).
#
# Debian/Ubuntu: missing packages are installed with apt-get when run as root,
# else with `sudo -n` when sudo works without a password; otherwise the exact
# command is printed and the script exits with status 1.
# Elsewhere (no dpkg-query): the script says what is needed and carries on only
# if the libraries, the CJK font and the poppler tools are found some other way.
set -euo pipefail

DEFAULT_PACKAGES=(
    libpango-1.0-0      # WeasyPrint: text layout
    libpangoft2-1.0-0   # WeasyPrint: fonts through fontconfig
    libharfbuzz-subset0 # font subsetting: without it one PDF page costs seconds
    fonts-noto-cjk      # Noto Sans/Serif CJK SC for Chinese text
    fontconfig          # fc-list / font discovery
    poppler-utils       # pdftotext / pdftoppm, used by the tests
    systemd             # systemd-analyze: tests/test_deploy.py verifies the units in deploy/
    procps              # /bin/kill, which the web unit's ExecReload names (verified with it)
)

# Debian's own Python makes virtualenvs only with its pythonX.Y-venv package (a fresh
# Debian 12 lacks it). Checked once, before .venv exists, by making a throwaway one;
# a Python that dpkg does not own (pyenv, a build of one's own) is left alone.
venv_package() {
    [[ -x .venv/bin/python ]] && return 0
    local py
    py=$(command -v python3.11 || command -v python3.12 || command -v python3 || true)
    [[ -n "$py" ]] || return 0
    py=$(readlink -f "$py")
    dpkg-query -S "$py" >/dev/null 2>&1 || return 0
    local tmp
    tmp=$(mktemp -d)
    if ! "$py" -m venv "$tmp/venv" >/dev/null 2>&1; then
        "$py" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])'
    fi
    rm -rf "$tmp"
}

if [[ $# -gt 0 ]]; then
    PACKAGES=("$@")
else
    PACKAGES=("${DEFAULT_PACKAGES[@]}")
    if command -v dpkg-query >/dev/null 2>&1; then
        venv_pkg=$(venv_package)
        [[ -z "$venv_pkg" ]] || PACKAGES+=("$venv_pkg")
    fi
fi

say() { printf '%s\n' "$*" >&2; }

if ! command -v dpkg-query >/dev/null 2>&1; then
    say "system-packages: this is not a Debian/Ubuntu system (no dpkg-query)."
    say "  Needed: Pango (libpango-1.0, libpangoft2-1.0), HarfBuzz with subsetting"
    say "  (libharfbuzz-subset), fontconfig, a CJK font (Noto Sans/Serif CJK SC)"
    say "  and poppler's pdftotext/pdftoppm. Install them with your package manager."
    say "  需要：Pango、HarfBuzz 子集化库、fontconfig、思源/Noto CJK 中文字体、poppler 工具。"
    problems=()
    have_lib() {
        if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q "$1"; then
            return 0
        fi
        # macOS (Homebrew) and other layouts without ldconfig.
        compgen -G "/opt/homebrew/lib/$1*" >/dev/null || compgen -G "/usr/local/lib/$1*" >/dev/null
    }
    have_lib libpango-1.0 || problems+=("libpango-1.0")
    have_lib libpangoft2-1.0 || problems+=("libpangoft2-1.0")
    have_lib libharfbuzz-subset || problems+=("libharfbuzz-subset")
    if ! command -v fc-list >/dev/null 2>&1; then
        problems+=("fontconfig (fc-list)")
    elif ! fc-list ':lang=zh-cn' family 2>/dev/null | grep -qi 'CJK'; then
        problems+=("a Noto CJK font")
    fi
    command -v pdftotext >/dev/null 2>&1 || problems+=("pdftotext (poppler)")
    command -v pdftoppm >/dev/null 2>&1 || problems+=("pdftoppm (poppler)")
    if [[ ${#problems[@]} -gt 0 ]]; then
        say "system-packages: not found: ${problems[*]}"
        exit 1
    fi
    say "system-packages: the libraries, the CJK font and the poppler tools were found."
    exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
say "system-packages: missing: ${missing[*]}"

if [[ $(id -u) -eq 0 ]]; then
    say "+ $install_cmd"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    say "+ sudo sh -c '$install_cmd'"
    sudo -n apt-get update
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    say ""
    say "Install them as root, then run make again / 请以 root 身份执行以下命令后重新运行 make："
    say ""
    say "    sudo sh -c '$install_cmd'"
    say ""
    exit 1
fi
