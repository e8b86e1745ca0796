"""Chat platforms: where alerts and notices are posted."""
