"""The admin action log: its entry definition, its one writer, its hash chain, reading, export and
upkeep; and the record of refusals.
"""
