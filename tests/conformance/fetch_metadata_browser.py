"""pytest plugin for run-conformance: the suite's Browser sends what a current
browser sends when the user follows the site's own links, Sec-Fetch-Site:
same-origin (every browser since 2023 does; the suite's requests.Session sends
no Fetch Metadata at all).

mfo treats a GET /logout without Fetch Metadata like a cross-site one and
answers with a Log out button instead of logging out (README, "Security
model"): an older browser cannot tell mfo whether a link on another site sent
it. The suite's logout checks model the user clicking the nav's link.
"""
import requests

_original_init = requests.Session.__init__


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.headers.setdefault("Sec-Fetch-Site", "same-origin")


requests.Session.__init__ = _init
