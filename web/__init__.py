"""The web edge: Flask login, CSRF, security headers and the JSON API, on top of the services."""
