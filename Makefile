# OCOP Market — the two commands are `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
# The app reads its SECRET_KEY from this file when the environment has none (app/security.py).
SECRET_KEY_FILE ?= $(CURDIR)/instance/secret_key
export SECRET_KEY_FILE

.PHONY: run dev prepare test install install-test translations lint bench bench-search clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations --statistics

# A random key, made on the first start only (mode 0600): sessions survive restarts.
$(SECRET_KEY_FILE):
	@mkdir -p $(dir $@)
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@.tmp && mv $@.tmp $@
	@echo "wrote a new SECRET_KEY to $@"

prepare: install $(SECRET_KEY_FILE)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) search reindex

# A production WSGI server (gunicorn, deploy/gunicorn.conf.py): WEB_CONCURRENCY workers × THREADS threads.
run: prepare
	PORT=$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

# Flask's reloader and debugger, for development only.
dev: prepare
	$(FLASK) run --debug --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

# Pages beside a Flask hello-world (bench/run.py; needs wrk, and PostgreSQL for --db postgres).
# A subset: make bench ARGS="--sizes demo,1000 --db sqlite --targets home,product"
$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	touch $@

bench: $(VENV)/.installed-bench translations
	$(BIN)/python bench/run.py $(ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance/ocop.sqlite3 instance/search-index .pytest_cache
