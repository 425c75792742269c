"""Login as Customer: its configuration, its one policy, assistance sessions from start through
secret exchange to end, and the storefront's banner.
"""
