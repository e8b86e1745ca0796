"""Tests of the command line's pure views."""
