"""Encryption of secrets at rest (Google tokens, PKCE verifiers) with a configured secret."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretCipher:
    """Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from the configured secret."""

    def __init__(self, secret: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"touchbase", info=b"token-encryption"
        ).derive(secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def encrypt(self, plain: str) -> str:
        """Ciphertext of `plain`."""
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, cipher: str) -> str:
        """The plain text; ValueError when the key does not fit."""
        try:
            return self._fernet.decrypt(cipher.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt: wrong TOUCHBASE_SECRET_KEY?") from exc
