# The simulated guest: filled in by its own commit.
