"""What buying and selling share: order lines in a product's units, priced to the cent."""
