"""The `acctbook` command: each subcommand parses options and calls one api function
(the document commands are in cli_documents.py; what they share in cli_common.py).

Every failure ends as one clear line and a non-zero exit (README, "Exit codes"):
0 done; 1 the book has errors or the request was refused; 2 bad usage or a
file that cannot be read.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import re
import sys
import textwrap
from pathlib import Path
from typing import Iterator

from acctbook import __version__, api, upgrading
from acctbook.cli_common import (USAGE_LANG, argv_lang, book_argument, errors_exit, lang_of,
                                 progress_bar, today_option)
from acctbook.cli_documents import document_commands
from acctbook.cli_meeting import brief_commands, calendar_commands, calendar_options
from acctbook.cli_team import batch_json, engine_options, in_order, team_commands
from acctbook.parallel import default_jobs
from acctbook.cli_outreach import campaign_commands
from acctbook.cli_output import (batch_line, day_off_notice, jsonable, print_json, show_value,
                                 streams_never_fail, summary)
from acctbook.cli_help import ABOUT, EPILOG, EXAMPLES, IMPORT_OPTIONS, LANG_HELP, QUIET_HELP
from acctbook.book import schema
from acctbook.book.i18n import system_lang, tr
from acctbook.book.model import AcctbookError
from acctbook.book.results import BATCH_STATES


# --- the today-notice: a --today far from the clock, or on a day off ---------------------
def _clock() -> dt.date:
    """The system date, only to compare --today with (the work itself gets its date from api)."""
    return dt.date.today()


def _years_on(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:                      # 29 February
        return day.replace(year=day.year + n, day=28)


def _far_notice(today: dt.date | None, lang: str | None = None) -> None:
    """One line on stderr when --today is more than a year from the system date: a fixed
    date in a script stays as given (and the exit code as it was), but never unremarked.
    Said before any book is read: in --lang's language, else the system's."""
    if today is None:
        return
    lang = lang or system_lang()
    now = _clock()
    if not _years_on(now, -1) <= today <= _years_on(now, 1):
        print(tr(lang, "note: working as of {day}, more than a year from today's date "
                       "{today}").format(day=today.isoformat(), today=now.isoformat()),
              file=sys.stderr)


# --- commands ----------------------------------------------------------------------
def cmd_new(a) -> int:
    with progress_bar(a, tr("en", "making {book}"), book=Path(a.book).name):
        p = api.new(a.book, lang=a.lang, demo=a.demo, today=a.today, macros=a.macros)
    print((tr(a.lang, "made {book} with demo data") if a.demo else
           tr(a.lang, "made {book}")).format(book=p))
    return 0


def cmd_check(a) -> int:
    with progress_bar(a, tr("en", "checking {book}"), book=Path(a.book).name) as progress:
        r = api.check(a.book, today=a.today, progress=progress)
    if a.json:
        print_json([p.as_json() for p in r.problems])
    else:
        lang = lang_of(a, r.book)
        for p in r.problems:
            print(p.line(a.book, lang))
        print(f"{a.book}: {summary(r.problems, lang)}{upgrading.stamp_note(r, lang)}",
              file=sys.stderr)
    return 1 if r.errors else 0


CLIENT_JSON = ("client_id", "last_contact", "next_follow_up", "follow_up_reason",
               "follow_up_status", "revenue_12m", "class", "rank", "score", "tier", "risk",
               "risk_reasons")


def cmd_refresh(a) -> int:
    with progress_bar(a, tr("en", "refreshing {book}"), book=Path(a.book).name) as progress:
        r = api.refresh(a.book, today=a.today, dry_run=a.dry_run, adopt_rows=a.adopt_rows,
                        progress=progress, calendar=a.calendar, days=a.days)
    day_off_notice(r.book, a.today)
    lang = lang_of(a, r.book)
    if a.json:
        frame = r.results.clients.copy()
        frame["client_id"] = r.book.frame("Clients")["client_id"].reindex(frame.index)
        out = [{k: jsonable(rec.get(k)) for k in CLIENT_JSON}
               for rec in frame.to_dict("records")]
        print_json(out)
    else:
        for p in r.problems:
            print(p.line(a.book, lang), file=sys.stderr)
        if a.dry_run:
            for c in r.changes:
                print(f"{a.book}:{c.sheet}!{c.cell}: {show_value(c.old, lang)} -> {show_value(c.new, lang)}")
            print(tr(lang, "dry run: {changes} computed cell(s) would change; {today} would list "
                           "{calls} call(s); nothing written").format(
                changes=len(r.changes), today=schema.generated_sheet("Today", lang),
                calls=len(r.results.queue)))
        else:
            print(tr(lang, "refreshed {book} for {day}: {changes} cell(s) changed, {calls} "
                           "call(s) on {today}, {problems}").format(
                book=a.book, day=r.today.isoformat(), changes=len(r.changes),
                calls=len(r.results.queue), today=schema.generated_sheet("Today", lang),
                problems=summary(r.problems, lang))
                + (tr(lang, "; previous version kept as {backup}").format(backup=r.backup)
                   if r.backup else ""))
        if r.calendar is not None:
            print(r.calendar.line(lang))
    return 1 if r.errors else 0      # written, but the book has errors


def cmd_calls(a) -> int:
    with progress_bar(a, tr("en", "reading {book}"), book=Path(a.book).name) as progress:
        res = api.calls_result(a.book, today=a.today, progress=progress)
    day_off_notice(res.book, a.today)
    lang = lang_of(a, res.book)
    recs = res.results.queue.to_dict("records")
    status = 1 if res.errors else 0                # 1 when the book has errors (README, "Exit codes")
    if a.json:
        print_json([{k: jsonable(v) for k, v in r.items() if k != "client_row"} for r in recs])
        return status
    if not recs:
        print(tr(lang, "no calls due"))
    for r in recs:
        reason = jsonable(r.get("follow_up_reason")) or ""     # without Excel's direction marks
        print(f"{r['position']:>3}. {r['client_id']}  {r.get('name') or ''}  "
              f"[{show_value(r.get('next_follow_up'), lang)}]  {reason}"
              + (f"  {r['contact']}" if r.get("contact") else "")
              + (f"  {r['phone']}" if r.get("phone") else ""))
    return errors_exit(a, res.problems, lang)      # 1 when the book has errors


def _say(line: str) -> None:
    """A progress line; a reader that went away (`| head`) must not stop the work."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def cmd_batch(a) -> int:
    books = [p for p, _why in api.expand_books(a.books)]   # folders and patterns: the bar's length
    counts = dict.fromkeys(BATCH_STATES, 0)
    status = 0
    lang = lang_of(a)
    say = in_order(books, lambda item: _say(batch_line(item, lang)))   # lines as given
    with progress_bar(a, tr("en", "refreshing")) as progress:
        def done(item):
            nonlocal status
            counts[item.state] += 1
            status = max(status, item.exit_code)
            n = sum(counts.values())
            if progress:
                step = (tr(lang, "refreshing {book}").format(book=Path(books[n]).name)
                        if n < len(books) else tr(lang, "done"))
                progress(step, n, len(books))
            say(item)
        if progress and books:
            progress(tr(lang, "refreshing {book}").format(book=Path(books[0]).name), 0,
                     len(books))
        items = api.batch(books, today=a.today, on_done=None if a.json else done, lang=lang,
                          jobs=a.jobs or default_jobs(), scheduler=a.scheduler)
    if a.json:                     # each book's state (BATCH_STATES), in the order given
        print_json([batch_json(item) for item in items])
        return max((item.exit_code for item in items), default=0)
    failed = counts["refused"] + counts["unreadable"]
    _say(tr(lang, "{done} refreshed ({with_errors} with errors), {failed} failed ({refused} "
                  "refused, {unreadable} unreadable)").format(
        done=len(books) - failed, with_errors=counts["refreshed with errors"], failed=failed,
        refused=counts["refused"], unreadable=counts["unreadable"]))
    return status                  # the worst of the books' own exit codes


def cmd_demo(a) -> int:
    with progress_bar(a, tr("en", "making the demo")) as progress:
        r = api.demo(a.dir, today=a.today, pdf=a.pdf, progress=progress)
    speak = lang_of(a)
    print(tr(speak, "demo in {folder}/").format(folder=r.folder))
    for lang, p in r.books.items():
        print(f"  {p}  ({lang}): {summary(r.checks[lang].problems, speak)}"
              + (tr(speak, "; refreshed: {calls} calls on {today}").format(
                  calls=len(r.refreshes[lang].results.queue),
                  today=schema.generated_sheet("Today", speak)) if lang in r.refreshes else ""))
        if lang in r.contracts:
            k = r.contracts[lang]
            print(f"  {k.docx}  ({lang}): " + tr(speak, "contract {contract}, {sheet} row added")
                  .format(contract=k.contract_id, sheet=schema.CONTRACTS.sheet(speak)))
            if k.pdf:
                print(f"  {k.pdf}  ({lang}): " + tr(speak, "contract {contract} as PDF").format(
                    contract=k.contract_id))
        for p2 in (r.reports[lang].files.values() if lang in r.reports else ()):
            rep = r.reports[lang]
            if p2:
                print(f"  {p2}  ({lang}): " + tr(speak, "report {month}").format(month=rep.month)
                      + (tr(speak, ", sheet '{sheet}' added to {book}").format(
                          sheet=rep.sheet, book=p.name) if rep.sheet else ""))
    return 0


def cmd_upgrade(a) -> int:
    print("\n".join(upgrading.lines(api.upgrade(a.book, a.dry_run, a.macros, a.today),
                                     a.dry_run)))
    return 0


def cmd_import(a) -> int:
    r = api.import_(a.sources, a.into, lang=getattr(a, "lang", None), maps=a.map, sheet=a.sheet,
                    dry_run=a.dry_run, today=a.today)
    print(api.import_text(r, a.json))
    return r.exit_code


# --- the parser: a help line for every argument, examples for every command ---------------
def version() -> str:
    """The installed distribution's version; the package's own when run from a source tree."""
    import importlib.metadata    # 15-35 ms to import: only --version asks
    try:
        return importlib.metadata.version("acctbook")
    except importlib.metadata.PackageNotFoundError:
        return __version__


class _Version(argparse.Action):
    """argparse's version action, the version looked up only when asked for (importing
    importlib.metadata and finding the distribution would delay every command)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"acctbook {version()}\n")      # where argparse's own prints it
        parser.exit()


def _workbook_commands(add) -> None:
    p = add("new", cmd_new, "create a workbook from the schema")
    p.add_argument("book", metavar="BOOK", help="the new workbook's file (.xlsx; .xlsm with "
                                                "--macros)")
    p.add_argument("--lang", choices=("en", "he"), default="en",
                   help="the workbook's language: en (default) or he (Hebrew, right to left)")
    p.add_argument("--demo", action="store_true", help="fill it with realistic demo data")
    p.add_argument("--macros", action="store_true",
                   help="a macro-enabled .xlsm with xlwings VBA buttons (desktop xlwings)")
    today_option(p)
    p = add("demo", cmd_demo, "the main job on a built-in example")
    p.add_argument("dir", nargs="?", default="acctbook-demo", metavar="DIR",
                   help="the folder to work in (default: acctbook-demo; made if missing)")
    p.add_argument("--pdf", action="store_true",
                   help="also PDFs of the contracts and reports (Word or LibreOffice; Chrome, "
                        "Edge or Chromium; slower)")
    today_option(p)
    p = add("check", cmd_check, "validate a workbook; exit 1 on any error")
    book_argument(p)
    today_option(p)
    p = add("refresh", cmd_refresh, "compute follow-ups, ranking, risk; write them back")
    book_argument(p)
    p.add_argument("--dry-run", action="store_true", help="write nothing; print what would change")
    p.add_argument("--adopt-rows", action="store_true",
                   help="first grow each table over the rows typed just below it")
    calendar_options(p)
    today_option(p)
    p = add("calls", cmd_calls, "print the call queue")
    book_argument(p)
    today_option(p)


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser, and each command's own parser by name."""
    ap = argparse.ArgumentParser(
        prog="acctbook", description="A key-account manager's workbook, checked and refreshed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action=_Version, help="print acctbook's version and exit")
    ap.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    ap.add_argument("--lang", choices=("en", "he"), help=LANG_HELP)
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND",
                            help="what to do (each has its own --help)")
    shared = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a command without -q keeps the -q given before it (`acctbook -q demo`)
    shared.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help=QUIET_HELP)
    speaking = argparse.ArgumentParser(add_help=False)     # `new` has its own --lang
    speaking.add_argument("--lang", choices=("en", "he"), default=argparse.SUPPRESS,
                          help=LANG_HELP)

    def add(name, func, help):
        parents = [shared] if name == "new" else [shared, speaking]
        p = sub.add_parser(name, help=help, description=textwrap.fill(ABOUT[name], 78),
                           epilog="Examples:\n" + EXAMPLES[name], parents=parents,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    _workbook_commands(add)
    document_commands(add)
    brief_commands(add)
    calendar_commands(add)
    campaign_commands(add)
    team_commands(add)
    p = add("batch", cmd_batch, "refresh many workbooks")
    p.add_argument("books", nargs="+", metavar="BOOK",
                   help="a workbook, a folder (its .xlsx/.xlsm) or a pattern ('books/*.xlsx')")
    engine_options(p)
    p.add_argument("--json", action="store_true", help="print each book's state as JSON")
    today_option(p)
    p = add("import", cmd_import, "bring in the client list you already keep")
    for flags, kw in IMPORT_OPTIONS:
        p.add_argument(*flags, **kw)
    today_option(p)
    book_argument(add("history", lambda a: print(api.history_text(a.book, a.json)) or 0,
                       "print what acctbook wrote into a book"))     # exit 0: read only
    book_argument(p := add("upgrade", cmd_upgrade, "bring an older book up to date"), json=False)
    p.add_argument("--dry-run", action="store_true", help="write nothing; list what would be added")
    p.add_argument("--macros", action="store_true", help="also BOOK.xlsm with the desktop buttons")
    today_option(p)
    return ap, dict(sub.choices)


def build_parser() -> argparse.ArgumentParser:
    return _parsers()[0]


# --- "did you mean": a mistyped command or option is one line and exit 2 --------------------
def _unknown_command(argv: list[str], commands) -> str | None:
    """The line for a first word that is no command (the top level's one value option is
    --lang, so the command is the first other word not starting with '-')."""
    word = next((t for i, t in enumerate(argv) if not t.startswith("-")
                 and (i == 0 or argv[i - 1] != "--lang")), None)
    if word is None or word in commands:
        return None
    lang = USAGE_LANG.get()
    near = difflib.get_close_matches(word.lower(), list(commands), n=1, cutoff=0.6)
    if near:
        line = tr(lang, "unknown command '{word}'; did you mean '{near}'?")
    elif word.lower().endswith((".xlsx", ".xlsm")):
        line = tr(lang, "unknown command '{word}'; the command comes first, e.g. acctbook "
                        "check {word}")
    else:
        line = tr(lang, "unknown command '{word}'; the commands are {commands} (acctbook "
                        "--help)")
    return "acctbook: " + line.format(word=word, near=near[0] if near else "",
                                      commands=", ".join(commands))


def _unknown_option(parser: argparse.ArgumentParser, command: str, extra: list[str]) -> str:
    """The line for words the command does not take: a near option is suggested."""
    word = extra[0].split("=", 1)[0]
    if not word.startswith("-") or word == "-":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")     # exit 2, with usage
    options = sorted(set(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", parser.format_usage())))
    near = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    lang = USAGE_LANG.get()
    line = (tr(lang, "unknown option '{word}'; did you mean '{near}'?") if near else
            tr(lang, "unknown option '{word}' (acctbook {command} --help lists them)"))
    return f"acctbook {command}: " + line.format(word=word, near=near[0] if near else "",
                                                 command=command)


@contextlib.contextmanager
def argparse_speaks(lang: str) -> Iterator[None]:
    """argparse's usage errors in `lang`: argparse looks its messages up through a module
    global `_` (gettext's way), so it is pointed at acctbook's catalog while parsing."""
    saved = argparse._
    argparse._ = lambda message: tr(lang, message)
    try:
        yield
    finally:
        argparse._ = saved


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when there is nothing to run: 0 after --help
    and --version, 2 after a usage error (its line already printed)."""
    USAGE_LANG.set(argv_lang(argv))
    with argparse_speaks(USAGE_LANG.get()):
        return _parse_in(argv)


def _parse_in(argv: list[str]) -> argparse.Namespace | int:
    parser, commands = _parsers()
    if not argv:                            # `acctbook` alone: the help a newcomer needs
        parser.print_help(sys.stderr)
        return 2
    wrong = _unknown_command(argv, commands)
    try:
        if wrong is None:
            args, extra = parser.parse_known_args(argv)
            if not extra:
                return args
            wrong = _unknown_option(commands[args.command], args.command, extra)
    except SystemExit as e:                 # argparse's own exit: a code for main to return
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    print(wrong, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    streams_never_fail()
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    if isinstance(args, int):
        return args
    lang = lang_of(args)                  # no book read yet: --lang, else the system's
    _far_notice(getattr(args, "today", None), lang)
    try:
        status = args.func(args)
        sys.stdout.flush()              # a reader gone away shows here, not after exit
        return status
    except AcctbookError as e:
        print(f"acctbook: {api.message(e, getattr(e, 'lang', None) or lang)}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("acctbook: " + tr(lang, "interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `acctbook check BOOK | head`: the reader stopped reading, so the output is not
        # all out: quietly (no flush error at exit), but never as a success.
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except OSError as e:
        print(f"acctbook: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # never a traceback for the user; say what broke in one line
        print("acctbook: " + tr(lang, "internal error ({error}); please report this").format(
            error=f"{type(e).__name__}: {e}"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
