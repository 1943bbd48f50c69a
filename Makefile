# hookflow — `make run` and `make test` are all you need.
GO       ?= go
NPM      ?= npm
# Fuzzing by input count rather than time: a time limit that ends during the minimisation of
# a new input makes Go report "context deadline exceeded" as a failure.
FUZZTIME ?= 20000x
BIN      := bin/hookflow
ENGINE_DIR ?= frontend/public/engine
FUZZ_TARGETS := FuzzParseTemplate FuzzParsePath FuzzParseFlow FuzzParseRequest FuzzHTMLPipe FuzzSpreadsheetID FuzzProblemDetails FuzzDelayUntil FuzzAICompletion FuzzParseSchedule

.PHONY: run demo build ui test vet lint unit wasm wasm-test frontend-deps frontend-test e2e chromium sqlite3 fuzz bench bench-journal bench-pg soak deps

# Go modules, and a placeholder page in frontend/dist until the editor is built: the binary
# embeds that directory, and Go refuses an embed pattern that matches nothing.
deps:
	$(GO) mod download
	@test -f frontend/dist/index.html || { mkdir -p frontend/dist && \
		echo '<!doctype html><meta charset="utf-8"><title>hookflow</title><p>The editor is not built into this binary: run <code>make build</code>.' > frontend/dist/index.html; }

# The editor with the engine inside (frontend/dist, embedded by frontend/embed.go), built again
# only when its sources, the engine or the dependencies changed (frontend-test builds it first in
# make test; e2e's build then finds it current). The mark of the last build is kept outside dist
# (everything in dist is served) and forgotten when dist holds no built editor (the placeholder
# of deps).
UI_SRC := $(shell find frontend/src frontend/public frontend/scripts -type f -not -path 'frontend/public/engine/*' 2>/dev/null) \
	frontend/index.html frontend/package.json frontend/tsconfig.json frontend/vite.config.ts
UI_BUILT := bin/.ui-built
ui:
	@test -d frontend/dist/assets || rm -f $(UI_BUILT)
	@$(MAKE) --no-print-directory $(UI_BUILT)
$(UI_BUILT): $(UI_SRC) $(ENGINE_DIR)/manifest.json node_modules/.package-lock.json
	$(NPM) run build --workspace frontend
	@mkdir -p $(@D) && touch $@

# One binary: the service, the editor and the browser engine.
build: deps ui
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

test: types-check lint unit wasm-test frontend-test e2e fuzz

# The editor's types (frontend/src/api/types.*.gen.ts) from the Go types whose JSON it reads,
# by tygo (pinned in go.mod as a tool) as tygo.yaml says. types-check makes them again in a
# temporary directory and fails when the committed ones differ.
.PHONY: types types-check
TYPES_GEN := $(shell sed -n 's/^ *output_path: *"\(.*\)"/\1/p' tygo.yaml)
types:
	$(GO) tool tygo generate

types-check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	sed -E 's#output_path: *"([^"]*/)?([^"/]*)"#output_path: "'"$$tmp"'/\2"#' tygo.yaml > "$$tmp/tygo.yaml" && \
	$(GO) tool tygo generate --config "$$tmp/tygo.yaml" && \
	for f in $(TYPES_GEN); do \
		cmp -s "$$tmp/$$(basename $$f)" "$$f" || { echo "$$f is out of date: run make types"; exit 1; }; \
	done

vet: deps
	$(GO) vet ./...

# The standard Go linters (govet among them) with .golangci.yml; the version is pinned here, and
# the go command fetches and builds it through the module proxy on a new machine.
GOLANGCI_LINT ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
lint: deps
	$(GO) run $(GOLANGCI_LINT) run --timeout 15m ./...

# Two kinds of test also run without the race detector, one package at a time: the in-process
# JavaScript memory bombs allocate too slowly under it to meet their bound on a busy machine, and
# webhook latency during a huge retention pass is compared with idle latency, which the detector
# and the other packages' tests running beside it skew unevenly.
unit: deps
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -count=1 -run 'TestJSNode_MemoryBomb' ./flows/
	$(GO) test -count=1 -run 'TestRetention_DeletingAHugeJournal' ./server/api/

# The engine for the browser: content-hashed, precompressed module, its worker and manifest,
# written into the editor's public/ (ENGINE_DIR, set above) so Vite copies it to dist/engine/.
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

# The editor (frontend/, an npm workspace): dependencies from the lockfile, type check, lint
# (TypeScript's recommended rules, React's rules of hooks), unit tests and a production build
# (with the engine built by wasm-test).
node_modules/.package-lock.json: package.json package-lock.json frontend/package.json
	$(NPM) ci --no-audit --no-fund
frontend-deps: node_modules/.package-lock.json

frontend-test: frontend-deps
	$(NPM) run typecheck --workspace frontend
	$(NPM) run lint --workspace frontend
	$(NPM) test --workspace frontend
	$(MAKE) ui

# Browser end-to-end tests: the real binary on a temporary directory, driven in headless
# Debian Chromium by playwright-core (frontend/e2e). Screenshots go to docs/screenshots. The
# sqlite3 command writes a database row the API refuses (a flow saved by an older version).
e2e: build chromium sqlite3
	rm -f bin/e2e-figures.json
	HOOKFLOW_BIN=$(CURDIR)/$(BIN) node --test --test-concurrency=1 frontend/e2e/

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

sqlite3:
	@command -v sqlite3 >/dev/null 2>&1 || { \
		echo "installing sqlite3 for the browser tests"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq sqlite3 >/dev/null; }

fuzz: deps
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./flows/ || exit 1; \
	done
	@echo "fuzz FuzzWebhookIngress ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzWebhookIngress$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/api/
	@echo "fuzz FuzzAuthJSON ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzAuthJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/api/
	@echo "fuzz FuzzFlowImport ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzFlowImport$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/api/
	@echo "fuzz FuzzParseNotification ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzParseNotification$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/livepg/

BENCH_SECONDS ?= 15
BENCH_PROFILE ?=
# The last lines are the whole service from outside: one `hookflow serve` on SQLite (bin/hookflow,
# built when missing), webhooks from a load generator process of its own, completed runs and
# accepted webhooks as ratios to /healthz of the same run, p99, peak RSS and CPU per run; then
# the intake alone (the same webhooks to the flow stopped: stored and answered, none run).
# BENCH_PROFILE=DIR also saves a CPU profile of the server taken during the load.
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./flows/
	$(GO) test -run '^$$' -bench . -benchtime 20000x ./server/api/
	$(GO) test -run '^$$' -bench JSStep -benchtime 5000x -cpu 1 ./server/sandbox/
	test -x $(BIN) || $(GO) build -o $(BIN) ./server/cmd/hookflow
	HOOKFLOW_BIN=$(CURDIR)/$(BIN) HOOKFLOW_BENCH_RUNS=1 HOOKFLOW_BENCH_SECONDS=$(BENCH_SECONDS) HOOKFLOW_BENCH_PROFILE=$(BENCH_PROFILE) \
		$(GO) test -count=1 -v -run '^TestBenchOneMachine$$' ./server/cmd/hookflow/ | grep -v '^ok\|PASS\|^=== \|^---'


# The journal at a million runs (JOURNAL_RUNS to change it), on SQLite and, when it answers on
# 127.0.0.1:5432, PostgreSQL: p50/p99 of the journal's pages, the per-day chart and the flows
# list through the API, then retention deleting all but 10,000 of them while webhooks arrive.
JOURNAL_RUNS ?= 1000000
bench-journal: deps
	@if bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; then export HOOKFLOW_TEST_POSTGRES=1; \
	else echo "PostgreSQL does not answer on 127.0.0.1:5432: measuring SQLite only"; fi; \
	HOOKFLOW_BENCH_JOURNAL_RUNS=$(JOURNAL_RUNS) $(GO) test -count=1 -v -timeout 90m -run '^TestJournalAtScale' ./server/api/ | grep -v '^=== ' && \
	HOOKFLOW_TEST_JOURNAL_RUNS=$(JOURNAL_RUNS) $(GO) test -count=1 -v -timeout 90m -run '^TestRetention_DeletingAHugeJournal' ./server/api/ | grep 'retention deleted\|^--- \|^    ---\|^ok\|FAIL'

# Scaling on PostgreSQL (127.0.0.1:5432): completed runs/s of 1, 2 and 3 `hookflow serve`
# processes on one database as ratios to one process, SQLite against PostgreSQL for one process,
# and each against the /healthz rate of the same run; 32 senders in a load generator process
# (BENCH_SECONDS a configuration). Then the queue on PostgreSQL: River against the events table
# in 1-3 processes (docs/queue.md); then the live log's relay, events/s from one process to three
# (docs/live.md). bin/hookflow is built when it is missing.
bench-pg: deps
	@if ! bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; then \
		echo "bench-pg skipped: PostgreSQL does not answer on 127.0.0.1:5432"; exit 0; fi; \
	test -x $(BIN) || $(GO) build -o $(BIN) ./server/cmd/hookflow || exit 1; \
	HOOKFLOW_BIN=$(CURDIR)/$(BIN) HOOKFLOW_BENCH_PG=1 HOOKFLOW_TEST_POSTGRES=1 HOOKFLOW_BENCH_SECONDS=$(BENCH_SECONDS) \
		$(GO) test -count=1 -v -timeout 30m -run '^TestBenchPostgresScaling$$' ./server/cmd/hookflow/ | grep -v '^ok\|PASS\|^=== ' ; \
	HOOKFLOW_TEST_POSTGRES=1 $(GO) test -count=1 -timeout 30m -run '^$$' -bench Postgres -benchtime 1x ./server/internal/queuebench/ | grep 'Benchmark\|FAIL'; \
	echo "load average after the queue benchmarks: $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	HOOKFLOW_TEST_POSTGRES=1 $(GO) test -count=1 -timeout 30m -run '^$$' -bench '^BenchmarkRelay_EventsAcrossProcesses$$' -benchtime 50000x ./server/livepg/ | grep 'Benchmark\|FAIL'

# An hour of load (docs/performance.md): one `hookflow serve` on a fresh SQLite database
# (SOAK_DB=postgres: a fresh database on 127.0.0.1:5432) takes RATE webhooks/s, paced, for
# DURATION; a line every EVERY with webhooks sent and accepted, runs completed, the server's RSS
# and the database's size, then the verdict on the bounds (RSS under 200 MB and flat, the
# database within retention: RETENTION_COUNT runs, a pass every minute for a busy flow). Not in make test.
DURATION        ?= 10m
RATE            ?= 500
EVERY           ?= 1m
SENDERS         ?= 32
RETENTION_COUNT ?= 10000
SOAK_DB         ?= sqlite
soak: deps
	@HOOKFLOW_SOAK=1 HOOKFLOW_SOAK_DURATION=$(DURATION) HOOKFLOW_SOAK_RATE=$(RATE) HOOKFLOW_SOAK_EVERY=$(EVERY) \
		HOOKFLOW_SOAK_SENDERS=$(SENDERS) HOOKFLOW_SOAK_RETENTION_COUNT=$(RETENTION_COUNT) HOOKFLOW_SOAK_DB=$(SOAK_DB) \
		$(if $(filter postgres,$(SOAK_DB)),HOOKFLOW_TEST_POSTGRES=$${HOOKFLOW_TEST_POSTGRES:-1}) \
		$(GO) test -count=1 -v -timeout 0 -run '^TestSoak$$' ./server/cmd/hookflow/ | grep --line-buffered -v '^=== \|^PASS$$'
