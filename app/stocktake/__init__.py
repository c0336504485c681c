"""Stocktakes (盘点): counting stock on tablets while the warehouse keeps working, reviewing
the variances and posting them as one adjustment through the ledger."""
