# Two commands do everything on a fresh machine: `make run` and `make test`.
GO ?= go
BIN := bin/relais
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# The Matrix transport encrypts with mautrix's pure-Go Olm (goolm): without
# the tag, mautrix would need libolm through cgo, and the transport refuses
# to start.
export GOFLAGS := -tags=goolm $(GOFLAGS)

.PHONY: run test build services fmt vet bench bench-load bench-matrix bench-10m bench-import

# Without TELEGRAM_TOKEN, the local demo (its own database, loopback only);
# `relais serve` itself refuses to start without a token.
run: services build
	@if [ -n "$$TELEGRAM_TOKEN" ]; then exec ./$(BIN) serve; else exec ./$(BIN) demo; fi

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/relais

services:
	@bash scripts/services.sh

test:
	@bash scripts/services.sh matrix
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags crashloop,loadbench,cpuprofile,goolm ./cmd/relais/  # the crash loop, load benchmark and its CPU profile keep compiling
	$(GO) vet -tags matrixload,goolm ./internal/matrix/      # and the Matrix load benchmark
	$(GO) tool staticcheck ./...
	$(GO) test -race -count=1 -parallel 4 -timeout 20m ./...  # tests wait on PostgreSQL, Redis, HTTP: 4 at once per package

bench: services
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

# Load benchmark (not part of `make test`): relais serve against loadgram's
# fake Bot API with Telegram's limits; USERS, THINK, FORMS tune it.
bench-load: services
	@bash scripts/bench-load.sh

# Matrix load benchmark (not part of `make test`): relais serve as its own
# process on the test homeserver, USERS mediators (50) in encrypted direct
# chats typing whole sheets with THINK between inputs (3s), arrivals spread
# over RAMP (THINK), sheets started for DURATION (3m); PROFILE=cpu.pprof
# adds a CPU profile of relais.
bench-matrix:
	@bash scripts/services.sh matrix
	MATRIX_LOAD_USERS=$${USERS:-50} MATRIX_LOAD_THINK=$${THINK:-3s} MATRIX_LOAD_DURATION=$${DURATION:-3m} \
	  MATRIX_LOAD_RAMP=$${RAMP:-} MATRIX_LOAD_PROFILE=$(if $(PROFILE),$(abspath $(PROFILE))) \
	  $(GO) test -count=1 -tags matrixload,goolm -run '^TestMatrixLoad$$' -v -timeout 60m ./internal/matrix/

# Reports over 10 000 000 requests (ten years of a national programme): the
# dataset is generated once into the database relais_bench_10m_v2 (about ten
# minutes) and reused by later runs (build tag bench10m).
bench-10m: services
	$(GO) test -tags bench10m -run '^$$' -bench Report10M -benchmem -count 2 -timeout 90m ./internal/indicators/

# `relais import` itself on the two 1 000 000-line files, timed by
# /usr/bin/time -v (wall, CPU, peak RSS); RUNS, FILES, LINES tune it.
bench-import: services
	@bash scripts/bench-import.sh
