"""Keywords of free-text answers, as plain Python: no ORM, no request.

Segmentation is jieba's, on a tokenizer of our own (not jieba's global one, so nothing else
in the process changes it) that has loaded ``party_terms.txt``: the Party-building terms
(三会一课, 第一议题, 党建+N, …) stay whole words. Words in ``stopwords.txt``, single
characters, numbers and punctuation are not terms. A term's ``count`` is how often it occurs;
``answers`` is in how many answers.
"""

import logging
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jieba

HERE = Path(__file__).resolve().parent
DICTIONARY_PATH = HERE / "party_terms.txt"
STOPWORDS_PATH = HERE / "stopwords.txt"
# Where one sentence ends: Chinese and Latin full stops, question and exclamation marks,
# semicolons and line breaks.
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")
# A token that is a term must hold a letter (Chinese or Latin): not "12", not "，".
HAS_LETTER = re.compile(r"[^\W\d_]")

_lock = threading.Lock()
_tokenizer = None
jieba.setLogLevel(logging.WARNING)


def _lines(path):
    with open(path, encoding="utf-8") as handle:
        return [
            line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")
        ]


def dictionary_terms():
    """The terms of the custom dictionary, in file order."""
    return [_entry(line)[0] for line in _lines(DICTIONARY_PATH)]


def _entry(line):
    """(term, frequency) of a dictionary line; the frequency is optional."""
    word, _, freq = line.rpartition(" ")
    if not word or not freq.isdigit():
        return line, 2000
    return word.strip(), int(freq)


STOPWORDS = frozenset(_lines(STOPWORDS_PATH))


def _tokenizer_with_terms():
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            tokenizer = jieba.Tokenizer()
            for line in _lines(DICTIONARY_PATH):
                tokenizer.add_word(*_entry(line))
            _tokenizer = tokenizer
        return _tokenizer


def normalise(text):
    """The text as segmented: full-width letters, digits and ＋ made half-width (NFKC), so
    "党建＋Ｎ" is the same term as "党建+N"."""
    return unicodedata.normalize("NFKC", text)


def words(text):
    """Every token of ``text`` that may be a term, in order."""
    tokens = _tokenizer_with_terms().lcut(normalise(text), HMM=True)
    return [t for t in (token.strip() for token in tokens) if is_term(t)]


def is_term(token):
    return len(token) > 1 and token not in STOPWORDS and bool(HAS_LETTER.search(token))


@dataclass(frozen=True)
class Term:
    term: str
    count: int  # occurrences in all the texts
    answers: int  # texts it occurs in


def top_terms(texts, n=20):
    """The ``n`` most frequent terms of ``texts`` (an iterable of strings): most frequent
    first, then in more answers, then in Unicode order, so ties always list the same way."""
    return rank_terms((words(text) for text in texts), n)


def rank_terms(word_lists, n=20):
    """``top_terms`` of texts already cut into words (one list per text)."""
    counts, answers = Counter(), Counter()
    for found in word_lists:
        counts.update(found)
        answers.update(set(found))
    ranked = sorted(counts, key=lambda t: (-counts[t], -answers[t], t))
    return [Term(term=t, count=counts[t], answers=answers[t]) for t in ranked[:n]]


def sentences(text):
    """``text`` cut into sentences, each stripped, blank ones left out."""
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]


def sentences_with(term, texts):
    """``[(key, sentence)]`` for every sentence of every ``(key, text)`` pair in which
    ``term`` is one of the words (so "党建" does not find "党建品牌")."""
    found = []
    for key, text in texts:
        for sentence in sentences(text):
            if term in words(sentence):
                found.append((key, sentence))
    return found
