"""Command-line entry point. Commands are thin wrappers over plain functions in other modules."""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys

import click

from talktoken.cli.output import options, shared
from talktoken.errors import TalktokenError

# name -> "module:attribute"; modules are imported only when their command runs (fast --help).
COMMANDS: dict[str, tuple[str, str]] = {
    "ports": ("talktoken.cli.device:ports", "List serial ports and which look like a talktoken."),
    "info": ("talktoken.cli.device:info", "Show the device: firmware, clock, storage, state."),
    "clock": ("talktoken.cli.device:clock", "Set the device clock from this computer."),
    "watch": ("talktoken.cli.device:watch", "Live view of the session running on the device."),
    "agenda": ("talktoken.cli.agenda:agenda", "Write, check, push and pull session agendas."),
    "logs": ("talktoken.cli.logs:logs", "List and pull session logs into the archive."),
    "archive": ("talktoken.cli.archive:archive", "Check, purge and inspect the archive."),
    "report": ("talktoken.cli.report:report", "Review sessions: tables, CSV, JSON or HTML."),
    "export": (
        "talktoken.cli.export:export",
        "Export sessions as RTTM, UEM, ELAN, TextGrid or talkr CSV.",
    ),
    "sim": ("talktoken.cli.sim:sim", "Run a simulated device in this terminal."),
    "demo": ("talktoken.cli.demo:demo", "Play a scripted session on a simulated device."),
    "deploy": ("talktoken.cli.deploy:deploy", "Compile and copy the firmware to a Pico."),
}


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the named command, or None if there is no such command."""
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the command list for --help without importing any command module."""
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@shared("port", "json", "archive")
@click.version_option(package_name="talktoken")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """talktoken: the talking-token for facilitated groups.

    Start with `talktoken demo`, or `talktoken sim` to try the device without one.
    --port, --json and --archive may also be given after the command.
    """
    from talktoken.device import portlock

    portlock.command = ctx.invoked_subcommand or ""
    options(ctx)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every TalktokenError becomes `talktoken: message` and its exit code."""
    try:
        cli.main(args=argv, prog_name="talktoken", standalone_mode=False)
    except TalktokenError as exc:
        click.echo(f"talktoken: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("talktoken: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("talktoken: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # Output piped into a closed reader (e.g. `| head`): not an error worth a trace.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except sqlite3.Error as exc:  # the archive's database: read-only, full disk, damaged
        click.echo(
            f"talktoken: the archive's database failed ({exc}); check that its folder is "
            "writable and the disk has room, then run the command again",
            err=True,
        )
        sys.exit(6)
    except OSError as exc:  # a file the command wrote or read: full disk, read-only, missing
        from talktoken.errors import file_problem

        err = file_problem(exc)
        click.echo(f"talktoken: {err}", err=True)
        sys.exit(err.exit_code)
