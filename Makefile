# hookflow — `make run` and `make test` are all you need.
GO       ?= go
NPM      ?= npm
# Fuzzing by input count rather than time: a time limit that ends during the minimisation of
# a new input makes Go report "context deadline exceeded" as a failure.
FUZZTIME ?= 20000x
BIN      := bin/hookflow
FUZZ_TARGETS := FuzzParseTemplate FuzzParsePath FuzzParseFlow FuzzParseRequest

.PHONY: run demo build test vet unit wasm wasm-test frontend-deps frontend-test fuzz bench deps

deps:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./server/cmd/hookflow

# The service on http://localhost:8080 with SQLite in ./data (HOOKFLOW_* variables configure it).
run: build
	$(BIN) serve

# The engine alone: the GetCourse → CPA.House template previewed against a sample request.
demo: build
	$(BIN) templates getcourse-cpa-house > bin/getcourse-cpa-house.json
	$(BIN) run --dry-run --flow bin/getcourse-cpa-house.json \
		--payload flows/testdata/payloads/getcourse-user.json \
		--inputs flows/testdata/inputs/cpa-house.json

test: vet unit wasm-test frontend-test fuzz

vet: deps
	$(GO) vet ./...

unit: deps
	$(GO) test -race -count=1 ./...

# The engine for the browser: content-hashed, precompressed module, its worker and manifest.
ENGINE_DIR ?= wasm/dist
ENGINE_SRC := go.mod go.sum wasm/build.sh wasm/worker.js \
	$(shell find flows wasm -name '*.go' -not -name '*_test.go') $(wildcard flows/presets/*.json flows/templates/*.json)
wasm: $(ENGINE_DIR)/manifest.json
$(ENGINE_DIR)/manifest.json: $(ENGINE_SRC)
	wasm/build.sh $(ENGINE_DIR)

# The engine in the browser: its JS API run under node, and the built files smoke-tested
# (module, precompressed copies, the worker, a runaway script stopped by ending the worker).
wasm-test: deps
	HOOKFLOW_BROTLI_QUALITY=9 $(MAKE) wasm
	GOOS=js GOARCH=wasm $(GO) vet ./flows/... ./wasm/
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec="$$($(GO) env GOROOT)/lib/wasm/go_js_wasm_exec" ./wasm/
	node wasm/smoke.mjs $(ENGINE_DIR)

# The editor (frontend/, an npm workspace): dependencies from the lockfile, type check, unit
# tests and a production build. It is not embedded in the binary yet.
node_modules/.package-lock.json: package.json package-lock.json frontend/package.json
	$(NPM) ci --no-audit --no-fund
frontend-deps: node_modules/.package-lock.json

frontend-test: frontend-deps
	$(NPM) run typecheck --workspace frontend
	$(NPM) test --workspace frontend
	$(NPM) run build --workspace frontend

fuzz: deps
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./flows/ || exit 1; \
	done
	@echo "fuzz FuzzWebhookIngress ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzWebhookIngress$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/api/
	@echo "fuzz FuzzFlowImport ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzFlowImport$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/api/

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./flows/
	$(GO) test -run '^$$' -bench . -benchtime 20000x ./server/api/
