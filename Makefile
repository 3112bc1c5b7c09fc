# CNN 基础 — every command a contributor needs. Only Python 3.11 and pip are assumed.
#   make serve   set up the docs environment and preview the site on http://127.0.0.1:8000
#   make test    set up everything (including Chromium for the browser tests) and run all tests

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
export NO_MKDOCS_2_WARNING := 1

# Root can install Debian packages directly; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: .chromium help serve build test lint outputs runs experiments figures notebooks bench compression regenerate screenshots lock vendor-katex vendor-font clean pdf bundle pages

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet pip==26.3

# pyproject.toml pins what the book uses directly; constraints.txt pins everything they pull in
# (Markdown, nbconvert, … that the hooks rely on), so every machine gets the same set.
$(VENV)/.docs: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet --constraint constraints.txt --group docs
	touch $@

$(VENV)/.test: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet --constraint constraints.txt --group test
	touch $@ $(VENV)/.docs $(VENV)/.pdf

$(VENV)/.pdf: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet --constraint constraints.txt --group pdf
	touch $@ $(VENV)/.docs

.chromium:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { \
	  $(SUDO) apt-get install -y chromium fonts-noto-cjk \
	  || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-noto-cjk; }; }

serve: $(VENV)/.docs ## preview the site with live reload on http://127.0.0.1:8000
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

build: $(VENV)/.docs ## build the site into site/ (strict: any warning fails)
	$(PY) -m mkdocs build --strict

test: $(VENV)/.test .chromium ## run the whole test suite
	$(PY) -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.test ## ruff
	$(PY) -m ruff check .

outputs: $(VENV)/.test ## re-run every snippet and store its output in snippets/**/*.out
	$(PY) -m pytest -n 2 tests/test_snippets.py --update-outputs -q

runs: $(VENV)/.test ## stored runs: chapter 9's runs and multi-seed experiments (snippets/lenet/runs/, ~25 min), chapter 1's feature hierarchy
	$(PY) -m cnnbook.train --recipe textbook --seed 0 --threads 1 --quiet --history snippets/lenet/runs/textbook.json
	$(PY) -m cnnbook.train --recipe fast --seed 0 --threads 1 --quiet --history snippets/lenet/runs/fast.json
	$(PY) -m cnnbook.ablation --quiet --out snippets/lenet/runs
	$(PY) -m cnnbook.overfitting --quiet --out snippets/lenet/runs
	$(PY) -m figures.feature_hierarchy --retrain

experiments: $(VENV)/.test ## chapters 7 and 10: run the experiments (snippets/*/results/)
	$(PY) -m cnnbook.compression.experiments --out snippets/compression/results
	$(PY) -m cnnbook.norm_experiments --out snippets/normalization/results

figures: $(VENV)/.test ## regenerate every figure under docs/assets/figures
	$(PY) -m figures

notebooks: $(VENV)/.test ## rebuild examples/*.ipynb from their .py sources and execute them
	cd examples && for source in *.py; do \
	  ../$(PY) -m jupytext --to ipynb --execute "$$source" || exit 1; done

BENCHMARKS := $(basename $(notdir $(filter-out benchmarks/__init__.py benchmarks/common.py,$(wildcard benchmarks/*.py))))

bench: $(VENV)/.test ## run every benchmark, print its table, store it in benchmarks/results/
	@for name in $(BENCHMARKS); do echo "== $$name"; $(PY) -m benchmarks.$$name || exit 1; done

COMPRESSION_FIGURES := compression_sparsity compression_sensitivity compression_bits compression_tradeoff compression_rank

compression: experiments ## chapter 10: run the experiments, redraw their figures, re-time their tables
	@for name in $(COMPRESSION_FIGURES); do $(PY) -m figures.$$name || exit 1; done
	$(PY) -m benchmarks.compression_latency
	$(PY) -m benchmarks.compression_matmul
	$(PY) -m benchmarks.compression_table

# Every generated file, each after what it is made from: outputs, then the stored runs and
# experiments, then the figures drawn from them, the notebooks, and the timing tables last.
regenerate: outputs runs experiments ## rebuild every generated file in dependency order (slow)
	$(MAKE) figures notebooks bench

screenshots: $(VENV)/.test .chromium ## build the site and screenshot every page, light and dark
	$(PY) -m mkdocs build --strict --quiet
	$(PY) -m tests.browser screenshots site build/screenshots
	cp build/screenshots/home-light.png .github/screenshot.png

pdf: $(VENV)/.pdf .chromium ## the whole book as one PDF: build/cnn-basics.pdf
	$(PY) -m publish.pdf build/cnn-basics.pdf

bundle: $(VENV)/.docs ## every chapter's code and notebooks in one zip: build/cnn-basics-code.zip
	$(PY) -m publish.bundle build/cnn-basics-code.zip

pages: build pdf bundle ## the site as GitHub Pages publishes it: site/ with the PDF and the code zip
	cp build/cnn-basics.pdf build/cnn-basics-code.zip site/

KATEX_VERSION := 0.19.1

lock: $(VENV)/.test ## rewrite constraints.txt from the test environment (after changing a pin)
	$(PY) -m tests.lock > constraints.txt

vendor-katex: ## refresh docs/assets/vendor/katex from the npm registry (KaTeX $(KATEX_VERSION); needs npm)
	rm -rf build/katex && mkdir -p build/katex
	cd build/katex && npm pack katex@$(KATEX_VERSION) --silent && tar xzf katex-*.tgz
	rm -rf docs/assets/vendor/katex && mkdir -p docs/assets/vendor/katex/contrib
	cp build/katex/package/dist/katex.min.js build/katex/package/dist/katex.min.css \
	   build/katex/package/LICENSE docs/assets/vendor/katex/
	cp build/katex/package/dist/contrib/auto-render.min.js docs/assets/vendor/katex/contrib/
	cp -r build/katex/package/dist/fonts docs/assets/vendor/katex/

vendor-font: .chromium ## refresh figures/fonts/ (the Chinese font of the figures) from Debian's fonts-noto-cjk
	$(PY) -m figures.vendor_font

clean:
	rm -rf site build .cache .pytest_cache .ruff_cache
