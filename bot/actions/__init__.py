"""What people in the channel do: the chat command language, claims and outcomes, topics and feeds.

``chat_actions.ChatActions`` is the one entry every chat adapter calls, whatever the platform.
"""
