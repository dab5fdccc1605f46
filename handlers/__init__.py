"""Telegram-facing handlers, one module per feature; each exports build_handlers()."""
