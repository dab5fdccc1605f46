"""Rendering: one module per feature turns domain data into Telegram text and buttons.

The same module serves a feature's direct replies and its outbox notices; services never
render. bot/views/notices.py maps each notice kind to its renderer.
"""
