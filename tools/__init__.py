"""The course's build tools, apart from the runtime library ``dilconv_lib`` (which no notebook needs them for).

- ``tools.editions``: the student edition, the slides and the static site (``make student|slides|html``).
- ``tools.workspace``: the learner's own copy of the course in ``workspace/`` (``make lab``).
- ``tools.manifest``: what a build delivered (file hashes), so that nothing a learner changed is overwritten.
- ``tools.torch_index``: which index ``make`` installs torch from (the CPU-only one on Linux without a GPU).
- ``tools.i18n``: the translated editions, catalogues per notebook kept in step with the English by hashes
  (``make zh``; ``python -m tools.i18n todo|merge`` for a translator).
- ``tools.run_notebooks``: executes the notebooks and stores their outputs, only on a quiet machine, recording
  it in each notebook's metadata (``make notebooks``).
- ``tools.classroom``: JupyterHub serving the course to a class from one machine (``classroom.mk``).

``tools.editions``, ``tools.workspace``, ``tools.i18n`` and ``tools.run_notebooks`` need the ``editions`` extra
(``pip install -e ".[editions]"``, part of ``dev``); ``tools.manifest`` and ``tools.torch_index`` need only the
standard library.
"""
