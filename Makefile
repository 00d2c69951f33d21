# Build, test and serve the book "Momentum, RMSProp, and Adam".
# A fresh machine needs only python3 and make: the first target creates .venv.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTML := _build/html
PORT ?= 8000

# An inherited backend (Agg, say) would stop the kernels from returning the
# inline PNG figures that the pages and the reference notebooks hold.
unexport MPLBACKEND

# Chapter sources that are notebooks (they carry a kernelspec), and their twins.
CHAPTER_NOTEBOOKS := $(shell grep -l '^kernelspec:' chapters/*.md 2>/dev/null)
TWINS := $(patsubst chapters/%.md,notebooks/%.ipynb,$(CHAPTER_NOTEBOOKS))

.PHONY: book book-student test test-bundles serve lab clean notebooks check-pairs venv lock mutation bench

venv: $(STAMP)

# The environment is the lock file's, package for package: requirements.txt
# states the ranges the book supports, requirements.lock the exact versions
# (every transitive package) that the twins in notebooks/ were executed with.
# --no-deps installs nothing the lock does not name; pip check then proves
# the lock complete.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/python -m pip check
	touch $@

# Resolve requirements.txt again into requirements.lock with uv (one
# resolution for every platform, for CPython 3.11 and later). After a
# refresh, `make notebooks` re-executes the twins with the new versions
# (a test fails until it has).
UV_VERSION := 0.13.8
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile requirements.txt --universal --python-version 3.11 --fork-strategy fewest \
	  --quiet --output-file requirements.lock

# Execution is cached in _build/.jupyter_cache, so a rebuild without changes
# re-executes nothing. -W turns every warning (a failed cell included) into a
# failed build; --keep-going reports all of them first.
book: $(STAMP)
	mkdir -p _build
	env -u MPLBACKEND $(BIN)/jupyter-book build . --builder html -W -n --keep-going 2>&1 | tee _build/build.log \
	  || { for log in $$(find $(HTML)/reports -name '*.log' 2>/dev/null); do echo "== $$log"; cat "$$log"; done; exit 1; }

# The student edition: the same book with every solution removed from the
# sources before the build (see scripts/student_edition.py), in _build/student/html.
book-student: $(STAMP)
	env -u MPLBACKEND $(BIN)/python scripts/student_edition.py --output _build/student/html

test: book
	$(BIN)/python -m pytest -n 2 --dist loadscope -m "not bundles" tests $(TWINS) --nbval --nbval-current-env

# Each notebook page's runnable bundle, downloaded from the served site and run
# in a fresh virtual environment (tests/test_bundles.py; a minute or more).
test-bundles: book
	$(BIN)/python -m pytest -n 2 -m bundles tests/test_bundles.py

serve: book
	@echo "Serving $(HTML) on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

# JupyterLab on the chapters: chapters/*.md open as notebooks through jupytext.
# Installed on first use only, since it slows the start-up of every build.
lab: $(STAMP)
	test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet --disable-pip-version-check 'jupyterlab>=4,<5'
	$(BIN)/jupyter lab --ip 127.0.0.1 --no-browser

clean:
	rm -rf _build .pytest_cache

define EXECUTE_IN_PLACE
import sys, nbformat
from importlib.metadata import version
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=300, record_timing=False,
               resources={"metadata": {"path": "notebooks"}}).execute()
notebook.metadata["executed_with"] = {name: version(name) for name in ("numpy", "matplotlib")}
nbformat.write(notebook, path)
endef
export EXECUTE_IN_PLACE

# The reference notebooks that nbval replays: each chapter notebook converted
# by jupytext, then executed in place (no timing metadata, so reruns diff
# cleanly), with the NumPy and Matplotlib versions it ran with in its metadata.
notebooks: $(STAMP)
	mkdir -p notebooks
	for md in $(CHAPTER_NOTEBOOKS); do \
	  nb=notebooks/$$(basename "$${md%.md}").ipynb; \
	  $(BIN)/jupytext --quiet --to ipynb --output "$$nb" "$$md"; \
	  $(BIN)/python -c "$$EXECUTE_IN_PLACE" "$$nb"; \
	done

check-pairs: $(STAMP)
	$(BIN)/python -m pytest tests/test_build.py -k "pairs or twin"

# Plant each bug of scripts/mutation.py in a temporary copy of HEAD and check
# that the unit tests fail; prints the kill count (all must be killed).
mutation: $(STAMP)
	$(BIN)/python scripts/mutation.py

# Performance figures against their budgets (issue 7): experiment time
# against a textbook NumPy baseline, "Run all" of the chapters, clean and
# cached builds and `make test` in a throw-away copy, page weight in Chromium.
# Prints a table; `make bench BENCH_ARGS="--only 1"` runs one item.
bench: $(STAMP)
	env -u MPLBACKEND $(BIN)/python scripts/bench.py $(BENCH_ARGS)
