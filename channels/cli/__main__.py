"""`python -m channels.cli` runs the c360 command line (same as the `c360` script)."""
from channels.cli import main

main()
