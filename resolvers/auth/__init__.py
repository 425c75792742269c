"""Who is calling: sign-in and sign-out, bearer tokens, identity, and the limits on trying (rate
limits, lockout, admission).
"""
