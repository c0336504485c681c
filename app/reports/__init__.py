"""Reports: read-only queries over the ledger and the documents, and the demand forecast
behind replenishment."""
