"""End-to-end tests of the notebooks in JupyterLab, in a headless Chromium."""
