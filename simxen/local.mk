# The simulated Xen: filled in by its own commit.
