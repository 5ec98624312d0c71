SHELL := bash
RUN := scripts/with-node.sh
TESTS ?= 'src/**/*.test.ts' 'test/**/*.test.ts'

.PHONY: setup test fuzz demo lint typecheck bench dev-up dev-down

setup:
	@scripts/setup.sh

## test: set everything up, type-check, and run unit + integration tests against the real environment
test: setup typecheck
	$(RUN) node --test --test-global-setup=test/global-setup.ts --test-concurrency=2 --test-timeout=300000 $(TESTS)

## fuzz: the property tests (src/**/*.property.test.ts) with a larger budget; FUZZ_RUNS, FUZZ_SEED to vary
FUZZ_RUNS ?= 20000
FUZZ_SEED ?= 18
fuzz: setup
	SLUICE_FUZZ_RUNS=$(FUZZ_RUNS) SLUICE_FUZZ_SEED=$(FUZZ_SEED) $(RUN) node --test --test-timeout=1800000 'src/**/*.property.test.ts'

typecheck: setup
	$(RUN) tsc --noEmit
	$(RUN) tsc --noEmit -p ui

lint: setup typecheck
	$(RUN) node scripts/check-imports.ts
	$(RUN) eslint .
	$(RUN) prettier --check .

## demo: set everything up and run the main job end to end
demo: setup
	bin/sluice demo

bench: setup
	$(RUN) node bench/dev-up.bench.ts

dev-up: setup
	bin/sluice dev up

dev-down:
	bin/sluice dev down
