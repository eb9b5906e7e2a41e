"""Training command lines, one per model: `python -m training.<name> --help`."""
