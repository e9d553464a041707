"""`path_to(name, *ids)`: the path of a named URL whose arguments are all integer ids, as
`reverse(name, args=ids)` gives it, for pages that link every row of a list.

Django's `reverse` matches the arguments against every pattern of that name each time (about
70 µs here); a worktray links fifty cases. The path's shape only depends on the URL conf and the
script prefix, so it is reversed once, with sentinel ids, and the ids are put in place after.
Anything that is not a non-negative int goes through `reverse` itself."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

# Ids no real row has, and digits that cannot appear in a path by accident.
_SENTINELS = (9_876_543_210_123, 9_876_543_210_456, 9_876_543_210_789)


@functools.lru_cache(maxsize=256)
def _shape(name: str, arity: int, prefix: str, urlconf: str | None) -> tuple[str, ...]:
    path = reverse(name, args=_SENTINELS[:arity], urlconf=urlconf)
    pieces = [path]
    for sentinel in _SENTINELS[:arity]:
        head, sep, tail = pieces.pop().partition(str(sentinel))
        if not sep:  # the pattern reorders or transforms its arguments: not a plain substitution
            raise LookupError(name)
        pieces += [head, tail]
    return tuple(pieces)


def path_to(name: str, *ids: int) -> str:
    if len(ids) > len(_SENTINELS) or not all(type(id_) is int and id_ >= 0 for id_ in ids):
        return reverse(name, args=ids)
    try:
        pieces = _shape(name, len(ids), get_script_prefix(), get_urlconf())
    except LookupError:
        return reverse(name, args=ids)
    path = pieces[0]
    for id_, piece in zip(ids, pieces[1:], strict=True):
        path += f"{id_}{piece}"
    return path
