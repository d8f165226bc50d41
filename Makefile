# Every target bootstraps .venv on its own, so a fresh clone needs nothing else.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PACKAGES := bot knowledge embeddings
LINTED := $(PACKAGES) tests testkit scripts
# Offline by design: never reach for a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install system-deps run test test-all lint typecheck eval bench bench-bot bench-ocr load clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# PyTorch's CPU build (a plain torch requirement pulls a multi-GB CUDA build).
	bash scripts/install-torch.sh $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	# Synonym data (knowledge/thesaurus.py); its own requirements (scikit-learn, whoosh) are
	# for code we never run, so they are skipped.
	$(PY) -m pip install -q --no-deps cnsyn==1.2.0
	touch $(STAMP)

install: $(STAMP)

# LibreOffice and a Chinese font, with apt-get; needs root, unlike everything else here.
system-deps:
	bash scripts/install-system-deps.sh

run: $(STAMP)
	$(VENV)/bin/kepubot start

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy $(PACKAGES)

test: lint typecheck
	$(VENV)/bin/pytest -m "not slow"

test-all: lint typecheck
	$(VENV)/bin/pytest

# Every answer set and the dev retrieval set; BEFORE=var/eval/<run> lists changed questions.
eval: $(STAMP)
	$(VENV)/bin/kepubot ingest
	$(PY) scripts/eval_all.py --out var/eval/$(or $(RUN),latest) $(if $(BEFORE),--compare $(BEFORE))

# 1k, 10k and 100k chunks; add 1,000,000 (hours here) with SIZES=1000,10000,100000,1000000.
bench: $(STAMP)
	$(PY) scripts/bench_retrieval.py $(if $(SIZES),--sizes $(SIZES))

bench-bot: $(STAMP)
	$(PY) scripts/bench_bot.py

bench-ocr: $(STAMP)
	$(PY) scripts/bench_ocr.py

load: $(STAMP)
	$(PY) scripts/load_bot.py --users 200 --seconds 60

clean:
	rm -rf $(VENV) var
