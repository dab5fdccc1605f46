"""circlebot: a paid knowledge community inside a Telegram group."""
