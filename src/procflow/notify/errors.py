"""What notifications raise: a configuration that cannot be used, a delivery that failed."""

from __future__ import annotations

from procflow.errors import ProcflowError


class NotifyError(ProcflowError):
    """Notifications cannot run as asked (e.g. the store keeps no outbox)."""


class NotifyConfigError(NotifyError):
    """The notification configuration file cannot be used.

    The message names the file and each wrong field (``channels.email.port``)
    with what is expected there.
    """


class DeliveryError(NotifyError):
    """A channel could not deliver a message.

    ``permanent`` says that trying again cannot help (the mail server refused
    the address, the webhook answered 400): the delivery is dead-lettered at
    once instead of retried. Anything else (server down, timeout, 5xx) is
    retried with backoff.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
