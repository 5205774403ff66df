# libxs-stable: filled in by its own commit.
