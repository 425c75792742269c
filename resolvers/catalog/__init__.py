"""What the shop sells and where: products, websites and store views."""
