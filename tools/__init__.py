"""The course's build tools, apart from the runtime library ``dilconv_lib`` (which no notebook needs them for).

- ``tools.editions``: the student edition, the slides and the static site (``make student|slides|html``).
- ``tools.workspace``: the learner's own copy of the course in ``workspace/`` (``make lab``).
- ``tools.manifest``: what a build delivered (file hashes), so that nothing a learner changed is overwritten.
- ``tools.torch_index``: which index ``make`` installs torch from (the CPU-only one on Linux without a GPU).

They need the ``editions`` extra (``pip install -e ".[editions]"``, part of ``dev``), except
``tools.manifest`` and ``tools.torch_index``, which need only the standard library.
"""
