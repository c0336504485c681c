"""Excel and CSV: exports of master data (imports build on the same columns)."""
