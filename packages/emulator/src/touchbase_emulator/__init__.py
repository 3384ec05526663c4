"""An emulator of the Google Calendar API v3 and Google's OAuth endpoints.

It imports nothing from the rest of touchbase: it is an independent implementation of Google's
behaviour, so that a bug in our client can never be hidden by a matching bug here.
"""

from touchbase_emulator.app import create_app, serve
from touchbase_emulator.core import Emulator

__all__ = ["Emulator", "create_app", "serve"]
