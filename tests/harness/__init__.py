"""Harness code that only the tests use: fresh pytest processes, kernels that replay the notebooks, and the Optimizer Race's pages.

pytest puts ``tests/`` on the import path (it holds the root ``conftest.py``),
so a test imports ``harness.NAME``; the tools of the book, which the
benchmark and the build use too, stay in :mod:`booktools`.
"""
