"""Thin JSON handlers over the same services the pages use."""
