# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Local development: debug on, SQLite unless DATABASE_URL says otherwise.
export DJANGO_DEBUG ?= 1

.PHONY: run test install lint bench check clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The README's manage.py commands read this file, so they work without exporting DJANGO_DEBUG.
# Never written over: edit it freely (production sets its variables in the environment instead).
.env:
	printf '# Local development settings (written by make; see config/settings.py).\nDJANGO_DEBUG=1\n' > $@

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_kb
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

$(VENV)/.bench-installed: $(VENV)/.installed requirements-bench.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

# Each benchmark prints medians and ratios against a baseline measured in the same run. Every one
# runs even when an earlier one misses its target; the exit status says whether any did.
bench: $(VENV)/.bench-installed
	@command -v wrk >/dev/null || { echo "== wrk for bench/api.py (Debian's package)"; apt-get update -qq && apt-get install -y -qq wrk; }
	@failed=""; for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "== target missed or run failed:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
