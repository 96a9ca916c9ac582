"""Tests of the fake Slack.

This marker makes the directory the test package ``fake_slack`` (tests/bot itself has none), so its
conftest and modules get names of their own (``fake_slack.conftest``) instead of clashing with
``tests/conftest.py`` as the module ``conftest`` under ``mypy .``. Do not add ``tests/bot/__init__.py``:
the package would become ``bot.sandbox.fake_slack`` and shadow the real one.
"""
