"""python -m maparray: the maparray command-line tool."""

from ._cli import main

main()
