"""Delivery dates: the shop's capacity, its closures and down days, and the estimate promised at
ordering (the rules in rules.py). Keeping those promises is portal.keeping."""
