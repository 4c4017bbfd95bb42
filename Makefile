# The two front-door commands: `make demo` and `make test`.
.PHONY: demo test bench bootstrap

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	.venv/bin/vigikfield demo

test: bootstrap
	.venv/bin/ruff check vigikfield sync bench scripts tests
	.venv/bin/python -m pytest -n 2 -p no:cacheprovider

bench: bootstrap
	.venv/bin/python -m bench
