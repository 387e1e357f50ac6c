# Sync Portal. Two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install messages migrate bench lint clean soak

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(PY) manage.py compiletranslations

migrate: install
	mkdir -p "$${SYNCPORTAL_DATA_DIR:-data}"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py migrate --noinput --database sandbox

run: messages migrate
	$(PY) manage.py sandbox seed --if-empty
	$(PY) manage.py ensure_demo
	$(PY) scripts/run_all.py

test: messages
	@if [ -x /usr/bin/chromium ]; then \
		$(PY) -m pytest --traffic-check $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "ERROR: Chromium (/usr/bin/chromium) is missing and CI=true: browser tests cannot run."; \
		echo "Install it with: apt-get install -y chromium"; exit 1; \
	else \
		echo "####################################################################"; \
		echo "# WARNING: /usr/bin/chromium is missing: BROWSER TESTS ARE SKIPPED. #"; \
		echo "# Install it with: apt-get install -y chromium                      #"; \
		echo "####################################################################"; \
		$(PY) -m pytest --traffic-check -m "not browser" $(PYTEST_ARGS); status=$$?; \
		echo "# WARNING: browser tests were skipped (no Chromium)."; exit $$status; \
	fi

bench: messages migrate
	$(PY) -m bench

# A longer randomised soak of the messy world (tests/scenarios/test_soak.py): make soak SEED=7 STEPS=2000
SEED ?= 1
STEPS ?= 300
soak: messages
	SOAK_SEED=$(SEED) SOAK_STEPS=$(STEPS) $(PY) -m pytest tests/scenarios/test_soak.py -q $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) data staticfiles

# The README's tour: the journey walk-through (tests/journey), against the real `make run` stack (tests/stack.py),
# writes its screenshots to docs/screenshots/.
.PHONY: screenshots
screenshots: messages
	SCREENSHOTS=1 $(PY) -m pytest tests/journey -q $(PYTEST_ARGS)
