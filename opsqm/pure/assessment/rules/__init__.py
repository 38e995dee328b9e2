"""The rules of the 办法, one small module per chapter.

Each ``assess_*`` function takes the shared ``Context`` and returns the ledger
items of its rules.  Rules never read the clock or the database: everything comes
from the evidence, ``as_of`` and the rulebook.
"""
