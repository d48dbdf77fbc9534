"""Rendering: a dialogue's `Reply` as a Bot API call for the outbox (`calls.py`), message
length in Telegram's units (`message_parts.py`), charts drawn as PNG (`charts.py`), the
command menus (`menus.py`) and a questionnaire as the form dialogue sees it (`form_views.py`).
Nothing here sends; the sender does.
"""
