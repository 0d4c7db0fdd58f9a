"""What the ch04 workers may load: the test functions and the training procedure, known by name.

This folder is all a worker sees of the course (the rest of the package holds the checks,
hints and the mutant catalogue's correct styles). Only relative imports: a worker loads
it by path, under another name.
"""

from . import procedures, testfuncs

FUNCTIONS = dict(testfuncs.LIBRARY)
PROCEDURES = dict(procedures.LIBRARY)
