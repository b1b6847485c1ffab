"""Readers that turn source files (Excel, CSV) into DataFrames of raw values."""
