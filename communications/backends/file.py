"""The default backend (`make run`, tests): writes what would be sent to a directory, one JSON
file per message (and the letter's PDF beside it), and logs a line. A reference is written once:
handing the same message over again finds the first file, as a provider would."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from communications.backends.base import DeliveryBackend, Outgoing, ProviderStatus

logger = logging.getLogger(__name__)


class FileBackend(DeliveryBackend):
    name = "file"

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _stem(self, reference: str) -> str:
        digest = hashlib.sha256(reference.encode()).hexdigest()[:12]
        return f"{slugify(reference)[:80]}-{digest}"

    def _path(self, reference: str) -> Path:
        return self.directory / f"{self._stem(reference)}.json"

    def send(self, message: Outgoing) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{self._stem(message.reference)}"
        target = self._path(message.reference)
        record = {k: v for k, v in asdict(message).items() if k != "pdf"}
        record |= {"id": provider_id, "written_at": timezone.now().isoformat()}
        if message.pdf:
            pdf = target.with_suffix(".pdf")
            pdf.write_bytes(message.pdf)
            record["pdf_file"] = pdf.name
        # Written aside, then linked into place: the link fails if the reference was written
        # before, so a message is in the outbox once however often it is handed over.
        with tempfile.NamedTemporaryFile("w", dir=self.directory, suffix=".tmp", delete=False) as handle:
            json.dump(record, handle, indent=2)
        try:
            os.link(handle.name, target)
            logger.info("Wrote %s %s to %s", message.channel, message.reference, target)
        except FileExistsError:
            logger.info("%s %s was already in the outbox", message.channel, message.reference)
        finally:
            os.unlink(handle.name)
        return provider_id

    def status(self, provider_id: str) -> ProviderStatus:
        return ProviderStatus(outcome="delivered", status="written")

    def find(self, reference: str) -> str | None:
        return f"file-{self._stem(reference)}" if self._path(reference).exists() else None
