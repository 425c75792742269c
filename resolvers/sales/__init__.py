"""Carts, checkout and orders with their invoices, shipments and credit memos."""
