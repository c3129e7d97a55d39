# Makefile: a thin driver over CMake for the README's two commands.
#   make run    build octohac and compile samples/production.oha to standard output
#   make test   build from scratch twice (ASan+UBSan, then a -Werror build) and run
#               the whole CTest suite in each; CTest's summary is the last line printed
#               (ctest_summary_last moves it below the timing lines CTest prints after it)
# Both first install missing Debian packages (.ci/deps). Everything else is in CMakeLists.txt.

RUN_DIR  := build-run
TEST_DIR := build-ci
ASAN_DIR := build-ci-asan
JOBS     ?= 2
SAMPLE   ?= samples/production.oha
CTEST    := ctest --output-on-failure -j$(JOBS) --timeout 600
MAKEFLAGS += --no-print-directory

.PHONY: all build run test deps npm-deps install clean

# Runs CTest in build folder $(1) and prints its whole report with the summary line
# ("N% tests passed, …") moved to the very end, where CI reads it; exits with CTest's status.
ctest_summary_last = cd $(1) && { $(CTEST) > ctest.log 2>&1; rc=$$?; \
	grep -v -E '^[0-9]+% tests passed' ctest.log; grep -E '^[0-9]+% tests passed' ctest.log; exit $$rc; }

all: build

deps:
	@./.ci/deps

# The npm packages some tests use (package.json), when node_modules is missing or older
# than the lock file.
npm-deps:
	@if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; }; then \
	  npm ci --no-audit --no-fund; \
	fi

# Only the compiler itself (no tests, no fuzz targets). Build progress goes to standard
# error, so that `make run > stack.yaml` holds only the template.
build: deps
	@cmake -S . -B $(RUN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(RUN_DIR) -j$(JOBS) --target octohac >&2

run: build
	@./$(RUN_DIR)/octohac build $(SAMPLE)

test: deps npm-deps
	rm -rf $(ASAN_DIR) $(TEST_DIR)
	cmake -S . -B $(ASAN_DIR) -DOCTOHAC_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j$(JOBS)
	cmake -S . -B $(TEST_DIR) -DOCTOHAC_WERROR=ON
	cmake --build $(TEST_DIR) -j$(JOBS)
	@echo "== ASan+UBSan build =="
	@$(call ctest_summary_last,$(ASAN_DIR))
	@echo "== normal build (-Werror) =="
	@$(call ctest_summary_last,$(TEST_DIR))

install: build
	cmake --install $(RUN_DIR)

clean:
	rm -rf $(RUN_DIR) $(TEST_DIR) $(ASAN_DIR)
