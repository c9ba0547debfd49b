# The two set-up commands of the README:
#   make demo   create .venv, install the project, grade the bundled examples into reports/
#   make test   install what the tests need (incl. bubblewrap and chromium when root), run the suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test venv system-deps clean

$(BIN)/grader: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

venv: $(BIN)/grader

demo: venv
	@bash scripts/install-system-deps.sh bubblewrap
	$(BIN)/grader grade examples/class --out reports
	@echo "open reports/index.html (one page per student under reports/students/)"

system-deps:
	@bash scripts/install-system-deps.sh

test: venv system-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) reports/*/ reports/*.html
