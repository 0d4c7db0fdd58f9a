"""What course staff and students run around a grading: publish, student repositories, batches and
merges, gradebooks and exports, the private regrade, pull-request feedback and comments, the Jupyter
self-check. Each command is a function here; :mod:`grader.cli` is the thin layer over them.
"""
