.PHONY: demo test bench setup

demo:  ## set up, then run the demo
	./scripts/demo.sh

test:  ## set up, then lint, type-check and run every test
	./scripts/test.sh

bench:  ## set up, then run the benchmarks
	./scripts/bench.sh

setup:
	./scripts/setup.sh
