"""``rft report NAME``: management reports as a table, CSV, JSON or an A4 PDF."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import reports
from core.cli.context import DATE_FORMS, database, date_arg
from core.infra.errors import ValidationFailed
from core.reports.export import to_csv, to_table
from core.reports.pdf import to_pdf

FORMATS = ("table", "csv", "json", "pdf")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="management reports (utilisation, revenue, forecast, ...)",
        description="Reports cover sessions starting in the date range "
        "(default: 12 weeks back to 12 weeks ahead; forecast: the next 12 months).",
    )
    p.add_argument("name", metavar="NAME", help=f"one of: {', '.join(reports.REPORT_NAMES)}")
    p.add_argument(
        "--from", dest="date_from", type=date_arg, metavar="DATE", help=f"first date, {DATE_FORMS}"
    )
    p.add_argument("--to", dest="date_to", type=date_arg, metavar="DATE", help="last date")
    p.add_argument("--venue", help="venue id, e.g. leeds")
    p.add_argument("--course", help="course id, e.g. faw")
    p.add_argument("--by", help="grouping: venue, course, month, week, trainer or weekday-time")
    p.add_argument("--format", default="table", help=f"one of: {', '.join(FORMATS)}")
    p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise ValidationFailed(
            f"Unknown format {args.format!r}; choose one of {', '.join(FORMATS)}."
        )
    if args.format == "pdf" and args.out is None:
        raise ValidationFailed("A PDF needs a file: add --out FILE.pdf.")
    flt = reports.ReportFilter(args.date_from, args.date_to, args.venue, args.course)
    db = database()
    with db.read() as tx:
        report = reports.run(tx, args.name, flt, args.by)
    if args.format == "pdf":
        to_pdf(report, args.out)
        print(f"Wrote {args.out}")
        return 0
    if args.format == "csv":
        text = to_csv(report)
    elif args.format == "json":
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_table(report) + "\n"
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8", newline="")
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0
