# judgesim: Monte Carlo of LLM-as-a-judge reranking (Halder & Pehlevan, ICML 2026) on MPI.
#
# ---- user options ---------------------------------------------------------------------
OPTIMIZE ?= -O3
NATIVE   ?= -march=native -mprefer-vector-width=512
DEBUG    ?= -g
RANKS    ?= $(shell nproc)
CONFIG   ?= inputs/default.yaml
SMPICC   ?= smpicc
MPICC    ?= mpicc
BLAS     ?= openblas
BUILD    ?= build
BIN      ?= $(if $(filter build,$(BUILD)),bin,$(BUILD)/bin)
# (SMPICC: SimGrid's SMPI compiler wrapper, for make smpi. MPICC: the MPI compiler wrapper
#  (Open MPI's, MPICH's or a vendor's). BLAS: openblas, blis (with LAPACK from liblapack)
#  or generic (reference BLAS and LAPACK); any other library (MKL, LibSci) through BLAS_LIBS
#  alone (BLAS=custom: CBLAS and LAPACKE calls only). BUILD: the
#  folder of objects, e.g. BUILD=build-mpich-blis keeps a configuration apart, its binaries
#  in BUILD/bin; the default build/ puts them in bin/.)
# ---- libraries: found with nc-config and pkg-config; set any of these to override ------
PKG_CONFIG ?= pkg-config
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
ifeq ($(origin NETCDF_LIBS),undefined)
NETCDF_CFLAGS := $(shell nc-config --cflags 2>/dev/null)
NETCDF_LIBS := $(or $(shell nc-config --libs 2>/dev/null),-lnetcdf) \
               $(call pc_libs,hdf5,-lhdf5_serial)
endif
ifeq ($(origin GSL_LIBS),undefined)
GSL_CFLAGS := $(call pc_cflags,gsl)
GSL_LIBS := $(filter-out -lgslcblas,$(call pc_libs,gsl,-lgsl))
endif
ifeq ($(origin YAML_LIBS),undefined)
YAML_CFLAGS := $(call pc_cflags,yaml-0.1)
YAML_LIBS := $(call pc_libs,yaml-0.1,-lyaml)
endif
ifeq ($(origin JANSSON_LIBS),undefined)
JANSSON_CFLAGS := $(call pc_cflags,jansson)
JANSSON_LIBS := $(call pc_libs,jansson,-ljansson)
endif
ifeq ($(origin CMOCKA_LIBS),undefined)
CMOCKA_CFLAGS := $(call pc_cflags,cmocka)
CMOCKA_LIBS := $(call pc_libs,cmocka,-lcmocka)
endif
CSV_LIBS   ?= -lcsv
SPRNG_LIBS ?= -lsprng
SPRNG_CFLAGS ?=
# Debian keeps the reference LAPACK apart from the alternatives OpenBLAS takes over:
# LAPACK_DIR points at it (and the binary's run path too), so BLAS=blis really is BLIS
# with the reference LAPACK.
LAPACK_DIR ?= $(firstword $(wildcard /usr/lib/*-linux-gnu/lapack /usr/lib64/lapack))
comma := ,
lapack_path = $(if $(LAPACK_DIR),-L$(LAPACK_DIR) -Wl$(comma)--disable-new-dtags$(comma)-rpath$(comma)$(LAPACK_DIR))
# ... and the reference BLAS the same way (BLAS=generic).
REFBLAS_DIR ?= $(firstword $(wildcard /usr/lib/*-linux-gnu/blas /usr/lib64/blas))
refblas_path = $(if $(REFBLAS_DIR),-L$(REFBLAS_DIR) -Wl$(comma)--disable-new-dtags$(comma)-rpath$(comma)$(REFBLAS_DIR))
# BLAS_LIBS without BLAS=: a library of the user's (MKL, Cray LibSci, ...), used through
# CBLAS and LAPACKE only (no OpenBLAS-only calls).
ifeq ($(origin BLAS),file)
ifneq ($(origin BLAS_LIBS),undefined)
BLAS := custom
endif
endif
ifeq ($(BLAS),custom)
BLAS_FLAGS := -DJS_BLAS_CUSTOM
else ifeq ($(BLAS),openblas)
BLAS_LIBS  ?= -llapacke -lopenblas
BLAS_FLAGS := -DJS_BLAS_OPENBLAS
else ifeq ($(BLAS),blis)
BLIS_CFLAGS ?= $(addprefix -isystem ,$(firstword $(wildcard /usr/include/*-linux-gnu/blis-openmp \
               /usr/include/*-linux-gnu/blis-pthread /usr/include/*-linux-gnu/blis-serial \
               /usr/include/blis)))
BLAS_LIBS  ?= $(lapack_path) -llapacke -llapack -lblis
BLAS_FLAGS := -DJS_BLAS_BLIS $(BLIS_CFLAGS)
else ifeq ($(BLAS),generic)
BLAS_LIBS  ?= $(lapack_path) $(refblas_path) -llapacke -llapack -lblas
BLAS_FLAGS := -DJS_BLAS_GENERIC
else
$(error BLAS=$(BLAS): choose openblas, blis or generic, or name the libraries in BLAS_LIBS)
endif
# ----------------------------------------------------------------------------------------

CC      := $(MPICC)
VERSION := 0.1.0
LIB_CFLAGS := $(sort $(NETCDF_CFLAGS) $(GSL_CFLAGS) $(YAML_CFLAGS) $(JANSSON_CFLAGS) $(SPRNG_CFLAGS))
CFLAGS  := -std=gnu11 $(OPTIMIZE) $(NATIVE) $(DEBUG) -fno-math-errno -fopenmp-simd -fno-plt \
           -pthread -Wall -Wextra -Wno-unknown-pragmas -Isrc -I$(BUILD) $(BLAS_FLAGS) \
           $(filter-out -I/usr/include,$(LIB_CFLAGS))
LDLIBS  := $(SPRNG_LIBS) $(NETCDF_LIBS) $(YAML_LIBS) $(CSV_LIBS) $(JANSSON_LIBS) $(BLAS_LIBS) \
           $(GSL_LIBS) -lm

# Open MPI and MPICH are told apart when a recipe runs (tools/launch), not when this file is
# read: `make run` may just have installed the MPI. BLAS stays single-threaded per rank.
export OPENBLAS_NUM_THREADS := 1
MPIRUN := tools/launch

SRC  := $(filter-out src/cmd/main.c,$(wildcard src/*/*.c))
OBJ  := $(SRC:src/%.c=$(BUILD)/%.o)
UNIT := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

SMPI_OBJ := $(SRC:src/%.c=$(BUILD)/smpi/%.o)
ASAN_OBJ := $(SRC:src/%.c=$(BUILD)/asan/%.o)
ASAN_UNIT := $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(wildcard tests/unit/test_*.c))
ASAN_FLAGS := $(filter-out $(OPTIMIZE),$(CFLAGS)) -O1 -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=undefined

# Quiet build lines ("  CC  src/mc/kernel.c"); V=1 prints the commands.
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-5s %s\n' $(1) $(2);
endif
DEPFLAGS = -MMD -MP

.PHONY: all deps run check bench clean FORCE paper smpi scale asan install uninstall \
        build-check libs fuzz fuzzers

# ---- the default goal: build bin/judgesim (never installs) -----------------------------
.DEFAULT_GOAL := all
all: $(BIN)/judgesim

deps:
	@dev/install-deps

$(BUILD)/version.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define JS_VERSION "%s"\n#define JS_COMMIT "%s"\n#define JS_BUILD "%s"\n' \
	  "$(VERSION)" "$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD 2>/dev/null || echo +dirty)" \
	  "$$($(CC) --version | head -1) $(CFLAGS) BLAS=$(BLAS)$(if $(filter custom,$(BLAS)), BLAS_LIBS=$(BLAS_LIBS))" > $(BUILD)/version.h.new
	@cmp -s $(BUILD)/version.h.new $(BUILD)/version.h || mv $(BUILD)/version.h.new $(BUILD)/version.h
	@rm -f $(BUILD)/version.h.new

# The compiler, flags and libraries in use: objects are rebuilt when they change.
$(BUILD)/flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(SMPICC) $(CFLAGS) $(LDLIBS)' > $(BUILD)/flags.new
	@cmp -s $(BUILD)/flags.new $(BUILD)/flags || mv $(BUILD)/flags.new $(BUILD)/flags
	@rm -f $(BUILD)/flags.new

# Every library's header and link test, once per configuration, before the first compile:
# a missing library is named once, with what to install or which variable to set.
$(BUILD)/libs.ok: $(BUILD)/flags
	$(call say,CHECK,libraries)
	$(Q)dev/check-build "$(CC)" "$(CFLAGS)" "SPRNG=$(SPRNG_LIBS)" "NETCDF=$(NETCDF_LIBS)" \
	  "YAML=$(YAML_LIBS)" "CSV=$(CSV_LIBS)" "JANSSON=$(JANSSON_LIBS)" "GSL=$(GSL_LIBS)" \
	  "BLAS=$(BLAS_LIBS)" "LAPACKE=$(BLAS_LIBS)" --quiet
	@touch $@
libs: $(BUILD)/libs.ok

$(BUILD)/%.o: src/%.c $(BUILD)/flags | $(BUILD)/libs.ok
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/io/buildid.o: $(BUILD)/version.h
$(BUILD)/io/buildid.o: CFLAGS += -include $(BUILD)/version.h

# The same sources for SimGrid's SMPI (simulated clusters; dev/scale): the failure state
# is per rank instead of per thread (SMPI ranks are threads of one process).
smpi: $(BIN)/judgesim-smpi

$(BUILD)/smpi/%.o: src/%.c $(BUILD)/flags | $(BUILD)/libs.ok
	$(call say,SMPI,$<)
	@mkdir -p $(@D)
	$(Q)$(SMPICC) $(CFLAGS) $(DEPFLAGS) -DJS_SMPI -c $< -o $@

$(BUILD)/smpi/io/buildid.o: $(BUILD)/version.h
$(BUILD)/smpi/io/buildid.o: CFLAGS += -include $(BUILD)/version.h

$(BIN)/judgesim-smpi: $(BUILD)/smpi/cmd/main.o $(SMPI_OBJ)
	$(call say,LINK,$@)
	@mkdir -p $(BIN)
	$(Q)$(SMPICC) $(CFLAGS) -DJS_SMPI $^ -o $@ $(LDLIBS)

# The same sources and unit tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (tests/sanitize.bats runs them in make check).
asan: $(BIN)/judgesim-asan $(ASAN_UNIT)

$(BUILD)/asan/%.o: src/%.c $(BUILD)/flags | $(BUILD)/libs.ok
	$(call say,ASAN,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_FLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/asan/io/buildid.o: $(BUILD)/version.h
$(BUILD)/asan/io/buildid.o: ASAN_FLAGS += -include $(BUILD)/version.h

$(BIN)/judgesim-asan: $(BUILD)/asan/cmd/main.o $(ASAN_OBJ)
	$(call say,LINK,$@)
	@mkdir -p $(BIN)
	$(Q)$(CC) $(ASAN_FLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/asan/tests/%: tests/unit/%.c $(ASAN_OBJ) tests/unit/testutil.h
	$(call say,ASAN,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_FLAGS) -Itests/unit $< $(ASAN_OBJ) -o $@ $(LDLIBS) $(CMOCKA_LIBS)

$(BIN)/judgesim: $(BUILD)/cmd/main.o $(OBJ)
	$(call say,LINK,$@)
	@mkdir -p $(BIN)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(OBJ) tests/unit/testutil.h
	$(call say,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(OBJ) -o $@ $(LDLIBS) $(CMOCKA_LIBS)

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) with AddressSanitizer and UBSan, built by clang
# through the MPI wrapper (OMPI_CC / MPICH_CC); tests/fuzz.bats replays their corpora and
# runs each for FUZZ_SECONDS in make check; make fuzz runs each longer.
FUZZ_CC    := OMPI_CC=clang MPICH_CC=clang $(MPICC)
FUZZ_FLAGS := $(filter-out $(OPTIMIZE) $(NATIVE) -fopenmp-simd,$(CFLAGS)) -O1 -march=native \
              -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=undefined -fno-sanitize=alignment
# (-fno-sanitize=alignment: clang 14 crashes on __builtin_assume_aligned with that check.)
FUZZ_OBJ   := $(SRC:src/%.c=$(BUILD)/fuzz/%.o)
FUZZERS    := $(patsubst tests/fuzz/fuzz_%.c,$(BIN)/fuzz-%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 300
fuzzers: $(FUZZERS)

$(BUILD)/fuzz/%.o: src/%.c $(BUILD)/flags | $(BUILD)/libs.ok
	$(call say,FUZZ,$<)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/fuzz/io/buildid.o: $(BUILD)/version.h
$(BUILD)/fuzz/io/buildid.o: FUZZ_FLAGS += -include $(BUILD)/version.h

$(BUILD)/fuzz/libjudgesim.a: $(FUZZ_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/fuzz/libjudgesim.a
	$(call say,LINK,$@)
	@mkdir -p $(BIN)
	$(Q)$(FUZZ_CC) $(filter-out -fsanitize=fuzzer-no-link%,$(FUZZ_FLAGS)) \
	  -fsanitize=fuzzer,address,undefined -Itests/fuzz $< $(BUILD)/fuzz/libjudgesim.a -o $@ $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) dev/fuzz

# make bench's breakdown of a unit's time per candidate (dev/bench-parts.c)
$(BUILD)/bench-parts: dev/bench-parts.c $(OBJ)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) $< $(OBJ) -o $@ $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- what the README's commands run: packages first, then a fresh make reads the tools ---
# (a sub-make, so that nc-config, pkg-config and mpicc are asked after make deps)
run: deps
	@$(MAKE) --no-print-directory all
	$(MPIRUN) -np $(RANKS) $(BIN)/judgesim run $(CONFIG)
	@cube=$$($(BIN)/judgesim run $(CONFIG) --dry-run | sed -n 's/^output: //p'); \
	  tools/table "$$cube" && $(BIN)/judgesim analyze "$$cube" --quiet && tools/plot "$$cube"

paper: deps
	@$(MAKE) --no-print-directory all
	@start=$$(date +%s); \
	$(MPIRUN) -np $(RANKS) $(BIN)/judgesim run inputs/paper.yaml && \
	$(BIN)/judgesim analyze outputs/paper.nc --quiet && \
	tools/plot outputs/paper.nc --out outputs/paper && \
	$(MPIRUN) -np $(RANKS) $(BIN)/judgesim run inputs/paper-scaling.yaml --quiet && \
	$(MPIRUN) -np $(RANKS) $(BIN)/judgesim run inputs/authors-finite-T.yaml --quiet && \
	$(MPIRUN) -np $(RANKS) $(BIN)/judgesim run inputs/authors-best-of-k.yaml --quiet && \
	tools/plot outputs/authors-finite-T.nc --out outputs/authors-finite-T && \
	tools/plot outputs/authors-best-of-k.nc --out outputs/authors-best-of-k && \
	tools/paper outputs/paper.nc outputs/paper-scaling.nc \
	  --authors-finite-T outputs/authors-finite-T.nc \
	  --authors-best-of-k outputs/authors-best-of-k.nc; rc=$$?; \
	echo "make paper: $$(( $$(date +%s) - start )) s wall on $(RANKS) ranks"; exit $$rc

# Everything the tests use, built.
build-check: all smpi asan fuzzers $(UNIT) $(BUILD)/bench-parts

check: deps
	@$(MAKE) --no-print-directory build-check
	@tests/run-all

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench-parts
	@dev/bench

# Simulated strong and weak scaling (a benchmark, not a test: 17 minutes of host time on the
# machine of docs/scaling.md, of which the 4,096-rank simulation took 5 minutes).
scale: deps
	@$(MAKE) --no-print-directory all smpi
	@dev/scale inputs/scale.yaml --ranks 16,64,256,1024
	@dev/scale inputs/scale.yaml --ranks 16,4096 --set sampling.trials=8192
	@dev/scale inputs/scale.yaml --ranks 16,64,256,1024 --weak 8 --set 'grid.T=[0,.inf]'

# ---- install (no root needed with a PREFIX of your own) --------------------------------
PREFIX  ?= /usr/local
DESTDIR ?=
SHARE   := $(DESTDIR)$(PREFIX)/share/judgesim
TOOLS   := make-samples paper plot rerankplot.py cubefile.py table launch authors-peer
JOBS    := submit lib.sh run.sbatch array.sbatch merge.sbatch

# The binary in PREFIX/bin; tools, job scripts, inputs and docs in PREFIX/share/judgesim,
# laid out like a checkout (its bin/ points at PREFIX/bin) so the scripts find the binary;
# PREFIX/bin/judgesim-submit and the man page judgesim(1).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/tools $(SHARE)/jobs $(SHARE)/inputs \
	  $(SHARE)/docs $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN)/judgesim $(DESTDIR)$(PREFIX)/bin/judgesim
	install -m 755 $(addprefix tools/,$(filter-out %.py,$(TOOLS))) $(SHARE)/tools
	install -m 644 tools/rerankplot.py tools/cubefile.py $(SHARE)/tools
	install -m 755 $(addprefix jobs/,$(JOBS)) $(SHARE)/jobs
	install -m 644 inputs/*.yaml $(SHARE)/inputs
	install -m 644 docs/*.md README.md $(SHARE)/docs
	install -m 644 docs/judgesim.1 $(DESTDIR)$(PREFIX)/share/man/man1/judgesim.1
	ln -sfn ../../bin $(SHARE)/bin
	ln -sfn ../share/judgesim/jobs/submit $(DESTDIR)$(PREFIX)/bin/judgesim-submit
	echo "$(PREFIX)" > $(SHARE)/.installed

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/judgesim $(DESTDIR)$(PREFIX)/bin/judgesim-submit \
	  $(DESTDIR)$(PREFIX)/share/man/man1/judgesim.1
	rm -rf $(SHARE)

clean:
	rm -rf $(BUILD) $(BIN)
