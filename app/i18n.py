"""Language choice: `?lang=` (remembered in the session), then Accept-Language; Vietnamese
by default. Message ids are Vietnamese; `translations/en/LC_MESSAGES/messages.po` holds the
English. `make` compiles the `.mo` files (git-ignored); a process that finds one missing or
older than its `.po` compiles it itself on its first request, so a fresh checkout run
without `make` still speaks English."""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path

from babel import Locale
from flask import current_app, g, request, session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

log = logging.getLogger(__name__)
_compiled: set[str] = set()
_lock = threading.Lock()


def compile_catalogs(directory: str | Path) -> list[Path]:
    """Compile every `.po` under `directory` whose `.mo` is missing or stale; returns them.
    Fuzzy entries are left out (a guess shown as English would be wrong)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        tmp.replace(mo)
        written.append(mo)
    return written


def _ensure_compiled() -> None:
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"]
    if directory in _compiled:
        return
    with _lock:
        if directory in _compiled:
            return
        try:
            for mo in compile_catalogs(directory):
                log.info("compiled translations %s", mo)
        except OSError:  # a read-only install: use what is there
            log.warning("could not compile translations in %s", directory, exc_info=True)
        _compiled.add(directory)


@functools.lru_cache(maxsize=16)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def select_locale() -> Locale:
    """The request's language as a Locale parsed once per process (Flask-Babel would parse
    the code again on every request, reading Babel's locale data from disk)."""
    return _parsed(_select_language())


def _select_language() -> str:
    _ensure_compiled()
    languages = current_app.config["LANGUAGES"]
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in languages:
        return remembered
    return (_best_match(request.headers.get("Accept-Language", ""), tuple(languages))
            or current_app.config["BABEL_DEFAULT_LOCALE"])


@functools.lru_cache(maxsize=256)
def _best_match(accept_language: str, languages: tuple[str, ...]) -> str | None:
    """The best of `languages` for an Accept-Language header, parsed once per header text
    (a handful of distinct values in practice: browsers send their settings)."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages)


def forget_cached_locale() -> None:
    """Run before each request: Flask-Babel caches the locale on `g`, which outlives a
    request whenever an app context wraps several (tests, a CLI driving the app), and
    would then answer in the previous request's language. A request with its own app
    context (every request gunicorn serves) has nothing cached yet: nothing to do."""
    if "_flask_babel" not in g:
        return
    from flask_babel import refresh

    refresh()


def select_timezone() -> str:
    return "Asia/Ho_Chi_Minh"


def install_request_translations(app) -> None:
    """Templates look their translations up once per request instead of once per string
    (Flask-Babel's callables resolve the domain, locale and catalogue on every `_()`)."""
    from flask import has_request_context
    from flask_babel import get_translations

    def translations():
        if not has_request_context():
            return get_translations()
        found = request.environ.get("ocop.translations")
        if found is None:
            found = request.environ["ocop.translations"] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
