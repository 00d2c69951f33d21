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

# OpenBLAS's threads spin on the pages' small batched matrix products: with
# two kernels or two test workers on two cores they only take CPU from each
# other (one page alone: the same wall time with one thread, half the CPU;
# make test: 156 -> 141 s). The printed outputs are the same either way.
export OPENBLAS_NUM_THREADS ?= 1

# An inherited backend (Agg, say) would stop the kernels from returning the
# inline PNG figures that the pages and the reference notebooks hold.
unexport MPLBACKEND

# Chapter sources that are notebooks (pages of _toc.yml with a kernelspec, as
# booktools.toc decides for the tests and the benchmark too), and their twins.
# Expanded where used, after .venv exists.
CHAPTER_NOTEBOOKS = $(shell $(BIN)/python -m booktools.toc --notebooks)
TWINS = $(patsubst chapters/%.md,notebooks/%.ipynb,$(CHAPTER_NOTEBOOKS))

# What the chapter notebooks run: a change here re-executes them.
OPTLAB_SOURCES := $(wildcard code/optlab/*.py code/optlab/*/*.py)

.PHONY: book book-student pdf pdf-student test-pdf lab-env test test-system test-portability test-bundles serve lab clean notebooks twins check-pairs venv lock mutation bench

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
# resolution for every platform, for CPython 3.11 and later), and
# requirements-lab.txt on top of it, without moving a locked version. After a
# refresh, `make notebooks` re-executes the twins with the new versions
# (a test fails until it has).
UV_VERSION := 0.13.8
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip compile requirements.txt --universal --python-version 3.11 --fork-strategy fewest \
	  --quiet --output-file requirements.lock
	grep -v '^-e' requirements.lock > $(VENV)/lock-constraints.txt
	$(BIN)/uv pip compile requirements.txt requirements-lab.txt --constraint $(VENV)/lock-constraints.txt \
	  --universal --python-version 3.11 --fork-strategy fewest --quiet --output-file requirements-lab.lock

# The chapter notebooks that the execution cache lacks, executed two at a time
# before the build, which then takes their outputs from the cache
# (booktools/execute_ahead.py); the stamp spares the check when no page and
# no optlab source changed.
EXECUTED_AHEAD := _build/.executed-ahead
$(EXECUTED_AHEAD): $(wildcard chapters/*.md) $(OPTLAB_SOURCES) _config.yml | $(STAMP)
	mkdir -p _build
	$(BIN)/python -m booktools.execute_ahead
	touch $@

# Execution is cached in _build/.jupyter_cache, so a rebuild without changes
# re-executes nothing. -W turns every warning (a failed cell included) into a
# failed build; --keep-going reports all of them first.
book: $(STAMP) $(EXECUTED_AHEAD)
	mkdir -p _build
	$(BIN)/python -m booktools.race_data  # the applet's tables, from optlab.race's roster
	env -u MPLBACKEND $(BIN)/jupyter-book build . --builder html -W -n --keep-going 2>&1 | tee _build/build.log \
	  || { for log in $$(find $(HTML)/reports -name '*.log' 2>/dev/null); do echo "== $$log"; cat "$$log"; done; exit 1; }

# The PDF edition through Sphinx's LaTeX and XeLaTeX, in _build/latex. Needs
# Debian's texlive-latex-recommended, texlive-latex-extra,
# texlive-fonts-recommended, texlive-xetex, latexmk and fonts-lmodern
# (.ci/run installs them). A reference that LaTeX finds undefined fails the
# target (booktools.latex_log). make pdf-student: the same without the
# solutions, marked "Student edition", in _build/student/. Each copies its PDF
# into the built site, where every page's download menu links it.
PDF_NAME := momentum-rmsprop-adam.pdf
STUDENT_PDF_NAME := momentum-rmsprop-adam-student.pdf
pdf: $(STAMP)
	mkdir -p _build
	env -u MPLBACKEND $(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going 2>&1 | tee _build/pdf.log
	$(BIN)/python -m booktools.latex_log _build/latex/$(PDF_NAME:.pdf=.log)
	if [ -d $(HTML) ]; then cp _build/latex/$(PDF_NAME) $(HTML)/; fi
	@echo "PDF: _build/latex/$(PDF_NAME)"

pdf-student: $(STAMP)
	env -u MPLBACKEND $(BIN)/python -m booktools.student_edition --builder pdflatex --output _build/student/$(STUDENT_PDF_NAME)
	if [ -d $(HTML) ]; then cp _build/student/$(STUDENT_PDF_NAME) $(HTML)/; fi

test-pdf: pdf pdf-student book
	$(BIN)/python -m pytest -m pdf tests/book/test_pdf.py tests/book/test_numbering.py

# The student edition: the same book with every solution removed from the
# sources before the build (see booktools/student_edition.py), in _build/student/html.
book-student: $(STAMP)
	env -u MPLBACKEND $(BIN)/python -m booktools.student_edition --output _build/student/html

# Two workers; each module (or notebook) runs whole on one of them, in the
# order tests/conftest.py gives (the longest first), which
# --no-loadscope-reorder keeps. Used by test and test-system.
TWO_WORKERS = -n 2 --dist loadscope --no-loadscope-reorder

test: book
	$(BIN)/python -m pytest $(TWO_WORKERS) -m "not bundles and not pdf and not portability and not system" tests $(TWINS) --nbval --nbval-current-env

# The book as a whole (tests marked system; about a minute): every page
# of the site in Chromium (console, requests, MathJax, alt text, axe-core),
# JupyterLab on the chapter's bundle, the student edition, and copies of the
# book built with a planted cell error and with a new optimizer. Run it before
# landing a change to the site's pages, their build or the package's roster;
# CI runs it after make test.
test-system: book lab-env
	$(BIN)/python -m pytest $(TWO_WORKERS) -m system tests

# The numeric tests and the notebooks replayed under older NumPy kernels and
# with nudged last bits (tests/book/test_portability.py; a few minutes). Run
# it before landing a change to what a page prints; CI runs it after make test.
test-portability: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope -m portability tests/book/test_portability.py

# Each notebook page's runnable bundle, downloaded from the served site and run
# in a fresh virtual environment (tests/book/test_bundles.py; a minute or more).
test-bundles: book
	$(BIN)/python -m pytest -n 2 -m bundles tests/book/test_bundles.py

serve: book
	@echo "Serving $(HTML) on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

# JupyterLab on the chapters, with MyST rendered (jupyterlab-myst) and
# nbconvert: requirements-lab.lock (the book's lock and JupyterLab on top),
# installed on first use into an environment of its own, .venv-lab. In .venv
# it would slow every process that reads a notebook: JupyterLab's
# dependencies make jsonschema, which nbformat imports, parse a grammar at
# import (0.9 s a process), which cost `make book` 1.2 s without a change and
# `make test` about a tenth of its CPU. The kernel of a notebook opened in JupyterLab
# is .venv-lab's Python, where optlab is installed (editable) too. As root
# (in a container, say) JupyterLab needs --allow-root, which is then added.
LAB_VENV := .venv-lab
LAB_STAMP := $(LAB_VENV)/.installed
$(LAB_STAMP): requirements-lab.lock pyproject.toml
	test -x $(LAB_VENV)/bin/python || $(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-lab.lock
	$(LAB_VENV)/bin/python -m pip check
	touch $@

lab-env: $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(LAB_VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf _build .pytest_cache

# Reads a notebook from standard input, executes it as if it lay in notebooks/
# and writes it to the path given, only when every cell ran.
define EXECUTE_TWIN
import sys, nbformat
from importlib.metadata import version
from nbclient import NotebookClient
notebook = nbformat.read(sys.stdin, as_version=4)
NotebookClient(notebook, timeout=300, record_timing=False,
               resources={"metadata": {"path": "notebooks"}}).execute()
notebook.metadata["executed_with"] = {name: version(name) for name in ("numpy", "matplotlib")}
nbformat.write(notebook, sys.argv[1])
endef
export EXECUTE_TWIN

# The reference notebooks that nbval replays: each chapter notebook converted
# by jupytext, then executed (no timing metadata, so reruns diff cleanly),
# with the NumPy and Matplotlib versions it ran with in its metadata. One
# rule per twin: only a twin older than its chapter, the optlab sources or
# the lock is executed again, and `make -j2 notebooks` executes two at once.
# A twin is written only when its notebook ran to the end, so a failed one
# stays out of date. The list of twins needs .venv, hence the second make.
notebooks: $(STAMP)
	$(MAKE) --no-print-directory twins

twins: $(TWINS)

notebooks/%.ipynb: chapters/%.md $(OPTLAB_SOURCES) requirements.lock | $(STAMP)
	mkdir -p notebooks
	$(BIN)/jupytext --quiet --to ipynb --output - $< | $(BIN)/python -c "$$EXECUTE_TWIN" $@

check-pairs: $(STAMP)
	$(BIN)/python -m pytest tests/unit/test_sources.py -k "pairs or twin"

# Plant each bug of booktools/mutation.py in a temporary copy of HEAD and check
# that the unit tests fail; prints the kill count (all must be killed).
mutation: $(STAMP)
	$(BIN)/python -m booktools.mutation

# Performance figures against their budgets (issue 7): experiment time
# against a textbook NumPy baseline, "Run all" of the chapters, clean and
# cached builds and `make test` in a throw-away copy, page weight in Chromium.
# Prints a table; `make bench BENCH_ARGS="--only 1"` runs one item.
bench: $(STAMP)
	env -u MPLBACKEND $(BIN)/python -m booktools.bench $(BENCH_ARGS)
