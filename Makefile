# Two commands on a fresh machine: `make up` (install, start a cluster) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA_DIR ?= ./data
PORT ?= 6443

.PHONY: up test install build lint bench-api bench-codec bench-gate bench-baseline bench-compare clean

$(STAMP): pyproject.toml setup.py
	@if [ "$$(id -u)" = "0" ] && ! $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
		apt-get update && apt-get install -y python3-venv python3-dev build-essential; fi
	@# the kubelet's process runtime: ip (bridge, veth), nsenter/unshare/setsid, and the
	@# python3 and curl that tests run inside pods
	@if [ "$$(id -u)" = "0" ] && ! (command -v ip && command -v nsenter && command -v setsid \
		&& command -v curl && test -x /usr/bin/python3) >/dev/null 2>&1; then \
		apt-get update && apt-get install -y iproute2 util-linux curl python3; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel cython
	$(PY) -m pip install -q --no-build-isolation -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Rebuild the Cython extensions in place (after editing a .pyx) and the reference
# protobuf descriptor set (proto/k8s.pb, from the .proto files)
build: $(STAMP)
	$(PY) setup.py -q build_ext --inplace
	cc -O2 -Wall -Wno-format-truncation -o kubelet/nsinit-shim kubelet/nsinit.c
	$(PY) -m paddock.proto.reference >/dev/null

up: build
	$(VENV)/bin/paddock up --data-dir $(DATA_DIR) --port $(PORT)

test: build
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy core apiserver scheduler controllers kubelet paddock proto bench

bench-api: build
	$(VENV)/bin/paddock bench api --start --out bench/results/api.json

bench-codec: build
	$(VENV)/bin/paddock bench codec --start --out bench/results/codec.json

# The micro-benchmarks (bench/micro) with timing on.  bench-gate fails when a ratio measured
# in the run (native/pure, protobuf/JSON, cached/uncached, ...) is under its floor in
# bench/gate.py; bench-baseline saves a run in .benchmarks/ and bench-compare fails when a
# benchmark got slower than that baseline by more than BENCH_COMPARE_FAIL.
BENCH_MICRO := $(PY) -m pytest bench/micro -p no:cacheprovider -q --benchmark-enable \
	--benchmark-columns=min,median,rounds --benchmark-sort=name
BENCH_COMPARE_FAIL ?= mean:25%

bench-gate: build
	$(PY) -m paddock.bench.gate

bench-baseline: build
	$(BENCH_MICRO) --benchmark-save=baseline

bench-compare: build
	@ls .benchmarks/*/*_baseline.json >/dev/null 2>&1 || \
		{ echo "no saved baseline in .benchmarks/: run make bench-baseline first"; exit 1; }
	$(BENCH_MICRO) --benchmark-compare --benchmark-compare-fail=$(BENCH_COMPARE_FAIL)

clean:
	rm -rf build *.egg-info _native/*.c _native/*.so kubelet/nsinit-shim
