# judgesim: Monte Carlo of LLM-as-a-judge reranking (Halder & Pehlevan, ICML 2026) on MPI.
#
# ---- user options ---------------------------------------------------------------------
OPTIMIZE ?= -O3
NATIVE   ?= -march=native -mprefer-vector-width=512
DEBUG    ?= -g
RANKS    ?= $(shell nproc)
CONFIG   ?= inputs/default.yaml
SMPICC   ?= smpicc
# (SMPICC: SimGrid's SMPI compiler wrapper, for make smpi)
# ----------------------------------------------------------------------------------------

CC      := mpicc
VERSION := 0.1.0
CFLAGS  := -std=gnu11 $(OPTIMIZE) $(NATIVE) $(DEBUG) -fno-math-errno -fopenmp-simd \
           -pthread -Wall -Wextra -Wno-unknown-pragmas -Iinclude -Ibuild
LDLIBS  := -lsprng -lnetcdf -lyaml -lcsv -ljansson -llapacke -lopenblas -lgsl -lm

# Open MPI refuses root unless told; BLAS stays single-threaded per rank.
ifeq ($(shell id -u),0)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
endif
export OPENBLAS_NUM_THREADS := 1
MPIRUN := mpirun --oversubscribe

SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
OBJ  := $(SRC:src/%.c=build/%.o)
UNIT := $(patsubst tests/unit/%.c,build/tests/%,$(wildcard tests/unit/test_*.c))

SMPI_OBJ := $(SRC:src/%.c=build/smpi/%.o)
ASAN_OBJ := $(SRC:src/%.c=build/asan/%.o)
ASAN_UNIT := $(patsubst tests/unit/%.c,build/asan/tests/%,$(wildcard tests/unit/test_*.c))
ASAN_FLAGS := $(filter-out $(OPTIMIZE),$(CFLAGS)) -O1 -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all deps run check bench clean FORCE paper smpi scale asan

all: bin/judgesim

deps:
	@tools/install-deps

build/version.h: FORCE
	@mkdir -p build
	@printf '#define JS_VERSION "%s"\n#define JS_COMMIT "%s"\n#define JS_BUILD "%s"\n' \
	  "$(VERSION)" "$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD 2>/dev/null || echo +dirty)" \
	  "$$($(CC) --version | head -1) $(CFLAGS)" > build/version.h.new
	@cmp -s build/version.h.new build/version.h || mv build/version.h.new build/version.h
	@rm -f build/version.h.new

build/%.o: src/%.c $(wildcard include/*.h) | build
	$(CC) $(CFLAGS) -c $< -o $@

build/cli.o build/buildid.o: build/version.h
build/cli.o build/buildid.o: CFLAGS += -include build/version.h

build:
	@mkdir -p build build/tests

# The same sources for SimGrid's SMPI (simulated clusters; tools/scale): the failure state
# is per rank instead of per thread (SMPI ranks are threads of one process).
smpi: bin/judgesim-smpi

build/smpi/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p build/smpi
	$(SMPICC) $(CFLAGS) -DJS_SMPI -c $< -o $@

build/smpi/cli.o build/smpi/buildid.o: build/version.h
build/smpi/cli.o build/smpi/buildid.o: CFLAGS += -include build/version.h

bin/judgesim-smpi: build/smpi/main.o $(SMPI_OBJ)
	@mkdir -p bin
	$(SMPICC) $(CFLAGS) -DJS_SMPI $^ -o $@ $(LDLIBS)

# The same sources and unit tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (tests/sanitize.bats runs them in make check).
asan: bin/judgesim-asan $(ASAN_UNIT)

build/asan/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p build/asan
	$(CC) $(ASAN_FLAGS) -c $< -o $@

build/asan/cli.o build/asan/buildid.o: build/version.h
build/asan/cli.o build/asan/buildid.o: ASAN_FLAGS += -include build/version.h

bin/judgesim-asan: build/asan/main.o $(ASAN_OBJ)
	@mkdir -p bin
	$(CC) $(ASAN_FLAGS) $^ -o $@ $(LDLIBS)

build/asan/tests/%: tests/unit/%.c $(ASAN_OBJ) tests/unit/testutil.h
	@mkdir -p build/asan/tests
	$(CC) $(ASAN_FLAGS) -Itests/unit $< $(ASAN_OBJ) -o $@ $(LDLIBS) -lcmocka

# Simulated strong and weak scaling (a benchmark, not a test: about an hour on 2 cores; the
# simulation of 4,096 ranks with 8,192 trials alone took 34 to 47 minutes here).
scale: deps all smpi
	@tools/scale inputs/scale.yaml --ranks 16,64,256,1024
	@tools/scale inputs/scale.yaml --ranks 16,4096 --set sampling.trials=8192
	@tools/scale inputs/scale.yaml --ranks 16,64,256,1024 --weak 8 --set 'grid.T=[0,.inf]'

bin/judgesim: build/main.o $(OBJ)
	@mkdir -p bin
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

build/tests/%: tests/unit/%.c $(OBJ) tests/unit/testutil.h | build
	$(CC) $(CFLAGS) -Itests/unit $< $(OBJ) -o $@ $(LDLIBS) -lcmocka

run: deps all
	$(MPIRUN) -np $(RANKS) bin/judgesim run $(CONFIG)
	@cube=$$(bin/judgesim run $(CONFIG) --dry-run | sed -n 's/^output: //p'); \
	  tools/table "$$cube" && bin/judgesim analyze "$$cube" --quiet && tools/plot "$$cube"

paper: deps all
	@start=$$(date +%s); \
	$(MPIRUN) -np $(RANKS) bin/judgesim run inputs/paper.yaml && \
	bin/judgesim analyze outputs/paper.nc --quiet && \
	tools/plot outputs/paper.nc --out outputs/paper && \
	$(MPIRUN) -np $(RANKS) bin/judgesim run inputs/paper-scaling.yaml --quiet && \
	tools/paper outputs/paper.nc outputs/paper-scaling.nc; rc=$$?; \
	echo "make paper: $$(( $$(date +%s) - start )) s wall on $(RANKS) ranks"; exit $$rc

check: deps all smpi asan $(UNIT)
	@tests/run-all

bench: deps all
	@tools/bench

clean:
	rm -rf build bin
