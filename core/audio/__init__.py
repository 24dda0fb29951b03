"""Speech out (TTS) and in (STT): engines, audio formats, the on-disk cache, async streaming.

Entry points for other code: `core.audio.stream.speak_stream`, `speak_bytes` and `transcribe`.
"""
