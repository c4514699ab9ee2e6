"""Renderers: each turns a Recommendation into one format. They render; they never decide."""
