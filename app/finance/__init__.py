"""Finance: supplier bills, supplier payments and what is owed to suppliers."""
