"""The storage contract suite: runs on SQLite, and on PostgreSQL when EARSHOT_TEST_DATABASE_URL is set."""
