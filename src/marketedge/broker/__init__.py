"""The Upstox token lifecycle: storage (encrypted), validation, OAuth, v3 requests, the notifier, renewal."""
