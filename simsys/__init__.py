"""simsys: batched, PySD-exact system-dynamics simulation of talent innovation ecosystems."""
from .errors import SimsysError

__version__ = "0.1.0"
__all__ = ["SimsysError", "__version__"]
