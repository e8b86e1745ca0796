"""The optional LLM judge's adapters: an OpenAI-compatible chat-completions client."""

from earshot.adapters.judge.openai import OpenAiJudge, judge_http

__all__ = ["OpenAiJudge", "judge_http"]
