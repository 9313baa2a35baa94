# ephemeral-apiserver build and test entry points. Run `make help`.

export GOTOOLCHAIN := local
GO ?= go
OUT := _output
BIN := $(OUT)/bin
DATA_DIR ?= $(OUT)/data

# The API we serve is that of the k8s.io libraries we build on: v0.37.2 of
# the libraries is Kubernetes v1.37.2, which /version and kubectl see.
KUBE_VERSION := $(shell $(GO) list -mod=vendor -m -f '{{.Version}}' k8s.io/apiserver | sed 's/^v0\./v1./')
VERSION_PKG := k8s.io/component-base/version
LDFLAGS := -X $(VERSION_PKG).gitVersion=$(KUBE_VERSION) \
	-X $(VERSION_PKG).gitMajor=$(word 1,$(subst ., ,$(KUBE_VERSION:v%=%))) \
	-X $(VERSION_PKG).gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION:v%=%))) \
	-X $(VERSION_PKG).gitTreeState=clean

# go test runs vet itself, computing facts for every dependency; `make
# verify` vets once instead.
TEST_FLAGS ?= -vet=off
GINKGO_FLAGS ?=

.PHONY: help build run test test-unit test-consumer test-integration test-e2e test-faults verify update bench bench-upstream clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## Build the server into _output/bin
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ephemeral-apiserver ./cmd/ephemeral-apiserver
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/kubectl-ephemeral ./cmd/kubectl-ephemeral

run: build ## Run the server with embedded etcd; kubectl uses $(DATA_DIR)/admin.kubeconfig
	$(BIN)/ephemeral-apiserver --data-dir=$(DATA_DIR) --feature-gates=EphemeralContainers=true

test: test-unit test-consumer test-integration test-e2e test-faults ## Run every test: unit, consumer, integration, e2e, faults

test-unit: ## Unit tests beside the code
	$(GO) test $(TEST_FLAGS) ./pkg/... ./cmd/...

test-consumer: ## pkg/testserver used from a module of its own, as a user's module uses it
	cd test/consumer && $(GO) test $(TEST_FLAGS) ./...

test-integration: ## Ginkgo suites: real etcd process, server in-process
	ETCD_BIN=$$(hack/install-etcd.sh) $(GO) test $(TEST_FLAGS) -timeout=30m ./test/integration/... -args $(GINKGO_FLAGS)

test-e2e: build ## The built binary driven by real kubectl and client-go
	EPHEMERAL_APISERVER_BIN=$(CURDIR)/$(BIN)/ephemeral-apiserver ETCD_BIN=$$(hack/install-etcd.sh) \
		KUBECTL_LEGACY=$${KUBECTL_LEGACY:-$$(hack/install-kubectl.sh)} $(GO) test $(TEST_FLAGS) -timeout=30m ./test/e2e/... -args $(GINKGO_FLAGS)

test-faults: build ## Fault tests: real processes killed under load
	EPHEMERAL_APISERVER_BIN=$(CURDIR)/$(BIN)/ephemeral-apiserver ETCD_BIN=$$(hack/install-etcd.sh) $(GO) test $(TEST_FLAGS) -timeout=20m ./test/faults/... -args $(GINKGO_FLAGS)

bench: build ## Load benchmark: pods and ephemeral containers vs raw etcd; results in $(OUT)/bench
	$(GO) run ./test/bench -binary $(BIN)/ephemeral-apiserver -out $(OUT)/bench/results.json

# bench-upstream: UPSTREAM is a kube-apiserver v1.37.2 binary
# (../shared/tools/upstream/build.sh builds one); BENCH_FLAGS adds flags,
# e.g. BENCH_FLAGS="-rounds 5 -pprof $(OUT)/bench/cpu.pb.gz".
UPSTREAM ?=
BENCH_FLAGS ?=

bench-upstream: build ## Side by side with upstream: UPSTREAM=path/to/kube-apiserver (v1.37.2) on its own etcd, rounds alternating with ours
	@test -n "$(UPSTREAM)" || { echo "usage: make bench-upstream UPSTREAM=/path/to/kube-apiserver (v1.37.2: ../shared/tools/upstream/build.sh or any such binary)" >&2; exit 2; }
	ETCD_BIN=$$(hack/install-etcd.sh) $(GO) run ./test/bench -binary $(BIN)/ephemeral-apiserver -upstream-binary $(UPSTREAM) \
		-concurrency 16,64 -out $(OUT)/bench/side-by-side.json $(BENCH_FLAGS)

verify: ## gofmt, go vet, vendor, generated code and OpenAPI documents
	hack/verify-all.sh

update: ## Regenerate everything verify checks
	hack/update-all.sh

clean: ## Remove build output
	rm -rf $(OUT)
