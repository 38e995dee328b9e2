"""The assessment core: rulebook + engine on plain typed data.

No Django import may appear anywhere below this package; ``tests/assessment/
test_purity.py`` enforces it.  The web platform adapts its models to
``opsqm.pure.assessment.model`` and calls ``opsqm.pure.assessment.engine.assess``.
"""
