"""The pipeline simulator: a clean world (world.py), named faults (faults.py), a writer (writer.py)."""
