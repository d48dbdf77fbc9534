"""A Telegram Bot API emulator: an in-memory world of users, chats and messages (`world`),
the Bot API methods over it (`methods`), served over real HTTP (`server`)."""
