"""Reading barcodes: decoding pictures on the server and saying what a code is."""
