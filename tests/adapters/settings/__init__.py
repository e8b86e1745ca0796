"""Tests of the settings adapter: the config file and the environment."""
