"""The `grader` command line. Each module here defines one command (or a few) as `commands`;
`main.py` discovers them, so adding a command touches no other module."""
