"""`python -m siyu` runs the `siyu` command."""

from siyu.cli import main

main()
