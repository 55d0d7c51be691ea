"""Models of this app come with its own issue."""
