"""The trusted grading pipeline, in order: notebook -> extraction -> reference and plugin -> checks -> scoring -> report.

``notebook`` reads the file (bounded), ``ipython_syntax`` and ``extract`` keep the definitions,
``grade`` runs the suites with ``plugin`` (each test's Call on the ``reference`` here and on the
student in a worker: ``session``, ``workers``), ``checks`` compare, ``classify`` turns how a test ended
into a typed verdict (``outcomes``) and ``render`` words it, ``scoring`` adds points, ``report`` renders;
``display`` and ``inert`` bound and defuse whatever came from student code. Nothing here runs student code.
"""
