"""What a ``Journal(target)`` names, and the URLs the journal keeps or prints, without their secrets.

``parse_target`` decides, once, where a journal lives:

- ``postgresql://``, ``postgres://`` and ``postgresql+psycopg://`` URLs (the scheme in any case) and libpq
  ``key=value`` strings (``host=db dbname=jobs user=app``): PostgreSQL;
- ``sqlite:///relative/path`` and ``sqlite:////absolute/path`` (SQLAlchemy's spelling): that SQLite file;
- a ``psycopg_pool.ConnectionPool``: PostgreSQL through the caller's pool (never closed by the journal);
- any other string or ``os.PathLike``: a SQLite file path, unless it looks like a URL (``scheme://...``,
  or ``key=value`` pairs) that is not one of the above: then ``ValueError``, never a local file of that name;
- anything else: ``TypeError``.

No message, repr or log line built here holds a password: ``describe`` drops it from PostgreSQL targets,
and an unknown URL is named by its scheme only. ``public_base_url`` removes the credentials a base URL may
carry (a proxy login, ``api-key=``/``token=``/``sig=``... query parameters) before a job's base URL is stored.
"""

from __future__ import annotations

import importlib
import os
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final, Protocol, Union, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["JournalTarget", "PoolLike", "Target", "describe_conninfo", "parse_target", "public_base_url"]

POSTGRES_SCHEMES: Final = frozenset({"postgresql", "postgres", "postgresql+psycopg"})
_SCHEME: Final = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)://")
_KEY_VALUE: Final = re.compile(r"^\s*[A-Za-z_]+\s*=")
SECRET_QUERY_WORDS: Final = ("key", "token", "sig", "secret", "password", "passwd", "pwd", "auth", "credential")
"""A query parameter whose name contains one of these (``api-key``, ``access_token``, ``sig``...) is dropped."""


class PoolLike(Protocol):
    """What ``Journal`` takes as a pool: a ``psycopg_pool.ConnectionPool`` (matched by shape, as psycopg is an
    optional extra; at run time the class itself is checked)."""

    def connection(self, timeout: float | None = None) -> AbstractContextManager[Any]: ...

    def check(self) -> None: ...


JournalTarget = Union[str, "os.PathLike[str]", PoolLike]
"""What ``Journal(target)`` takes: a SQLite path, a PostgreSQL URL or libpq string, or a pool."""


@dataclass(frozen=True)
class Target:
    """Where a journal lives: ``sqlite`` with a file ``path``, or ``postgres`` with a ``conninfo`` (a URL or
    libpq string, the password still in it: it is never printed) or the caller's ``pool``."""

    kind: str
    path: str = ""
    conninfo: str = ""
    pool: Any = None

    @property
    def postgres(self) -> bool:
        return self.kind == "postgres"

    def describe(self) -> str:
        """The location, safe to print (no password)."""
        if not self.postgres:
            return self.path
        if self.pool is not None:
            return f"the PostgreSQL pool {getattr(self.pool, 'name', '')!s}".rstrip()
        return describe_conninfo(self.conninfo)


def _is_pool(value: object) -> bool:
    return any(
        cls.__module__.startswith("psycopg_pool") and cls.__name__ == "ConnectionPool" for cls in type(value).__mro__
    )


def parse_target(target: object) -> Target:
    """The ``Target`` for what was given to ``Journal``; ``TypeError``/``ValueError`` as the module says."""
    if _is_pool(target):
        return Target("postgres", pool=target)
    if not isinstance(target, (str, os.PathLike)):
        raise TypeError(
            "Journal takes a SQLite file path, a postgresql:// URL, a libpq 'key=value' string or a "
            f"psycopg_pool.ConnectionPool, not {type(target).__name__}"
        )
    text: Any = os.fspath(cast("str | os.PathLike[str]", target))  # a bytes path is refused below
    if not isinstance(text, str):
        raise TypeError(f"Journal takes a text path, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("Journal needs a path or a postgresql:// URL, not an empty string")
    scheme = _SCHEME.match(text)
    if scheme is not None:
        name = scheme.group(1).lower()
        if name == "sqlite":
            path = text.strip()[len("sqlite://") :]
            if not path.startswith("/") or path == "/":
                raise ValueError("a sqlite:// journal URL names a file: sqlite:///relative.db or sqlite:////abs.db")
            return Target("sqlite", path=path[1:])
        if name not in POSTGRES_SCHEMES:
            raise ValueError(
                f"Journal does not understand {name}:// URLs: give a SQLite file path (or sqlite:///path) or a "
                "postgresql:// URL (postgres:// and postgresql+psycopg:// are taken too)"
            )
        return Target("postgres", conninfo="postgresql://" + text.strip().split("://", 1)[1])
    if isinstance(target, str) and _KEY_VALUE.match(text):
        return Target("postgres", conninfo=text.strip())
    return Target("sqlite", path=text)


def describe_conninfo(conninfo: str) -> str:
    """A PostgreSQL URL or libpq string as ``host=... port=... dbname=... user=...``, without the password
    (and without anything when it cannot be parsed)."""
    try:
        conninfo_to_dict: Any = importlib.import_module("psycopg.conninfo").conninfo_to_dict

        parts = conninfo_to_dict(conninfo)
    except Exception:
        return "a PostgreSQL database"
    shown = [f"{key}={parts[key]}" for key in ("host", "hostaddr", "port", "dbname", "user") if parts.get(key)]
    return "PostgreSQL " + (" ".join(shown) if shown else "(libpq defaults)")


def public_base_url(url: str | None) -> str | None:
    """``url`` without a login (``user:secret@``) and without query parameters that carry a credential."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _secret_name(k)]
    except ValueError:
        return None  # not a URL we can clean: better not stored than stored with a secret
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_QUERY_WORDS)
