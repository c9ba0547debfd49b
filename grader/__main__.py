"""`python -m grader ...` is the same as the `grader` command."""
from grader.cli.main import main

main()
