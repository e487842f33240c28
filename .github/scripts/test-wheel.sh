#!/bin/sh
# Tests the streamdelta wheel in ./dist that fits this interpreter, installed (never the source tree):
# run from a copy of tests/ outside the checkout. POSIX sh: it also runs in Alpine (musllinux).
# The corpus is not in the repository: corpus tests skip (CI is unset for that), and the guard that
# insists on the corpus is left out; the rest run.
set -eu
PY=${PYTHON:-python}
$PY -m pip install -q --no-index --no-deps --only-binary=:all: --find-links dist streamdelta
$PY -m pip install -q "pyyaml>=6" "pytest>=8" "hypothesis>=6"
work=$(mktemp -d)
cp -R tests pyproject.toml "$work/"
cd "$work"
$PY -c "import streamdelta, sys; assert streamdelta.BACKEND == 'rust', streamdelta.BACKEND; print(streamdelta.__file__)"
$PY -m streamdelta demo > /dev/null
# The test modules are Python 3.11 code; on 3.10 the import and the demo above are the test.
if $PY -c "import sys; sys.exit(sys.version_info < (3, 11))"; then
    CI= $PY -m pytest -q -p no:cacheprovider -m "not wheel" -k "not corpus_is_present" $($PY tests/wheel_suite.py)
fi
