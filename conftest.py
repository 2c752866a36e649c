"""For every pytest run in this repository (unit tests, doctests, nbval's kernels, which inherit the environment):
a sentence with no translation in the learner's language is an error, not an English fallback
(:mod:`dilconv_lib.i18n`)."""

import os

os.environ["DILCONV_I18N_STRICT"] = "1"
