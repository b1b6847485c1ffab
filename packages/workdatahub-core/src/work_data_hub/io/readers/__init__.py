"""Readers that turn source files (Excel, CSV) into DataFrames of raw text values."""

from work_data_hub.io.readers.csv import CsvReader
from work_data_hub.io.readers.excel import ExcelReader
from work_data_hub.io.readers.headers import clean_header

__all__ = ["CsvReader", "ExcelReader", "clean_header"]
