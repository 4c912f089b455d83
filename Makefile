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
LDLIBS  := -lsprng -lnetcdf -lyaml -llapacke -lopenblas -lgsl -lm

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

.PHONY: all deps run check bench clean FORCE paper smpi scale

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

build/cli.o: build/version.h
build/cli.o: CFLAGS += -include build/version.h

build:
	@mkdir -p build build/tests

# The same sources for SimGrid's SMPI (simulated clusters; tools/scale): commits run in
# the caller instead of a thread, and the failure state is per rank instead of per thread.
smpi: bin/judgesim-smpi

build/smpi/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p build/smpi
	$(SMPICC) $(CFLAGS) -DJS_SMPI -c $< -o $@

build/smpi/cli.o: build/version.h
build/smpi/cli.o: CFLAGS += -include build/version.h

bin/judgesim-smpi: build/smpi/main.o $(SMPI_OBJ)
	@mkdir -p bin
	$(SMPICC) $(CFLAGS) -DJS_SMPI $^ -o $@ $(LDLIBS)

# Simulated strong and weak scaling (a benchmark: about 45 minutes on 2 cores).
scale: deps all smpi
	@tools/scale inputs/scale.yaml --ranks 16,64,256,1024,4096
	@tools/scale inputs/scale.yaml --ranks 16,4096 --set sampling.trials=8192
	@tools/scale inputs/scale.yaml --ranks 16,64,256,1024,4096 --weak 2

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
	tools/paper outputs/paper.nc; rc=$$?; \
	echo "make paper: $$(( $$(date +%s) - start )) s wall on $(RANKS) ranks"; exit $$rc

check: deps all smpi $(UNIT)
	@tests/run-all

bench: deps all
	@tools/bench

clean:
	rm -rf build bin
