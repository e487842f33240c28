#!/usr/bin/env bash
# Prints the path of a CPython for each version given (`3.10 3.13`), one a line: `pythonX.Y` on PATH
# if it runs (a pyenv shim of a version that is installed but not selected does not), else the newest
# pyenv-installed X.Y. Fails with one line naming the first version missing.
set -euo pipefail
for version in "$@"; do
    found=""
    if "python$version" -c '' >/dev/null 2>&1; then
        found=$(command -v "python$version")
    elif command -v pyenv >/dev/null; then
        for candidate in "$(pyenv root)/versions/$version".*/bin/"python$version"; do
            [ -x "$candidate" ] && found=$candidate
        done
    fi
    if [ -z "$found" ]; then
        echo "wheel tests: CPython $version is missing (no python$version that runs, none under pyenv);" \
            "install it (e.g. pyenv install $version) or set WHEEL_PYTHONS to the versions to test" >&2
        exit 1
    fi
    echo "$found"
done
