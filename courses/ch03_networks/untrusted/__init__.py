"""What the ch03 workers may load: nothing but empty libraries (every ch03 call takes plain arrays and dicts).

Only relative imports would be allowed here: a worker loads it by path, under another name.
"""

FUNCTIONS: dict = {}
PROCEDURES: dict = {}
