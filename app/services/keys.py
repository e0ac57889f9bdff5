"""Normalised lookup keys, so names and aliases match however a client types them."""

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})
_SPACES = re.compile(r"\s+")


def lookup_key(text: str) -> str:
    """Case-, width- and apostrophe-insensitive form of a name: 'Pakistan\u2019s  IT' -> "pakistan's it"."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return _SPACES.sub(" ", folded).strip()


def like_prefix(prefix: str) -> str:
    """A LIKE pattern (ESCAPE '\\') for values starting with `prefix`, its wildcards taken literally."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"
