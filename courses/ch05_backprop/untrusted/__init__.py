"""What the ch05 workers may load: the training procedure (layers are stepped through by the engine's own).

Only relative imports: a worker loads it by path, under another name.
"""

from . import procedures

FUNCTIONS: dict = {}
PROCEDURES = dict(procedures.LIBRARY)
