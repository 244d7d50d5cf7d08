# Two commands do everything on a fresh machine: `make run` and `make test`.
GO ?= go
BIN := bin/relais
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# The Matrix transport encrypts with mautrix's pure-Go Olm (goolm): without
# the tag, mautrix would need libolm through cgo, and the transport refuses
# to start.
export GOFLAGS := -tags=goolm $(GOFLAGS)

.PHONY: run test build services fmt vet bench bench-load bench-10m bench-import

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
	$(GO) vet -tags crashloop,loadbench,goolm ./cmd/relais/  # the crash loop and load benchmark keep compiling
	$(GO) tool staticcheck ./...
	$(GO) test -race -count=1 -timeout 20m ./...

bench: services
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

# Load benchmark (not part of `make test`): relais serve against loadgram's
# fake Bot API with Telegram's limits; USERS, THINK, FORMS tune it.
bench-load: services
	@bash scripts/bench-load.sh

# Reports over 10 000 000 requests (ten years of a national programme): the
# dataset is generated once into the database relais_bench_10m_v1 (about ten
# minutes) and reused by later runs (build tag bench10m).
bench-10m: services
	$(GO) test -tags bench10m -run '^$$' -bench Report10M -benchmem -count 2 -timeout 90m ./internal/indicators/

# `relais import` itself on the two 1 000 000-line files, timed by
# /usr/bin/time -v (wall, CPU, peak RSS); RUNS, FILES, LINES tune it.
bench-import: services
	@bash scripts/bench-import.sh
