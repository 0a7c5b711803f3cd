"""Courses and venues: the catalogue file and its admin edits."""
