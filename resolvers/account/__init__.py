"""Accounts: a customer's own account and consent, the admin's customer grid, and the field and
password rules every account shares.
"""
