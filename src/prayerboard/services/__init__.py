"""The domain: one function per use case, shared by the web pages and the JSON API.

Each function checks the policy, runs its writes in one transaction and returns plain data.
"""
