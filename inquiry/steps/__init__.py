"""The commands: one module per command, with the helpers only they use.

Each module's command is a function that returns a step body
(:data:`inquiry.runtime.step.StepBody`), run by :func:`inquiry.runtime.step.run_step`;
``inquiry.cli`` only parses options and hands them over. The words the
commands share (classes, statuses, labels) are in :mod:`inquiry.vocabulary`.
"""
