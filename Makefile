# hookflow — `make run` and `make test` are all you need.
GO       ?= go
FUZZTIME ?= 8s
BIN      := bin/hookflow
FUZZ_TARGETS := FuzzParseTemplate FuzzParsePath FuzzParseFlow FuzzParseRequest

.PHONY: run demo build test vet unit wasm fuzz bench deps

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

test: vet unit wasm fuzz

vet: deps
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./flows/...

unit: deps
	$(GO) test -race -count=1 ./...

# The engine also runs in the browser: it must keep building for WebAssembly.
wasm: deps
	GOOS=js GOARCH=wasm $(GO) build -o /dev/null ./flows/...

fuzz: deps
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $$t ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./flows/ || exit 1; \
	done
	@echo "fuzz FuzzWebhookIngress ($(FUZZTIME))"
	$(GO) test -run '^$$' -fuzz '^FuzzWebhookIngress$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./server/api/

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./flows/
	$(GO) test -run '^$$' -bench . -benchtime 20000x ./server/api/
