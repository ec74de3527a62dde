"""Accounts, authorization and transport security (`auth.install.install_security` wires it into the app)."""
