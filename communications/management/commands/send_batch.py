"""manage.py send_batch <batch id>: send a batch of letters here, with a progress bar. Run it
again after it was stopped (or its worker died): it sends only what has not gone, once."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from communications.batches import batch_send
from communications.models import Batch


class Command(BaseCommand):
    help = "Send (or finish sending) a batch of letters, emails or texts, showing progress."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)

    def handle(self, *args, batch_id: int, **options):
        batch = Batch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"There is no batch {batch_id}.")
        if batch.status == Batch.Status.CANCELLED:
            raise CommandError(f"Batch {batch_id} was cancelled: it will not be sent.")
        # On the raw stream: tqdm redraws its line with \r, which OutputWrapper would end with \n.
        with tqdm(total=len(batch.target_ids), unit="message", file=self.stderr._out, mininterval=0.5) as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            outcome = batch_send(batch_id, progress=progress)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(outcome.items())) or "nothing to send"
        self.stdout.write(f"Batch {batch_id}: {summary}.")
