"""What both UIs share: the typed HTTP client of the API (http.py). Imports nothing of the
application's other packages: the UIs are HTTP clients of the API, like any partner."""
