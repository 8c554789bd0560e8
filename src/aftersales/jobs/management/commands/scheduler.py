import signal
import time

from django.core.management.base import BaseCommand

from aftersales.jobs.schedule import JOBS, scheduler_tick


class Command(BaseCommand):
    help = "Start the periodic jobs (deadline sweep, e-mail retries) on time; run beside the worker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One tick, then exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between ticks (default 15).")

    def handle(self, *args, once=False, interval=15.0, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if not once:
            jobs = ", ".join(f"{job.name} every {job.every}" for job in JOBS)
            self.stdout.write(f"scheduler: {jobs}")
        while self.running:
            for name in scheduler_tick():
                self.stdout.write(f"started {name}")
            if once:
                return
            time.sleep(interval)

    def _stop(self, *_args):
        self.running = False
