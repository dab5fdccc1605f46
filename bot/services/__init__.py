"""Domain services: the rules. `do_*` change state in one transaction, `get_*` read."""
