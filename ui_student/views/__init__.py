"""The student app\x27s views, one module per tab."""
