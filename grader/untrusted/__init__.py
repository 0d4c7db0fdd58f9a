"""The untrusted side: everything the worker process imports, and nothing else.

A worker runs student code. It may read this package (and Python with numpy), never
the rest of the kit: the sandbox mounts or allows only these files, and a kit test
fails if a module here imports anything outside it.
"""
