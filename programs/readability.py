"""LIX, Björnsson's readability index, for Swedish and English alike.

    LIX = words / sentences + 100 * long words / words

A long word has more than six letters. Below 30 a text is very easy, 30-40 easy (fiction,
texts for young readers), 40-50 medium (a daily newspaper), 50-60 hard (official texts),
above 60 very hard. We use the same formula for English rather than Flesch reading ease:
it needs no syllable guessing, it was made to compare texts across languages, and one
number means the same to both writers. Our Swedish and English steps score alike (modules
1-3: means 23-27 in both); program.yaml can still set a level per language
(docs/content-style.md).

Counting is deliberately simple, for text written for a chat: a word is a run of letters
(a hyphen or apostrophe inside it joins, `KBT-behandling`, `don't`); digits are not words.
A sentence ends at `.`, `!`, `?` or `:` followed by a space, and at every line break, so
a heading or a list item without a full stop counts as a sentence of its own. An
abbreviation like `t.ex.` ends a sentence too, which lowers the score a little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LONG_WORD = 6  # letters; a word with more is long
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n")


@dataclass(frozen=True)
class Lix:
    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float:
        """The index; 0 for a text without words."""
        if not self.words:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words


def lix(text: str) -> Lix:
    """The counts of `text` (plain text: strip any markup first)."""
    words = sentences = long_words = 0
    for sentence in _SENTENCE_END.split(text):
        found = _WORD.findall(sentence)
        if not found:
            continue
        sentences += 1
        words += len(found)
        long_words += sum(1 for word in found if _letters(word) > LONG_WORD)
    return Lix(words, sentences, long_words)


def _letters(word: str) -> int:
    return sum(1 for char in word if char.isalpha())
