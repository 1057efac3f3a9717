"""The `silsila` command line."""
