"""tfc's differential tester: generate (generate.py, program.py), judge (oracle.py, in a
worker process: worker.py), shrink (shrink.py), report (cli.py). Entry: tools/fuzz.py."""
