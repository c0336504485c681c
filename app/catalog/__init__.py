"""Categories and products: units, barcodes, prices, stock settings."""
