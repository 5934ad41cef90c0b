"""Errors the web face shows a person: an HTTP status and a bilingual text key."""

from __future__ import annotations

from typing import Any

from hkfactor.web._i18n import tr

__all__ = ["ParamError", "WebError"]


class WebError(Exception):
    """A client error with a status and a message key of :data:`hkfactor.web._i18n.TEXTS`.

    The message is rendered in the language of the request, never with a traceback.
    """

    def __init__(self, status: int, key: str, /, **params: Any) -> None:
        self.status = status
        self.key = key
        self.params = params
        super().__init__(tr(key, "en", **params))

    def message(self, lang: str) -> str:
        """The message in ``lang``."""
        return tr(self.key, lang, **self.params)


class ParamError(WebError):
    """An invalid query or form parameter (422), naming the parameter."""

    def __init__(self, name: str, key: str, /, **params: Any) -> None:
        self.name = name
        super().__init__(422, key, **params)

    def message(self, lang: str) -> str:
        return tr("error.param", lang, name=self.name, problem=tr(self.key, lang, **self.params))
