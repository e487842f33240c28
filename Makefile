# streamdelta — `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared
export CORPUS_DIR ?= $(abspath $(SHARED))/corpus/fantasy

.PHONY: help venv dev run test test-rust test-python lint bench fuzz all clean wheel stubtest lint-ci fuzz-smoke soak figures constraints test-sdk-newest wheel-pythons test-wheels

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# constraints.txt pins what the requirements pull in too (`make constraints` writes it from .venv).
$(VENV)/.installed: requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip -c constraints.txt
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed ## create .venv and install the pinned tools from PyPI

dev: venv ## build the extension (release) into .venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH $(VENV)/bin/maturin develop --release --locked -q

run: dev ## parse the bundled sample streams and print what came out
	$(PY) -m streamdelta demo

test-rust: ## cargo test, clippy, fmt
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test -p streamdelta-core --locked --features arrow

lint: dev ## ruff, mypy (python/ and the README snippets), basedpyright (the snippets), stubtest, the release workflow schema
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/ruff format --check python tests benches
	$(VENV)/bin/mypy
	$(VENV)/bin/ruff check scripts
	$(PY) scripts/readme_snippets.py && $(VENV)/bin/mypy --strict target/readme
	$(VENV)/bin/basedpyright --warnings
	$(MAKE) --no-print-directory stubtest lint-ci

SDK_VENV := .venv-sdk-newest

test-sdk-newest: dev ## the SDK drop-in tests against the newest openai and anthropic in the extras' ranges (own venv)
	rm -rf $(SDK_VENV)
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install -q $$(grep -E '^(pytest|hypothesis|PyYAML)==' requirements-dev.txt)
	$(SDK_VENV)/bin/python -m pip install -q --upgrade $$($(SDK_VENV)/bin/python -c 'import tomllib; x = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]; print(*x["openai"], *x["anthropic"])')
	echo $(abspath python) > "$$($(SDK_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/streamdelta-dev.pth"
	$(SDK_VENV)/bin/python -c 'import anthropic, openai; print("openai", openai.__version__, "anthropic", anthropic.__version__)'
	$(SDK_VENV)/bin/pytest -q -p no:cacheprovider tests/test_integrations.py

stubtest: dev ## check the hand-written _core.pyi against the built extension
	$(PY) -m mypy.stubtest streamdelta._core --allowlist stubtest-allowlist.txt

lint-ci: venv ## validate .github/workflows against the GitHub workflow schema
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# The wheel tests (`-m wheel`) run in test-wheels, once for each WHEEL_PYTHONS version.
test-python: dev ## pytest but the wheel tests (benches run once, untimed)
	$(VENV)/bin/pytest -q -p no:cacheprovider --benchmark-disable -m "not wheel"

test: wheel-pythons test-rust lint fuzz-smoke test-wheels test-sdk-newest test-python ## everything CI runs (pytest last: its summary closes the log)

# CPython versions whose release wheels `make test` builds, installs in fresh venvs and tests: every
# one the project claims that this machine has ($(PYTHON) runs the whole suite on the editable build).
WHEEL_PYTHONS ?= 3.10 3.11 3.12 3.13

wheel-pythons: ## check that a CPython of each WHEEL_PYTHONS version is here; one line names one missing
	@scripts/wheel-pythons.sh $(WHEEL_PYTHONS) >/dev/null

# Two interpreters' suites at a time (each interpreter's tests on one worker; builds take turns).
WHEEL_JOBS ?= 2

test-wheels: venv ## a release wheel for each WHEEL_PYTHONS version, installed alone: the wheel suite, the README snippets
	pythons=$$(scripts/wheel-pythons.sh $(WHEEL_PYTHONS)) && \
	  STREAMDELTA_WHEEL_PYTHONS="$$pythons" $(VENV)/bin/pytest -q -p no:cacheprovider \
	    -n $(WHEEL_JOBS) --dist loadgroup tests/test_wheel.py

$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-bench.txt -c constraints.txt
	touch $@

bench: dev $(VENV)/.bench-installed ## time the benchmark suite; writes benches/report.{md,json,png} and the README table
	$(PY) benches/dump_corpus.py target
	cargo bench -p streamdelta-core --bench sse
	cargo bench -p streamdelta-core --bench eventstream
	cargo bench -p streamdelta-core --bench json
	cargo bench -p streamdelta-core --bench families
	cargo bench -p streamdelta-core --bench framing
	$(VENV)/bin/pytest benches -q -p no:cacheprovider --benchmark-only --benchmark-min-rounds=3 --benchmark-max-time=0.5 --benchmark-columns=min,ops --benchmark-sort=name --benchmark-json=target/bench.json
	$(PY) benches/report.py target/bench.json

all: test bench ## test, then bench

wheel: venv ## release wheel (this interpreter) and sdist into dist/, checked with twine
	rm -f dist/streamdelta-*
	$(VENV)/bin/maturin build --release --locked -i $(PY) -o dist
	$(VENV)/bin/maturin sdist -o dist
	$(VENV)/bin/twine check --strict dist/*

FUZZ_SMOKE_SECONDS ?= 10
FUZZ_SECONDS ?= 300

# The smoke run explores the same mutations on every machine (a fixed seed; a faster machine only
# goes further): a clean clone's CI fails on a regression, not on what a new draw happens to find.
# A finding of `make fuzz` goes into rust/fuzz/regressions, which every run replays first.
fuzz-smoke: venv ## a short libFuzzer run of every target (stable toolchain, fixed seed, part of `make test`)
	FUZZ_SEED=1 PYTHON=$(PY) scripts/fuzz.sh $(FUZZ_SMOKE_SECONDS)

soak: dev ## only the soak test: the corpus parsed 1,000 times, RSS must stay flat (prints the figures)
	$(VENV)/bin/pytest -q -p no:cacheprovider -s tests/test_robustness.py -k soak

figures: dev ## measure and print the figures the README quotes: memory, leaks (the soak), threads
	$(VENV)/bin/pytest -q -p no:cacheprovider -s tests/test_robustness.py -k "endless_line or soak or shared_by_threads"

fuzz: venv ## fuzz every target for FUZZ_SECONDS each (corpus grows in rust/fuzz/corpus)
	PYTHON=$(PY) scripts/fuzz.sh $(FUZZ_SECONDS)

constraints: ## rewrite constraints.txt from what .venv holds (after a change to a requirements file)
	$(PY) -m pip install -q -r requirements-dev.txt -r requirements-bench.txt
	{ echo "# Every package of \`make venv\` and \`make bench\`, pinned: \`make constraints\` writes it from .venv"; \
	  echo "# (pip freeze, Python $$($(PY) -c 'import platform; print(platform.python_version())')). Backports that older Pythons"; \
	  echo "# also pull in (exceptiongroup, tomli, ...) are not listed and install unpinned there."; \
	  $(PY) -m pip freeze --all --exclude-editable | grep -v '^setuptools=='; } > constraints.txt

clean: ## remove build output and the virtualenv
	cargo clean
	rm -rf $(VENV) $(SDK_VENV) python/streamdelta/_core*.so
