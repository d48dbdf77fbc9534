"""Routes: one file per dialogue, named like it (`routes/diary.py` serves
`dialogues/diary.py`). A route reads what its dialogue needs inside the turn's transaction,
calls the pure dialogue, stores the changes and returns the outcome. No route imports another:
what follows is data (`dialogues.types.Next`), carried out by bot/router.py.
"""
