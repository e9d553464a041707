"""Print the payment status machine as a Mermaid diagram (for docs/adr/0016)."""

from django.core.management.base import BaseCommand

from payments.diagram import status_diagram


class Command(BaseCommand):
    help = "Print the payment status machine as a Mermaid stateDiagram-v2, drawn from the code."

    def handle(self, *args, **options):
        self.stdout.write(status_diagram(), ending="")
