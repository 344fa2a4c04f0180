"""The domain: pure rules, metrics, scope and table types. Imports nothing of the project, no framework."""
