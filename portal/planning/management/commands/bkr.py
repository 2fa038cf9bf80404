import json
import sys

from django.core.management.base import BaseCommand, CommandError

from portal.core.scoping import across_organisations
from portal.planning.ratio import daycare_required, out_of_school_required


def parse_counts(kind: str, raw: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in raw.strip().split(","))
    except ValueError as exc:
        raise ValueError(f"counts {raw.strip()!r} are not whole numbers separated by commas") from exc
    expected = 4 if kind in ("dagopvang", "peuteropvang") else 2
    if len(counts) != expected or any(n < 0 for n in counts):
        raise ValueError(f"{kind} needs {expected} counts >= 0, got {raw.strip()!r}")
    return counts


def compute(kind: str, counts: tuple[int, ...]) -> dict:
    if kind in ("dagopvang", "peuteropvang"):
        return daycare_required(counts).as_dict()  # type: ignore[arg-type]
    return out_of_school_required(*counts).as_dict()


class Command(BaseCommand):
    help = (
        "The staff/child ratio (BKR). Daycare: --counts N0,N1,N2,N3 (children aged 0, 1, 2, 3+ in one group). "
        "BSO: --counts A,B (children aged 4-6 and 7+ at the location). Prints one JSON object; "
        "with --batch - it reads one count line per input line and prints one JSON object a line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=["dagopvang", "peuteropvang", "bso"], default="dagopvang")
        parser.add_argument("--counts")
        parser.add_argument("--batch", help="'-' to read count lines from standard input")

    @across_organisations()  # a job of the installation, not one user's request
    def handle(self, *args, **options):
        kind = options["kind"]
        if options["batch"] is not None:
            if options["batch"] != "-":
                raise CommandError("--batch takes '-' (standard input)")
            out = sys.stdout
            for number, line in enumerate(sys.stdin, start=1):
                if not line.strip():
                    continue
                try:
                    result = compute(kind, parse_counts(kind, line))
                except ValueError as exc:
                    result = {"required_professionals": None, "allowed": False, "reason": f"line {number}: {exc}"}
                out.write(json.dumps(result) + "\n")
            return
        if not options["counts"]:
            raise CommandError("give --counts or --batch -")
        try:
            counts = parse_counts(kind, options["counts"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(compute(kind, counts)))
