"""Benchmarks (``make bench``): every timing in the book is measured here, never in a test."""
