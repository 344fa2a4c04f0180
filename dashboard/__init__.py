"""The product's core: metrics, rules, scope, reports, exports, command line. No Dash in here."""
