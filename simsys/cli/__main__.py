"""``python -m simsys.cli``: the same as the ``simsys`` command."""
from . import main

main()
