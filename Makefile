# Warden — top-level entry points. On a fresh Debian 12 machine:
#   make demo    install missing packages, build, scan the bundled sample, print the report
#   make check   install missing packages, build, run every test (unit, runtime, e2e)
# Other targets: build, deb (Debian package), asan (build + tests under ASan/UBSan), release, bench, format, format-check,
# layers-check, fuzz (every libFuzzer harness in tests/fuzz for FUZZ_SECONDS each; corpora kept
# in build-fuzz/corpus).
FUZZ_SECONDS ?= 60

BUILD   ?= build
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
WARDEN  := $(BUILD)/warden
DEMO    := data/demo

.PHONY: all deps build demo check asan asan-bin fuzz fuzz-bin release bench format format-check \
	layers-check deb clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake --preset dev

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	@bash scripts/web.sh $(BUILD)

demo: build
	@bash scripts/demo.sh $(WARDEN)

# check also builds the binary under ASan+UBSan: the bad-input e2e test runs it too;
# and the libFuzzer harnesses (clang, build-fuzz/): each replays its seed corpus
# and fuzzes for a few seconds (CTest label fuzz).
check: build format-check layers-check asan-bin fuzz-bin
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	ctest --test-dir build-fuzz -L fuzz --output-on-failure -j $(JOBS)

asan-bin: deps
	@[ -f build-asan/CMakeCache.txt ] || cmake --preset asan
	cmake --build build-asan -j $(JOBS) --target warden

asan: deps
	cmake --preset asan
	cmake --build build-asan -j $(JOBS)
	@bash scripts/web.sh build-asan
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

fuzz-bin: deps
	@[ -f build-fuzz/CMakeCache.txt ] || cmake --preset fuzz
	cmake --build build-fuzz -j $(JOBS) --target fuzzers

fuzz: fuzz-bin
	@fail=0; for h in build-fuzz/fuzz/fuzz_*; do \
	  bash tests/fuzz/run.sh $$h $(FUZZ_SECONDS) build-fuzz/corpus || fail=1; done; exit $$fail

# deb: a Debian package (build-deb/warden_*.deb) of a packaged build (FHS paths,
# no source-tree data), dependencies from dpkg-shlibdeps.
deb: deps
	cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DWARDEN_PACKAGED=ON \
	  -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc
	cmake --build build-deb -j $(JOBS) --target warden
	@bash scripts/web.sh build-deb
	cd build-deb && cpack -G DEB

release: deps
	cmake --preset release
	cmake --build build-release -j $(JOBS)

bench: release
	@bash scripts/bench.sh build-release

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@bash scripts/format-check.sh

# the include graph points down only (layers in scripts/check-layers.sh)
layers-check:
	@bash scripts/check-layers.sh

clean:
	rm -rf build build-asan build-release build-fuzz
